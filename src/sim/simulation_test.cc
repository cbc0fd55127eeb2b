#include "sim/simulation.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <cmath>

namespace barge::sim {
namespace {

using std::chrono::seconds;

class SimulationTest : public ::testing::Test {
 protected:
  SimulationTest() { spdlog::set_level(spdlog::level::warn); }

  static SimulationOptions C5Large(CapacityType capacity = CapacityType::kOnDemand) {
    return {.environment = {.capacity = capacity, .max_vcpus = 64, .instance_types = {"c5.large"}},
            .launch_delay = seconds(0)};
  }

  SimulationReport RunOrFail(const SimulationOptions& options, const Workload& workload) {
    Result<SimulationReport> report = Simulation(catalog_, options).Run(workload);
    EXPECT_TRUE(report) << report.error().message;
    return report ? *report : SimulationReport{};
  }

  static Workload TwoHourLongJobs() {
    return ParseWorkload(
               "{\"submitAt\": 0, \"vcpus\": 1, \"memory\": 1024, \"duration\": 3600}\n"
               "{\"submitAt\": 0, \"vcpus\": 1, \"memory\": 1024, \"duration\": 3600}\n")
        .value();
  }

  fleet::InstanceCatalog catalog_ = fleet::InstanceCatalog::BuiltIn();
};

TEST_F(SimulationTest, TwoOneHourJobsShareOneC5LargeThatIsScaledInAfterTheDelay) {
  SimulationReport report = RunOrFail(C5Large(), TwoHourLongJobs());

  // Both jobs start at 0 on one c5.large ($0.085/h) and end at 1 h. The
  // instance is idle from the exits at 3600 s and scaled in 5 minutes
  // later, at 3900 s.
  EXPECT_EQ(report.jobs, 2);
  EXPECT_EQ(report.succeeded, 2);
  EXPECT_EQ(report.retries, 0);
  EXPECT_EQ(report.makespan, seconds(3600));
  EXPECT_EQ(report.wait_p50, seconds(0));
  EXPECT_EQ(report.wait_p99, seconds(0));
  EXPECT_EQ(report.instances, 1);
  EXPECT_EQ(report.peak_instances, 1);
  EXPECT_EQ(report.peak_vcpus, 2);
  EXPECT_EQ(report.simulated, seconds(3900));
  EXPECT_DOUBLE_EQ(report.cost, std::round(0.085 * 3900 / 3600 * 1e6) / 1e6);
  EXPECT_DOUBLE_EQ(report.on_demand_cost, report.cost);
  EXPECT_DOUBLE_EQ(report.utilisation, std::round(7200.0 / (2 * 3900) * 1e6) / 1e6);
}

TEST_F(SimulationTest, TheLaunchDelayIsWhatTheFirstJobsWait) {
  SimulationOptions options = C5Large();
  options.launch_delay = seconds(90);

  SimulationReport report = RunOrFail(options, TwoHourLongJobs());

  EXPECT_EQ(report.wait_p50, seconds(90));
  EXPECT_EQ(report.makespan, seconds(90 + 3600));
}

TEST_F(SimulationTest, AJobThatExitsNonZeroFailsAndIsNotRetried) {
  Workload workload =
      ParseWorkload(
          "{\"submitAt\": 0, \"duration\": 60, \"exitCode\": 0}\n"
          "{\"submitAt\": 5, \"queue\": \"other\", \"duration\": 60, \"exitCode\": 2}\n")
          .value();

  SimulationReport report = RunOrFail(C5Large(), workload);

  EXPECT_EQ(report.succeeded, 1);
  EXPECT_EQ(report.failed, 1);
  EXPECT_EQ(report.retries, 0);
  EXPECT_EQ(report.unfinished, 0);
}

TEST_F(SimulationTest, TheSameWorkloadAndSeedGiveTheSameFigures) {
  Workload workload = GenerateWorkload({.jobs = 300, .seed = 3});
  SimulationOptions options = C5Large(CapacityType::kSpot);
  options.environment.spot_interruptions_per_hour = 1;
  options.launch_delay = seconds(30);
  options.seed = 42;

  SimulationReport first = RunOrFail(options, workload);
  SimulationReport second = RunOrFail(options, workload);

  EXPECT_EQ(FormatJson({first}), FormatJson({second}));
  EXPECT_EQ(first.jobs, 300);
  EXPECT_EQ(first.unfinished, 0);
}

TEST_F(SimulationTest, RunThenExitGivesWhatRunGivesAndRefusesWhatRunRefuses) {
  Workload workload = GenerateWorkload({.jobs = 200, .seed = 5});
  SimulationOptions options = C5Large(CapacityType::kSpot);
  options.environment.spot_interruptions_per_hour = 2;
  options.seed = 7;

  SimulationReport freed = RunOrFail(options, workload);
  Result<SimulationReport> left = Simulation(catalog_, options).RunThenExit(workload);

  ASSERT_TRUE(left) << left.error().message;
  EXPECT_EQ(FormatJson({*left}), FormatJson({freed}));
  EXPECT_EQ(left->jobs, 200);
  SimulationOptions bad = options;
  bad.environment.instance_types = {"z9.huge"};
  EXPECT_FALSE(Simulation(catalog_, bad).RunThenExit(workload));
}

TEST_F(SimulationTest, TheExampleWorkloadGivesTheSameTableTwiceForBothCapacities) {
  Result<Workload> workload = LoadWorkload(BARGE_SIM_EXAMPLE);
  ASSERT_TRUE(workload) << workload.error().message;
  auto both = [&] {
    std::vector<SimulationReport> runs;
    for (CapacityType capacity : {CapacityType::kOnDemand, CapacityType::kSpot}) {
      SimulationOptions options{
          .environment = {.capacity = capacity, .max_vcpus = 16, .spot_interruptions_per_hour = 2},
          .seed = 7};
      runs.push_back(RunOrFail(options, *workload));
    }
    return runs;
  };

  std::vector<SimulationReport> first = both();
  std::vector<SimulationReport> second = both();

  EXPECT_EQ(FormatTable(first), FormatTable(second));
  EXPECT_EQ(FormatJson(first), FormatJson(second));
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].jobs, 50);
  EXPECT_EQ(first[0].unfinished, 0);
  EXPECT_EQ(first[1].unfinished, 0);
  EXPECT_EQ(first[0].peak_vcpus, 16);
}

