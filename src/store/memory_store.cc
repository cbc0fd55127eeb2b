#include "store/memory_store.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/container/node_hash_map.h"
#include "core/check.h"
#include "core/string_hash.h"
#include "store/job_expiry.h"

namespace barge {
namespace {

// How to take back one write; run newest first on rollback.
using UndoLog = std::vector<std::function<void()>>;

// (timestamp, id): the order of job listings (created_at), of retention
// (ended at) and of instance listings (launched_at).
using RowKey = std::pair<Timestamp, std::string>;
using RowKeys = std::set<RowKey>;
// The same for jobs, whose ids are views of the jobs table's keys (stable:
// the table's nodes stay in place): an entry holds no copy of its id, so
// the three entries of each of a large store's jobs take half the memory.
using JobKey = std::pair<Timestamp, std::string_view>;
using JobKeys = std::set<JobKey>;

constexpr size_t kJobStatusCount = static_cast<size_t>(JobStatus::kFailed) + 1;

constexpr std::string_view kCe = "compute environment";
constexpr std::string_view kQueue = "job queue";
constexpr std::string_view kPolicy = "scheduling policy";

template <typename Row>
using NamedRows = std::map<std::string, Row>;
using DefinitionKey = std::pair<std::string, int32_t>;

std::string DefinitionName(const std::string& name, int32_t revision) {
  return name + ":" + std::to_string(revision);
}

// SqliteStore keeps an empty ARN as NULL, which UNIQUE ignores; so does this.
template <typename Row>
bool ArnTakenByAnother(const NamedRows<Row>& rows, const Row& row) {
  if (row.arn.empty()) return false;
  for (const auto& [name, other] : rows) {
    if (name != row.name && other.arn == row.arn) return true;
  }
  return false;
}

template <typename Row>
Result<Row> GetNamed(const NamedRows<Row>& rows, std::string_view noun, const std::string& name) {
  auto it = rows.find(name);
  if (it == rows.end()) return NotFound(std::string(noun) + " " + name + " does not exist");
  return it->second;
}

template <typename Key, typename Row>
std::vector<Row> ListAll(const std::map<Key, Row>& rows) {
  std::vector<Row> out;
  out.reserve(rows.size());
  for (const auto& [key, row] : rows) out.push_back(row);
  return out;
}

template <typename Row>
Status InsertNamed(NamedRows<Row>& rows, UndoLog& undo, std::string_view noun, const Row& row) {
  if (rows.contains(row.name)) {
    return AlreadyExists(std::string(noun) + " " + row.name + " already exists");
  }
  if (ArnTakenByAnother(rows, row)) {
    return AlreadyExists(std::string(noun) + " with arn " + row.arn + " already exists");
  }
  Row stored = row;
  stored.version = 1;
  rows.emplace(row.name, std::move(stored));
  undo.push_back([&rows, name = row.name] { rows.erase(name); });
  return Ok();
}

template <typename Row>
Status UpdateNamed(NamedRows<Row>& rows, UndoLog& undo, std::string_view noun, const Row& row) {
  auto it = rows.find(row.name);
  if (it == rows.end()) return NotFound(std::string(noun) + " " + row.name + " does not exist");
  if (it->second.version != row.version) {
    return Conflict(std::string(noun) + " " + row.name + " changed since version " +
                    std::to_string(row.version));
  }
  if (ArnTakenByAnother(rows, row)) {
    return AlreadyExists(std::string(noun) + " with arn " + row.arn + " already exists");
  }
  Row previous = std::move(it->second);
  it->second = row;
  it->second.version = row.version + 1;
  undo.push_back([&rows, previous = std::move(previous)] { rows[previous.name] = previous; });
  return Ok();
}

template <typename Row>
Status DeleteNamed(NamedRows<Row>& rows, UndoLog& undo, std::string_view noun,
                   const std::string& name) {
  auto it = rows.find(name);
  if (it == rows.end()) return NotFound(std::string(noun) + " " + name + " does not exist");
  Row previous = std::move(it->second);
  rows.erase(it);
  undo.push_back(
      [&rows, previous = std::move(previous)] { rows.emplace(previous.name, previous); });
  return Ok();
}

bool JobMatches(const Job& job, const JobListFilter& filter) {
  if (filter.queue && job.queue != *filter.queue) return false;
  if (!filter.statuses.empty() && std::find(filter.statuses.begin(), filter.statuses.end(),
                                            job.status) == filter.statuses.end()) {
    return false;
  }
  if (filter.created_after && job.created_at < *filter.created_after) return false;
  if (filter.created_before && job.created_at > *filter.created_before) return false;
  if (filter.ended_since) {
    std::optional<Timestamp> ended = JobEndedAt(job);
    if (!ended || *ended < *filter.ended_since) return false;
  }
  if (filter.scope == JobScope::kTopLevel && job.array && job.array->index) return false;
  return true;
}

bool IsArrayChild(const Job& job) { return job.array && job.array->index; }

// A child's id is "<parent id>:<index>" (core/job.h).
std::string ParentOf(const Job& child) { return child.id.substr(0, child.id.rfind(':')); }

}  // namespace

// Everything the store holds, and the undo log of the open transaction. Jobs
// and instances change only through PutJob and PutInstance, which keep their
// indexes.
class MemoryStore::State {
 public:
  NamedRows<ComputeEnvironment> compute_environments{};
  NamedRows<JobQueue> job_queues{};
  // Bumped by every write of an environment or queue and every rollback.
  uint64_t topology_version = 0;
  NamedRows<SchedulingPolicy> scheduling_policies{};
  std::map<DefinitionKey, JobDefinition> job_definitions{};

