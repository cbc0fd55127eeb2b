#include "control/dependency_resolver.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "control/transact.h"
#include "core/array_job.h"

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

Status ValidateDependsOn(const std::vector<JobDependency>& depends_on, size_t max_dependencies,
                         bool array_job) {
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
      if ((*type == DependencyType::kNToN || *type == DependencyType::kSequential) &&
          !array_job) {
        return InvalidArgument(member + ".type " + *entry.type +
                               " applies to array jobs only (give arrayProperties)");
      }
      if (*type == DependencyType::kSequential) {
        if (!entry.job_id.empty()) {
          return InvalidArgument(member +
                                 ": a SEQUENTIAL dependency names no jobId (each child waits "
                                 "for the one before it)");
        }
        if (!seen.insert("").second) return InvalidArgument("dependsOn lists SEQUENTIAL twice");
        continue;
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
    : store_(store),
      clock_(clock),
      events_(events),
      options_(std::move(options)),
      arrays_(store, clock, options_.array_slot_freed) {}

namespace {

std::optional<KnownJob> Known(const Job& job) {
  return KnownJob{.status = job.status, .array_size = IsArrayParent(job) ? job.array->size : 0};
}

// The first statuses of an array's children from what AddArray answered.
Status ChildrenFromChanges(const Job& parent, const DependencyChanges& changes,
                           Admission& admission) {
  admission.children.assign(static_cast<size_t>(parent.array->size), JobStatus::kPending);
  auto index_of = [&](std::string_view id) -> std::optional<size_t> {
    std::optional<ArrayChildRef> ref = ParseArrayChildId(id);
    if (!ref || ref->parent_id != parent.id || ref->index >= parent.array->size) {
      return std::nullopt;
    }
    return static_cast<size_t>(ref->index);
  };
  for (const std::string& id : changes.ready) {
    std::optional<size_t> index = index_of(id);
    if (!index) return Internal("dependency graph made " + id + " ready with array " + parent.id);
    admission.children[*index] = JobStatus::kRunnable;
  }
  for (const FailedJob& failed : changes.failed) {
    std::optional<size_t> index = index_of(failed.job_id);
    if (!index) continue;  // Not this array's: nothing else can fail at its admission.
    admission.children[*index] = JobStatus::kFailed;
    admission.child_reasons[static_cast<int32_t>(*index)] = failed.reason;
  }
  return Ok();
}

}  // namespace

std::vector<Admission> DependencyResolver::Admit(std::span<Job* const> jobs) {
  std::vector<Admission> admissions(jobs.size());
  // What each dependency is now; nullopt: no such job.
  std::unordered_map<std::string, std::optional<KnownJob>> known;
  auto read_into = [&known](StoreTransaction& txn, const std::string& id) -> Status {
    Result<Job> found = txn.GetJob(id);
    if (!found && found.error().code != ErrorCode::kNotFound) return found.error();
    known.emplace(id, found ? Known(*found) : std::nullopt);
    return Ok();
  };
  Status read = store_.Transact([&](StoreTransaction& txn) -> Status {
    known.clear();
    for (const Job* job : jobs) {
      for (const JobDependency& dependency : job->depends_on) {
        if (dependency.job_id.empty() || known.contains(dependency.job_id)) continue;
        BARGE_RETURN_IF_ERROR(read_into(txn, dependency.job_id));
      }
    }
    return Ok();
  });
  if (!read) {
    for (Admission& admission : admissions) admission.refused = read.error();
    return admissions;
  }
  // The graph asks for the children of an N_TO_N array that already ended
  // one by one; those are read as asked.
  std::optional<Error> lookup_error;
  JobLookup lookup = [&](std::string_view id) -> std::optional<KnownJob> {
    std::string key(id);
    auto it = known.find(key);
    if (it == known.end()) {
      Status more = store_.Transact([&](StoreTransaction& txn) { return read_into(txn, key); });
      if (!more) {
        lookup_error = more.error();
        return std::nullopt;
      }
      it = known.find(key);
    }
    return it->second;
  };
  Timestamp now = clock_.Now();
  for (size_t i = 0; i < jobs.size(); ++i) {
    Job& job = *jobs[i];
    Admission& admission = admissions[i];
    for (const JobDependency& dependency : job.depends_on) {
      if (!dependency.job_id.empty() && !known.at(dependency.job_id)) {
        admission.refused =
            InvalidArgument("dependsOn: job " + dependency.job_id + " does not exist");
        break;
      }
    }
    if (admission.refused) continue;
    if (IsArrayParent(job)) {
      lookup_error.reset();
      Result<DependencyChanges> added =
          graph_.AddArray(job.id, job.array->size, ToGraph(job.depends_on), lookup);
      if (lookup_error) {
        if (added) Withdraw(job);
        admission.refused = *lookup_error;
        continue;
      }
      if (!added) {
        admission.refused = Error{added.error().code, "dependsOn: " + added.error().message};
        continue;
      }
      Status made = ChildrenFromChanges(job, *added, admission);
      ArrayStatus counted(job.array->size);
      if (made) {
        for (JobStatus child : admission.children) {
          counted.OnChildTransition(JobStatus::kSubmitted, child);
        }
      }
      JobStatus parent = counted.parent_status();
      if (made && parent != JobStatus::kSubmitted) {
        made = Transition(job, parent, parent == JobStatus::kPending ? job.created_at : now,
                          std::string(counted.parent_status_reason()));
      }
      if (made && IsTerminal(job.status)) {
        job.array.mutable_value().status_summary = counted.summary();
        job.array.mutable_value().status_summary_updated_at = now;
      }
      if (!made) {
        Withdraw(job);
        admission.refused = Internal(made.error().message);
      }
      continue;
    }
    Result<DependencyChanges> added = graph_.Add(job.id, ToGraph(job.depends_on), lookup);
    if (!added) {
      admission.refused = Error{added.error().code, "dependsOn: " + added.error().message};
      continue;
    }
    Status moved = !added->failed.empty()
                       ? Transition(job, JobStatus::kFailed, now, added->failed.front().reason)
                   : !added->ready.empty() ? Transition(job, JobStatus::kRunnable, job.created_at)
                                           : Transition(job, JobStatus::kPending, job.created_at);
    if (!moved) {
      Withdraw(job);
      admission.refused = Internal(moved.error().message);
    }
  }
  return admissions;
}

void DependencyResolver::Withdraw(const Job& job) {
  if (!IsArrayParent(job)) return Queue(graph_.Remove(job.id));
  // An array leaves the graph once every child has ended.
  for (int32_t i = 0; i < job.array->size; ++i) {
    Queue(graph_.OnEnded(ArrayChildId(job.id, i), JobStatus::kFailed));
  }
}

void DependencyResolver::JobsWritten(const std::vector<JobWrite>& written) {
  for (const JobWrite& job : written) {
    if (job.array_child) arrays_.ChildWritten(job.job_id, job.status);
    if (job.array_parent || !IsTerminal(job.status)) continue;  // Arrays end through children.
    Queue(graph_.OnEnded(job.job_id, job.status));
  }
  if (!changes_.empty() || arrays_.has_pending()) RequestApply();
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
  if (result) result = arrays_.ApplyPending();
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
      if (dependency.job_id.empty()) continue;  // SEQUENTIAL.
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
      if (it == dependencies_.end()) {
        // A child of an N_TO_N array that already ended, asked one by one.
        if (!Read(key)) return std::nullopt;
        it = dependencies_.find(key);
      }
      if (!it->second) return std::nullopt;
      return Known(*it->second);
    };
    Result<DependencyChanges> added =
        IsArrayParent(job)
            ? resolver_.graph_.AddArray(job.id, job.array->size, ToGraph(job.depends_on), lookup)
            : resolver_.graph_.Add(job.id, ToGraph(job.depends_on), lookup);
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
      Result<std::vector<Job>> page = txn.ListJobs({.statuses = {JobStatus::kPending},
                                                    .limit = kRebuildPage,
                                                    .start_after = cursor,
                                                    .scope = JobScope::kTopLevel});
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
  // The arrays are all in the graph: now the ends of their children.
  BARGE_RETURN_IF_ERROR(arrays_.Rebuild([this](const std::string& child_id, JobStatus status) {
    Queue(graph_.OnEnded(child_id, status));
  }));
  BARGE_RETURN_IF_ERROR(ApplyPending());
  if (added > 0) {
    spdlog::info("dependencies: {} PENDING job(s) back in the graph ({} still waiting)", added,
                 graph_.node_count());
  }
  return Ok();
}

}  // namespace barge::control
