#include "control/job_service.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "control/job_builder.h"
#include "control/resource_ref.h"
#include "control/transact.h"
#include "core/array_job.h"
#include "core/check.h"
#include "core/validation.h"
#include "util/uuid.h"

namespace barge::control {
namespace {

Status ValidateReason(const std::string& reason) {
  if (reason.empty()) return InvalidArgument("reason is required");
  if (reason.size() > JobService::kMaxReasonLength) {
    return InvalidArgument("reason must be at most 1024 characters, not " +
                           std::to_string(reason.size()));
  }
  return Ok();
}

// Reads the queue a request names (by name or ARN). kNotFound names it as given.
Result<JobQueue> LoadQueue(StoreTransaction& txn, const std::string& name_or_arn) {
  std::optional<std::string> name = NameFromNameOrArn(name_or_arn, ResourceKind::kJobQueue);
  if (!name) return NotFound("job queue " + name_or_arn + " does not exist");
  auto queue = txn.GetJobQueue(*name);
  if (!queue && queue.error().code == ErrorCode::kNotFound) {
    return NotFound("job queue " + name_or_arn + " does not exist");
  }
  return queue;
}

// arrayProperties: AWS's size bounds, and barge's maxConcurrency >= 1.
Status ValidateArrayProperties(const ArrayProperties& array, int32_t max_size) {
  if (!array.size) return InvalidArgument("arrayProperties.size is required");
  BARGE_RETURN_IF_ERROR(ValidateArraySize(*array.size));
  if (*array.size > max_size) {
    return InvalidArgument("arrayProperties.size must be at most " + std::to_string(max_size) +
                           " on this server, not " + std::to_string(*array.size));
  }
  if (array.max_concurrency && *array.max_concurrency < 1) {
    return InvalidArgument("arrayProperties.maxConcurrency must be at least 1, not " +
                           std::to_string(*array.max_concurrency));
  }
  return Ok();
}

// The SubmitJob members barge does not support yet; each is a ClientException.
Status RejectUnsupported(const JobSubmission& submission) {
  if (submission.aws_only.contains("nodeOverrides")) {
    return InvalidArgument("nodeOverrides: multi-node parallel jobs are not supported yet");
  }
  return Ok();
}

// AWS's rule: a fair-share queue needs a share identifier, a FIFO queue takes none.
Status CheckShareIdentifier(const JobQueue& queue, const std::optional<std::string>& share) {
  bool fair_share = queue.scheduling_policy_arn && !queue.scheduling_policy_arn->empty();
  if (fair_share && !share) {
    return InvalidArgument("shareIdentifier is required: job queue " + queue.name +
                           " has a fair-share scheduling policy");
  }
  if (!fair_share && share) {
    return InvalidArgument("shareIdentifier is not allowed: job queue " + queue.name +
                           " has no fair-share scheduling policy");
  }
  if (share) return ValidateShareIdentifier(*share);
  return Ok();
}

Status CheckQueueAcceptsJobs(const JobQueue& queue) {
  if (queue.state == ResourceState::kDisabled) {
    return FailedPrecondition("job queue " + queue.name + " is DISABLED and accepts no new jobs");
  }
  if (queue.status == ResourceStatus::kDeleting || queue.status == ResourceStatus::kDeleted) {
    return FailedPrecondition("job queue " + queue.name + " is being deleted");
  }
  return Ok();
}

// The queue checks of SubmitJob, made when the request arrives and again in
// the group commit's transaction.
Status CheckQueue(const JobQueue& queue, const std::optional<std::string>& share_identifier) {
  BARGE_RETURN_IF_ERROR(CheckQueueAcceptsJobs(queue));
  return CheckShareIdentifier(queue, share_identifier);
}

}  // namespace

JobService::JobService(Store& store, const Clock& clock, const ArnFormatter& arns,
                       JobDefinitionService& definitions, JobEvents& events,
                       DependencyResolver& dependencies, JobServiceOptions options)
    : store_(store),
      clock_(clock),
      arns_(arns),
      definitions_(definitions),
      events_(events),
      dependencies_(dependencies),
      options_(std::move(options)) {}

Result<Job> JobService::PrepareSubmit(const JobSubmission& submission, size_t request_bytes) {
  if (request_bytes > kMaxSubmitBytes) {
    return InvalidArgument("SubmitJob request size exceeds the 30 KiB limit (" +
                           std::to_string(request_bytes) + " bytes given)");
  }
  BARGE_RETURN_IF_ERROR(ValidateResourceName("jobName", submission.job_name));
  if (submission.job_queue.empty()) return InvalidArgument("jobQueue is required");
  if (submission.job_definition.empty()) return InvalidArgument("jobDefinition is required");
  BARGE_RETURN_IF_ERROR(RejectUnsupported(submission));
  if (submission.array_properties) {
    BARGE_RETURN_IF_ERROR(
        ValidateArrayProperties(*submission.array_properties, options_.max_array_size));
  }
  BARGE_RETURN_IF_ERROR(ValidateDependsOn(submission.depends_on, options_.max_dependencies,
                                          submission.array_properties.has_value()));

  auto definition = definitions_.Resolve(submission.job_definition);
  if (!definition) return definition.error();
  if (definition->type == "multinode") {
    return InvalidArgument("job definition " + definition->arn +
                           " is multinode: multi-node parallel jobs are not supported yet");
  }

  Job job;
  Status status = TransactWithRetry(store_, [&](StoreTransaction& txn) -> Status {
    auto queue = LoadQueue(txn, submission.job_queue);
    if (!queue) return queue.error();
    BARGE_RETURN_IF_ERROR(CheckQueue(*queue, submission.share_identifier));
    auto built = BuildJob(submission, definition.value(), queue->name);
    if (!built) return built.error();
    job = std::move(built).value();
    return Ok();
  });
  if (!status) return status.error();
  job.id = NewUuid();
  job.status = JobStatus::kSubmitted;
  job.created_at = clock_.Now();
  job.depends_on = submission.depends_on;
  if (submission.array_properties) {
    job.array = ArrayJob{.size = *submission.array_properties->size,
                         .max_concurrency = submission.array_properties->max_concurrency};
  }
  // Nobody sees a job SUBMITTED (AWS shows it only briefly too): without
  // dependencies it is RUNNABLE at once; with them, and for every array,
  // FlushSubmits asks the DependencyResolver just before the insert.
  if (job.depends_on.empty() && !job.array) {
    BARGE_RETURN_IF_ERROR(Transition(job, JobStatus::kRunnable, job.created_at));
  }
  return job;
}

Result<SubmittedJob> JobService::Submit(const JobSubmission& submission, size_t request_bytes) {
  std::optional<Result<SubmittedJob>> answer;
  SubmitAsync(submission, request_bytes,
              [&answer](Result<SubmittedJob> result) { answer = std::move(result); });
  FlushSubmits();
  BARGE_CHECK(answer.has_value(), "a flushed submission was not answered");
  return std::move(*answer);
}

void JobService::SubmitAsync(const JobSubmission& submission, size_t request_bytes,
                             SubmitDone done) {
  Result<Job> job = PrepareSubmit(submission, request_bytes);
  if (!job) return done(job.error());
  queued_.push_back({.job = std::move(job).value(), .done = std::move(done)});
  if (queued_.size() > 1) return;  // The batch's flush is already scheduled.
  if (options_.schedule_flush) {
    options_.schedule_flush();
  } else {
    FlushSubmits();
  }
}

void JobService::FlushSubmits() {
  if (queued_.empty()) return;
  // Taken first: answering a caller may submit again, into the next batch.
  std::vector<QueuedSubmit> batch = std::exchange(queued_, {});
  // Jobs with dependencies get their status, and their place in the graph,
  // from what their dependencies are right before the insert; nothing else
  // runs on this thread in between.
  std::vector<size_t> dependents;
  std::vector<Job*> dependent_jobs;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (batch[i].job.depends_on.empty() && !batch[i].job.array) continue;
    dependents.push_back(i);
    dependent_jobs.push_back(&batch[i].job);
  }
  std::vector<std::optional<Error>> not_admitted(batch.size());
  std::vector<Admission> admissions(batch.size());
  if (!dependent_jobs.empty()) {
    std::vector<Admission> admitted = dependencies_.Admit(dependent_jobs);
    for (size_t k = 0; k < dependents.size(); ++k) {
      not_admitted[dependents[k]] = admitted[k].refused;
      admissions[dependents[k]] = std::move(admitted[k]);
    }
  }
  // The RUNNABLE children of the arrays stored, for JobRunnable: (batch
  // index of the parent, child index).
  std::vector<std::pair<size_t, int32_t>> runnable_children;
  std::vector<std::optional<Error>> refused(batch.size());
  Status committed = TransactWithRetry(store_, [&](StoreTransaction& txn) -> Status {
    refused = not_admitted;
    std::map<std::string, Result<JobQueue>, std::less<>> queues;
    for (size_t i = 0; i < batch.size(); ++i) {
      if (refused[i]) continue;
      const Job& job = batch[i].job;
      auto queue = queues.find(job.queue);
      if (queue == queues.end()) queue = queues.emplace(job.queue, LoadQueue(txn, job.queue)).first;
      Status accepted = queue->second
                            ? CheckQueue(*queue->second, job.share_identifier.ToOptional())
                            : Status(queue->second.error());
      if (!accepted) {
        if (accepted.error().code == ErrorCode::kInternal ||
            accepted.error().code == ErrorCode::kUnavailable) {
          return accepted;  // The store failed, not the request.
        }
        refused[i] = accepted.error();
        continue;
      }
      BARGE_RETURN_IF_ERROR(txn.InsertJob(job));
      if (IsArrayParent(job)) {
        BARGE_RETURN_IF_ERROR(InsertChildren(txn, job, admissions[i], i, runnable_children));
      }
    }
    return Ok();
  });
  // Admitted jobs that were not stored leave the graph before anything else
  // can resolve them.
  for (size_t i : dependents) {
    if (not_admitted[i]) continue;
    if (!committed || refused[i]) {
      dependencies_.Withdraw(batch[i].job);
    } else if (IsArrayParent(batch[i].job)) {
      dependencies_.ArrayStored(batch[i].job, admissions[i].children);
    }
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    QueuedSubmit& queued = batch[i];
    if (!committed) {
      queued.done(committed.error());
    } else if (refused[i]) {
      queued.done(*refused[i]);
    } else {
      queued.job.version = 1;  // What InsertJob stored.
      if (queued.job.status == JobStatus::kRunnable) events_.JobRunnable(queued.job);
      queued.done(SubmittedJob{.job_arn = arns_.Job(queued.job.id),
                               .job_name = queued.job.name,
                               .job_id = queued.job.id});
    }
  }
  // After the replies: the children are durable, and a 10,000-child array's
  // callers need not wait for the dispatcher to take them in.
  if (!committed) return;
  std::optional<Job> child;
  for (auto [parent_index, index] : runnable_children) {
    const Job& parent = batch[parent_index].job;
    if (!child || !child->id.starts_with(parent.id)) child = MakeArrayChild(parent, index);
    SetArrayChildIndex(parent, index, *child);
    child->status = JobStatus::kRunnable;
    child->version = 1;
    events_.JobRunnable(*child);
  }
}