  // Each job in a heap block of its own: an update swaps blocks, so a Job
  // (about 1 KB of fields) is moved once, not into the undo log and back.
  // With it, where its key sits in jobs_by_status (a status change moves
  // that node without searching for it).
  struct JobRow {
    std::unique_ptr<Job> job{};
    JobKeys::iterator status_entry{};
  };
  using Jobs = absl::node_hash_map<std::string, JobRow, StringHash, std::equal_to<>>;
  Jobs jobs{};
  // Declared after `jobs`, so destroyed before the keys they view.
  JobKeys jobs_by_created{};
  std::array<JobKeys, kJobStatusCount> jobs_by_status{};
  JobKeys ended_jobs{};  // By JobEndedAt.
  // Array children: parent id -> index -> child id.
  std::unordered_map<std::string, std::map<int32_t, std::string>> children{};

  std::unordered_map<std::string, std::map<int64_t, LogEvent>> log_streams{};  // Sequence -> line.

  std::unordered_map<std::string, Instance> instances{};
  RowKeys instances_by_launch{};
  RowKeys live_instances_by_launch{};

  UndoLog undo{};
  // The rows job writes replaced (null: the job was new), which their
  // entries in `undo` put back. Kept apart so an entry is a small closure
  // (no allocation).
  struct JobUndo {
    std::string id{};
    std::unique_ptr<Job> previous{};
  };
  std::vector<JobUndo> job_undo{};

  // A copy of `job` in a block of its own. Copied into a spare block (one a
  // committed transaction's undo no longer needs) it reuses that block's
  // strings and vectors: jobs mostly have the same shape, so the copy
  // allocates little or nothing.
  std::unique_ptr<Job> CopyJob(const Job& job) {
    if (spare_jobs_.empty()) return std::make_unique<Job>(job);
    std::unique_ptr<Job> copy = std::move(spare_jobs_.back());
    spare_jobs_.pop_back();
    *copy = job;
    return copy;
  }

  // Puts `row` at `id` (null: removes it) and returns what was there.
  std::unique_ptr<Job> PutJob(const std::string& id, std::unique_ptr<Job> row) {
    std::unique_ptr<Job> previous;
    auto it = jobs.find(id);
    if (it != jobs.end()) {
      previous = std::move(it->second.job);
      if (row) {
        it->second.job = std::move(row);
        Reindex(it->first, it->second, previous.get(), it->second.job.get());
      } else {
        Reindex(it->first, it->second, previous.get(), nullptr);
        jobs.erase(it);
      }
    } else if (row) {
      auto [inserted, unused] = jobs.emplace(id, JobRow{.job = std::move(row)});
      Reindex(inserted->first, inserted->second, nullptr, inserted->second.job.get());
    }
    return previous;
  }

