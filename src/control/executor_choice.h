#pragma once
// Which agents may run a compute environment's jobs. The environment's
// `barge:executor` tag (core/compute_environment.h) names the executor its
// jobs need; an agent registers with the executors it has (process always,
// container when runc is present and it runs as root). The dispatcher places
// a job only on an agent that has its environment's executor, and tells the
// jobs of a queue whose environments have agents but none with the executor
// why they wait (NoExecutorReason).
//
// Pure functions; any thread.
#include <string>
#include <string_view>
#include <vector>

#include "core/compute_environment.h"

namespace barge::control {

// The statusReason of a RUNNABLE job starts with this when its environments
// have agents and none can run their executor.
inline constexpr std::string_view kNoExecutorReasonPrefix = "MISCONFIGURATION:EXECUTOR - ";

// protocol::kExecutorContainer or kExecutorProcess.
std::string_view ProtocolExecutor(ExecutorKind executor);

// Whether an agent that registered with `executors` can run `executor`. An
// empty list is an agent from before containers: process only.
bool CanRun(const std::vector<std::string>& executors, ExecutorKind executor);

// "MISCONFIGURATION:EXECUTOR - no agent in compute environment X can run
// containers (...)".
std::string NoExecutorReason(const std::string& environment, ExecutorKind executor);

// The reason a waiting job gets when it needs more vCPUs than its scaled
// environments' maxvCpus (AWS's wording).
inline constexpr std::string_view kComputeEnvironmentMaxResourceReason =
    "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE - CE(s) associated with the job queue "
    "cannot meet the CPU requirement of the job.";

// Whether `reason` is one the dispatcher sets on a job it cannot place (and
// so clears once that no longer holds): the resource-requirement reason, the
// max-resource reason or a NoExecutorReason.
bool IsPlacementReason(std::string_view reason);

}  // namespace barge::control
