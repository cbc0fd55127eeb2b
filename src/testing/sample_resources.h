#pragma once
// Fully populated sample resources for tests: every field barge interprets
// is set to something other than its default, and each carries AWS-only
// members, so a round trip through a store or codec that drops a field shows
// up as a difference. ARNs are formatted for us-east-1 / account
// 123456789012. Pure functions; any thread.
#include <cstdint>
#include <string>

#include "core/compute_environment.h"
#include "core/job_definition.h"
#include "core/job_queue.h"
#include "core/scheduling_policy.h"

namespace barge::testing {

ComputeEnvironment SampleComputeEnvironment(const std::string& name);
JobQueue SampleJobQueue(const std::string& name);
SchedulingPolicy SampleSchedulingPolicy(const std::string& name);
JobDefinition SampleJobDefinition(const std::string& name, int32_t revision);

}  // namespace barge::testing