  // Inserts a copy of `job` at version 1, with the undo that removes it
  // (one lookup); false when its id is taken.
  bool InsertJob(const Job& job) {
    auto [it, added] = jobs.try_emplace(job.id);
    if (!added) return false;
    it->second.job = CopyJob(job);
    it->second.job->version = 1;
    Reindex(it->first, it->second, nullptr, it->second.job.get());
    job_undo.push_back({.id = job.id});
    LogJobUndo();
    return true;
  }

  // A write of a job with the undo that restores the previous row.
  void WriteJob(const std::string& id, std::unique_ptr<Job> row) {
    job_undo.push_back({.id = id, .previous = PutJob(id, std::move(row))});
    LogJobUndo();
  }

  // An update of the stored job at `it` to `job` at the next version, with
  // its undo: the stored row's block moves to the log and `job` is copied
  // (or moved) into a new one.
  template <typename J>
  void ReplaceJob(Jobs::iterator it, J&& job) {
    JobUndo& entry = job_undo.emplace_back();
    entry.id = it->first;
    std::unique_ptr<Job> row;
    if constexpr (std::is_lvalue_reference_v<J>) {
      row = CopyJob(job);
    } else {
      row = std::make_unique<Job>(std::move(job));
    }
    entry.previous = std::exchange(it->second.job, std::move(row));
    ++it->second.job->version;
    Reindex(it->first, it->second, entry.previous.get(), it->second.job.get());
    LogJobUndo();
  }

  // Lets `mutate` change the stored job at `it` in place, a copy of it kept
  // for the undo; the copy goes back when `mutate` changes nothing or fails.
  Result<bool> MutateJob(Jobs::iterator it, const StoreTransaction::JobMutation& mutate) {
    std::unique_ptr<Job>& stored = it->second.job;
    std::unique_ptr<Job> previous = CopyJob(*stored);
    Result<bool> changed = mutate(*stored);
    if (changed && *changed && stored->id != it->first) {
      changed = Internal("job " + it->first + ": a mutation changed its id");
    }
    if (!changed || !*changed) {
      Recycle(std::exchange(stored, std::move(previous)));
      return changed;
    }
    stored->version = previous->version + 1;
    Reindex(it->first, it->second, previous.get(), stored.get());
    job_undo.push_back({.id = it->first, .previous = std::move(previous)});
    LogJobUndo();
    return true;
  }

  // Frees the jobs oldest first, the order their blocks were mostly
  // allocated in: a store of 100,000 jobs goes in about three quarters of
  // the time the hash table's own order (memory visited at random) takes.
  ~State() {
    for (const auto& [created, id] : jobs_by_created) {
      auto it = jobs.find(id);
      if (it != jobs.end()) it->second.job.reset();
    }
  }

  // Ends the transaction: its writes stay.
  void Commit() {
    undo.clear();
    for (JobUndo& entry : job_undo) Recycle(std::move(entry.previous));
    job_undo.clear();
  }

  std::optional<Instance> PutInstance(const std::string& id, std::optional<Instance> row) {
    std::optional<Instance> previous;
    auto it = instances.find(id);
    if (it != instances.end()) {
      previous = std::move(it->second);
      Unindex(*previous);
      if (row) {
        it->second = std::move(*row);
        Index(it->second);
      } else {
        instances.erase(it);
      }
    } else if (row) {
      auto [inserted, unused] = instances.emplace(id, std::move(*row));
      Index(inserted->second);
    }
    return previous;
  }

  void WriteInstance(const std::string& id, std::optional<Instance> row) {
    std::optional<Instance> previous = PutInstance(id, std::move(row));
    undo.push_back([this, id, previous = std::move(previous)]() mutable {
      PutInstance(id, std::move(previous));
    });
  }