TEST_F(SimulationTest, SpotWithInterruptionsRetriesJobsAndCostsLessThanOnDemand) {
  Workload workload = GenerateWorkload({.jobs = 300, .seed = 5});
  SimulationOptions spot = C5Large(CapacityType::kSpot);
  spot.environment.spot_interruptions_per_hour = 1;
  spot.launch_delay = seconds(30);
  SimulationOptions on_demand = C5Large(CapacityType::kOnDemand);
  on_demand.launch_delay = seconds(30);

  SimulationReport spot_report = RunOrFail(spot, workload);
  SimulationReport on_demand_report = RunOrFail(on_demand, workload);

  EXPECT_GT(spot_report.spot_interruptions, 0);
  EXPECT_GT(spot_report.spot_reclaims, 0);
  EXPECT_GT(spot_report.retries, 0);
  EXPECT_EQ(spot_report.unfinished, 0);
  EXPECT_LT(spot_report.cost, on_demand_report.cost);
  EXPECT_GT(spot_report.on_demand_cost, spot_report.cost);
  EXPECT_EQ(on_demand_report.retries, 0);
  EXPECT_EQ(on_demand_report.spot_interruptions, 0);
  EXPECT_DOUBLE_EQ(on_demand_report.on_demand_cost, on_demand_report.cost);
  EXPECT_EQ(on_demand_report.succeeded + on_demand_report.failed, 300);
}

TEST_F(SimulationTest, MaxvCpusBoundsTheFleet) {
  Workload workload = GenerateWorkload({.jobs = 200, .seed = 9});
  SimulationOptions options = C5Large();
  options.environment.max_vcpus = 8;

  SimulationReport report = RunOrFail(options, workload);

  EXPECT_EQ(report.peak_vcpus, 8);
  EXPECT_EQ(report.peak_instances, 4);
  EXPECT_EQ(report.unfinished, 0);
}

TEST_F(SimulationTest, ARunWhoseJobsNothingIsLaunchedForStopsWithThemUnfinished) {
  SimulationOptions options = C5Large(CapacityType::kSpot);
  options.environment.bid_percentage = 10;  // c5.large spot is 42% of on-demand.

  SimulationReport report = RunOrFail(options, TwoHourLongJobs());

  EXPECT_EQ(report.unfinished, 2);
  EXPECT_EQ(report.instances, 0);
  EXPECT_EQ(report.cost, 0);
  EXPECT_LT(report.simulated, seconds(10));
}

TEST_F(SimulationTest, AJobNoInstanceTypeCanHoldIsRefusedUpFront) {
  Workload workload = ParseWorkload(
                          "{\"submitAt\": 0, \"duration\": 1}\n{\"submitAt\": 0, \"duration\": 1, "
                          "\"vcpus\": 4}\n")
                          .value();

  Result<SimulationReport> report = Simulation(catalog_, C5Large()).Run(workload);

  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(report.error().message.find("workload line 2"), std::string::npos);
}

TEST_F(SimulationTest, AnUnknownInstanceTypeIsRefused) {
  SimulationOptions options = C5Large();
  options.environment.instance_types = {"z9.huge"};

  Result<SimulationReport> report = Simulation(catalog_, options).Run(TwoHourLongJobs());

  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace barge::sim
