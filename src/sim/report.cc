#include "sim/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

namespace barge::sim {
namespace {

constexpr size_t kPage = 5000;

double Hours(Duration d) { return static_cast<double>(d.count()) / 3'600'000.0; }
double Seconds(Duration d) { return static_cast<double>(d.count()) / 1000.0; }

// Nearest rank: the smallest value with at least `q` of the values at or below it.
Duration Percentile(const std::vector<Duration>& sorted, double q) {
  if (sorted.empty()) return Duration{};
  size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

// Calls `visit` with every job, a page per transaction.
Status ForEachJob(Store& store, const std::function<void(const Job&)>& visit) {
  std::optional<JobListCursor> after;
  while (true) {
    size_t seen = 0;
    BARGE_RETURN_IF_ERROR(store.Transact([&](StoreTransaction& txn) -> Status {
      seen = 0;
      return txn.VisitJobs({.limit = kPage, .start_after = after}, [&](const Job& job) {
        visit(job);
        ++seen;
        after = JobListCursor{.created_at = job.created_at, .id = job.id};
      });
    }));
    if (seen < kPage) return Ok();
  }
}

// To millionths. Dividing (rather than multiplying by 1e-6) gives the double
// nearest the decimal, which prints without float noise.
double Round(double value) { return std::round(value * 1e6) / 1e6; }

std::string HumanDuration(Duration d) {
  char text[48];
  if (d < std::chrono::minutes(1)) {
    std::snprintf(text, sizeof text, "%.1fs", Seconds(d));
    return text;
  }
  long long s = static_cast<long long>((d.count() + 500) / 1000);
  if (s < 3600) {
    std::snprintf(text, sizeof text, "%lldm%02llds", s / 60, s % 60);
  } else {
    std::snprintf(text, sizeof text, "%lldh%02lldm%02llds", s / 3600, s / 60 % 60, s % 60);
  }
  return text;
}

}  // namespace

Result<SimulationReport> BuildReport(Store& store, CapacityType capacity, Timestamp start,
                                     Timestamp end) {
  SimulationReport report{.capacity = capacity, .simulated = end - start};
  std::vector<Duration> waits;
  std::optional<Timestamp> first_submit;
  std::optional<Timestamp> last_end;
  double job_vcpu_seconds = 0;
  BARGE_RETURN_IF_ERROR(ForEachJob(store, [&](const Job& job) {
    ++report.jobs;
    if (job.status == JobStatus::kSucceeded) ++report.succeeded;
    if (job.status == JobStatus::kFailed) ++report.failed;
    if (!IsTerminal(job.status)) ++report.unfinished;
    report.attempts += static_cast<int64_t>(job.attempts.size());
    report.retries += std::max<int64_t>(0, static_cast<int64_t>(job.attempts.size()) - 1);
    if (!first_submit || job.created_at < *first_submit) first_submit = job.created_at;
    if (job.stopped_at && (!last_end || *job.stopped_at > *last_end)) last_end = job.stopped_at;
    if (!job.attempts.empty() && job.attempts.front().started_at) {
      waits.push_back(*job.attempts.front().started_at - job.created_at);
    }
    for (const Attempt& attempt : job.attempts) {
      if (!attempt.started_at) continue;
      Timestamp stopped = attempt.stopped_at.value_or(end);
      job_vcpu_seconds += Seconds(stopped - *attempt.started_at) *
                          static_cast<double>(job.request.millicpus) / 1000.0;
    }
  }));
  if (first_submit && last_end) report.makespan = *last_end - *first_submit;
  std::ranges::sort(waits);
  report.wait_p50 = Percentile(waits, 0.50);
  report.wait_p90 = Percentile(waits, 0.90);
  report.wait_p99 = Percentile(waits, 0.99);
  report.wait_max = waits.empty() ? Duration{} : waits.back();

  std::vector<Instance> instances;
  BARGE_RETURN_IF_ERROR(store.Transact([&](StoreTransaction& txn) -> Status {
    Result<std::vector<Instance>> listed = txn.ListInstances({});
    if (!listed) return listed.error();
    instances = std::move(*listed);
    return Ok();
  }));
  // (time, change in instances, change in vCPUs); ends sort before starts.
  std::vector<std::tuple<Timestamp, int64_t, int64_t>> changes;
  double instance_vcpu_seconds = 0;
  for (const Instance& instance : instances) {
    Timestamp stopped = instance.terminated_at.value_or(end);
    Duration alive = std::max(Duration{}, stopped - instance.launched_at);
    ++report.instances;
    report.instance_hours += Hours(alive);
    report.cost += Hours(alive) * instance.PricePerHour();
    report.on_demand_cost += Hours(alive) * instance.type.on_demand_per_hour;
    instance_vcpu_seconds += Seconds(alive) * instance.type.vcpus;
    if (instance.interruption_notice_at) ++report.spot_interruptions;
    if (instance.state_reason == "Spot instance reclaimed") ++report.spot_reclaims;
    changes.emplace_back(instance.launched_at, 1, instance.type.vcpus);
    changes.emplace_back(stopped, -1, -int64_t{instance.type.vcpus});
  }
  std::ranges::sort(changes);
  int64_t live = 0;
  int64_t vcpus = 0;
  for (const auto& [at, count, cpus] : changes) {
    live += count;
    vcpus += cpus;
    report.peak_instances = std::max(report.peak_instances, live);
    report.peak_vcpus = std::max(report.peak_vcpus, vcpus);
  }
  if (instance_vcpu_seconds > 0) report.utilisation = job_vcpu_seconds / instance_vcpu_seconds;
  report.utilisation = Round(report.utilisation);
  report.instance_hours = Round(report.instance_hours);
  report.cost = Round(report.cost);
  report.on_demand_cost = Round(report.on_demand_cost);
  return report;
}

std::string FormatTable(const std::vector<SimulationReport>& runs) {
  using Row = std::pair<std::string, std::function<std::string(const SimulationReport&)>>;
  auto count = [](int64_t SimulationReport::*field) {
    return [field](const SimulationReport& r) { return std::to_string(r.*field); };
  };
  auto time = [](Duration SimulationReport::*field) {
    return [field](const SimulationReport& r) { return HumanDuration(r.*field); };
  };
  auto money = [](double SimulationReport::*field) {
    return [field](const SimulationReport& r) {
      char text[32];
      std::snprintf(text, sizeof text, "$%.4f", r.*field);
      return std::string(text);
    };
  };
  const std::vector<Row> rows = {
      {"capacity", [](const SimulationReport& r) { return std::string(ToString(r.capacity)); }},
      {"jobs", count(&SimulationReport::jobs)},
      {"succeeded", count(&SimulationReport::succeeded)},
      {"failed", count(&SimulationReport::failed)},
      {"unfinished", count(&SimulationReport::unfinished)},
      {"retries", count(&SimulationReport::retries)},
      {"makespan", time(&SimulationReport::makespan)},
      {"wait p50", time(&SimulationReport::wait_p50)},
      {"wait p90", time(&SimulationReport::wait_p90)},
      {"wait p99", time(&SimulationReport::wait_p99)},
      {"wait max", time(&SimulationReport::wait_max)},
      {"utilisation",
       [](const SimulationReport& r) {
         char text[32];
         std::snprintf(text, sizeof text, "%.1f%%", r.utilisation * 100);
         return std::string(text);
       }},
      {"instances launched", count(&SimulationReport::instances)},
      {"peak instances", count(&SimulationReport::peak_instances)},
      {"peak vCPUs", count(&SimulationReport::peak_vcpus)},
      {"instance hours",
       [](const SimulationReport& r) {
         char text[32];
         std::snprintf(text, sizeof text, "%.2f", r.instance_hours);
         return std::string(text);
       }},
      {"cost", money(&SimulationReport::cost)},
      {"on-demand equivalent", money(&SimulationReport::on_demand_cost)},
      {"spot interruptions", count(&SimulationReport::spot_interruptions)},
      {"spot reclaims", count(&SimulationReport::spot_reclaims)},
      {"simulated time", time(&SimulationReport::simulated)},
  };
  std::string out;
  for (const auto& [label, value] : rows) {
    char cell[64];
    std::snprintf(cell, sizeof cell, "%-22s", label.c_str());
    out += cell;
    for (const SimulationReport& run : runs) {
      std::snprintf(cell, sizeof cell, "%14s", value(run).c_str());
      out += cell;
    }
    out += '\n';
  }
  return out;
}

std::string FormatJson(const std::vector<SimulationReport>& runs) {
  nlohmann::ordered_json out = {{"runs", nlohmann::ordered_json::array()}};
  for (const SimulationReport& r : runs) {
    out["runs"].push_back({{"capacity", ToString(r.capacity)},
                           {"jobs", r.jobs},
                           {"succeeded", r.succeeded},
                           {"failed", r.failed},
                           {"unfinished", r.unfinished},
                           {"attempts", r.attempts},
                           {"retries", r.retries},
                           {"makespanSeconds", Seconds(r.makespan)},
                           {"waitSeconds",
                            {{"p50", Seconds(r.wait_p50)},
                             {"p90", Seconds(r.wait_p90)},
                             {"p99", Seconds(r.wait_p99)},
                             {"max", Seconds(r.wait_max)}}},
                           {"utilisation", r.utilisation},
                           {"instancesLaunched", r.instances},
                           {"peakInstances", r.peak_instances},
                           {"peakVcpus", r.peak_vcpus},
                           {"instanceHours", r.instance_hours},
                           {"cost", r.cost},
                           {"onDemandCost", r.on_demand_cost},
                           {"spotInterruptions", r.spot_interruptions},
                           {"spotReclaims", r.spot_reclaims},
                           {"simulatedSeconds", Seconds(r.simulated)}});
  }
  return out.dump(2) + "\n";
}

}  // namespace barge::sim
