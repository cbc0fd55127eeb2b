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

// Requests that already found no node, for one list of environments.
// Bounded: past kMaxRemembered the pass just tries again, which is only slower.
class FailedRequests {
 public:
  bool Dominates(const Resources& request) const {
    return std::ranges::any_of(failed_,
                               [&](const Resources& failed) { return Covers(request, failed); });
  }
  void Add(const Resources& request) {
    if (failed_.size() < kMaxRemembered) failed_.push_back(request);
  }

 private:
  static constexpr size_t kMaxRemembered = 16;
  std::vector<Resources> failed_;
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
  // Per list of environments (a queue's): what already failed, and the
  // environments' nodes in order. Jobs of one queue come in runs, so the
  // list is looked up once per run, not per job.
  struct Environments {
    FailedRequests failed{};
    std::vector<const std::vector<size_t>*> members{};  // Environments with nodes, in order.
  };
  std::map<std::string, Environments> environments_of;
  Environments* current = nullptr;
  std::span<const std::string> current_names;
  for (const PendingJob& job : snapshot.jobs) {
    bool same_list =
        current != nullptr && ((current_names.data() == job.compute_environments.data() &&
                                current_names.size() == job.compute_environments.size()) ||
                               std::ranges::equal(current_names, job.compute_environments));
    if (!same_list) {
      auto [it, added] = environments_of.try_emplace(EnvironmentsKey(job.compute_environments));
      if (added) {
        for (const std::string& environment : job.compute_environments) {
          auto members = by_environment.find(environment);
          if (members != by_environment.end()) it->second.members.push_back(&members->second);
        }
      }
      current = &it->second;
      current_names = job.compute_environments;
    }
    NodeView* best = nullptr;
    if (!current->failed.Dominates(job.request)) {
      for (const std::vector<size_t>* members : current->members) {
        double best_score = 0;
        for (size_t index : *members) {
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
    current->failed.Add(job.request);

    bool has_nodes = !current->members.empty();
    bool could_ever_fit = std::ranges::any_of(current->members, [&](const auto* members) {
      return std::ranges::any_of(
          *members, [&](size_t index) { return Covers(nodes[index].capacity, job.request); });
    });
    if (has_nodes && !could_ever_fit) {
      result.unplaceable.push_back(
          {.job_id = std::string(job.id), .reason = std::string(kJobResourceRequirementReason)});
    }
  }
  return result;
}

}  // namespace barge::scheduler
