#include "sim/workload.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

namespace barge::sim {
namespace {

using Json = nlohmann::json;

// Longest submitAt or duration accepted: 10 years, so milliseconds never overflow.
constexpr double kMaxSeconds = 10.0 * 365 * 24 * 3600;

Error LineError(int64_t line, const std::string& message) {
  return InvalidArgument("workload line " + std::to_string(line) + ": " + message);
}

// A number of seconds as milliseconds; `required` fields must be present.
Result<Duration> Seconds(const Json& object, const char* key, int64_t line) {
  auto it = object.find(key);
  if (it == object.end()) return LineError(line, std::string(key) + " is required");
  if (!it->is_number()) return LineError(line, std::string(key) + " must be a number of seconds");
  double seconds = it->get<double>();
  if (!std::isfinite(seconds) || seconds < 0 || seconds > kMaxSeconds) {
    return LineError(line, std::string(key) + " must be between 0 and 315360000 seconds");
  }
  return Duration(std::llround(seconds * 1000));
}

Status ParseLine(const Json& object, int64_t line, WorkloadJob& job) {
  if (!object.is_object()) return LineError(line, "expected a JSON object");
  for (const auto& [key, value] : object.items()) {
    if (key != "submitAt" && key != "queue" && key != "vcpus" && key != "memory" &&
        key != "duration" && key != "exitCode") {
      return LineError(line, "unknown field '" + key +
                                 "' (expected submitAt, queue, vcpus, memory, duration, exitCode)");
    }
  }
  job.line = line;
  Result<Duration> submit_at = Seconds(object, "submitAt", line);
  if (!submit_at) return submit_at.error();
  job.submit_at = *submit_at;
  Result<Duration> duration = Seconds(object, "duration", line);
  if (!duration) return duration.error();
  job.duration = *duration;
  if (auto it = object.find("queue"); it != object.end()) {
    if (!it->is_string() || it->get<std::string>().empty()) {
      return LineError(line, "queue must be a non-empty string");
    }
    job.queue = it->get<std::string>();
  }
  job.request = {.millicpus = 1000, .memory_mib = 2048};
  if (auto it = object.find("vcpus"); it != object.end()) {
    double vcpus = it->is_number() ? it->get<double>() : -1;
    if (!std::isfinite(vcpus) || vcpus <= 0 || vcpus > 100000) {
      return LineError(line, "vcpus must be a positive number");
    }
    job.request.millicpus = std::max<int64_t>(1, std::llround(vcpus * 1000));
  }
  if (auto it = object.find("memory"); it != object.end()) {
    if (!it->is_number_integer() || it->get<int64_t>() <= 0) {
      return LineError(line, "memory must be a positive whole number of MiB");
    }
    job.request.memory_mib = it->get<int64_t>();
  }
  if (auto it = object.find("exitCode"); it != object.end()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > 255) {
      return LineError(line, "exitCode must be a whole number from 0 to 255");
    }
    job.exit_code = static_cast<int32_t>(it->get<int64_t>());
  }
  return Ok();
}

// Thousandths as JSON: "2", "0.25".
std::string Thousandths(int64_t value) {
  if (value % 1000 == 0) return std::to_string(value / 1000);
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", static_cast<double>(value) / 1000);
  std::string out = text;
  while (out.back() == '0') out.pop_back();
  return out;
}

// Uniform in [0, 1) from the engine's raw bits.
double Uniform(std::mt19937_64& random) { return static_cast<double>(random() >> 11) * 0x1.0p-53; }

}  // namespace

Result<Workload> ParseWorkload(std::string_view text) {
  Workload workload;
  int64_t line = 0;
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    std::string_view raw = text.substr(begin, end - begin);
    begin = end + 1;
    ++line;
    if (raw.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    Json object = Json::parse(raw, nullptr, /*allow_exceptions=*/false);
    if (object.is_discarded()) return LineError(line, "not valid JSON");
    WorkloadJob job;
    BARGE_RETURN_IF_ERROR(ParseLine(object, line, job));
    workload.jobs.push_back(std::move(job));
  }
  if (workload.jobs.empty()) return InvalidArgument("workload has no jobs");
  return workload;
}

Result<Workload> LoadWorkload(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read workload file " + path);
  std::ostringstream contents;
  contents << in.rdbuf();
  return ParseWorkload(contents.str());
}

std::string ToJsonLines(const Workload& workload) {
  std::string out;
  for (const WorkloadJob& job : workload.jobs) {
    out += "{\"submitAt\":" + Thousandths(job.submit_at.count()) +
           ",\"queue\":" + Json(job.queue).dump() +
           ",\"vcpus\":" + Thousandths(job.request.millicpus) +
           ",\"memory\":" + std::to_string(job.request.memory_mib) +
           ",\"duration\":" + Thousandths(job.duration.count()) +
           ",\"exitCode\":" + std::to_string(job.exit_code) + "}\n";
  }
  return out;
}

Workload GenerateWorkload(const GeneratorOptions& options) {
  std::mt19937_64 random(options.seed);
  Workload workload;
  workload.jobs.reserve(options.jobs);
  double clock = 0;
  const double log_min =
      std::log(static_cast<double>(std::max<int64_t>(1, options.min_duration_seconds)));
  const double log_max = std::log(
      static_cast<double>(std::max(options.max_duration_seconds, options.min_duration_seconds)));
  for (size_t i = 0; i < options.jobs; ++i) {
    if (i > 0) clock += -std::log(1 - Uniform(random)) * options.mean_gap_seconds;
    int64_t duration = std::llround(std::exp(log_min + (log_max - log_min) * Uniform(random)));
    WorkloadJob job{
        .line = static_cast<int64_t>(i) + 1,
        .submit_at = std::chrono::seconds(static_cast<int64_t>(clock)),
        .request = {.millicpus = Uniform(random) < 0.7 ? 1000 : 2000,
                    .memory_mib = 512 * (1 + static_cast<int64_t>(Uniform(random) * 4))},
        .duration = std::chrono::seconds(duration),
        .exit_code = Uniform(random) < options.failure_share ? 1 : 0};
    workload.jobs.push_back(std::move(job));
  }
  return workload;
}

}  // namespace barge::sim