  void Rollback() {
    ++topology_version;
    for (auto it = undo.rbegin(); it != undo.rend(); ++it) (*it)();
    undo.clear();
    job_undo.clear();
  }

 private:
  // Enough for the jobs of a few transactions; more would only hold memory.
  static constexpr size_t kMaxSpareJobs = 256;
  std::vector<std::unique_ptr<Job>> spare_jobs_{};

  void Recycle(std::unique_ptr<Job> job) {
    if (job && spare_jobs_.size() < kMaxSpareJobs) spare_jobs_.push_back(std::move(job));
  }

  void LogJobUndo() {
    undo.push_back([this, index = job_undo.size() - 1] {
      JobUndo& entry = job_undo[index];
      PutJob(entry.id, std::move(entry.previous));
    });
  }

  // Moves a job's index entries from `before` to `after` (either may be
  // null; `row` is the job's, whose status_entry is before's, and `id` its
  // key in `jobs`), touching only the indexes whose key changed: most
  // updates change the status alone.
  void Reindex(std::string_view id, JobRow& row, const Job* before, const Job* after) {
    auto created = [](const Job* job) {
      return job ? std::optional<Timestamp>(job->created_at) : std::nullopt;
    };
    if (created(before) != created(after)) {
      if (before) jobs_by_created.erase({before->created_at, id});
      // New jobs are mostly the newest, and jobs mostly end in time order:
      // hinted at the end, such an entry goes in without a search.
      if (after) jobs_by_created.emplace_hint(jobs_by_created.end(), after->created_at, id);
    }
    bool same_status = before && after && before->status == after->status &&
                       before->created_at == after->created_at;
    if (!same_status) {
      // Mostly the same key moves from one status's set to another's: its
      // node moves along (no allocation, no copy of the id).
      // Hinted at the end: a job mostly enters a status as its newest.
      JobKeys::node_type moved;
      if (before) {
        moved = jobs_by_status[static_cast<size_t>(before->status)].extract(row.status_entry);
      }
      if (after) {
        JobKeys& to = jobs_by_status[static_cast<size_t>(after->status)];
        if (moved && moved.value().first == after->created_at) {
          row.status_entry = to.insert(to.end(), std::move(moved));
        } else {
          row.status_entry = to.emplace_hint(to.end(), after->created_at, id);
        }
      }
    }
    std::optional<Timestamp> ended_before = before ? JobEndedAt(*before) : std::nullopt;
    std::optional<Timestamp> ended_after = after ? JobEndedAt(*after) : std::nullopt;
    if (ended_before != ended_after) {
      if (ended_before) ended_jobs.erase({*ended_before, id});
      if (ended_after) ended_jobs.emplace_hint(ended_jobs.end(), *ended_after, id);
    }
    bool child_before = before && IsArrayChild(*before);
    bool child_after = after && IsArrayChild(*after);
    if (child_before && !(child_after && *after->array->index == *before->array->index)) {
      auto parent = children.find(ParentOf(*before));
      if (parent != children.end()) {
        parent->second.erase(*before->array->index);
        if (parent->second.empty()) children.erase(parent);
      }
    }
    if (child_after) children[ParentOf(*after)][*after->array->index] = after->id;
  }

