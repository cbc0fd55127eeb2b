#include "fleet/cost.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace barge::fleet {
namespace {

constexpr double kSecondsPerHour = 3600;

double Seconds(Duration duration) { return static_cast<double>(duration.count()) / 1000.0; }

// One attempt's part of one instance over the window.
struct Share {
  const CostAttempt* attempt = nullptr;
  double instance_seconds = 0;  // The whole instance's seconds it pays for.
  double vcpu_seconds = 0;
};

struct Held {
  const CostAttempt* attempt = nullptr;
  int64_t millicpus = 0;
  Timestamp from{};
  Timestamp until{};
};

// The attempts' shares of an instance whose priced life is [from, until).
// At each moment a held milli-vCPU pays 1 / max(capacity, total held) of the
// instance, so that the shares never add up to more than the instance: the
// integral of that rate is kept at every point where the total changes, and
// an attempt's share is its millicpus times the integral over its interval.
std::vector<Share> Attribute(const Instance& instance, Timestamp from, Timestamp until,
                             const std::vector<const CostAttempt*>& attempts) {
  std::vector<Held> held;
  std::map<Timestamp, int64_t> delta;
  for (const CostAttempt* attempt : attempts) {
    Held h{.attempt = attempt,
           .millicpus = std::llround(attempt->vcpus * 1000),
           .from = std::max(attempt->held_from, from),
           .until = std::min(attempt->held_until, until)};
    if (h.millicpus <= 0 || h.until <= h.from) continue;
    delta[h.from] += h.millicpus;
    delta[h.until] -= h.millicpus;
    held.push_back(h);
  }
  int64_t capacity = int64_t{instance.type.vcpus} * 1000;
  std::map<Timestamp, double> integral;  // Instance-seconds per held milli-vCPU so far.
  int64_t total = 0;
  double sum = 0;
  std::optional<Timestamp> previous;
  for (const auto& [at, change] : delta) {
    if (previous && total > 0) sum += Seconds(at - *previous) / std::max(capacity, total);
    integral.emplace(at, sum);
    total += change;
    previous = at;
  }
  std::vector<Share> shares;
  for (const Held& h : held) {
    double instance_seconds =
        static_cast<double>(h.millicpus) * (integral.at(h.until) - integral.at(h.from));
    double vcpu_seconds = capacity > 0
                              ? instance_seconds * static_cast<double>(capacity) / 1000
                              : static_cast<double>(h.millicpus) / 1000 * Seconds(h.until - h.from);
    shares.push_back(
        {.attempt = h.attempt, .instance_seconds = instance_seconds, .vcpu_seconds = vcpu_seconds});
  }
  return shares;
}

// Highest cost first, then by `id`, so reports are the same run after run.
template <typename Row>
void SortByCost(std::vector<Row>& rows, std::string Row::*id) {
  std::ranges::sort(rows, [id](const Row& a, const Row& b) {
    if (a.cost != b.cost) return a.cost > b.cost;
    return a.*id < b.*id;
  });
}

template <typename Row>
std::vector<Row> Values(std::map<std::string, Row>& rows) {
  std::vector<Row> out;
  out.reserve(rows.size());
  for (auto& [key, row] : rows) out.push_back(std::move(row));
  return out;
}

// Aggregates rows as instances and shares are added.
class ReportBuilder {
 public:
  explicit ReportBuilder(const CostOptions& options) : options_(options) {}