Status JobService::InsertChildren(StoreTransaction& txn, const Job& parent,
                                  const Admission& admission, size_t parent_index,
                                  std::vector<std::pair<size_t, int32_t>>& runnable) {
  if (admission.children.size() != static_cast<size_t>(parent.array->size)) {
    return Internal("array job " + parent.id + " was admitted without its children");
  }
  Job child = MakeArrayChild(parent, 0);
  for (int32_t i = 0; i < parent.array->size; ++i) {
    SetArrayChildIndex(parent, i, child);
    child.status = JobStatus::kSubmitted;
    child.status_reason.clear();
    child.stopped_at.reset();
    JobStatus first = admission.children[static_cast<size_t>(i)];
    std::string reason;
    if (auto it = admission.child_reasons.find(i); it != admission.child_reasons.end()) {
      reason = it->second;
    }
    BARGE_RETURN_IF_ERROR(Transition(
        child, first, first == JobStatus::kFailed ? clock_.Now() : child.created_at, reason));
    BARGE_RETURN_IF_ERROR(txn.InsertJob(child));
    if (first == JobStatus::kRunnable) runnable.emplace_back(parent_index, i);
  }
  return Ok();
}

void JobService::FillArraySummary(Job& job) const {
  if (!IsArrayParent(job)) return;
  std::optional<ArraySnapshot> tracked = dependencies_.arrays().Find(job.id);
  if (!tracked) return;  // Ended: the parent stored its last summary.
  job.array.mutable_value().status_summary = tracked->summary;
  job.array.mutable_value().status_summary_updated_at = tracked->updated_at;
}

