#pragma once
// A compute environment: a pool of hosts that jobs are placed on. MANAGED ones
// are scaled by barge between minvCpus and maxvCpus; UNMANAGED ones are the
// hosts whose agents join by name. Plain data, no I/O; `version` belongs to
// the Store, which bumps it on every successful write.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common_types.h"
#include "core/result.h"

namespace barge {

enum class ComputeEnvironmentType { kManaged, kUnmanaged };
std::string_view ToString(ComputeEnvironmentType type);
std::optional<ComputeEnvironmentType> ParseComputeEnvironmentType(std::string_view text);

// computeResources.scalingPolicy.minScaleDownDelayMinutes: AWS's range (0 unsets it).
inline constexpr int64_t kMinScaleDownDelayMinutes = 20;
inline constexpr int64_t kMaxScaleDownDelayMinutes = 10080;

// computeResources of a MANAGED environment. `type` and `allocation_strategy`
// keep the wire spelling (EC2, SPOT, FARGATE, FARGATE_SPOT; BEST_FIT, ...).
struct ComputeResources {
  std::string type{};
  std::optional<int32_t> min_vcpus{};
  std::optional<int32_t> max_vcpus{};
  std::optional<int32_t> desired_vcpus{};
  std::vector<std::string> instance_types{};
  std::optional<std::string> allocation_strategy{};
  std::optional<int32_t> bid_percentage{};
  // subnets, securityGroupIds, ec2KeyPair, instanceRole, tags, placementGroup,
  // spotIamFleetRole, launchTemplate, ec2Configuration, imageId, scalingPolicy, ...
  AwsOnlyFields aws_only{};
  friend bool operator==(const ComputeResources&, const ComputeResources&) = default;
};

struct ComputeEnvironment {
  std::string name{};
  std::string arn{};
  std::string uuid{};
  ComputeEnvironmentType type = ComputeEnvironmentType::kManaged;
  ResourceState state = ResourceState::kEnabled;
  ResourceStatus status = ResourceStatus::kCreating;
  std::string status_reason{};
  std::optional<int32_t> unmanaged_vcpus{};
  std::optional<ComputeResources> compute_resources{};
  std::optional<std::string> service_role{};
  Tags tags{};
  AwsOnlyFields aws_only{};  // eksConfiguration, context, updatePolicy, ...
  int64_t version = 0;
  friend bool operator==(const ComputeEnvironment&, const ComputeEnvironment&) = default;
};

// How the jobs of an environment run (a barge extension, chosen with the
// environment's `barge:executor` tag): kContainer, in a container from the
// job's image (AWS's behaviour and the default); kProcess, the job's command
// directly on the host, the image ignored. An agent runs a job only with an
// executor it has (protocol::RegisterRequest::executors); the spellings are
// protocol::kExecutorContainer and kExecutorProcess.
enum class ExecutorKind { kContainer, kProcess };
inline constexpr std::string_view kExecutorTag = "barge:executor";
std::string_view ToString(ExecutorKind kind);
std::optional<ExecutorKind> ParseExecutorKind(std::string_view text);
// The environment's executor: its tag, kContainer when the tag is absent (an
// environment stored before the tag existed) or unknown.
ExecutorKind ExecutorOf(const ComputeEnvironment& ce);
// kInvalidArgument naming the allowed values when `tags` has a
// `barge:executor` that is neither "container" nor "process".
Status ValidateExecutorTag(const Tags& tags);

// The mutable part of a ComputeResources, as UpdateComputeEnvironment carries it.
struct ComputeResourcesUpdate {
  std::optional<std::string> type{};
  std::optional<int32_t> min_vcpus{};
  std::optional<int32_t> max_vcpus{};
  std::optional<int32_t> desired_vcpus{};
  std::optional<std::vector<std::string>> instance_types{};
  std::optional<std::string> allocation_strategy{};
  std::optional<int32_t> bid_percentage{};
  AwsOnlyFields aws_only{};  // Replaces the members it names, keeps the others.
};

// UpdateComputeEnvironment: only the members that are set change.
struct ComputeEnvironmentUpdate {
  std::string compute_environment{};  // Name or ARN.
  std::optional<ResourceState> state{};
  std::optional<int32_t> unmanaged_vcpus{};
  std::optional<ComputeResourcesUpdate> compute_resources{};
  std::optional<std::string> service_role{};
  AwsOnlyFields aws_only{};  // updatePolicy, context
};

}  // namespace barge