  void Index(const Instance& instance) {
    instances_by_launch.emplace(instance.launched_at, instance.id);
    if (instance.IsLive()) live_instances_by_launch.emplace(instance.launched_at, instance.id);
  }
  void Unindex(const Instance& instance) {
    instances_by_launch.erase({instance.launched_at, instance.id});
    live_instances_by_launch.erase({instance.launched_at, instance.id});
  }
};

namespace {

// Where an oldest-first listing of `keys` starts: the first key past the cursor
// and inside the created_after / created_before bounds.
JobKeys::const_iterator ForwardStart(const JobKeys& keys, const JobListFilter& filter) {
  auto start = filter.created_after ? keys.lower_bound({*filter.created_after, std::string_view()})
                                    : keys.begin();
  if (filter.start_after) {
    auto past = keys.upper_bound({filter.start_after->created_at, filter.start_after->id});
    if (past == keys.end() || (start != keys.end() && *start < *past)) start = past;
  }
  return start;
}

// For newest-first listings: the end of the range, which is walked backwards.
JobKeys::const_iterator BackwardEnd(const JobKeys& keys, const JobListFilter& filter) {
  auto end = filter.created_before
                 ? keys.lower_bound(
                       {*filter.created_before + std::chrono::milliseconds(1), std::string_view()})
                 : keys.end();
  if (filter.start_after) {
    auto before = keys.lower_bound({filter.start_after->created_at, filter.start_after->id});
    if (end == keys.end() || (before != keys.end() && *before < *end)) end = before;
  }
  return end;
}

class MemoryTransaction final : public StoreTransaction {
 public:
  explicit MemoryTransaction(MemoryStore::State& state) : state_(state) {}

  Result<ComputeEnvironment> GetComputeEnvironment(const std::string& name) override {
    return GetNamed(state_.compute_environments, kCe, name);
  }
  Result<std::vector<ComputeEnvironment>> ListComputeEnvironments() override {
    return ListAll(state_.compute_environments);
  }
  Status InsertComputeEnvironment(const ComputeEnvironment& ce) override {
    ++state_.topology_version;
    return InsertNamed(state_.compute_environments, state_.undo, kCe, ce);
  }
  Status UpdateComputeEnvironment(const ComputeEnvironment& ce) override {
    ++state_.topology_version;
    return UpdateNamed(state_.compute_environments, state_.undo, kCe, ce);
  }
  Status DeleteComputeEnvironment(const std::string& name) override {
    ++state_.topology_version;
    return DeleteNamed(state_.compute_environments, state_.undo, kCe, name);
  }

  Result<JobQueue> GetJobQueue(const std::string& name) override {
    return GetNamed(state_.job_queues, kQueue, name);
  }
  std::optional<uint64_t> TopologyVersion() override { return state_.topology_version; }
  Result<std::vector<JobQueue>> ListJobQueues() override { return ListAll(state_.job_queues); }
  Status InsertJobQueue(const JobQueue& queue) override {
    ++state_.topology_version;
    return InsertNamed(state_.job_queues, state_.undo, kQueue, queue);
  }
  Status UpdateJobQueue(const JobQueue& queue) override {
    ++state_.topology_version;
    return UpdateNamed(state_.job_queues, state_.undo, kQueue, queue);
  }
  Status DeleteJobQueue(const std::string& name) override {
    ++state_.topology_version;
    return DeleteNamed(state_.job_queues, state_.undo, kQueue, name);
  }

  Result<SchedulingPolicy> GetSchedulingPolicy(const std::string& name) override {
    return GetNamed(state_.scheduling_policies, kPolicy, name);
  }
  Result<std::vector<SchedulingPolicy>> ListSchedulingPolicies() override {
    return ListAll(state_.scheduling_policies);
  }
  Status InsertSchedulingPolicy(const SchedulingPolicy& policy) override {
    return InsertNamed(state_.scheduling_policies, state_.undo, kPolicy, policy);
  }
  Status UpdateSchedulingPolicy(const SchedulingPolicy& policy) override {
    return UpdateNamed(state_.scheduling_policies, state_.undo, kPolicy, policy);
  }
  Status DeleteSchedulingPolicy(const std::string& name) override {
    return DeleteNamed(state_.scheduling_policies, state_.undo, kPolicy, name);
  }

  Result<JobDefinition> GetJobDefinition(const std::string& name, int32_t revision) override {
    auto it = state_.job_definitions.find(DefinitionKey{name, revision});
    if (it == state_.job_definitions.end()) {
      return NotFound("job definition " + DefinitionName(name, revision) + " does not exist");
    }
    return it->second;
  }

