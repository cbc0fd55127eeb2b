#pragma once
// What the retention sweep (StoreTransaction::DeleteJobsEndedBefore) needs to
// know of a job, shared by every Store implementation so they agree: when the
// job ended, and which log streams its attempts wrote. Pure functions; any
// thread.
#include <optional>
#include <string>
#include <vector>

#include "core/job.h"
#include "core/time.h"

namespace barge {

// When `job` ended: its stoppedAt once it is SUCCEEDED or FAILED (a terminal
// job without one, which barge's state machine never writes, counts as ended
// at its createdAt, so it still expires); nullopt while it has not ended.
std::optional<Timestamp> JobEndedAt(const Job& job);

// The log streams of the job's attempts, in attempt order: each attempt's
// logStreamName, or "<jobDefinitionName>/default/<attemptId>" for an attempt
// stored without one (the name the dispatcher gives every stream).
std::vector<std::string> JobLogStreams(const Job& job);

}  // namespace barge
