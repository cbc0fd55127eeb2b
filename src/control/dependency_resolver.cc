#include "control/dependency_resolver.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "control/transact.h"

namespace barge::control {
namespace {

// PENDING jobs read per transaction while rebuilding.
constexpr size_t kRebuildPage = 1000;

// A PENDING job marked for cancel fails with this when CancelJob gave no
// reason (the API always does).
constexpr std::string_view kCancelled = "Cancelled while waiting for its dependencies";

// dependsOn as the graph takes it. Types were checked by ValidateDependsOn.
std::vector<Dependency> ToGraph(const std::vector<JobDependency>& depends_on) {
  std::vector<Dependency> out;
  out.reserve(depends_on.size());
  for (const JobDependency& entry : depends_on) {
    DependencyType type = DependencyType::kAfterOk;
    if (entry.type) type = ParseDependencyType(*entry.type).value_or(DependencyType::kAfterOk);
    out.push_back({.job_id = entry.job_id, .type = type});
  }
  return out;
}

bool Before(const Job& a, const Job& b) {
  return a.created_at != b.created_at ? a.created_at < b.created_at : a.id < b.id;
}

}  // namespace

Status ValidateDependsOn(const std::vector<JobDependency>& depends_on, size_t max_dependencies) {
  if (depends_on.size() > max_dependencies) {
    return InvalidArgument("Job cannot have more than " + std::to_string(max_dependencies) +
                           " dependencies (dependsOn lists " + std::to_string(depends_on.size()) +
                           ")");
  }
  std::set<std::string_view> seen;
  for (size_t i = 0; i < depends_on.size(); ++i) {
    const JobDependency& entry = depends_on[i];
    std::string member = "dependsOn[" + std::to_string(i) + "]";
    if (entry.type) {
      std::optional<DependencyType> type = ParseDependencyType(*entry.type);
      if (!type) {
        return InvalidArgument(member +
                               ".type must be N_TO_N or SEQUENTIAL (array jobs), or barge's "
                               "AFTER_OK, AFTER_ANY or AFTER_NOT_OK, not " +
                               *entry.type);
      }
      if (*type == DependencyType::kNToN || *type == DependencyType::kSequential) {
        return InvalidArgument(member + ".type " + *entry.type +
                               " applies to array jobs, which are not supported yet");
      }
    }
    if (entry.job_id.empty()) return InvalidArgument(member + ".jobId is required");
    if (!seen.insert(entry.job_id).second) {
      return InvalidArgument("dependsOn lists job " + entry.job_id + " twice");
    }
  }
  return Ok();
}

DependencyResolver::DependencyResolver(Store& store, const Clock& clock, JobEvents& events,
                                       DependencyResolverOptions options)
    : store_(store), clock_(clock), events_(events), options_(std::move(options)) {}

std::vector<std::optional<Error>> DependencyResolver::Admit(std::span<Job* const> jobs) {
  std::vector<std::optional<Error>> refused(jobs.size());
  // What each dependency is now; nullopt: no such job.
  std::unordered_map<std::string, std::optional<JobStatus>> known;
  Status read = store_.Transact([&](StoreTransaction& txn) -> Status {
    known.clear();
    for (const Job* job : jobs) {
      for (const JobDependency& dependency : job->depends_on) {
        if (known.contains(dependency.job_id)) continue;
        Result<Job> found = txn.GetJob(dependency.job_id);
        if (!found && found.error().code != ErrorCode::kNotFound) return found.error();
        known.emplace(dependency.job_id,
                      found ? std::optional<JobStatus>(found->status) : std::nullopt);
      }
    }
    return Ok();
  });
  if (!read) {
    std::ranges::fill(refused, read.error());
    return refused;
  }
  JobLookup lookup = [&known](std::string_view id) -> std::optional<KnownJob> {
    auto it = known.find(std::string(id));
    if (it == known.end() || !it->second) return std::nullopt;
    return KnownJob{.status = *it->second};
  };
  Timestamp now = clock_.Now();
  for (size_t i = 0; i < jobs.size(); ++i) {
    Job& job = *jobs[i];
    for (const JobDependency& dependency : job.depends_on) {
      if (!known.at(dependency.job_id)) {
        refused[i] = InvalidArgument("dependsOn: job " + dependency.job_id + " does not exist");
        break;
      }
    }
    if (refused[i]) continue;
    Result<DependencyChanges> added = graph_.Add(job.id, ToGraph(job.depends_on), lookup);
    if (!added) {
      refused[i] = Error{added.error().code, "dependsOn: " + added.error().message};
      continue;
    }
    Status moved = !added->failed.empty()
                       ? Transition(job, JobStatus::kFailed, now, added->failed.front().reason)
                   : !added->ready.empty() ? Transition(job, JobStatus::kRunnable, job.created_at)
                                           : Transition(job, JobStatus::kPending, job.created_at);
    if (!moved) {
      Withdraw(job.id);
      refused[i] = Internal(moved.error().message);
    }
  }
  return refused;
}

void DependencyResolver::Withdraw(const std::string& job_id) { Queue(graph_.Remove(job_id)); }

void DependencyResolver::JobsEnded(const std::vector<EndedJob>& ended) {
  for (const EndedJob& job : ended) Queue(graph_.OnEnded(job.job_id, job.status));
  if (!changes_.empty()) RequestApply();
}

void DependencyResolver::Queue(DependencyChanges changes) {
  for (std::string& id : changes.ready)
    changes_.push_back({.job_id = std::move(id), .ready = true});
  for (FailedJob& failed : changes.failed) {
    changes_.push_back({.job_id = std::move(failed.job_id), .reason = std::move(failed.reason)});
  }
}

void DependencyResolver::RequestApply() {
  if (applying_) return;  // The running ApplyPending takes the new changes too.
  if (options_.schedule_apply) {
    if (!apply_scheduled_) {
      apply_scheduled_ = true;
      options_.schedule_apply();
    }
    return;
  }
  if (Status applied = ApplyPending(); !applied) {
    spdlog::warn("dependencies: {} job(s) not yet updated: {}", changes_.size(),
                 applied.error().message);
  }
}

Status DependencyResolver::ApplyPending() {
  apply_scheduled_ = false;
  if (applying_) return Ok();
  applying_ = true;
  Status result = Ok();
  // Writing a job FAILED reports its end, which may resolve more jobs: they
  // join changes_ while a batch commits and are written by the next turn.
  while (!changes_.empty()) {
    std::vector<Change> batch = std::exchange(changes_, {});
    std::vector<Job> runnable;
    Timestamp now = clock_.Now();
    Status written = TransactWithRetry(store_, [&](StoreTransaction& txn) -> Status {
      runnable.clear();
      for (const Change& change : batch) {
        Result<Job> loaded = txn.GetJob(change.job_id);
        if (!loaded) {
          if (loaded.error().code == ErrorCode::kNotFound) continue;
          return loaded.error();
        }
        Job job = std::move(loaded).value();
        if (job.status != JobStatus::kPending) continue;  // A repeat.
        Status moved = job.is_cancelled
                           ? Transition(job, JobStatus::kFailed, now,
                                        job.stop_reason.value_or(std::string(kCancelled)))
                       : change.ready ? Transition(job, JobStatus::kRunnable, now)
                                      : Transition(job, JobStatus::kFailed, now, change.reason);
        if (!moved) return Internal(moved.error().message);
        BARGE_RETURN_IF_ERROR(txn.UpdateJob(job));
        if (job.status == JobStatus::kRunnable) {
          ++job.version;
          runnable.push_back(std::move(job));
        }
      }
      return Ok();
    });
    if (!written) {
      changes_.insert(changes_.begin(), batch.begin(), batch.end());
      result = written;
      break;
    }
    for (const Job& job : runnable) events_.JobRunnable(job);
  }
  applying_ = false;
  return result;
}

// Adds the PENDING jobs of the store to the graph, in submission order. Two
// jobs submitted in the same millisecond are listed by id, which can put a
// dependent before what it depends on: such a dependency is added first
// (depth first, with an explicit stack) and skipped when the scan reaches it.
class DependencyResolver::Rebuilder {
 public:
  Rebuilder(DependencyResolver& resolver, StoreTransaction& txn,
            std::unordered_map<std::string, std::optional<Job>>& dependencies,
            std::unordered_map<std::string, JobStatus>& resolved,
            std::unordered_set<std::string>& added_early)
      : resolver_(resolver),
        txn_(txn),
        dependencies_(dependencies),
        resolved_(resolved),
        added_early_(added_early) {}

