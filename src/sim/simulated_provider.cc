#include "sim/simulated_provider.h"

namespace barge::sim {

void SimulatedProvider::Launch(const fleet::LaunchRequest& request, LaunchDone done) {
  Timestamp at = clock_.Now() + launch_delay_;
  std::vector<fleet::LaunchResult> results;
  results.reserve(request.instance_ids.size());
  for (const std::string& id : request.instance_ids) {
    joins_.emplace(std::pair(at, next_sequence_++),
                   PendingJoin{.at = at,
                               .instance_id = id,
                               .compute_environment = request.compute_environment,
                               .type = request.type});
    not_joined_.insert(id);
    results.push_back({.instance_id = id});
  }
  done(std::move(results));
}

void SimulatedProvider::Terminate(const std::vector<Instance>& instances, TerminateDone done) {
  for (const Instance& instance : instances) {
    not_joined_.erase(instance.id);
    terminated_.push_back(instance.id);
  }
  done(Ok());
}

std::optional<Timestamp> SimulatedProvider::NextJoin() const {
  if (joins_.empty()) return std::nullopt;
  return joins_.begin()->first.first;
}

std::vector<PendingJoin> SimulatedProvider::TakeJoinsDue(Timestamp now) {
  std::vector<PendingJoin> due;
  while (!joins_.empty() && joins_.begin()->first.first <= now) {
    PendingJoin join = std::move(joins_.begin()->second);
    joins_.erase(joins_.begin());
    // Terminated before its agent came up (the launch timed out): never joins.
    if (not_joined_.erase(join.instance_id) == 0) continue;
    due.push_back(std::move(join));
  }
  return due;
}

}  // namespace barge::sim
