#include "scheduler/planner.h"

#include <algorithm>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include "scheduler/best_fit_scorer.h"
#include "scheduler/node_filters.h"
#include "scheduler/priority_fifo_order.h"

namespace barge::scheduler {
namespace {

// Requests that already found no node, per list of environments. Bounded:
// past kMaxRemembered the pass just tries again, which is only slower.
class FailedRequests {
 public:
  bool Dominates(const std::string& key, const Resources& request) const {
    auto it = failed_.find(key);
    if (it == failed_.end()) return false;
    return std::ranges::any_of(it->second,
                               [&](const Resources& failed) { return Covers(request, failed); });
  }
  void Add(const std::string& key, const Resources& request) {
    std::vector<Resources>& list = failed_[key];
    if (list.size() < kMaxRemembered) list.push_back(request);
  }

 private:
  static constexpr size_t kMaxRemembered = 16;
  std::map<std::string, std::vector<Resources>> failed_;
};

std::string EnvironmentsKey(std::span<const std::string> environments) {
  std::string key;
  for (const std::string& name : environments) {
    key += name;
    key += '\n';
  }
  return key;
}

void Reserve(Resources& free, const Resources& request) {
  free.millicpus -= request.millicpus;
  free.memory_mib -= request.memory_mib;
  free.gpus -= request.gpus;
}

}  // namespace

Planner::Planner(std::unique_ptr<QueueOrderPolicy> order,
                 std::vector<std::unique_ptr<NodeFilter>> filters,
                 std::unique_ptr<NodeScorer> scorer)
    : order_(std::move(order)), filters_(std::move(filters)), scorer_(std::move(scorer)) {}

Planner Planner::Standard() {
  std::vector<std::unique_ptr<NodeFilter>> filters;
  filters.push_back(std::make_unique<AcceptingWorkFilter>());
  filters.push_back(std::make_unique<FreeCapacityFilter>());
  return Planner(std::make_unique<PriorityFifoOrder>(), std::move(filters),
                 std::make_unique<BestFitScorer>());
}

PlanResult Planner::Plan(Snapshot snapshot) const {
  order_->Sort(snapshot.jobs);
  std::vector<NodeView>& nodes = snapshot.nodes;
  std::map<std::string, std::vector<size_t>, std::less<>> by_environment;
  for (size_t i = 0; i < nodes.size(); ++i) {
    by_environment[nodes[i].compute_environment].push_back(i);
  }

  PlanResult result;
  FailedRequests failed;
  // Jobs of one queue share their environments: the key is built once per run of them.
  std::string key;
  std::optional<std::span<const std::string>> key_of;
  for (const PendingJob& job : snapshot.jobs) {
    if (!key_of || !std::ranges::equal(*key_of, job.compute_environments)) {
      key = EnvironmentsKey(job.compute_environments);
      key_of = job.compute_environments;
    }
    NodeView* best = nullptr;
    if (!failed.Dominates(key, job.request)) {
      for (const std::string& environment : job.compute_environments) {
        auto members = by_environment.find(environment);
        if (members == by_environment.end()) continue;
        double best_score = 0;
        for (size_t index : members->second) {
          NodeView& node = nodes[index];
          bool admitted = std::ranges::all_of(
              filters_, [&](const auto& filter) { return filter->Admits(job, node); });
          if (!admitted) continue;
          double score = scorer_->Score(job, node);
          if (best == nullptr || score > best_score) {
            best = &node;
            best_score = score;
          }
        }
        if (best != nullptr) break;  // Environment order beats a better fit further down.
      }
    }
    if (best != nullptr) {
      Reserve(best->free, job.request);
      result.placements.push_back({.job_id = std::string(job.id),
                                   .agent_id = best->agent_id,
                                   .compute_environment = best->compute_environment});
      continue;
    }
    failed.Add(key, job.request);

    bool has_nodes = false;
    bool could_ever_fit = false;
    for (const std::string& environment : job.compute_environments) {
      auto members = by_environment.find(environment);
      if (members == by_environment.end()) continue;
      has_nodes = true;
      could_ever_fit = std::ranges::any_of(members->second, [&](size_t index) {
        return Covers(nodes[index].capacity, job.request);
      });
      if (could_ever_fit) break;
    }
    if (has_nodes && !could_ever_fit) {
      result.unplaceable.push_back(
          {.job_id = std::string(job.id), .reason = std::string(kJobResourceRequirementReason)});
    }
  }
  return result;
}

}  // namespace barge::scheduler
