#pragma once
// Test support for the DependencyGraph tests: a tiny job table standing in for
// the store, the way the server will use the graph (look up at Add, apply the
// changes, report ends). Tests only.
#include <map>
#include <string>
#include <vector>

#include "core/dependency_graph.h"

namespace barge::testing {

class JobTable {
 public:
  explicit JobTable(DependencyGraph& graph) : graph_(graph) {}

  // Submits a plain job: the table holds it SUBMITTED, the graph gets its
  // dependencies, and what the graph resolved at once is applied.
  Result<DependencyChanges> Submit(const std::string& id,
                                   std::vector<Dependency> dependencies = {}) {
    jobs_[id] = KnownJob{};
    Result<DependencyChanges> changes = graph_.Add(id, dependencies, Lookup());
    if (!changes) {
      jobs_.erase(id);
      return changes;
    }
    Apply(*changes);
    return changes;
  }

  Result<DependencyChanges> SubmitArray(const std::string& id, int32_t size,
                                        std::vector<Dependency> dependencies = {}) {
    jobs_[id] = KnownJob{.array_size = size};
    for (int32_t i = 0; i < size; ++i) jobs_[id + ":" + std::to_string(i)] = KnownJob{};
    Result<DependencyChanges> changes = graph_.AddArray(id, size, dependencies, Lookup());
    if (!changes) {
      jobs_.erase(id);
      for (int32_t i = 0; i < size; ++i) jobs_.erase(id + ":" + std::to_string(i));
      return changes;
    }
    Apply(*changes);
    return changes;
  }

  // The job ran and ended: the table records it, then the graph hears of it.
  DependencyChanges End(const std::string& id, JobStatus status) {
    jobs_[id].status = status;
    DependencyChanges changes = graph_.OnEnded(id, status);
    Apply(changes);
    return changes;
  }

  DependencyChanges Cancel(const std::string& id) {
    jobs_[id].status = JobStatus::kFailed;
    DependencyChanges changes = graph_.Remove(id);
    Apply(changes);
    return changes;
  }

  // A job whose state is known to the table only (submitted before, or ended).
  void Put(const std::string& id, JobStatus status, int32_t array_size = 0) {
    jobs_[id] = KnownJob{.status = status, .array_size = array_size};
  }

  JobStatus status(const std::string& id) const { return jobs_.at(id).status; }

  JobLookup Lookup() const {
    return [this](std::string_view id) -> std::optional<KnownJob> {
      auto it = jobs_.find(std::string(id));
      if (it == jobs_.end()) return std::nullopt;
      return it->second;
    };
  }

 private:
  void Apply(const DependencyChanges& changes) {
    for (const std::string& id : changes.ready) jobs_.at(id).status = JobStatus::kRunnable;
    for (const FailedJob& failed : changes.failed)
      jobs_.at(failed.job_id).status = JobStatus::kFailed;
  }

  DependencyGraph& graph_;
  std::map<std::string, KnownJob> jobs_;
};

inline std::vector<std::string> Ids(const std::vector<FailedJob>& failed) {
  std::vector<std::string> ids;
  for (const FailedJob& f : failed) ids.push_back(f.job_id);
  return ids;
}

}  // namespace barge::testing
