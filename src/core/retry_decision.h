#pragma once
// Whether a failed attempt is retried, by AWS Batch's rules:
// - cancelled, terminated and timed-out attempts are never retried;
// - no attempts left (attempt number >= retryStrategy.attempts, default 1) ⇒ no;
// - otherwise the first evaluateOnExit entry whose every given condition
//   matches (onStatusReason, onReason, onExitCode; trailing-'*' globs) decides
//   with its action; when no entry matches, or there are none, the job retries.
// Pure function; any thread.
#include <optional>
#include <string>

#include "core/job_definition.h"

namespace barge {

enum class AttemptEnd {
  kExited,      // The process ended by itself (any exit code) or was OOM-killed.
  kHostLost,    // The agent's lease expired or the instance was reclaimed.
  kTimedOut,    // attemptDurationSeconds elapsed.
  kTerminated,  // TerminateJob.
  kCancelled,   // CancelJob.
};

struct AttemptOutcome {
  AttemptEnd end = AttemptEnd::kExited;
  int32_t attempt_number = 1;
  std::optional<int32_t> exit_code{};
  std::string reason{};         // container reason
  std::string status_reason{};  // attempt status reason
};

bool ShouldRetry(const RetryStrategy& strategy, const AttemptOutcome& outcome);

}  // namespace barge