  Status AddInOrder(const Job& scanned) {
    if (added_early_.erase(scanned.id) > 0) return Ok();
    std::vector<Job> stack{scanned};
    while (!stack.empty()) {
      Result<std::optional<Job>> first = FirstToAddBefore(stack.back(), scanned, stack);
      if (!first) return first.error();
      if (*first) {
        stack.push_back(std::move(**first));
        continue;
      }
      Add(stack.back());
      if (stack.size() > 1) added_early_.insert(stack.back().id);
      stack.pop_back();
    }
    return Ok();
  }

 private:
  // A PENDING dependency of `job` that the scan has not reached yet.
  Result<std::optional<Job>> FirstToAddBefore(const Job& job, const Job& scanned,
                                              const std::vector<Job>& stack) {
    for (const JobDependency& dependency : job.depends_on) {
      Result<const std::optional<Job>*> read = Read(dependency.job_id);
      if (!read) return read.error();
      const std::optional<Job>& found = **read;
      if (!found || found->status != JobStatus::kPending) continue;
      if (resolved_.contains(found->id) || added_early_.contains(found->id)) continue;
      if (Before(*found, scanned)) continue;  // Added when the scan passed it.
      bool on_stack = std::ranges::any_of(stack, [&](const Job& j) { return j.id == found->id; });
      if (!on_stack) return std::optional<Job>(*found);
    }
    return std::optional<Job>();
  }