  Result<std::vector<JobDefinition>> ListJobDefinitions(
      const JobDefinitionFilter& filter) override {
    std::vector<JobDefinition> out;
    auto it = filter.name
                  ? state_.job_definitions.lower_bound(DefinitionKey{*filter.name, INT32_MIN})
                  : state_.job_definitions.begin();
    for (; it != state_.job_definitions.end(); ++it) {
      const auto& [key, definition] = *it;
      if (filter.name && key.first != *filter.name) break;
      if (filter.status && definition.status != *filter.status) continue;
      out.push_back(definition);
    }
    return out;
  }

  Result<int32_t> MaxJobDefinitionRevision(const std::string& name) override {
    // Keys sort by (name, revision): the last key below (name, INT32_MAX + 1) wins.
    auto it = state_.job_definitions.upper_bound(DefinitionKey{name, INT32_MAX});
    if (it == state_.job_definitions.begin()) return 0;
    --it;
    return it->first.first == name ? it->first.second : 0;
  }

  Status InsertJobDefinition(const JobDefinition& definition) override {
    DefinitionKey key{definition.name, definition.revision};
    JobDefinition stored = definition;
    stored.version = 1;
    if (!state_.job_definitions.emplace(key, std::move(stored)).second) {
      return AlreadyExists("job definition " +
                           DefinitionName(definition.name, definition.revision) +
                           " already exists");
    }
    state_.undo.push_back([this, key] { state_.job_definitions.erase(key); });
    return Ok();
  }

  Status UpdateJobDefinition(const JobDefinition& definition) override {
    DefinitionKey key{definition.name, definition.revision};
    auto it = state_.job_definitions.find(key);
    if (it == state_.job_definitions.end()) {
      return NotFound("job definition " + DefinitionName(definition.name, definition.revision) +
                      " does not exist");
    }
    if (it->second.version != definition.version) {
      return Conflict("job definition " + DefinitionName(definition.name, definition.revision) +
                      " changed since version " + std::to_string(definition.version));
    }
    JobDefinition previous = std::move(it->second);
    it->second = definition;
    it->second.version = definition.version + 1;
    state_.undo.push_back(
        [this, key, previous = std::move(previous)] { state_.job_definitions[key] = previous; });
    return Ok();
  }

  Result<Job> GetJob(const std::string& id) override {
    auto it = state_.jobs.find(id);
    if (it == state_.jobs.end()) return NotFound("job " + id + " does not exist");
    return *it->second.job;
  }

  Result<std::vector<Job>> ListJobs(const JobListFilter& filter) override {
    std::vector<const Job*> matching = Matching(filter);
    std::vector<Job> out;
    out.reserve(matching.size());
    for (const Job* job : matching) out.push_back(*job);
    return out;
  }

  Status VisitJobs(const JobListFilter& filter,
                   const std::function<void(const Job&)>& visit) override {
    for (const Job* job : Matching(filter)) visit(*job);
    return Ok();
  }

  // The jobs ListJobs lists, in its order.
  std::vector<const Job*> Matching(const JobListFilter& filter) {
    bool newest_first = filter.order == JobOrder::kNewestFirst;
    std::vector<const Job*> matching;
    if (filter.statuses.empty()) {
      Scan(state_.jobs_by_created, filter, matching);
    } else {
      std::vector<JobStatus> statuses = filter.statuses;
      std::sort(statuses.begin(), statuses.end());
      statuses.erase(std::unique(statuses.begin(), statuses.end()), statuses.end());
      for (JobStatus status : statuses) {
        Scan(state_.jobs_by_status[static_cast<size_t>(status)], filter, matching);
      }
      if (statuses.size() > 1) {
        std::sort(matching.begin(), matching.end(), [&](const Job* a, const Job* b) {
          JobKey ka{a->created_at, a->id};
          JobKey kb{b->created_at, b->id};
          return newest_first ? kb < ka : ka < kb;
        });
        if (filter.limit != 0 && matching.size() > filter.limit) matching.resize(filter.limit);
      }
    }
    return matching;
  }

