#pragma once
// Workload: the jobs `barge simulate` submits, read from JSON lines, one job
// per line:
//   {"submitAt": 0, "queue": "default", "vcpus": 2, "memory": 2048,
//    "duration": 600, "exitCode": 0}
// submitAt: seconds after the simulation starts (required); duration: seconds
// the job runs once started (required); queue: job queue name (default
// "default"); vcpus: vCPUs, fractions allowed (default 1); memory: MiB
// (default 2048); exitCode: 0..255, what the job exits with (default 0).
// Blank lines are skipped; any other key is an error (a typo would otherwise
// pass silently).
//
// GenerateWorkload makes a synthetic one (for benchmarks and examples) from a
// seed: the same options give the same jobs.
//
// Plain data and pure functions; any thread.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/job.h"
#include "core/result.h"
#include "core/time.h"

namespace barge::sim {

struct WorkloadJob {
  int64_t line = 0;      // 1-based line of the file it came from, for messages.
  Duration submit_at{};  // After the simulation's start.
  std::string queue = "default";
  Resources request{};  // millicpus and memory_mib.
  Duration duration{};
  int32_t exit_code = 0;
};

struct Workload {
  std::vector<WorkloadJob> jobs{};  // In file order.
};

// kInvalidArgument naming the line and the field for malformed JSON, a
// missing or ill-typed field, an out-of-range value or an unknown key; also
// when there is no job at all.
Result<Workload> ParseWorkload(std::string_view text);
// ParseWorkload of a file; kNotFound when it cannot be read.
Result<Workload> LoadWorkload(const std::string& path);

// The workload as JSON lines, in ParseWorkload's format (whole seconds and
// MiB are written as integers).
std::string ToJsonLines(const Workload& workload);

struct GeneratorOptions {
  size_t jobs = 1000;
  uint64_t seed = 1;
  // Mean seconds between two submissions (exponential gaps, whole seconds
  // after rounding down the running sum).
  double mean_gap_seconds = 0.1;
  // Durations are log-uniform in [min, max] whole seconds.
  int64_t min_duration_seconds = 60;
  int64_t max_duration_seconds = 1800;
  // Share of jobs that exit with code 1.
  double failure_share = 0.02;
};

// Jobs on queue "default": 1 vCPU (70%) or 2, 512 to 2048 MiB, so two fit a
// c5.large. Deterministic for given options (its own arithmetic on a
// std::mt19937_64, not the library's distributions, whose output may differ
// between standard libraries).
Workload GenerateWorkload(const GeneratorOptions& options);

}  // namespace barge::sim
