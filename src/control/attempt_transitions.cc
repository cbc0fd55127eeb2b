#include "control/attempt_transitions.h"

#include "core/retry_decision.h"

namespace barge::control {
namespace {

// The current attempt when it is `attempt_id` and the job is still live.
Attempt* LiveAttempt(Job& job, const std::string& attempt_id) {
  if (IsTerminal(job.status)) return nullptr;
  if (job.status != JobStatus::kStarting && job.status != JobStatus::kRunning) return nullptr;
  Attempt* attempt = job.current_attempt();
  if (attempt == nullptr || attempt->id != attempt_id) return nullptr;
  return attempt;
}

Status Move(Job& job, JobStatus to, Timestamp at, std::string_view reason) {
  Status moved = Transition(job, to, at, std::string(reason));
  if (!moved) return Internal(moved.error().message);
  return Ok();
}

std::string StopReason(const Job& job) {
  if (job.stop_reason && !job.stop_reason->empty()) return *job.stop_reason;
  return std::string(kTerminatedByRequest);
}

// After the current attempt stopped: FAILED (terminated, or no retry) or
// back to RUNNABLE for another attempt.
Status Conclude(Job& job, const Attempt& attempt, AttemptEnd end, Timestamp at,
                std::string_view failed_reason) {
  if (job.is_terminated) return Move(job, JobStatus::kFailed, at, StopReason(job));
  AttemptOutcome outcome{.end = end,
                         .attempt_number = attempt.number,
                         .exit_code = attempt.exit_code,
                         .reason = attempt.reason,
                         .status_reason = attempt.status_reason};
  if (ShouldRetry(*job.retry_strategy, outcome)) return Move(job, JobStatus::kRunnable, at, "");
  return Move(job, JobStatus::kFailed, at, failed_reason);
}

}  // namespace

std::string HostTerminatedReason(std::string_view instance_id) {
  return "Host EC2 (instance " + std::string(instance_id) + ") terminated.";
}

Result<Applied> RecordStarted(Job& job, const std::string& attempt_id, Timestamp at) {
  Attempt* attempt = LiveAttempt(job, attempt_id);
  if (attempt == nullptr || job.status != JobStatus::kStarting) return Applied::kIgnored;
  BARGE_RETURN_IF_ERROR(Move(job, JobStatus::kRunning, at, ""));
  job.started_at = at;  // The latest attempt's start, also after a retry.
  attempt->started_at = at;
  return Applied::kChanged;
}

Result<Applied> RecordExited(Job& job, const std::string& attempt_id, Timestamp at,
                             std::optional<int32_t> exit_code, const std::string& reason) {
  Attempt* attempt = LiveAttempt(job, attempt_id);
  if (attempt == nullptr) return Applied::kIgnored;
  if (job.status == JobStatus::kStarting) {
    // The started event was lost or overtaken: it did run.
    BARGE_RETURN_IF_ERROR(Move(job, JobStatus::kRunning, at, ""));
    job.started_at = at;
    attempt->started_at = at;
  }
  attempt->stopped_at = at;
  attempt->exit_code = exit_code;
  attempt->reason = reason;
  attempt->status_reason = std::string(kEssentialContainerExited);
  if (exit_code == 0 && !job.is_terminated) {
    BARGE_RETURN_IF_ERROR(Move(job, JobStatus::kSucceeded, at, kEssentialContainerExited));
    return Applied::kChanged;
  }
  Attempt ended = *attempt;
  BARGE_RETURN_IF_ERROR(Conclude(job, ended, AttemptEnd::kExited, at, kEssentialContainerExited));
  return Applied::kChanged;
}

Result<Applied> RecordHostLost(Job& job, const std::string& attempt_id, Timestamp at) {
  Attempt* attempt = LiveAttempt(job, attempt_id);
  if (attempt == nullptr) return Applied::kIgnored;
  std::string reason = HostTerminatedReason(attempt->instance_id);
  attempt->stopped_at = at;
  attempt->status_reason = reason;
  Attempt ended = *attempt;
  BARGE_RETURN_IF_ERROR(Conclude(job, ended, AttemptEnd::kHostLost, at, reason));
  return Applied::kChanged;
}

Result<Applied> RecordWithdrawn(Job& job, const std::string& attempt_id, Timestamp at) {
  Attempt* attempt = LiveAttempt(job, attempt_id);
  if (attempt == nullptr) return Applied::kIgnored;
  std::string reason = StopReason(job);
  attempt->stopped_at = at;
  attempt->status_reason = reason;
  BARGE_RETURN_IF_ERROR(Move(job, JobStatus::kFailed, at, reason));
  return Applied::kChanged;
}

Result<Applied> RecordTimedOut(Job& job, const std::string& attempt_id, Timestamp at) {
  Attempt* attempt = LiveAttempt(job, attempt_id);
  if (attempt == nullptr || job.status != JobStatus::kRunning) return Applied::kIgnored;
  attempt->stopped_at = at;
  attempt->status_reason = std::string(kAttemptTimedOut);
  BARGE_RETURN_IF_ERROR(Move(job, JobStatus::kFailed, at, kAttemptTimedOut));
  return Applied::kChanged;
}

}  // namespace barge::control
