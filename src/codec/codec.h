#pragma once
// JSON codecs for the domain types in their AWS Batch wire shape (API
// 2016-08-10). One schema serves the wire (api/, cli/) and the store's
// documents (store/), so a field added once is both persisted and returned.
//
// Decoding is strict about types and enum values: a member of the wrong JSON
// type or an unknown enum value gives kInvalidArgument with a message naming
// the member path ("computeResources.maxvCpus must be an integer"). Unknown
// members are ignored, as AWS does; known AWS-only members (subnets,
// launchTemplate, ...) are type-checked and kept in `aws_only`.
// Range and cross-field rules (names, limits, min <= max) are not checked
// here: they belong to core/validation.h and control/. Nor is required-ness:
// an absent member decodes to its default (empty string, nullopt, MANAGED,
// ENABLED, CREATING, ACTIVE, 0), so control/ reports missing members.
// Message formats are listed in json_reader.h.
//
// Encoding emits only members that are set, always the identity members, and
// a container's list members even when empty (as AWS does). Output-only
// members are derived, never stored: containerOrchestrationType ("ECS", or
// "EKS" with eksConfiguration / eksProperties) and a CE's ecsClusterArn.
// FromJson(ToJson(x)) equals x except `version`, which the Store keeps apart.
//
// Pure functions; any thread.
#include <nlohmann/json.hpp>

#include "core/compute_environment.h"
#include "core/job_definition.h"
#include "core/job_queue.h"
#include "core/result.h"
#include "core/scheduling_policy.h"

namespace barge::codec {

using Json = nlohmann::json;

// Describe shapes (also the store's documents). FromJson accepts the Create /
// Register request shape too, because its members are a subset with the same
// names; members a request cannot set (arn, status, revision) are ignored by
// the services.
Json ToJson(const ComputeEnvironment& ce);
Result<ComputeEnvironment> ComputeEnvironmentFromJson(const Json& json);

Json ToJson(const JobQueue& queue);
Result<JobQueue> JobQueueFromJson(const Json& json);

Json ToJson(const JobDefinition& definition);
Result<JobDefinition> JobDefinitionFromJson(const Json& json);

Json ToJson(const SchedulingPolicy& policy);
Result<SchedulingPolicy> SchedulingPolicyFromJson(const Json& json);

// Update request shapes (UpdateComputeEnvironment, UpdateJobQueue,
// UpdateSchedulingPolicy bodies).
Result<ComputeEnvironmentUpdate> ComputeEnvironmentUpdateFromJson(const Json& json);
Result<JobQueueUpdate> JobQueueUpdateFromJson(const Json& json);
Result<SchedulingPolicyUpdate> SchedulingPolicyUpdateFromJson(const Json& json);
// The same bodies as a client sends them (cli/): only the members that are set.
Json ToJson(const ComputeEnvironmentUpdate& update);
Json ToJson(const JobQueueUpdate& update);
Json ToJson(const SchedulingPolicyUpdate& update);

// Pieces reused by later request shapes (SubmitJob overrides).
Json ToJson(const ContainerProperties& container);
Result<ContainerProperties> ContainerPropertiesFromJson(const Json& json, std::string_view path);
Json ToJson(const RetryStrategy& strategy);
Result<RetryStrategy> RetryStrategyFromJson(const Json& json, std::string_view path);
Result<Tags> TagsFromJson(const Json& json, std::string_view path);

}  // namespace barge::codec
