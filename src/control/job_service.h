#pragma once
// Use cases for jobs with AWS Batch semantics: SubmitJob, DescribeJobs,
// ListJobs, CancelJob, TerminateJob and the bulk CancelJobs / TerminateJobs.
// How a submission becomes a Job is in job_builder.h, ListJobs' filter rules
// in job_listing.h. After a commit that makes work for the dispatching side,
// JobService tells it through JobEvents (JobRunnable, StopAttempt).
//
// Dependencies (dependsOn, plain jobs): checked by ValidateDependsOn when
// the request arrives; the DependencyResolver gives the job its first status
// (PENDING, RUNNABLE or FAILED) just before the insert, so the status and
// the graph change share the job's commit. See dependency_resolver.h.
//
// Cancel and terminate (AWS-BATCH.md 5.1):
//  - SUBMITTED, RUNNABLE, and PENDING without dependencies: both fail the
//    job at once, statusReason = the reason, isCancelled = true (TerminateJob
//    on a job that never started is a cancel, as AWS documents);
//  - PENDING with dependencies: AWS cancels it only once its dependencies
//    finish. Both set isCancelled and stop_reason and leave it PENDING; the
//    DependencyResolver fails it with that reason when the graph resolves
//    it (a repeated call keeps the first reason);
//  - STARTING, RUNNING: CancelJob changes nothing and succeeds; TerminateJob
//    sets isTerminated and stop_reason, keeps the status (and statusReason)
//    and calls JobEvents::StopAttempt. The dispatching side stops the
//    attempt, and when the agent reports its exit (or its lease expires)
//    fails the job with statusReason = stop_reason, never retrying it;
//  - SUCCEEDED, FAILED: both change nothing and succeed.
//
// Runs on the control thread; each call is one Store transaction (retried on
// kConflict), plus JobDefinitionService::Resolve's for Submit.
//
// Group commit (SubmitAsync): every SubmitJob needs a durable commit before
// its reply, and a commit costs one fsync, so committing each job alone caps
// submissions at the disk's fsync rate. SubmitAsync validates and builds the
// job at once (an error is answered before it returns and changes nothing),
// then queues it; FlushSubmits inserts every queued job in ONE transaction
// and answers each caller once that commit is durable. The composition root
// runs FlushSubmits as a handler posted to the control io_context, so it
// runs after the requests already read in the same loop pass and the jobs
// that arrive together share one fsync; while a commit syncs, the next batch
// piles up in the sockets. Nobody sees a queued job before its commit: the
// store does not hold it, JobRunnable is raised after the commit, and its id
// is known only from the reply. The queue's checks are repeated inside the
// flush transaction, so a queue disabled in between rejects the jobs still
// queued for it (kFailedPrecondition to those callers alone). A commit that
// fails answers every member with the store's error (a ServerException)
// and stores none of them.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "control/dependency_resolver.h"
#include "control/job_definition_service.h"
#include "control/job_events.h"
#include "control/job_listing.h"
#include "core/arn.h"
#include "core/array_job.h"
#include "core/clock.h"
#include "core/job.h"
#include "core/job_submission.h"
#include "core/result.h"
#include "store/store.h"

namespace barge::control {

// SubmitJob's reply.
struct SubmittedJob {
  std::string job_arn{};
  std::string job_name{};
  std::string job_id{};
};

struct JobListRequest {
  std::string job_queue{};  // Name or ARN.
  // An array's children (instead of jobQueue), in index order; a
  // multi-node job's nodes are not supported yet.
  std::optional<std::string> array_job_id{};
  std::optional<std::string> multi_node_job_id{};
  std::optional<JobStatus> job_status{};  // RUNNING when unset; ignored with filters.
  std::vector<KeyValues> filters{};
  // 1..1000 without filters, 1..100 with; default 100. AWS documents a
  // default of 1000 for the old single-status form, but the model and the
  // CLI's paging both work with 100.
  std::optional<int32_t> max_results{};
  // Where the previous page ended (the api layer's nextToken).
  std::optional<JobListCursor> start_after{};
};

struct JobListPage {
  std::vector<Job> jobs{};
  std::optional<JobListCursor> next{};  // Set when more jobs follow.
};

// One id of a CancelJobs / TerminateJobs call that failed.
struct JobFailure {
  std::string job_id{};
  Error error{};
};

struct BulkJobResult {
  std::vector<std::string> successful{};
  std::vector<JobFailure> failed{};
};

struct JobServiceOptions {
  // Asks the owner to call FlushSubmits() soon, once the requests already
  // read have been handled (the server posts it to the control io_context).
  // Called once per batch, when its first job is queued. Unset: SubmitAsync
  // commits each job at once, alone.
  std::function<void()> schedule_flush{};
  // dependsOn entries allowed per job (AWS: 20; `barge server --max-dependencies`).
  size_t max_dependencies = kDefaultMaxDependencies;
  // Children per array at most: AWS's 10,000 (core/array_job.h). Lower only
  // where a smaller bound is wanted (the fuzzer, which keeps its store in
  // memory).
  int32_t max_array_size = kMaxArraySize;
};

// Answers one SubmitAsync: the reply, or the error that refused the job.
using SubmitDone = std::function<void(Result<SubmittedJob>)>;

class JobService {
 public:
  static constexpr size_t kMaxSubmitBytes = 30 * 1024;
  static constexpr size_t kMaxDescribeJobs = 100;
  static constexpr size_t kMaxBulkJobs = 50;
  static constexpr size_t kMaxReasonLength = 1024;
  static constexpr int32_t kMaxListResults = 1000;
  static constexpr int32_t kMaxFilteredListResults = 100;
  static constexpr int32_t kDefaultListResults = 100;

