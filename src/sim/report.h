#pragma once
// SimulationReport: the figures of one simulated run, read back from the
// run's store (the jobs with their attempts, the instances with their launch
// and termination times) once it is over, so they are what the control plane
// recorded rather than what the simulation believes happened.
//
// Definitions:
//  - makespan: from the first job's submission to the last job's end;
//  - wait: from a job's submission to the start of its first attempt
//    (nearest-rank percentiles over the jobs that started);
//  - utilisation: vCPU-seconds of the attempts' running time over the
//    vCPU-seconds of the instances, each from its launch to its termination
//    (or the end of the run);
//  - cost: each instance's price per hour (its capacity type's) times those
//    hours; on-demand equivalent: the same hours at on-demand prices;
//  - retries: attempts beyond each job's first; spot interruptions: notices
//    given; reclaims: instances reclaimed after one.
//
// Plain data and pure formatting; any thread. BuildReport uses the store's
// thread.
#include <cstdint>
#include <string>
#include <vector>

#include "core/instance_type.h"
#include "core/result.h"
#include "core/time.h"
#include "store/store.h"

namespace barge::sim {

struct SimulationReport {
  CapacityType capacity = CapacityType::kOnDemand;
  int64_t jobs = 0;
  int64_t succeeded = 0;
  int64_t failed = 0;
  int64_t unfinished = 0;  // Not ended when the run stopped (max time, or stalled).
  int64_t attempts = 0;
  int64_t retries = 0;
  Duration makespan{};
  Duration simulated{};  // Virtual time the run covered, to the last scale-in.
  Duration wait_p50{};
  Duration wait_p90{};
  Duration wait_p99{};
  Duration wait_max{};
  double utilisation = 0;  // 0..1
  int64_t instances = 0;   // Launched.
  int64_t peak_instances = 0;
  int64_t peak_vcpus = 0;
  double instance_hours = 0;
  double cost = 0;  // USD
  double on_demand_cost = 0;
  int64_t spot_interruptions = 0;
  int64_t spot_reclaims = 0;
};

// Reads every job and instance of `store` and computes the figures of a run
// that started at `start` and stopped at `end`. Errors are the store's.
Result<SimulationReport> BuildReport(Store& store, CapacityType capacity, Timestamp start,
                                     Timestamp end);

// A table with one column per run (ON_DEMAND, SPOT), for people.
std::string FormatTable(const std::vector<SimulationReport>& runs);
// {"runs": [{...}, ...]}, one object per run, numbers in seconds and USD.
std::string FormatJson(const std::vector<SimulationReport>& runs);

}  // namespace barge::sim
