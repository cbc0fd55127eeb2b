#pragma once
// A job queue: where jobs wait, with a priority among queues that share a
// compute environment and an ordered list of (at most 3) environments to try.
// Plain data; `version` belongs to the Store.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/common_types.h"

namespace barge {

struct ComputeEnvironmentOrder {
  int32_t order = 0;
  std::string compute_environment{};  // Stored as the environment's ARN.
  friend bool operator==(const ComputeEnvironmentOrder&, const ComputeEnvironmentOrder&) = default;
};

// jobStateTimeLimitActions: what to do with a job stuck in `state` too long.
struct JobStateTimeLimitAction {
  std::string reason{};
  std::string state{};  // RUNNABLE
  int32_t max_time_seconds = 0;
  std::string action{};  // CANCEL | TERMINATE
  friend bool operator==(const JobStateTimeLimitAction&, const JobStateTimeLimitAction&) = default;
};

struct JobQueue {
  std::string name{};
  std::string arn{};
  ResourceState state = ResourceState::kEnabled;
  ResourceStatus status = ResourceStatus::kCreating;
  std::string status_reason{};
  int32_t priority = 0;  // Higher is served first.
  std::optional<std::string> scheduling_policy_arn{};
  std::vector<ComputeEnvironmentOrder> compute_environment_order{};
  std::vector<JobStateTimeLimitAction> job_state_time_limit_actions{};
  Tags tags{};
  AwsOnlyFields aws_only{};  // serviceEnvironmentOrder, jobQueueType
  int64_t version = 0;
  friend bool operator==(const JobQueue&, const JobQueue&) = default;
};

// UpdateJobQueue: only the members that are set change.
struct JobQueueUpdate {
  std::string job_queue{};  // Name or ARN.
  std::optional<ResourceState> state{};
  std::optional<std::string> scheduling_policy_arn{};
  std::optional<int32_t> priority{};
  // Environments named by name or ARN; the service stores ARNs.
  std::optional<std::vector<ComputeEnvironmentOrder>> compute_environment_order{};
  std::optional<std::vector<JobStateTimeLimitAction>> job_state_time_limit_actions{};
  AwsOnlyFields aws_only{};
};

}  // namespace barge
