#include "control/cost_service.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "testing/fake_clock.h"
#include "testing/in_memory_store.h"

namespace barge::control {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

const Timestamp kT0 = FromEpochMillis(1'700'000'000'000);
constexpr double kTolerance = 1e-12;

// A spot c5.large (2 vCPUs, $0.035/h; $0.085/h on demand).
Instance SpotInstance(const std::string& id, const std::string& environment, Timestamp launched) {
  return Instance{.id = id,
                  .compute_environment = environment,
                  .type = InstanceType{.name = "c5.large",
                                       .family = "c5",
                                       .vcpus = 2,
                                       .on_demand_per_hour = 0.085,
                                       .spot_per_hour = 0.035},
                  .capacity = CapacityType::kSpot,
                  .state = InstanceState::kRunning,
                  .launched_at = launched};
}

// A job of `queue` holding `vcpus` with one attempt on `instance`.
Job JobOn(const std::string& id, const std::string& queue, JobStatus status, int64_t vcpus,
          const std::string& instance, std::optional<Timestamp> started,
          std::optional<Timestamp> stopped) {
  Job job{.id = id,
          .name = "name-" + id,
          .queue = queue,
          .job_definition_name = "jd",
          .status = status,
          .created_at = kT0 - hours(1),
          .request = Resources{.millicpus = vcpus * 1000, .memory_mib = 512}};
  job.attempts.push_back(Attempt{.id = "attempt-" + id,
                                 .number = 1,
                                 .instance_id = instance,
                                 .compute_environment = "ce",
                                 .started_at = started,
                                 .stopped_at = stopped});
  if (IsTerminal(status)) job.stopped_at = stopped;
  return job;
}

class CostServiceTest : public ::testing::Test {
 protected:
  // Now is kT0 + 2 h. i-1 (spot, "ce") has run since kT0; i-old ended long
  // before. Queue q: a (1 vCPU, 0-30 min, SUCCEEDED), b (1 vCPU, from 1 h,
  // RUNNING), c (2 vCPUs, 30-60 min, then back to RUNNABLE for a retry), d
  // (STARTING: placed, not started). Queue r: the array child p:0 (1 vCPU,
  // 90-120 min) and e, which ran on an unmanaged host.
  void SetUp() override {
    clock_.Set(kT0 + hours(2));
    Instance old = SpotInstance("i-old", "ce", kT0 - hours(30));
    old.state = InstanceState::kTerminated;
    old.terminated_at = kT0 - hours(29);
    Job parent{.id = "p",
               .name = "name-p",
               .queue = "r",
               .status = JobStatus::kRunning,
               .created_at = kT0 - hours(1),
               .request = {.millicpus = 1000},
               .array = ArrayJob{.size = 2}};
    Job child =
        JobOn("p:0", "r", JobStatus::kSucceeded, 1, "i-1", kT0 + minutes(90), kT0 + minutes(120));
    child.array = ArrayJob{.size = 2, .index = 0};
    Job c = JobOn("c", "q", JobStatus::kRunnable, 2, "i-1", kT0 + minutes(30), kT0 + minutes(60));
    ASSERT_TRUE(store_.Transact([&](StoreTransaction& txn) -> Status {
      BARGE_RETURN_IF_ERROR(txn.InsertInstance(SpotInstance("i-1", "ce", kT0)));
      BARGE_RETURN_IF_ERROR(txn.InsertInstance(old));
      BARGE_RETURN_IF_ERROR(
          txn.InsertJob(JobOn("a", "q", JobStatus::kSucceeded, 1, "i-1", kT0, kT0 + minutes(30))));
      BARGE_RETURN_IF_ERROR(txn.InsertJob(
          JobOn("b", "q", JobStatus::kRunning, 1, "i-1", kT0 + hours(1), std::nullopt)));
      BARGE_RETURN_IF_ERROR(txn.InsertJob(c));
      BARGE_RETURN_IF_ERROR(txn.InsertJob(
          JobOn("d", "q", JobStatus::kStarting, 2, "i-1", std::nullopt, std::nullopt)));
      BARGE_RETURN_IF_ERROR(txn.InsertJob(parent));
      BARGE_RETURN_IF_ERROR(txn.InsertJob(child));
      return txn.InsertJob(JobOn("e", "r", JobStatus::kSucceeded, 4, "", kT0, kT0 + minutes(60)));
    }));
  }

  fleet::CostReport Report(const CostQuery& query) {
    Result<fleet::CostReport> report = service_.Report(query);
    EXPECT_TRUE(report) << report.error().message;
    return report ? report.value() : fleet::CostReport{};
  }

  static double CostOf(const fleet::CostReport& report, const std::string& job_id) {
    for (const fleet::JobCost& job : report.jobs) {
      if (job.job_id == job_id) return job.cost;
    }
    return -1;
  }

