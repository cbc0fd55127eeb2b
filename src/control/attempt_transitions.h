#pragma once
// How the end (or start) of an attempt changes its job, by AWS Batch's rules.
// Pure functions on a Job value, no store and no clock: the agent service and
// the sweepers read the job, call one of these, and write the job back.
//
// Every function first checks that `attempt_id` is the job's current attempt
// and that the job is not terminal; otherwise it returns kIgnored and leaves
// the job untouched, so a repeated or stale event is harmless.
//
// Outcomes:
//   started   STARTING -> RUNNING; job and attempt startedAt = `at`.
//   exited    attempt stoppedAt/exitCode/reason; a job being terminated ->
//             FAILED with its stop reason (never retried); exit 0 ->
//             SUCCEEDED; otherwise ShouldRetry -> RUNNABLE or FAILED. The
//             attempt's and a finished job's statusReason is
//             "Essential container in task exited".
//   host lost attempt ends without an exit code, statusReason
//             "Host EC2 (instance <id>) terminated."; retried per ShouldRetry
//             (kHostLost) unless the job is being terminated.
//   withdrawn the assignment never reached an agent and the job is being
//             terminated: FAILED with the stop reason (attempt statusReason
//             too), no exit code.
//   timed out FAILED at once with "Job attempt duration exceeded timeout"
//             (attempt and job), never retried. The process is still being
//             killed; its late exit report is then a stale event.
#include <optional>
#include <string>
#include <string_view>

#include "core/job.h"
#include "core/result.h"
#include "core/time.h"

namespace barge::control {

inline constexpr std::string_view kEssentialContainerExited = "Essential container in task exited";
inline constexpr std::string_view kAttemptTimedOut = "Job attempt duration exceeded timeout";
// A TerminateJob without a reason (the API requires one; this is a fallback).
inline constexpr std::string_view kTerminatedByRequest = "Terminated by request";

// "Host EC2 (instance i-0abc) terminated."
std::string HostTerminatedReason(std::string_view instance_id);

enum class Applied { kIgnored, kChanged };

// kInternal only when the state machine refuses an edge (a bug).
Result<Applied> RecordStarted(Job& job, const std::string& attempt_id, Timestamp at);
Result<Applied> RecordExited(Job& job, const std::string& attempt_id, Timestamp at,
                             std::optional<int32_t> exit_code, const std::string& reason);
Result<Applied> RecordHostLost(Job& job, const std::string& attempt_id, Timestamp at);
Result<Applied> RecordWithdrawn(Job& job, const std::string& attempt_id, Timestamp at);
Result<Applied> RecordTimedOut(Job& job, const std::string& attempt_id, Timestamp at);

}  // namespace barge::control