  Result<const std::optional<Job>*> Read(const std::string& id) {
    auto it = dependencies_.find(id);
    if (it != dependencies_.end()) return &it->second;
    Result<Job> job = txn_.GetJob(id);
    if (!job && job.error().code != ErrorCode::kNotFound) return job.error();
    std::optional<Job> found;
    if (job) {
      found = std::move(job).value();
      found->attempts.clear();  // Only status, created_at and dependsOn are needed.
      found->container = {};
    }
    return &dependencies_.emplace(id, std::move(found)).first->second;
  }

  void Add(const Job& job) {
    JobLookup lookup = [this](std::string_view id) -> std::optional<KnownJob> {
      std::string key(id);
      if (auto it = resolved_.find(key); it != resolved_.end()) {
        return KnownJob{.status = it->second};
      }
      auto it = dependencies_.find(key);
      if (it == dependencies_.end() || !it->second) return std::nullopt;
      return KnownJob{.status = it->second->status};
    };
    Result<DependencyChanges> added = resolver_.graph_.Add(job.id, ToGraph(job.depends_on), lookup);
    if (!added) {
      resolved_[job.id] = JobStatus::kFailed;
      resolver_.Queue({.failed = {{job.id, "dependsOn: " + added.error().message}}});
      return;
    }
    for (const std::string& id : added->ready) resolved_[id] = JobStatus::kRunnable;
    for (const FailedJob& failed : added->failed) resolved_[failed.job_id] = JobStatus::kFailed;
    resolver_.Queue(std::move(added).value());
  }

  DependencyResolver& resolver_;
  StoreTransaction& txn_;
  std::unordered_map<std::string, std::optional<Job>>& dependencies_;
  std::unordered_map<std::string, JobStatus>& resolved_;
  std::unordered_set<std::string>& added_early_;
};

Status DependencyResolver::Rebuild() {
  // Dependencies read so far (nullopt: no such job), the PENDING jobs the
  // graph resolved at once (the lookup must agree with it), and the jobs
  // added ahead of the scan.
  std::unordered_map<std::string, std::optional<Job>> dependencies;
  std::unordered_map<std::string, JobStatus> resolved;
  std::unordered_set<std::string> added_early;
  std::optional<JobListCursor> cursor;
  size_t added = 0;
  while (true) {
    bool last_page = false;
    // One attempt only: the graph changes as the page is read.
    Status read = store_.Transact([&](StoreTransaction& txn) -> Status {
      Result<std::vector<Job>> page = txn.ListJobs(
          {.statuses = {JobStatus::kPending}, .limit = kRebuildPage, .start_after = cursor});
      if (!page) return page.error();
      last_page = page->size() < kRebuildPage;
      Rebuilder rebuilder(*this, txn, dependencies, resolved, added_early);
      for (const Job& job : *page) {
        BARGE_RETURN_IF_ERROR(rebuilder.AddInOrder(job));
        cursor = JobListCursor{.created_at = job.created_at, .id = job.id};
        ++added;
      }
      return Ok();
    });
    if (!read) return read;
    BARGE_RETURN_IF_ERROR(ApplyPending());
    if (last_page) break;
  }
  if (added > 0) {
    spdlog::info("dependencies: {} PENDING job(s) back in the graph ({} still waiting)", added,
                 graph_.node_count());
  }
  return Ok();
}

}  // namespace barge::control
