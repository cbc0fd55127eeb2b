#include "core/job.h"

#include <array>

namespace barge {
namespace {

constexpr std::array<std::pair<JobStatus, std::string_view>, 7> kNames{{
    {JobStatus::kSubmitted, "SUBMITTED"},
    {JobStatus::kPending, "PENDING"},
    {JobStatus::kRunnable, "RUNNABLE"},
    {JobStatus::kStarting, "STARTING"},
    {JobStatus::kRunning, "RUNNING"},
    {JobStatus::kSucceeded, "SUCCEEDED"},
    {JobStatus::kFailed, "FAILED"},
}};

}  // namespace

std::string_view ToString(JobStatus status) {
  for (const auto& [s, name] : kNames) {
    if (s == status) return name;
  }
  return "FAILED";
}

std::optional<JobStatus> ParseJobStatus(std::string_view text) {
  for (const auto& [s, name] : kNames) {
    if (name == text) return s;
  }
  return std::nullopt;
}

bool IsTerminal(JobStatus status) {
  return status == JobStatus::kSucceeded || status == JobStatus::kFailed;
}

bool IsAllowedEdge(JobStatus from, JobStatus to) {
  using enum JobStatus;
  if (to == kFailed) return !IsTerminal(from);  // Cancel, terminate, timeout, failed deps.
  switch (from) {
    case kSubmitted: return to == kPending || to == kRunnable;
    case kPending: return to == kRunnable;
    case kRunnable: return to == kStarting;
    case kStarting: return to == kRunning || to == kRunnable;  // Retry after a lost host.
    case kRunning: return to == kSucceeded || to == kRunnable;  // Retry.
    case kSucceeded:
    case kFailed: return false;
  }
  return false;
}

Status Transition(Job& job, JobStatus to, Timestamp now, std::string status_reason) {
  if (!IsAllowedEdge(job.status, to)) {
    return FailedPrecondition("job " + job.id + " cannot go from " +
                              std::string(ToString(job.status)) + " to " +
                              std::string(ToString(to)));
  }
  job.status = to;
  if (!status_reason.empty() || to == JobStatus::kRunnable) {
    job.status_reason = std::move(status_reason);
  }
  if (to == JobStatus::kRunning && !job.started_at) job.started_at = now;
  if (IsTerminal(to)) job.stopped_at = now;
  return Ok();
}

std::string LogStreamName(const Job& job, std::string_view attempt_id) {
  std::string name;
  name.reserve(job.job_definition_name.size() + 9 + attempt_id.size());
  name.append(job.job_definition_name).append("/default/").append(attempt_id);
  return name;
}

const Attempt* Job::current_attempt() const {
  if (attempts.empty() || attempts.back().stopped_at) return nullptr;
  return &attempts.back();
}

Attempt* Job::current_attempt() {
  if (attempts.empty() || attempts.back().stopped_at) return nullptr;
  return &attempts.back();
}

}  // namespace barge
