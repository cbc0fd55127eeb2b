#pragma once
// What an agent is told to run for one attempt: the job's final command, its
// environment plus the variables AWS Batch sets in every container job
// (AWS_BATCH_JOB_ID, AWS_BATCH_JQ_NAME, AWS_BATCH_CE_NAME,
// AWS_BATCH_JOB_ATTEMPT), resources, timeout, user and image.
//
// Pure functions; any thread.
#include <string>

#include "core/job.h"
#include "protocol/messages.h"

namespace barge::control {

// "<jobDefinitionName>/default/<attempt id>", as AWS names the log stream.
std::string LogStreamName(const Job& job, const std::string& attempt_id);

// The attempt must be one of `job`'s attempts (normally the current one).
protocol::Assignment BuildAssignment(const Job& job, const Attempt& attempt);

}  // namespace barge::control
