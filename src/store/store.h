#pragma once
// The Store: durable state of the control plane and its single source of
// truth. Every unit of work runs inside one ACID transaction (Transact); the
// typed reads and writes live on StoreTransaction.
//
// Thread-safety: a Store is called from one thread at a time (the control
// thread). A StoreTransaction never outlives the callback it was passed to.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/compute_environment.h"
#include "core/instance.h"
#include "core/job.h"
#include "core/job_definition.h"
#include "core/job_queue.h"
#include "core/result.h"
#include "core/scheduling_policy.h"
#include "core/time.h"

namespace barge {

struct JobDefinitionFilter {
  std::optional<std::string> name{};
  std::optional<JobDefinitionStatus> status{};
};

// A position in a job listing, for keyset pagination: jobs are ordered by
// (created_at, id), which never changes for a job.
struct JobListCursor {
  Timestamp created_at{};
  std::string id{};
};

enum class JobOrder { kOldestFirst, kNewestFirst };

// Which jobs a listing covers. AWS's ListJobs on a queue shows plain jobs and
// array parents, never children (those are listed with arrayJobId).
enum class JobScope { kAll, kTopLevel };

struct JobListFilter {
  std::optional<std::string> queue{};         // queue name
  std::vector<JobStatus> statuses{};          // any of these; empty = all
  std::optional<Timestamp> created_after{};   // inclusive
  std::optional<Timestamp> created_before{};  // inclusive
  // Only jobs that ended (SUCCEEDED or FAILED) at or after this, by when they
  // ended (store/job_expiry.h JobEndedAt): cost reports over a period.
  // Combines with `statuses` like every other field (AND).
  std::optional<Timestamp> ended_since{};
  size_t limit = 0;                           // 0 = no limit
  // Only jobs strictly past this position in `order` (the last job of the
  // previous page).
  std::optional<JobListCursor> start_after{};
  JobOrder order = JobOrder::kOldestFirst;  // by (created_at, id)
  JobScope scope = JobScope::kAll;
};

// The children of one array job, in index order.
struct ArrayChildFilter {
  std::string parent_id{};
  std::vector<JobStatus> statuses{};      // any of these; empty = all
  std::optional<int32_t> after_index{};  // only children with a greater index
  size_t limit = 0;                       // 0 = no limit
};

// One line of an attempt's output, shaped for CloudWatch Logs' GetLogEvents.
struct LogEvent {
  int64_t sequence = 0;     // Position in its stream, set by the writer; unique per stream.
  Timestamp timestamp{};    // When the job wrote it (agent clock).
  Timestamp ingested_at{};  // When the server stored it.
  std::string message{};    // One line, without its newline.
};

enum class LogDirection { kForward, kBackward };

// Which managed instances a listing covers; ordered by (launched_at, id).
struct InstanceFilter {
  std::optional<std::string> compute_environment{};  // name
  bool live_only = false;  // only those not TERMINATED
  // Only instances alive at some moment at or after this: not terminated
  // before it (cost reports over a period).
  std::optional<Timestamp> alive_since{};
};

struct LogQuery {
  std::string stream{};
  // Where to start, inclusive: kForward reads sequences >= it (from the first
  // line when unset), kBackward reads sequences <= it (from the last line).
  std::optional<int64_t> from_sequence{};
  LogDirection direction = LogDirection::kForward;
  // CloudWatch's startTime (inclusive) and endTime (exclusive), on `timestamp`.
  std::optional<Timestamp> start_time{};
  std::optional<Timestamp> end_time{};
  size_t limit = 0;  // 0 = no limit
};

// Typed reads and writes inside one transaction.
//
// Versioning, the same for every kind: Insert stores version 1 (whatever the
// argument says). Update is a compare-and-set: it succeeds only when the stored
// version equals the argument's `version`, and then stores version + 1;
// otherwise kConflict (kNotFound when the row is gone). Reads return the
// stored version. Lists are ordered by name (job definitions by name, then
// revision), so pagination over them is stable.
class StoreTransaction {
 public:
  virtual ~StoreTransaction() = default;

