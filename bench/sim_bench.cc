// The simulation benchmark of issue 6: simulated jobs per second of wall time
// for a 100,000-job workload on a fleet of about 1,000 instances (target
// >= 100,000 jobs/s).
//
//   sim_bench [--jobs 100000] [--max-vcpus 2000] [--instance-types c5.large]
//             [--capacity ON_DEMAND|SPOT] [--seed 1] [--launch-delay 60]
//             [--fleet-period-ms 1000]
//
// Generates the workload (sim/workload.h GenerateWorkload: 1-2 vCPU jobs of
// 1-30 min, ten a second), runs it once through sim::Simulation (the
// production fleet controller, dispatcher and agent service on a MemoryStore:
// SqliteStore's semantics in memory), and prints the wall time of the run alone (generation and
// parsing excluded, the report's read-back included; the run's objects are
// left to the process's exit, as `barge simulate` leaves them: see
// Simulation::RunThenExit), the figures of the run, and the ratio to the
// target.
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "fleet/instance_catalog.h"
#include "sim/simulation.h"
#include "sim/workload.h"

namespace {

constexpr double kTargetJobsPerSecond = 100'000;

struct Flags {
  size_t jobs = 100'000;
  int max_vcpus = 2000;
  std::string instance_types = "c5.large";
  bool spot = false;
  uint64_t seed = 1;
  int launch_delay = 60;
  int fleet_period_ms = 1000;
};

bool Parse(int argc, char** argv, Flags& flags) {
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    const char* value = argv[i + 1];
    if (flag == "--jobs") {
      flags.jobs = std::strtoull(value, nullptr, 10);
    } else if (flag == "--max-vcpus") {
      flags.max_vcpus = std::atoi(value);
    } else if (flag == "--instance-types") {
      flags.instance_types = value;
    } else if (flag == "--capacity") {
      flags.spot = std::strcmp(value, "SPOT") == 0;
    } else if (flag == "--seed") {
      flags.seed = std::strtoull(value, nullptr, 10);
    } else if (flag == "--launch-delay") {
      flags.launch_delay = std::atoi(value);
    } else if (flag == "--fleet-period-ms") {
      flags.fleet_period_ms = std::atoi(value);
    } else {
      return false;
    }
  }
  return argc % 2 == 1;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  if (!Parse(argc, argv, flags)) {
    std::fprintf(
        stderr,
        "usage: sim_bench [--jobs N] [--max-vcpus N] [--instance-types T] "
        "[--capacity ON_DEMAND|SPOT] [--seed N] [--launch-delay S] [--fleet-period-ms MS]\n");
    return 2;
  }
  using namespace barge;
  spdlog::set_level(spdlog::level::warn);
  fleet::InstanceCatalog catalog = fleet::InstanceCatalog::BuiltIn();
  sim::Workload workload = sim::GenerateWorkload({.jobs = flags.jobs, .seed = flags.seed});
  sim::SimulationOptions options{
      .environment = {.capacity = flags.spot ? CapacityType::kSpot : CapacityType::kOnDemand,
                      .max_vcpus = flags.max_vcpus,
                      .instance_types = {flags.instance_types}},
      .launch_delay = std::chrono::seconds(flags.launch_delay),
      .fleet_period = std::chrono::milliseconds(flags.fleet_period_ms),
      .seed = flags.seed};

  auto began = std::chrono::steady_clock::now();
  Result<sim::SimulationReport> report = sim::Simulation(catalog, options).RunThenExit(workload);
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  if (!report) {
    std::fprintf(stderr, "sim_bench: %s\n", report.error().message.c_str());
    return 1;
  }
  std::printf("%s", sim::FormatTable({*report}).c_str());
  double rate = static_cast<double>(flags.jobs) / wall;
  double speedup = static_cast<double>(report->simulated.count()) / 1000.0 / wall;
  std::printf(
      "\n%zu jobs, peak %lld instances: %.2f s of wall time for %.1f h of virtual time "
      "(%.0fx real time)\n"
      "simulated jobs per second of wall time: %.0f (target %.0f: %.2fx)\n",
      flags.jobs, static_cast<long long>(report->peak_instances), wall,
      static_cast<double>(report->simulated.count()) / 3.6e6, speedup, rate, kTargetJobsPerSecond,
      rate / kTargetJobsPerSecond);
  return 0;
}
