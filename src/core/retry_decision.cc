#include "core/retry_decision.h"

#include <cctype>

#include "core/validation.h"

namespace barge {
namespace {

bool EntryMatches(const EvaluateOnExit& entry, const AttemptOutcome& outcome) {
  if (entry.on_status_reason && !MatchesGlob(*entry.on_status_reason, outcome.status_reason)) {
    return false;
  }
  if (entry.on_reason && !MatchesGlob(*entry.on_reason, outcome.reason)) return false;
  if (entry.on_exit_code) {
    // An attempt without an exit code (host lost) matches no exit-code rule.
    if (!outcome.exit_code) return false;
    if (!MatchesGlob(*entry.on_exit_code, std::to_string(*outcome.exit_code))) return false;
  }
  return true;
}

bool IsRetryAction(const std::string& action) {
  std::string upper;
  for (char c : action) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return upper == "RETRY";
}

}  // namespace

bool ShouldRetry(const RetryStrategy& strategy, const AttemptOutcome& outcome) {
  switch (outcome.end) {
    case AttemptEnd::kTimedOut:
    case AttemptEnd::kTerminated:
    case AttemptEnd::kCancelled:
      return false;
    case AttemptEnd::kExited:
    case AttemptEnd::kHostLost:
      break;
  }
  int32_t attempts = strategy.attempts.value_or(1);
  if (outcome.attempt_number >= attempts) return false;
  for (const EvaluateOnExit& entry : strategy.evaluate_on_exit) {
    if (EntryMatches(entry, outcome)) return IsRetryAction(entry.action);
  }
  return true;
}

}  // namespace barge
