#pragma once
// What an agent is told to run for one attempt: the job's final command, its
// environment plus the variables AWS Batch sets in every container job
// (AWS_BATCH_JOB_ID, AWS_BATCH_JQ_NAME, AWS_BATCH_CE_NAME,
// AWS_BATCH_JOB_ATTEMPT), resources, timeout, user and image, the executor
// of the attempt's compute environment and the job's container properties
// (volumes, mount points, ulimits, ... for the container executor).
//
// Pure functions; any thread.
#include <string>

#include "core/compute_environment.h"
#include "core/job.h"
#include "protocol/messages.h"

namespace barge::control {

// The attempt must be one of `job`'s attempts (normally the current one);
// `executor` is that of its compute environment (attempt.compute_environment),
// which the caller has at hand from the pass or registration that reads it.
protocol::Assignment BuildAssignment(const Job& job, const Attempt& attempt, ExecutorKind executor);

}  // namespace barge::control