  void AddInstance(const Instance& instance, Timestamp from, Timestamp until,
                   const std::vector<Share>& shares) {
    double seconds = Seconds(until - from);
    double price = instance.PricePerHour() / kSecondsPerHour;
    double on_demand = instance.type.on_demand_per_hour / kSecondsPerHour;
    InstanceCost row{.instance = instance,
                     .seconds = seconds,
                     .cost = price * seconds,
                     .on_demand_cost = on_demand * seconds};
    for (const Share& share : shares) row.job_cost += price * share.instance_seconds;
    row.idle_cost = std::max(0.0, row.cost - row.job_cost);

    bool by_queue = options_.queue.has_value();
    std::vector<const Share*> included;
    for (const Share& share : shares) {
      if (!by_queue || share.attempt->queue == *options_.queue) included.push_back(&share);
    }
    if (by_queue && included.empty()) return;

    EnvironmentCost& environment = environments_[instance.compute_environment];
    environment.name = instance.compute_environment;
    if (!by_queue) {
      environment.cost += row.cost;
      environment.idle_cost += row.idle_cost;
      environment.on_demand_cost += row.on_demand_cost;
      environment.instance_seconds += seconds;
    }
    for (const Share* share : included) {
      double cost = price * share->instance_seconds;
      double on_demand_cost = on_demand * share->instance_seconds;
      if (by_queue) {
        environment.cost += cost;
        environment.on_demand_cost += on_demand_cost;
        environment.instance_seconds += share->instance_seconds;
      }
      AddShare(*share->attempt, instance.compute_environment, *share, cost, on_demand_cost);
    }
    instances_.push_back(std::move(row));
  }

  CostReport Finish() && {
    CostReport report{.since = options_.since, .until = options_.until};
    report.environments = Values(environments_);
    for (const EnvironmentCost& environment : report.environments) {
      report.totals.cost += environment.cost;
      report.totals.idle_cost += environment.idle_cost;
      report.totals.on_demand_cost += environment.on_demand_cost;
    }
    report.totals.savings = report.totals.on_demand_cost - report.totals.cost;
    report.queues = Values(queues_);
    report.jobs = Values(jobs_);
    report.instances = std::move(instances_);
    SortByCost(report.environments, &EnvironmentCost::name);
    SortByCost(report.queues, &QueueCost::name);
    SortByCost(report.jobs, &JobCost::job_id);
    std::ranges::sort(report.instances, [](const InstanceCost& a, const InstanceCost& b) {
      if (a.cost != b.cost) return a.cost > b.cost;
      return a.instance.id < b.instance.id;
    });
    return report;
  }

 private:
  void AddShare(const CostAttempt& attempt, const std::string& environment, const Share& share,
                double cost, double on_demand_cost) {
    JobCost& job = jobs_[attempt.job_id];
    job.job_id = attempt.job_id;
    job.job_name = attempt.job_name;
    job.queue = attempt.queue;
    auto [latest, first] = latest_attempt_.try_emplace(attempt.job_id, attempt.held_from);
    if (first || attempt.held_from >= latest->second) {
      latest->second = attempt.held_from;
      job.compute_environment = environment;
    }
    job.vcpu_seconds += share.vcpu_seconds;
    job.cost += cost;
    job.on_demand_cost += on_demand_cost;

    QueueCost& queue = queues_[attempt.queue];
    queue.name = attempt.queue;
    queue.vcpu_seconds += share.vcpu_seconds;
    queue.cost += cost;
    queue.on_demand_cost += on_demand_cost;
  }

  const CostOptions& options_;
  std::map<std::string, EnvironmentCost> environments_;
  std::map<std::string, QueueCost> queues_;
  std::map<std::string, JobCost> jobs_;
  std::map<std::string, Timestamp> latest_attempt_;  // By job id.
  std::vector<InstanceCost> instances_;
};

}  // namespace

CostReport ComputeCost(const std::vector<Instance>& instances,
                       const std::vector<CostAttempt>& attempts, const CostOptions& options) {
  ReportBuilder builder(options);
  if (options.until <= options.since) return std::move(builder).Finish();
  std::map<std::string_view, std::vector<const CostAttempt*>> by_instance;
  for (const CostAttempt& attempt : attempts) by_instance[attempt.instance_id].push_back(&attempt);
  const std::vector<const CostAttempt*> none;
  for (const Instance& instance : instances) {
    if (options.compute_environment &&
        instance.compute_environment != *options.compute_environment) {
      continue;
    }
    Timestamp from = std::max(instance.launched_at, options.since);
    Timestamp until = std::min(instance.terminated_at.value_or(options.until), options.until);
    if (until <= from) continue;
    auto found = by_instance.find(instance.id);
    const std::vector<const CostAttempt*>& on_it =
        found == by_instance.end() ? none : found->second;
    builder.AddInstance(instance, from, until, Attribute(instance, from, until, on_it));
  }
  return std::move(builder).Finish();
}

}  // namespace barge::fleet