Result<std::vector<Job>> JobService::Describe(const std::vector<std::string>& job_ids) {
  if (job_ids.size() > kMaxDescribeJobs) {
    return InvalidArgument("jobs may list at most 100 ids, not " + std::to_string(job_ids.size()));
  }
  std::vector<Job> found;
  Status status = TransactWithRetry(store_, [&](StoreTransaction& txn) -> Status {
    found.clear();
    std::set<std::string> seen;
    for (const std::string& id : job_ids) {
      if (!seen.insert(id).second) continue;
      auto job = txn.GetJob(id);
      if (job) {
        FillArraySummary(*job);
        found.push_back(std::move(job).value());
      } else if (job.error().code != ErrorCode::kNotFound) {
        return job.error();
      }
    }
    return Ok();
  });
  if (!status) return status.error();
  return found;
}

Result<JobListPage> JobService::List(const JobListRequest& request) {
  if (request.multi_node_job_id) {
    return InvalidArgument("multiNodeJobId: listing multi-node jobs is not supported yet");
  }
  if (request.array_job_id) return ListChildren(request);
  if (request.job_queue.empty()) {
    return InvalidArgument("one of jobQueue, arrayJobId or multiNodeJobId is required");
  }
  int32_t limit = request.max_results.value_or(kDefaultListResults);
  int32_t max = request.filters.empty() ? kMaxListResults : kMaxFilteredListResults;
  if (limit < 1 || limit > max) {
    return InvalidArgument("maxResults must be an integer in 1.." + std::to_string(max) + ", not " +
                           std::to_string(limit));
  }

  JobListPage page;
  Status status = TransactWithRetry(store_, [&](StoreTransaction& txn) -> Status {
    page = {};
    auto queue = LoadQueue(txn, request.job_queue);
    if (!queue) return queue.error();
    auto plan = JobListPlan::Make(queue->name, request.job_status, request.filters);
    if (!plan) return plan.error();
    // Reads the store in chunks until the page is full and one more match
    // shows that another page follows, or the store has no more.
    JobListFilter filter = plan->store_filter();
    filter.scope = JobScope::kTopLevel;  // Children are listed with arrayJobId.
    filter.start_after = request.start_after;
    filter.limit = static_cast<size_t>(limit) + 1;
    std::vector<Job> matches;
    while (matches.size() <= static_cast<size_t>(limit)) {
      auto chunk = txn.ListJobs(filter);
      if (!chunk) return chunk.error();
      if (chunk->empty()) break;
      bool exhausted = chunk->size() < filter.limit;
      filter.start_after =
          JobListCursor{.created_at = chunk->back().created_at, .id = chunk->back().id};
      for (Job& job : chunk.value()) {
        if (plan->Matches(job)) matches.push_back(std::move(job));
      }
      if (exhausted) break;
    }
    if (matches.size() > static_cast<size_t>(limit)) {
      matches.resize(static_cast<size_t>(limit));
      const Job& last = matches.back();
      page.next = JobListCursor{.created_at = last.created_at, .id = last.id};
    }
    page.jobs = std::move(matches);
    return Ok();
  });
  if (!status) return status.error();
  for (Job& job : page.jobs) FillArraySummary(job);
  return page;
}

