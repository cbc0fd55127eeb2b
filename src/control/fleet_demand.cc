#include "control/fleet_demand.h"

#include <algorithm>

#include "scheduler/cluster_view.h"

namespace barge::control {

std::map<std::string, std::vector<WaitingJob>> WaitingByEnvironment(
    const std::vector<JobQueue>& queues, const std::vector<ComputeEnvironment>& environments,
    const std::map<std::string, DemandBudget>& budgets, const RunnableIndex& runnable,
    size_t window) {
  std::map<std::string, std::string> name_of_arn;
  for (const ComputeEnvironment& ce : environments) name_of_arn[ce.arn] = ce.name;

  std::vector<const JobQueue*> ordered;
  for (const JobQueue& queue : queues) {
    if (queue.state == ResourceState::kEnabled && queue.status == ResourceStatus::kValid) {
      ordered.push_back(&queue);
    }
  }
  std::ranges::stable_sort(
      ordered, [](const JobQueue* a, const JobQueue* b) { return a->priority > b->priority; });

  std::map<std::string, std::vector<WaitingJob>> waiting;
  std::map<std::string, int64_t> counted;  // Millicpus listed so far, per environment.
  for (const JobQueue* queue : ordered) {
    std::vector<ComputeEnvironmentOrder> order = queue->compute_environment_order;
    std::ranges::stable_sort(order, {}, &ComputeEnvironmentOrder::order);
    const std::string* target = nullptr;
    for (const ComputeEnvironmentOrder& entry : order) {
      auto known = name_of_arn.find(entry.compute_environment);
      const std::string& name =
          known != name_of_arn.end() ? known->second : entry.compute_environment;
      if (budgets.contains(name)) {
        target = &name;
        break;
      }
    }
    if (target == nullptr) continue;
    const DemandBudget& budget = budgets.at(*target);
    std::vector<WaitingJob>& list = waiting[*target];
    int64_t& millicpus = counted[*target];
    runnable.VisitOldest(queue->name, [&](const Resources& request, const RunnableEntry& entry) {
      if (list.size() >= window) return false;
      if (list.size() >= budget.at_least && millicpus > budget.millicpus) return false;
      if (request.millicpus <= 0) return true;
      list.push_back({.id = entry.id, .request = request});
      if (scheduler::Covers(budget.largest, request)) millicpus += request.millicpus;
      return true;
    });
  }
  return waiting;
}

}  // namespace barge::control