  // None owned; all must outlive the service.
  JobService(Store& store, const Clock& clock, const ArnFormatter& arns,
             JobDefinitionService& definitions, JobEvents& events, DependencyResolver& dependencies,
             JobServiceOptions options = {});
  JobService(const JobService&) = delete;
  JobService& operator=(const JobService&) = delete;

  // Creates the job with a new UUIDv4 id and createdAt = now: RUNNABLE
  // (then events.JobRunnable) unless dependsOn decides PENDING or FAILED.
  // `request_bytes` is the size of the request as received (limit 30 KiB).
  // Errors, all reaching the client as ClientException:
  //  - kInvalidArgument: request too large, bad jobName, missing jobQueue or
  //    jobDefinition, arrayProperties / nodeOverrides ("... not supported
  //    yet"), a dependsOn that breaks ValidateDependsOn or names a job that
  //    does not exist, bad overrides, shareIdentifier missing on a
  //    fair-share queue or given on a FIFO one, a multinode definition, no
  //    vCPUs or memory;
  //  - kNotFound: "job queue <name> does not exist", unknown job definition;
  //  - kFailedPrecondition: the queue is DISABLED or being deleted, the
  //    definition revision is INACTIVE.
  // Submit commits at once (with whatever SubmitAsync had queued).
  Result<SubmittedJob> Submit(const JobSubmission& submission, size_t request_bytes);

  // Submit through the group commit (see the header comment): `done` runs
  // before this returns for a refused request, else after the FlushSubmits
  // whose commit holds the job (kFailedPrecondition if its queue stopped
  // accepting jobs in between; the store's error if the commit failed).
  void SubmitAsync(const JobSubmission& submission, size_t request_bytes, SubmitDone done);
  // Commits every queued job in one transaction, raises JobRunnable for each
  // RUNNABLE one, then answers their callers. Nothing to do when none is
  // queued.
  void FlushSubmits();
  size_t queued_submits() const { return queued_.size(); }

  // The jobs named, in the order asked, each once; unknown ids are left out.
  // kInvalidArgument for more than 100 ids.
  Result<std::vector<Job>> Describe(const std::vector<std::string>& job_ids);

  // One page of ListJobs. kInvalidArgument (no queue, array/multi-node
  // listing, bad filters, maxResults out of range), kNotFound (queue).
  Result<JobListPage> List(const JobListRequest& request);

  // kInvalidArgument (no id, reason missing or over 1024 characters),
  // kNotFound ("job <id> does not exist"). See the header comment for what
  // each status does.
  Status Cancel(const std::string& job_id, const std::string& reason);
  Status Terminate(const std::string& job_id, const std::string& reason);

  // CancelJobs / TerminateJobs: at most 50 ids, each handled as by Cancel /
  // Terminate, independently. The call fails as a whole only for a malformed
  // request (no ids, more than 50, bad reason).
  Result<BulkJobResult> CancelMany(const std::vector<std::string>& job_ids,
                                   const std::string& reason);
  Result<BulkJobResult> TerminateMany(const std::vector<std::string>& job_ids,
                                      const std::string& reason);

  // The formatter the service names jobs with, for the wire shapes.
  const ArnFormatter& arns() const { return arns_; }

 private:
  struct QueuedSubmit {
    Job job{};
    SubmitDone done{};
  };
  // Validates `submission` and builds its RUNNABLE job, writing nothing.
  Result<Job> PrepareSubmit(const JobSubmission& submission, size_t request_bytes);
  // Inserts an admitted array's children with their first statuses, adding
  // the RUNNABLE ones to `runnable` as (parent_index, child index).
  Status InsertChildren(StoreTransaction& txn, const Job& parent, const Admission& admission,
                        size_t parent_index, std::vector<std::pair<size_t, int32_t>>& runnable);
  // A parent's live statusSummary, from the ArrayTracker.
  void FillArraySummary(Job& job) const;
  Result<JobListPage> ListChildren(const JobListRequest& request);

  enum class StopKind { kCancel, kTerminate };
  Status Stop(StopKind kind, const std::string& job_id, const std::string& reason);
  Status StopOne(StopKind kind, StoreTransaction& txn, Job job, const std::string& reason,
                 std::vector<Job>& stopping);
  Status StopArray(StopKind kind, StoreTransaction& txn, Job parent, const std::string& reason,
                   std::vector<Job>& stopping);
  Result<BulkJobResult> StopMany(StopKind kind, const std::vector<std::string>& job_ids,
                                 const std::string& reason);

  Store& store_;
  const Clock& clock_;
  const ArnFormatter& arns_;
  JobDefinitionService& definitions_;
  JobEvents& events_;
  DependencyResolver& dependencies_;
  JobServiceOptions options_;
  std::vector<QueuedSubmit> queued_{};
};

}  // namespace barge::control