  // Compute environments, keyed by name.
  virtual Result<ComputeEnvironment> GetComputeEnvironment(const std::string& name) = 0;  // kNotFound
  virtual Result<std::vector<ComputeEnvironment>> ListComputeEnvironments() = 0;
  virtual Status InsertComputeEnvironment(const ComputeEnvironment& ce) = 0;  // kAlreadyExists
  virtual Status UpdateComputeEnvironment(const ComputeEnvironment& ce) = 0;  // kConflict, kNotFound
  virtual Status DeleteComputeEnvironment(const std::string& name) = 0;       // kNotFound

  // Job queues, keyed by name.
  virtual Result<JobQueue> GetJobQueue(const std::string& name) = 0;  // kNotFound
  virtual Result<std::vector<JobQueue>> ListJobQueues() = 0;
  virtual Status InsertJobQueue(const JobQueue& queue) = 0;  // kAlreadyExists
  virtual Status UpdateJobQueue(const JobQueue& queue) = 0;  // kConflict, kNotFound
  virtual Status DeleteJobQueue(const std::string& name) = 0;  // kNotFound

  // A number that changes whenever a compute environment or job queue may
  // have changed (a write of either, a rollback), so a reader may keep what
  // it made of their listing while the number stays the same. nullopt: the
  // store keeps none, and readers list them each time.
  virtual std::optional<uint64_t> TopologyVersion() { return std::nullopt; }
  // Scheduling policies, keyed by name.
  virtual Result<SchedulingPolicy> GetSchedulingPolicy(const std::string& name) = 0;  // kNotFound
  virtual Result<std::vector<SchedulingPolicy>> ListSchedulingPolicies() = 0;
  virtual Status InsertSchedulingPolicy(const SchedulingPolicy& policy) = 0;  // kAlreadyExists
  virtual Status UpdateSchedulingPolicy(const SchedulingPolicy& policy) = 0;  // kConflict, kNotFound
  virtual Status DeleteSchedulingPolicy(const std::string& name) = 0;         // kNotFound

  // Job definitions, keyed by (name, revision). Revisions are never deleted
  // (deregistering makes one INACTIVE), so the highest revision ever
  // registered under a name is always known.
  virtual Result<JobDefinition> GetJobDefinition(const std::string& name, int32_t revision) = 0;
  virtual Result<std::vector<JobDefinition>> ListJobDefinitions(
      const JobDefinitionFilter& filter) = 0;
  // Highest revision registered under `name`, ACTIVE or not; 0 when none.
  virtual Result<int32_t> MaxJobDefinitionRevision(const std::string& name) = 0;
  virtual Status InsertJobDefinition(const JobDefinition& definition) = 0;  // kAlreadyExists
  virtual Status UpdateJobDefinition(const JobDefinition& definition) = 0;  // kConflict, kNotFound