  Result<std::vector<Job>> ListArrayChildren(const ArrayChildFilter& filter) override {
    std::vector<Job> out;
    auto parent = state_.children.find(filter.parent_id);
    if (parent == state_.children.end()) return out;
    const std::map<int32_t, std::string>& by_index = parent->second;
    auto it = filter.after_index ? by_index.upper_bound(*filter.after_index) : by_index.begin();
    for (; it != by_index.end(); ++it) {
      if (filter.limit != 0 && out.size() >= filter.limit) break;
      const Job& child = *state_.jobs.at(it->second).job;
      if (!filter.statuses.empty() && std::find(filter.statuses.begin(), filter.statuses.end(),
                                                child.status) == filter.statuses.end()) {
        continue;
      }
      out.push_back(child);
    }
    return out;
  }

  Status InsertJob(const Job& job) override {
    if (!state_.InsertJob(job)) return AlreadyExists("job " + job.id + " already exists");
    return Ok();
  }

  Status UpdateJob(const Job& job) override { return Update(job); }
  Status UpdateJob(Job&& job) override { return Update(std::move(job)); }
  Result<bool> MutateJob(const std::string& id, const JobMutation& mutate) override {
    auto it = state_.jobs.find(id);
    if (it == state_.jobs.end()) return NotFound("job " + id + " does not exist");
    return state_.MutateJob(it, mutate);
  }

  Result<size_t> DeleteJobsEndedBefore(Timestamp cutoff, size_t limit) override {
    std::vector<std::string> expired;
    for (const auto& [ended, id] : state_.ended_jobs) {
      if (expired.size() >= limit || ended >= cutoff) break;
      expired.emplace_back(id);
    }
    for (const std::string& id : expired) {
      for (const std::string& stream : JobLogStreams(*state_.jobs.at(id).job)) {
        auto lines = state_.log_streams.find(stream);
        if (lines == state_.log_streams.end()) continue;
        auto previous = std::move(lines->second);
        state_.log_streams.erase(lines);
        state_.undo.push_back([this, stream, previous = std::move(previous)] {
          state_.log_streams[stream] = previous;
        });
      }
      state_.WriteJob(id, nullptr);
    }
    return expired.size();
  }

  Status AppendLogEvents(const std::string& stream, const std::vector<LogEvent>& events) override {
    if (events.empty()) return Ok();
    std::map<int64_t, LogEvent>& lines = state_.log_streams[stream];
    std::vector<int64_t> added;
    for (const LogEvent& event : events) {
      if (lines.emplace(event.sequence, event).second)
        added.push_back(event.sequence);  // First copy wins.
    }
    state_.undo.push_back([this, stream, added = std::move(added)] {
      auto written = state_.log_streams.find(stream);
      for (int64_t sequence : added) written->second.erase(sequence);
      if (written->second.empty()) state_.log_streams.erase(written);
    });
    return Ok();
  }

  Result<std::vector<LogEvent>> ReadLogEvents(const LogQuery& query) override {
    std::vector<LogEvent> out;
    auto stream = state_.log_streams.find(query.stream);
    if (stream == state_.log_streams.end()) return out;
    auto admits = [&](const LogEvent& event) {
      if (query.start_time && event.timestamp < *query.start_time) return false;
      if (query.end_time && event.timestamp >= *query.end_time) return false;
      return true;
    };
    auto full = [&] { return query.limit != 0 && out.size() >= query.limit; };
    const std::map<int64_t, LogEvent>& lines = stream->second;
    if (query.direction == LogDirection::kForward) {
      auto it = query.from_sequence ? lines.lower_bound(*query.from_sequence) : lines.begin();
      for (; it != lines.end() && !full(); ++it) {
        if (admits(it->second)) out.push_back(it->second);
      }
      return out;
    }
    auto end = query.from_sequence ? lines.upper_bound(*query.from_sequence) : lines.end();
    for (auto it = std::make_reverse_iterator(end); it != lines.rend() && !full(); ++it) {
      if (admits(it->second)) out.push_back(it->second);
    }
    std::reverse(out.begin(), out.end());
    return out;
  }