  testing::FakeClock clock_;
  testing::InMemoryStore store_;
  CostService service_{store_, clock_};
};

TEST_F(CostServiceTest, AttributesEveryAttemptThatHeldAnInstance) {
  fleet::CostReport report = Report({.since = kT0});

  // i-1: 2 h x $0.035 = $0.07. a: 1/2 x 0.5 h; b: 1/2 x 1 h (running until
  // now); c: all of it for 0.5 h; p:0: 1/2 x 0.5 h.
  EXPECT_EQ(report.since, kT0);
  EXPECT_EQ(report.until, kT0 + hours(2));
  ASSERT_EQ(report.instances.size(), 1u);
  EXPECT_EQ(report.instances[0].instance.id, "i-1");
  EXPECT_NEAR(report.totals.cost, 0.07, kTolerance);
  EXPECT_NEAR(report.totals.on_demand_cost, 0.17, kTolerance);
  ASSERT_EQ(report.jobs.size(), 4u);
  EXPECT_NEAR(CostOf(report, "a"), 0.00875, kTolerance);
  EXPECT_NEAR(CostOf(report, "b"), 0.0175, kTolerance);
  EXPECT_NEAR(CostOf(report, "c"), 0.0175, kTolerance);
  EXPECT_NEAR(CostOf(report, "p:0"), 0.00875, kTolerance);
  EXPECT_NEAR(report.totals.idle_cost, 0.0175, kTolerance);
  ASSERT_EQ(report.queues.size(), 2u);
  EXPECT_EQ(report.queues[0].name, "q");
  EXPECT_NEAR(report.queues[0].cost, 0.04375, kTolerance);
}

TEST_F(CostServiceTest, DefaultsToTheLastDayAndClampsUntilToNow) {
  fleet::CostReport report = Report({.until = kT0 + hours(5)});

  EXPECT_EQ(report.until, kT0 + hours(2));
  EXPECT_EQ(report.since, kT0 + hours(2) - hours(24));
  EXPECT_NEAR(report.totals.cost, 0.07, kTolerance);  // i-old ended before the day.
}

TEST_F(CostServiceTest, APeriodOfTheLastHourSeesOnlyItsShares) {
  fleet::CostReport report = Report({.since = kT0 + hours(1)});

  // i-1 for 1 h = $0.035; b and p:0 share it; a and c ran before.
  EXPECT_NEAR(report.totals.cost, 0.035, kTolerance);
  ASSERT_EQ(report.jobs.size(), 2u);
  EXPECT_EQ(report.jobs[0].job_id, "b");
  EXPECT_EQ(report.jobs[1].job_id, "p:0");
}

TEST_F(CostServiceTest, FiltersByQueueWithoutIdleCost) {
  fleet::CostReport report = Report({.since = kT0, .queue = "r"});

  EXPECT_NEAR(report.totals.cost, 0.00875, kTolerance);
  EXPECT_EQ(report.totals.idle_cost, 0);
  ASSERT_EQ(report.jobs.size(), 1u);
  EXPECT_EQ(report.jobs[0].job_id, "p:0");
}

TEST_F(CostServiceTest, TakesQueuesAndEnvironmentsByArn) {
  fleet::CostReport report =
      Report({.since = kT0,
              .queue = "arn:aws:batch:us-east-1:123456789012:job-queue/r",
              .compute_environment = "arn:aws:batch:eu-west-1:1:compute-environment/ce"});
  Result<fleet::CostReport> wrong_kind =
      service_.Report({.queue = "arn:aws:batch:us-east-1:123456789012:compute-environment/ce"});

  ASSERT_EQ(report.jobs.size(), 1u);
  EXPECT_EQ(report.jobs[0].job_id, "p:0");
  ASSERT_FALSE(wrong_kind);
  EXPECT_EQ(wrong_kind.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(CostServiceTest, AnUnknownEnvironmentGivesAnEmptyReport) {
  fleet::CostReport report = Report({.since = kT0, .compute_environment = "nope"});

  EXPECT_TRUE(report.instances.empty());
  EXPECT_EQ(report.totals.cost, 0);
}

TEST_F(CostServiceTest, SinceMustBeBeforeUntil) {
  Result<fleet::CostReport> report =
      service_.Report({.since = kT0 + hours(1), .until = kT0 + hours(1)});

  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(CostServiceTest, ListsInstancesByEnvironmentAndState) {
  Result<std::vector<Instance>> all = service_.Instances({});
  Result<std::vector<Instance>> running =
      service_.Instances({.compute_environment = "ce", .states = {InstanceState::kRunning}});
  Result<std::vector<Instance>> elsewhere = service_.Instances({.compute_environment = "other"});

  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, "i-old");  // Launched first.
  ASSERT_TRUE(running);
  ASSERT_EQ(running->size(), 1u);
  EXPECT_EQ((*running)[0].id, "i-1");
  ASSERT_TRUE(elsewhere);
  EXPECT_TRUE(elsewhere->empty());
}

}  // namespace
}  // namespace barge::control