  // Jobs, keyed by id. The whole Job is stored, attempts included.
  // ListJobs is ordered by (created_at, id), or its reverse (filter.order).
  // An array child (Job::array with an index) is inserted after its parent
  // and read back whole; a store may keep only what the child changes
  // itself (codec::ArrayChildStateToJson) and take the rest from the parent
  // (core/array_job.h MakeArrayChild), which never changes what a child
  // inherits once the array exists.
  virtual Result<Job> GetJob(const std::string& id) = 0;  // kNotFound
  virtual Result<std::vector<Job>> ListJobs(const JobListFilter& filter) = 0;
  // Calls `visit` on each job ListJobs(filter) lists, in its order; a store
  // that keeps objects shows them in place instead of copying them. `visit`
  // must not use the transaction.
  virtual Status VisitJobs(const JobListFilter& filter,
                           const std::function<void(const Job&)>& visit) {
    Result<std::vector<Job>> jobs = ListJobs(filter);
    if (!jobs) return jobs.error();
    for (const Job& job : *jobs) visit(job);
    return Ok();
  }
  virtual Result<std::vector<Job>> ListArrayChildren(const ArrayChildFilter& filter) = 0;
  virtual Status InsertJob(const Job& job) = 0;  // kAlreadyExists; stores version 1
  virtual Status UpdateJob(const Job& job) = 0;  // compare-and-set: kConflict, kNotFound
  // The same, for a caller done with `job`: a store that keeps objects takes
  // it over instead of copying it. Afterwards `job` is valid but unspecified.
  virtual Status UpdateJob(Job&& job) { return UpdateJob(static_cast<const Job&>(job)); }
  // Read-modify-write of job `id` within the transaction: `mutate` gets the
  // job as stored and returns whether it changed it; a change is written
  // (at the next version), anything else leaves the job as it was, also
  // when `mutate` altered it before returning false or an error. Returns
  // what `mutate` returned; kNotFound when there is no such job. A store
  // that keeps objects lets `mutate` change its own (one copy, kept for a
  // rollback, instead of a read copy and a write). `mutate` must not use the
  // transaction nor change the job's id.
  using JobMutation = std::function<Result<bool>(Job&)>;
  virtual Result<bool> MutateJob(const std::string& id, const JobMutation& mutate) {
    Result<Job> job = GetJob(id);
    if (!job) return job.error();
    Result<bool> changed = mutate(*job);
    if (!changed || !*changed) return changed;
    BARGE_RETURN_IF_ERROR(UpdateJob(std::move(*job)));
    return true;
  }
  // Retention: deletes at most `limit` jobs that ended (SUCCEEDED or FAILED)
  // strictly before `cutoff`, earliest end first (ties by id), together with
  // the log lines of all their attempts (JobLogStreams in store/job_expiry.h),
  // and returns how many jobs it deleted. A job ended at its stoppedAt, which
  // the state machine stamps on every terminal transition (JobEndedAt). Jobs
  // that have not ended are never deleted. A `limit` of 0 deletes nothing, so
  // one call never grows into one huge transaction.
  virtual Result<size_t> DeleteJobsEndedBefore(Timestamp cutoff, size_t limit) = 0;

  // Log streams ("<jobDefinitionName>/default/<attemptId>"). A stream exists
  // once a line was appended to it; lines are never changed.
  // Appends `events` to `stream`. An event whose sequence the stream already
  // holds is skipped, so a re-sent batch is harmless (the first copy wins).
  // `ingested_at` is stored as given.
  virtual Status AppendLogEvents(const std::string& stream,
                                 const std::vector<LogEvent>& events) = 0;
  // At most `limit` events of `query.stream` from `from_sequence` in
  // `direction`, returned in ascending sequence order either way (backward
  // reads pick the latest lines, as GetLogEvents without startFromHead does).
  // An unknown stream reads as empty.
  virtual Result<std::vector<LogEvent>> ReadLogEvents(const LogQuery& query) = 0;

  // Managed instances (core/instance.h), keyed by instance id, kept after
  // they terminate (cost reports read them).
  virtual Result<Instance> GetInstance(const std::string& id) = 0;  // kNotFound
  virtual Result<std::vector<Instance>> ListInstances(const InstanceFilter& filter) = 0;
  virtual Status InsertInstance(const Instance& instance) = 0;  // kAlreadyExists
  virtual Status UpdateInstance(const Instance& instance) = 0;  // kConflict, kNotFound
};

class Store {
 public:
  using Work = std::function<Status(StoreTransaction&)>;
  virtual ~Store() = default;
  // Runs `work` in one ACID transaction. Commits iff `work` returns OK;
  // otherwise rolls back and returns the error from `work`. A commit that
  // returned OK is durable (survives kill -9 of the process).
  virtual Status Transact(const Work& work) = 0;
};

}  // namespace barge