  Result<Instance> GetInstance(const std::string& id) override {
    auto it = state_.instances.find(id);
    if (it == state_.instances.end()) return NotFound("instance " + id + " does not exist");
    return it->second;
  }

  Result<std::vector<Instance>> ListInstances(const InstanceFilter& filter) override {
    std::vector<Instance> out;
    const RowKeys& order =
        filter.live_only ? state_.live_instances_by_launch : state_.instances_by_launch;
    for (const auto& [launched_at, id] : order) {
      const Instance& instance = state_.instances.at(id);
      if (filter.compute_environment &&
          instance.compute_environment != *filter.compute_environment) {
        continue;
      }
      if (filter.alive_since && !instance.IsLive() &&
          instance.terminated_at.value_or(instance.launched_at) < *filter.alive_since) {
        continue;
      }
      out.push_back(instance);
    }
    return out;
  }

  Status InsertInstance(const Instance& instance) override {
    if (state_.instances.contains(instance.id)) {
      return AlreadyExists("instance " + instance.id + " already exists");
    }
    Instance stored = instance;
    stored.version = 1;
    state_.WriteInstance(instance.id, std::move(stored));
    return Ok();
  }

  Status UpdateInstance(const Instance& instance) override {
    auto it = state_.instances.find(instance.id);
    if (it == state_.instances.end())
      return NotFound("instance " + instance.id + " does not exist");
    if (it->second.version != instance.version) {
      return Conflict("instance " + instance.id + " changed since version " +
                      std::to_string(instance.version));
    }
    Instance stored = instance;
    stored.version = instance.version + 1;
    state_.WriteInstance(instance.id, std::move(stored));
    return Ok();
  }

 private:
  template <typename J>
  Status Update(J&& job) {
    auto it = state_.jobs.find(job.id);
    if (it == state_.jobs.end()) return NotFound("job " + job.id + " does not exist");
    if (it->second.job->version != job.version) {
      return Conflict("job " + job.id + " changed since version " + std::to_string(job.version));
    }
    state_.ReplaceJob(it, std::forward<J>(job));
    return Ok();
  }

  // Appends to `out` the jobs of `keys` that match `filter`, in its order,
  // at most filter.limit of them.
  void Scan(const JobKeys& keys, const JobListFilter& filter, std::vector<const Job*>& out) {
    size_t taken = 0;
    auto take = [&](const JobKey& key) {
      const Job& job = *state_.jobs.find(key.second)->second.job;
      if (!JobMatches(job, filter)) return true;
      out.push_back(&job);
      return filter.limit == 0 || ++taken < filter.limit;
    };
    if (filter.order == JobOrder::kOldestFirst) {
      for (auto it = ForwardStart(keys, filter); it != keys.end(); ++it) {
        if (filter.created_before && it->first > *filter.created_before) break;
        if (!take(*it)) break;
      }
      return;
    }
    auto end = BackwardEnd(keys, filter);
    for (auto it = std::make_reverse_iterator(end); it != keys.rend(); ++it) {
      if (filter.created_after && it->first < *filter.created_after) break;
      if (!take(*it)) break;
    }
  }

  MemoryStore::State& state_;
};

}  // namespace

MemoryStore::MemoryStore() : state_(std::make_unique<State>()) {}
MemoryStore::~MemoryStore() = default;

Status MemoryStore::Transact(const Work& work) {
  BARGE_CHECK(!in_transaction_, "Transact called from inside a transaction");
  // Cleared on every exit, including an exception escaping `work`.
  struct Reentry {
    bool& flag;
    ~Reentry() { flag = false; }
  } reentry{in_transaction_};
  in_transaction_ = true;
  MemoryTransaction txn(*state_);
  Status status = Ok();
  try {
    status = work(txn);
  } catch (...) {
    state_->Rollback();
    throw;
  }
  if (!status) {
    state_->Rollback();
    return status;
  }
  state_->Commit();
  return Ok();
}

}  // namespace barge