Result<JobListPage> JobService::ListChildren(const JobListRequest& request) {
  if (!request.job_queue.empty()) {
    return InvalidArgument("give either jobQueue or arrayJobId, not both");
  }
  if (!request.filters.empty()) {
    return InvalidArgument("filters cannot be combined with arrayJobId; use jobStatus");
  }
  int32_t limit = request.max_results.value_or(kDefaultListResults);
  if (limit < 1 || limit > kMaxListResults) {
    return InvalidArgument("maxResults must be an integer in 1.." +
                           std::to_string(kMaxListResults) + ", not " + std::to_string(limit));
  }
  const std::string& parent_id = *request.array_job_id;
  ArrayChildFilter filter{.parent_id = parent_id,
                          .statuses = {request.job_status.value_or(JobStatus::kRunning)},
                          .limit = static_cast<size_t>(limit) + 1};
  if (request.start_after) {
    std::optional<ArrayChildRef> ref = ParseArrayChildId(request.start_after->id);
    if (!ref || ref->parent_id != parent_id) {
      return InvalidArgument("nextToken does not belong to array job " + parent_id);
    }
    filter.after_index = ref->index;
  }
  JobListPage page;
  Status status = TransactWithRetry(store_, [&](StoreTransaction& txn) -> Status {
    page = {};
    Result<Job> parent = txn.GetJob(parent_id);
    if (!parent) {
      if (parent.error().code == ErrorCode::kNotFound) {
        return InvalidArgument("arrayJobId " + parent_id + " is not an array job");
      }
      return parent.error();
    }
    if (!IsArrayParent(*parent)) {
      return InvalidArgument("arrayJobId " + parent_id + " is not an array job");
    }
    Result<std::vector<Job>> children = txn.ListArrayChildren(filter);
    if (!children) return children.error();
    page.jobs = std::move(children).value();
    if (page.jobs.size() > static_cast<size_t>(limit)) {
      page.jobs.resize(static_cast<size_t>(limit));
      page.next = JobListCursor{.created_at = page.jobs.back().created_at,
                                .id = page.jobs.back().id};
    }
    return Ok();
  });
  if (!status) return status.error();
  return page;
}

