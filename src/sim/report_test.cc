#include "sim/report.h"

#include <gtest/gtest.h>

namespace barge::sim {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

SimulationReport Sample(CapacityType capacity, double cost) {
  return {.capacity = capacity,
          .jobs = 2,
          .succeeded = 2,
          .attempts = 3,
          .retries = 1,
          .makespan = seconds(3600),
          .simulated = seconds(3899),
          .wait_p50 = milliseconds(1500),
          .wait_p90 = seconds(61),
          .wait_p99 = seconds(61),
          .wait_max = seconds(61),
          .utilisation = 0.923,
          .instances = 1,
          .peak_instances = 1,
          .peak_vcpus = 2,
          .instance_hours = 1.083,
          .cost = cost,
          .on_demand_cost = 0.092,
          .spot_interruptions = 1,
          .spot_reclaims = 1};
}

TEST(ReportTest, TableHasOneColumnPerRun) {
  std::string table =
      FormatTable({Sample(CapacityType::kOnDemand, 0.092), Sample(CapacityType::kSpot, 0.0391)});

  EXPECT_EQ(table,
            "capacity                   ON_DEMAND          SPOT\n"
            "jobs                               2             2\n"
            "succeeded                          2             2\n"
            "failed                             0             0\n"
            "unfinished                         0             0\n"
            "retries                            1             1\n"
            "makespan                    1h00m00s      1h00m00s\n"
            "wait p50                        1.5s          1.5s\n"
            "wait p90                       1m01s         1m01s\n"
            "wait p99                       1m01s         1m01s\n"
            "wait max                       1m01s         1m01s\n"
            "utilisation                    92.3%         92.3%\n"
            "instances launched                 1             1\n"
            "peak instances                     1             1\n"
            "peak vCPUs                         2             2\n"
            "instance hours                  1.08          1.08\n"
            "cost                         $0.0920       $0.0391\n"
            "on-demand equivalent         $0.0920       $0.0920\n"
            "spot interruptions                 1             1\n"
            "spot reclaims                      1             1\n"
            "simulated time              1h04m59s      1h04m59s\n");
}

TEST(ReportTest, JsonListsTheRunsInSecondsAndDollars) {
  std::string json = FormatJson({Sample(CapacityType::kSpot, 0.0391)});

  EXPECT_NE(json.find("\"capacity\": \"SPOT\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"makespanSeconds\": 3600.0"), std::string::npos);
  EXPECT_NE(json.find("\"p50\": 1.5"), std::string::npos);
  EXPECT_NE(json.find("\"cost\": 0.0391"), std::string::npos);
  EXPECT_NE(json.find("\"retries\": 1"), std::string::npos);
}

}  // namespace
}  // namespace barge::sim
