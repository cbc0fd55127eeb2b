#include "control/job_service.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "control/job_builder.h"
#include "control/resource_ref.h"
#include "control/transact.h"
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

// The SubmitJob members barge does not support yet; each is a ClientException.
Status RejectUnsupported(const JobSubmission& submission) {
  if (submission.array_properties) {
    return InvalidArgument("arrayProperties: array jobs are not supported yet");
  }
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
  BARGE_RETURN_IF_ERROR(ValidateDependsOn(submission.depends_on, options_.max_dependencies));

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
  // Nobody sees a job SUBMITTED (AWS shows it only briefly too): without
  // dependencies it is RUNNABLE at once; with them, FlushSubmits asks the
  // DependencyResolver just before the insert.
  if (job.depends_on.empty()) {
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
    if (batch[i].job.depends_on.empty()) continue;
    dependents.push_back(i);
    dependent_jobs.push_back(&batch[i].job);
  }
  std::vector<std::optional<Error>> not_admitted(batch.size());
  if (!dependent_jobs.empty()) {
    std::vector<std::optional<Error>> admitted = dependencies_.Admit(dependent_jobs);
    for (size_t k = 0; k < dependents.size(); ++k) not_admitted[dependents[k]] = admitted[k];
  }
  std::vector<std::optional<Error>> refused(batch.size());
  Status committed = TransactWithRetry(store_, [&](StoreTransaction& txn) -> Status {
    refused = not_admitted;
    std::map<std::string, Result<JobQueue>, std::less<>> queues;
    for (size_t i = 0; i < batch.size(); ++i) {
      if (refused[i]) continue;
      const Job& job = batch[i].job;
      auto queue = queues.find(job.queue);
      if (queue == queues.end()) queue = queues.emplace(job.queue, LoadQueue(txn, job.queue)).first;
      Status accepted = queue->second ? CheckQueue(*queue->second, job.share_identifier) : Status(queue->second.error());
      if (!accepted) {
        if (accepted.error().code == ErrorCode::kInternal ||
            accepted.error().code == ErrorCode::kUnavailable) {
          return accepted;  // The store failed, not the request.
        }
        refused[i] = accepted.error();
        continue;
      }
      BARGE_RETURN_IF_ERROR(txn.InsertJob(job));
    }
    return Ok();
  });
  // Admitted jobs that were not stored leave the graph before anything else
  // can resolve them.
  for (size_t i : dependents) {
    if (!not_admitted[i] && (!committed || refused[i])) dependencies_.Withdraw(batch[i].job.id);
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
  if (request.array_job_id || request.multi_node_job_id) {
    return InvalidArgument(
        "arrayJobId and multiNodeJobId: listing array or multi-node jobs is not supported yet");
  }
  if (request.job_queue.empty()) return InvalidArgument("jobQueue is required");
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
  std::optional<Job> stopping;  // A started job whose attempt must be stopped.
  Status status = TransactWithRetry(store_, [&](StoreTransaction& txn) -> Status {
    stopping.reset();
    auto loaded = txn.GetJob(job_id);
    if (!loaded) return loaded.error();
    Job job = std::move(loaded).value();
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
        stopping = std::move(job);
        return Ok();
      case JobStatus::kSucceeded:
      case JobStatus::kFailed:
        return Ok();
    }
    return Ok();
  });
  if (!status) return status;
  if (stopping) events_.StopAttempt(*stopping, *stopping->stop_reason);
  return Ok();
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