Status JobService::Cancel(const std::string& job_id, const std::string& reason) {
  return Stop(StopKind::kCancel, job_id, reason);
}

Status JobService::Terminate(const std::string& job_id, const std::string& reason) {
  return Stop(StopKind::kTerminate, job_id, reason);
}

Status JobService::Stop(StopKind kind, const std::string& job_id, const std::string& reason) {
  if (job_id.empty()) return InvalidArgument("jobId is required");
  BARGE_RETURN_IF_ERROR(ValidateReason(reason));
  std::vector<Job> stopping;  // Started jobs whose attempts must be stopped.
  Status status = TransactWithRetry(store_, [&](StoreTransaction& txn) -> Status {
    stopping.clear();
    auto loaded = txn.GetJob(job_id);
    if (!loaded) return loaded.error();
    if (IsArrayParent(*loaded)) return StopArray(kind, txn, *loaded, reason, stopping);
    return StopOne(kind, txn, std::move(loaded).value(), reason, stopping);
  });
  if (!status) return status;
  for (const Job& job : stopping) events_.StopAttempt(job, *job.stop_reason);
  return Ok();
}

// AWS: cancelling or terminating an array's parent does the same to every
// child. Children that have not started fail at once, even those waiting on
// a dependency (waiting for a SEQUENTIAL chain to unwind child by child would
// take one commit per child); started ones are terminated (TerminateJob) or
// left running (CancelJob). The parent ends through its children.
Status JobService::StopArray(StopKind kind, StoreTransaction& txn, Job parent,
                             const std::string& reason, std::vector<Job>& stopping) {
  if (IsTerminal(parent.status)) return Ok();
  Result<std::vector<Job>> children = txn.ListArrayChildren(
      {.parent_id = parent.id,
       .statuses = {JobStatus::kSubmitted, JobStatus::kPending, JobStatus::kRunnable,
                    JobStatus::kStarting, JobStatus::kRunning}});
  if (!children) return children.error();
  Timestamp now = clock_.Now();
  for (Job& child : children.value()) {
    if (child.status == JobStatus::kStarting || child.status == JobStatus::kRunning) {
      BARGE_RETURN_IF_ERROR(StopOne(kind, txn, std::move(child), reason, stopping));
      continue;
    }
    BARGE_RETURN_IF_ERROR(Transition(child, JobStatus::kFailed, now, reason));
    child.is_cancelled = true;
    BARGE_RETURN_IF_ERROR(txn.UpdateJob(child));
  }
  bool& flag = kind == StopKind::kCancel ? parent.is_cancelled : parent.is_terminated;
  if (flag) return Ok();
  flag = true;
  return txn.UpdateJob(parent);
}

