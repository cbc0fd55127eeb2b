// `barge simulate`: the composition root of a simulation. It reads the
// workload and the catalog, builds one Simulation per capacity type asked
// for, and prints their reports side by side (or as JSON). Only this file
// reads the wall clock, for --timing, and prints that to stderr: stdout is
// the same bytes for the same workload and flags.
#include "apps/simulate_main.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "fleet/instance_catalog.h"
#include "sim/simulation.h"
#include "sim/workload.h"
#include "util/duration_text.h"

namespace barge::apps {
namespace {

struct SimulateFlags {
  std::string workload{};
  size_t generate = 0;
  std::string capacity = "both";
  int32_t min_vcpus = 0;
  int32_t max_vcpus = 256;
  std::vector<std::string> instance_types{};
  std::string allocation_strategy{};
  int32_t bid_percentage = 100;
  double launch_delay_seconds = 60;
  std::string scale_down_delay = "5m";
  std::optional<double> spot_interruptions_per_hour{};
  std::optional<int64_t> spot_notice_seconds{};
  int32_t attempts = 3;
  uint64_t seed = 1;
  std::string max_time = "30d";
  std::string instance_catalog{};
  std::string output = "table";
  std::string log_level = "warn";
  bool timing = false;
};

int Fail(const std::string& message) {
  std::fprintf(stderr, "barge simulate: %s\n", message.c_str());
  return 1;
}

std::string CheckDuration(const std::string& text) {
  if (ParseDurationText(text)) return {};
  return "expected a duration like 5m, 90s or 300";
}

}  // namespace

int RunSimulate(int argc, char** argv) {
  SimulateFlags flags;
  CLI::App app{
      "barge simulate: runs a workload through barge's scheduler and fleet controller at "
      "virtual time, against simulated instances, and prints makespan, wait times, "
      "utilisation and cost",
      "barge simulate"};
  auto* workload_flag =
      app.add_option("--workload", flags.workload,
                     "JSON lines, one job each: {\"submitAt\": s, \"queue\": q, \"vcpus\": n, "
                     "\"memory\": MiB, \"duration\": s, \"exitCode\": c}");
  auto* generate_flag =
      app.add_option("--generate", flags.generate,
                     "write a synthetic workload of N jobs (seeded by --seed) to stdout instead");
  workload_flag->excludes(generate_flag);
  app.add_option("--capacity", flags.capacity, "ON_DEMAND, SPOT, or both side by side")
      ->capture_default_str()
      ->check(CLI::IsMember({"ON_DEMAND", "SPOT", "both"}));
  app.add_option("--min-vcpus", flags.min_vcpus, "the environment's minvCpus")
      ->capture_default_str();
  app.add_option("--max-vcpus", flags.max_vcpus, "the environment's maxvCpus")
      ->capture_default_str();
  app.add_option("--instance-types", flags.instance_types,
                 "instance types or families, comma-separated (default: optimal)")
      ->delimiter(',');
  app.add_option("--allocation-strategy", flags.allocation_strategy,
                 "BEST_FIT, BEST_FIT_PROGRESSIVE, SPOT_CAPACITY_OPTIMIZED or "
                 "SPOT_PRICE_CAPACITY_OPTIMIZED (default: BEST_FIT_PROGRESSIVE on demand, "
                 "SPOT_PRICE_CAPACITY_OPTIMIZED on spot)")
      ->check(CLI::IsMember({"BEST_FIT", "BEST_FIT_PROGRESSIVE", "SPOT_CAPACITY_OPTIMIZED",
                             "SPOT_PRICE_CAPACITY_OPTIMIZED"}));
  app.add_option("--bid-percentage", flags.bid_percentage,
                 "spot: the most to pay, in % of the on-demand price")
      ->capture_default_str();
  app.add_option("--launch-delay", flags.launch_delay_seconds,
                 "seconds from a launch to the instance's agent joining")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 86400.0));
  app.add_option("--scale-down-delay", flags.scale_down_delay,
                 "how long an instance stays idle before it is scaled in")
      ->capture_default_str()
      ->check(CheckDuration);
  app.add_option("--spot-interruptions-per-hour", flags.spot_interruptions_per_hour,
                 "expected interruptions per spot instance-hour (default: the pool's Spot "
                 "Advisor band)")
      ->check(CLI::Range(0.0, 3600.0));
  app.add_option("--spot-notice-seconds", flags.spot_notice_seconds,
                 "notice before a spot instance is reclaimed (default 120)")
      ->check(CLI::Range(int64_t{0}, int64_t{3600}));
  app.add_option("--attempts", flags.attempts,
                 "retryStrategy.attempts of every job (spot reclaims are retried)")
      ->capture_default_str()
      ->check(CLI::Range(1, 10));
  app.add_option("--seed", flags.seed, "seed of instance ids, spot interruptions, --generate")
      ->capture_default_str();
  app.add_option("--max-time", flags.max_time, "stop after this much virtual time")
      ->capture_default_str()
      ->check(CheckDuration);
  app.add_option("--instance-catalog", flags.instance_catalog,
                 "instance-type catalog (JSON, see docs/fleet.md) instead of the built-in one")
      ->check(CLI::ExistingFile);
  app.add_option("--output", flags.output, "table or json")
      ->capture_default_str()
      ->check(CLI::IsMember({"table", "json"}));
  app.add_option("--log-level", flags.log_level, "control-plane log level (to stderr)")
      ->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  app.add_flag("--timing", flags.timing,
               "print the wall time and simulated jobs per second to stderr");
  CLI11_PARSE(app, argc, argv);

  auto logger = spdlog::stderr_color_mt("barge-simulate");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(flags.log_level));

  if (*generate_flag) {
    std::string text =
        sim::ToJsonLines(sim::GenerateWorkload({.jobs = flags.generate, .seed = flags.seed}));
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
  }
  if (flags.workload.empty()) return Fail("--workload FILE or --generate N is required");
  Result<sim::Workload> workload = sim::LoadWorkload(flags.workload);
  if (!workload) return Fail(workload.error().message);
  Result<fleet::InstanceCatalog> catalog =
      flags.instance_catalog.empty() ? fleet::InstanceCatalog::BuiltIn()
                                     : fleet::InstanceCatalog::Load(flags.instance_catalog);
  if (!catalog) return Fail(catalog.error().message);

  std::vector<CapacityType> capacities;
  if (flags.capacity != "SPOT") capacities.push_back(CapacityType::kOnDemand);
  if (flags.capacity != "ON_DEMAND") capacities.push_back(CapacityType::kSpot);
  std::vector<sim::SimulationReport> reports;
  auto began = std::chrono::steady_clock::now();
  for (CapacityType capacity : capacities) {
    sim::SimulationOptions options{
        .environment = {.capacity = capacity,
                        .min_vcpus = flags.min_vcpus,
                        .max_vcpus = flags.max_vcpus,
                        .allocation_strategy = flags.allocation_strategy,
                        .bid_percentage = flags.bid_percentage,
                        .spot_interruptions_per_hour = flags.spot_interruptions_per_hour,
                        .spot_notice_seconds = flags.spot_notice_seconds},
        .launch_delay = Duration(std::llround(flags.launch_delay_seconds * 1000)),
        .scale_down_delay = *ParseDurationText(flags.scale_down_delay),
        .seed = flags.seed,
        .attempts = flags.attempts,
        .max_virtual_time = *ParseDurationText(flags.max_time)};
    if (!flags.instance_types.empty()) options.environment.instance_types = flags.instance_types;
    Result<sim::SimulationReport> report =
        sim::Simulation(*catalog, options).RunThenExit(*workload);
    if (!report) return Fail(report.error().message);
    reports.push_back(*report);
  }
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();

  std::string out = flags.output == "json" ? sim::FormatJson(reports) : sim::FormatTable(reports);
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  if (flags.timing) {
    double jobs = static_cast<double>(workload->jobs.size() * reports.size());
    std::fprintf(stderr,
                 "barge simulate: %zu run(s) of %zu jobs in %.3f s of wall time: %.0f simulated "
                 "jobs/s\n",
                 reports.size(), workload->jobs.size(), wall, wall > 0 ? jobs / wall : 0.0);
  }
  return 0;
}

}  // namespace barge::apps
