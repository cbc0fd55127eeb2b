#include "fleet/cost.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace barge::fleet {
namespace {

using std::chrono::minutes;

const Timestamp kT0 = FromEpochMillis(1'700'000'000'000);

// A c5.large (2 vCPUs, $0.085/h on demand, $0.035/h spot) launched at
// kT0 + `launched`, terminated at kT0 + `terminated` if given.
Instance C5Large(const std::string& id, const std::string& environment, CapacityType capacity,
                 minutes launched, std::optional<minutes> terminated = std::nullopt) {
  Instance instance{.id = id,
                    .compute_environment = environment,
                    .type = InstanceType{.name = "c5.large",
                                         .family = "c5",
                                         .vcpus = 2,
                                         .memory_mib = 4096,
                                         .on_demand_per_hour = 0.085,
                                         .spot_per_hour = 0.035},
                    .capacity = capacity,
                    .state = InstanceState::kRunning,
                    .launched_at = kT0 + launched};
  if (terminated) {
    instance.state = InstanceState::kTerminated;
    instance.terminated_at = kT0 + *terminated;
  }
  return instance;
}

CostAttempt Held(const std::string& job, const std::string& queue, const std::string& instance,
                 double vcpus, minutes from, minutes until) {
  return CostAttempt{.job_id = job,
                     .job_name = "name-" + job,
                     .queue = queue,
                     .instance_id = instance,
                     .vcpus = vcpus,
                     .held_from = kT0 + from,
                     .held_until = kT0 + until};
}

CostOptions Window(minutes since, minutes until) {
  return CostOptions{.since = kT0 + since, .until = kT0 + until};
}

constexpr double kTolerance = 1e-12;

TEST(CostTest, JobsPayTheirVcpuShareAndTheRestIsIdle) {
  // One spot c5.large for an hour; two 1-vCPU jobs for 30 minutes each.
  std::vector<Instance> instances{
      C5Large("i-1", "ce", CapacityType::kSpot, minutes(0), minutes(60))};
  std::vector<CostAttempt> attempts{Held("a", "q", "i-1", 1, minutes(0), minutes(30)),
                                    Held("b", "q", "i-1", 1, minutes(30), minutes(60))};

  CostReport report = ComputeCost(instances, attempts, Window(minutes(0), minutes(60)));

  // Each job: 1/2 of the instance x 0.5 h x $0.035 = $0.00875; at on-demand
  // prices 1/2 x 0.5 x $0.085 = $0.02125.
  ASSERT_EQ(report.jobs.size(), 2u);
  EXPECT_EQ(report.jobs[0].job_id, "a");  // Equal cost: by id.
  EXPECT_NEAR(report.jobs[0].cost, 0.00875, kTolerance);
  EXPECT_NEAR(report.jobs[0].on_demand_cost, 0.02125, kTolerance);
  EXPECT_NEAR(report.jobs[0].vcpu_seconds, 1800, 1e-9);
  EXPECT_EQ(report.jobs[0].compute_environment, "ce");
  EXPECT_EQ(report.jobs[0].job_name, "name-a");
  EXPECT_NEAR(report.jobs[1].cost, 0.00875, kTolerance);
  // The instance: $0.035, of which the jobs hold half; $0.085 on demand.
  ASSERT_EQ(report.instances.size(), 1u);
  EXPECT_NEAR(report.instances[0].seconds, 3600, 1e-9);
  EXPECT_NEAR(report.instances[0].cost, 0.035, kTolerance);
  EXPECT_NEAR(report.instances[0].job_cost, 0.0175, kTolerance);
  EXPECT_NEAR(report.instances[0].idle_cost, 0.0175, kTolerance);
  EXPECT_NEAR(report.totals.cost, 0.035, kTolerance);
  EXPECT_NEAR(report.totals.idle_cost, 0.0175, kTolerance);
  EXPECT_NEAR(report.totals.on_demand_cost, 0.085, kTolerance);
  EXPECT_NEAR(report.totals.savings, 0.05, kTolerance);
  ASSERT_EQ(report.queues.size(), 1u);
  EXPECT_NEAR(report.queues[0].cost, 0.0175, kTolerance);
  EXPECT_NEAR(report.queues[0].on_demand_cost, 0.0425, kTolerance);
  EXPECT_NEAR(report.queues[0].vcpu_seconds, 3600, 1e-9);
  ASSERT_EQ(report.environments.size(), 1u);
  EXPECT_NEAR(report.environments[0].cost, 0.035, kTolerance);
  EXPECT_NEAR(report.environments[0].idle_cost, 0.0175, kTolerance);
  EXPECT_NEAR(report.environments[0].instance_seconds, 3600, 1e-9);
}

TEST(CostTest, TheWindowClipsInstancesAndAttempts) {
  // On demand from -60 min, still running; the job holds 2 vCPUs from -30 to
  // +30 min. Window [0, 45 min).
  std::vector<Instance> instances{C5Large("i-1", "ce", CapacityType::kOnDemand, minutes(-60))};
  std::vector<CostAttempt> attempts{Held("a", "q", "i-1", 2, minutes(-30), minutes(30))};

  CostReport report = ComputeCost(instances, attempts, Window(minutes(0), minutes(45)));

  // Instance: 45 min x $0.085/h = $0.06375. Job: the whole instance for
  // 30 min = $0.0425. Idle: 15 min = $0.02125. On demand: no savings.
  ASSERT_EQ(report.instances.size(), 1u);
  EXPECT_NEAR(report.instances[0].seconds, 2700, 1e-9);
  EXPECT_NEAR(report.instances[0].cost, 0.06375, kTolerance);
  ASSERT_EQ(report.jobs.size(), 1u);
  EXPECT_NEAR(report.jobs[0].cost, 0.0425, kTolerance);
  EXPECT_NEAR(report.jobs[0].vcpu_seconds, 3600, 1e-9);
  EXPECT_NEAR(report.totals.idle_cost, 0.02125, kTolerance);
  EXPECT_NEAR(report.totals.savings, 0, kTolerance);
}

TEST(CostTest, AnOversubscribedInstanceIsSharedByTheVcpusHeld) {
  // Three 1-vCPU jobs on a 2-vCPU on-demand instance at $0.12/h: a and b for
  // the hour, c for the first 30 minutes.
  Instance instance = C5Large("i-1", "ce", CapacityType::kOnDemand, minutes(0), minutes(60));
  instance.type.on_demand_per_hour = 0.12;
  std::vector<CostAttempt> attempts{Held("a", "q", "i-1", 1, minutes(0), minutes(60)),
                                    Held("b", "q", "i-1", 1, minutes(0), minutes(60)),
                                    Held("c", "q", "i-1", 1, minutes(0), minutes(30))};

  CostReport report = ComputeCost({instance}, attempts, Window(minutes(0), minutes(60)));

  // First half hour each of the three pays 1/3: 1/6 instance-hour. Second
  // half, a and b pay 1/2: 1/4 instance-hour. a = b = 5/12 x $0.12 = $0.05,
  // c = 1/6 x $0.12 = $0.02; nothing idle.
  ASSERT_EQ(report.jobs.size(), 3u);
  EXPECT_EQ(report.jobs[0].job_id, "a");
  EXPECT_NEAR(report.jobs[0].cost, 0.05, kTolerance);
  EXPECT_NEAR(report.jobs[0].vcpu_seconds, 3000, 1e-9);  // 2/3 x 1800 + 1800.
  EXPECT_EQ(report.jobs[1].job_id, "b");
  EXPECT_NEAR(report.jobs[1].cost, 0.05, kTolerance);
  EXPECT_EQ(report.jobs[2].job_id, "c");
  EXPECT_NEAR(report.jobs[2].cost, 0.02, kTolerance);
  EXPECT_NEAR(report.totals.cost, 0.12, kTolerance);
  EXPECT_NEAR(report.totals.idle_cost, 0, kTolerance);
  EXPECT_GE(report.totals.idle_cost, 0);
}

TEST(CostTest, AnInstanceWithoutAVcpuCountIsPaidByWhoeverHoldsIt) {
  Instance instance = C5Large("i-1", "ce", CapacityType::kOnDemand, minutes(0), minutes(60));
  instance.type.vcpus = 0;
  instance.type.on_demand_per_hour = 0.3;
  std::vector<CostAttempt> attempts{Held("a", "q", "i-1", 1, minutes(0), minutes(20)),
                                    Held("b", "q", "i-1", 3, minutes(10), minutes(20))};

  CostReport report = ComputeCost({instance}, attempts, Window(minutes(0), minutes(60)));

  // 0-10 min: a alone, $0.05. 10-20 min: a pays 1/4, b 3/4 of $0.05.
  // 20-60 min: idle, $0.2.
  ASSERT_EQ(report.jobs.size(), 2u);
  EXPECT_EQ(report.jobs[0].job_id, "a");
  EXPECT_NEAR(report.jobs[0].cost, 0.0625, kTolerance);
  EXPECT_NEAR(report.jobs[0].vcpu_seconds, 1200, 1e-9);
  EXPECT_NEAR(report.jobs[1].cost, 0.0375, kTolerance);
  EXPECT_NEAR(report.jobs[1].vcpu_seconds, 1800, 1e-9);
  EXPECT_NEAR(report.totals.idle_cost, 0.2, kTolerance);
}

// Two environments: "spot" (i-1, spot, the hour) runs q1's job a (1 vCPU,
// 0-60) and q2's job b (1 vCPU, 0-30); "od" (i-2, on demand, the hour) runs
// q1's job c (2 vCPUs, 0-30).
class CostFilterTest : public ::testing::Test {
 protected:
  std::vector<Instance> instances_{
      C5Large("i-1", "spot", CapacityType::kSpot, minutes(0), minutes(60)),
      C5Large("i-2", "od", CapacityType::kOnDemand, minutes(0), minutes(60))};
  std::vector<CostAttempt> attempts_{Held("a", "q1", "i-1", 1, minutes(0), minutes(60)),
                                     Held("b", "q2", "i-1", 1, minutes(0), minutes(30)),
                                     Held("c", "q1", "i-2", 2, minutes(0), minutes(30))};
};

TEST_F(CostFilterTest, WithoutFiltersEverythingIsCounted) {
  CostReport report = ComputeCost(instances_, attempts_, Window(minutes(0), minutes(60)));

  // i-1: $0.035, a $0.0175, b $0.00875, idle $0.00875. i-2: $0.085, c
  // $0.0425, idle $0.0425.
  EXPECT_NEAR(report.totals.cost, 0.12, kTolerance);
  EXPECT_NEAR(report.totals.idle_cost, 0.05125, kTolerance);
  EXPECT_NEAR(report.totals.on_demand_cost, 0.17, kTolerance);
  EXPECT_NEAR(report.totals.savings, 0.05, kTolerance);
  ASSERT_EQ(report.environments.size(), 2u);
  EXPECT_EQ(report.environments[0].name, "od");
  EXPECT_EQ(report.environments[1].name, "spot");
  ASSERT_EQ(report.queues.size(), 2u);
  EXPECT_EQ(report.queues[0].name, "q1");
  EXPECT_NEAR(report.queues[0].cost, 0.06, kTolerance);  // $0.0175 + $0.0425.
  EXPECT_NEAR(report.queues[0].on_demand_cost, 0.085, kTolerance);
  ASSERT_EQ(report.jobs.size(), 3u);
  EXPECT_EQ(report.jobs[0].job_id, "c");
  EXPECT_EQ(report.jobs[1].job_id, "a");
  EXPECT_EQ(report.jobs[2].job_id, "b");
  ASSERT_EQ(report.instances.size(), 2u);
  EXPECT_EQ(report.instances[0].instance.id, "i-2");
}

TEST_F(CostFilterTest, AQueueFilterKeepsIdleCostOut) {
  CostOptions options = Window(minutes(0), minutes(60));
  options.queue = "q1";

  CostReport report = ComputeCost(instances_, attempts_, options);

  EXPECT_NEAR(report.totals.cost, 0.06, kTolerance);
  EXPECT_NEAR(report.totals.idle_cost, 0, kTolerance);
  EXPECT_NEAR(report.totals.on_demand_cost, 0.085, kTolerance);
  EXPECT_NEAR(report.totals.savings, 0.025, kTolerance);
  ASSERT_EQ(report.environments.size(), 2u);
  EXPECT_EQ(report.environments[0].name, "od");
  EXPECT_NEAR(report.environments[0].cost, 0.0425, kTolerance);
  EXPECT_NEAR(report.environments[0].instance_seconds, 1800, 1e-9);
  EXPECT_NEAR(report.environments[1].cost, 0.0175, kTolerance);
  EXPECT_NEAR(report.environments[1].idle_cost, 0, kTolerance);
  ASSERT_EQ(report.queues.size(), 1u);
  ASSERT_EQ(report.jobs.size(), 2u);
  EXPECT_EQ(report.jobs[0].job_id, "c");
  EXPECT_EQ(report.jobs[1].job_id, "a");
  // The instances the queue used, whole.
  ASSERT_EQ(report.instances.size(), 2u);
  EXPECT_NEAR(report.instances[1].cost, 0.035, kTolerance);
  EXPECT_NEAR(report.instances[1].idle_cost, 0.00875, kTolerance);
}

TEST_F(CostFilterTest, AnEnvironmentFilterKeepsItsIdleCostIn) {
  CostOptions options = Window(minutes(0), minutes(60));
  options.compute_environment = "spot";

  CostReport report = ComputeCost(instances_, attempts_, options);

  EXPECT_NEAR(report.totals.cost, 0.035, kTolerance);
  EXPECT_NEAR(report.totals.idle_cost, 0.00875, kTolerance);
  EXPECT_NEAR(report.totals.on_demand_cost, 0.085, kTolerance);
  ASSERT_EQ(report.environments.size(), 1u);
  ASSERT_EQ(report.queues.size(), 2u);
  EXPECT_EQ(report.queues[0].name, "q1");
  EXPECT_NEAR(report.queues[0].cost, 0.0175, kTolerance);
  ASSERT_EQ(report.jobs.size(), 2u);
  ASSERT_EQ(report.instances.size(), 1u);
  EXPECT_EQ(report.instances[0].instance.id, "i-1");
}

TEST(CostTest, ARetriedJobSumsItsAttemptsAndShowsItsLatestEnvironment) {
  std::vector<Instance> instances{
      C5Large("i-1", "spot", CapacityType::kSpot, minutes(0), minutes(60)),
      C5Large("i-2", "od", CapacityType::kOnDemand, minutes(0), minutes(60))};
  // Reclaimed on spot after 12 minutes, retried on demand for 12 more.
  std::vector<CostAttempt> attempts{Held("a", "q", "i-2", 2, minutes(12), minutes(24)),
                                    Held("a", "q", "i-1", 2, minutes(0), minutes(12))};

  CostReport report = ComputeCost(instances, attempts, Window(minutes(0), minutes(60)));

  // 0.2 h x $0.035 + 0.2 h x $0.085 = $0.024; on demand 0.4 h x $0.085.
  ASSERT_EQ(report.jobs.size(), 1u);
  EXPECT_NEAR(report.jobs[0].cost, 0.024, kTolerance);
  EXPECT_NEAR(report.jobs[0].on_demand_cost, 0.034, kTolerance);
  EXPECT_NEAR(report.jobs[0].vcpu_seconds, 2880, 1e-9);
  EXPECT_EQ(report.jobs[0].compute_environment, "od");
}

TEST(CostTest, UnknownInstancesAndInstancesOutsideTheWindowAreLeftOut) {
  std::vector<Instance> instances{
      C5Large("i-old", "ce", CapacityType::kSpot, minutes(-120), minutes(-60)),
      C5Large("i-later", "ce", CapacityType::kSpot, minutes(90))};
  std::vector<CostAttempt> attempts{Held("a", "q", "i-unmanaged", 4, minutes(0), minutes(60)),
                                    Held("b", "q", "i-old", 1, minutes(-100), minutes(-70))};

  CostReport report = ComputeCost(instances, attempts, Window(minutes(0), minutes(60)));

  EXPECT_TRUE(report.instances.empty());
  EXPECT_TRUE(report.jobs.empty());
  EXPECT_TRUE(report.environments.empty());
  EXPECT_EQ(report.totals.cost, 0);
  EXPECT_EQ(report.since, kT0);
  EXPECT_EQ(report.until, kT0 + minutes(60));
}

TEST(CostTest, AnInvertedWindowIsEmpty) {
  std::vector<Instance> instances{C5Large("i-1", "ce", CapacityType::kSpot, minutes(0))};

  CostReport report = ComputeCost(instances, {}, Window(minutes(60), minutes(0)));

  EXPECT_TRUE(report.instances.empty());
  EXPECT_EQ(report.totals.cost, 0);
}

}  // namespace
}  // namespace barge::fleet