Status JobService::StopOne(StopKind kind, StoreTransaction& txn, Job job,
                           const std::string& reason, std::vector<Job>& stopping) {
  {
    switch (job.status) {
      case JobStatus::kPending:
        if (job.depends_on.empty()) {
          BARGE_RETURN_IF_ERROR(Transition(job, JobStatus::kFailed, clock_.Now(), reason));
          job.is_cancelled = true;
          return txn.UpdateJob(job);
        }
        // AWS cancels a PENDING job once its dependencies finish: the
        // DependencyResolver fails it with this reason when they have.
        if (job.is_cancelled) return Ok();  // Keeps the first reason.
        job.is_cancelled = true;
        job.stop_reason = reason;
        return txn.UpdateJob(job);
      case JobStatus::kSubmitted:
      case JobStatus::kRunnable:
        BARGE_RETURN_IF_ERROR(Transition(job, JobStatus::kFailed, clock_.Now(), reason));
        job.is_cancelled = true;
        return txn.UpdateJob(job);
      case JobStatus::kStarting:
      case JobStatus::kRunning:
        if (kind == StopKind::kCancel) return Ok();  // AWS: no effect, still a success.
        // A repeated terminate keeps the first reason but asks again, in
        // case the first stop order was lost with an agent.
        if (!job.is_terminated || !job.stop_reason) {
          job.is_terminated = true;
          job.stop_reason = reason;
          BARGE_RETURN_IF_ERROR(txn.UpdateJob(job));
          ++job.version;
        }
        stopping.push_back(std::move(job));
        return Ok();
      case JobStatus::kSucceeded:
      case JobStatus::kFailed:
        return Ok();
    }
    return Ok();
  }
}

Result<BulkJobResult> JobService::CancelMany(const std::vector<std::string>& job_ids,
                                             const std::string& reason) {
  return StopMany(StopKind::kCancel, job_ids, reason);
}

Result<BulkJobResult> JobService::TerminateMany(const std::vector<std::string>& job_ids,
                                                const std::string& reason) {
  return StopMany(StopKind::kTerminate, job_ids, reason);
}

Result<BulkJobResult> JobService::StopMany(StopKind kind, const std::vector<std::string>& job_ids,
                                           const std::string& reason) {
  if (job_ids.empty()) return InvalidArgument("jobs must list at least one job id");
  if (job_ids.size() > kMaxBulkJobs) {
    return InvalidArgument("jobs may list at most 50 ids, not " + std::to_string(job_ids.size()));
  }
  BARGE_RETURN_IF_ERROR(ValidateReason(reason));
  BulkJobResult result;
  for (const std::string& id : job_ids) {
    Status stopped = Stop(kind, id, reason);
    if (stopped) {
      result.successful.push_back(id);
    } else {
      result.failed.push_back({.job_id = id, .error = stopped.error()});
    }
  }
  return result;
}

}  // namespace barge::control
