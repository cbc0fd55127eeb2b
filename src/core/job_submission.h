#pragma once
// What a SubmitJob request asks for, as decoded from the wire and before any
// rule is applied: references are still names or ARNs, overrides are not yet
// merged into the job definition. control::JobService::Submit turns it into
// a Job. Plain data, any thread.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/common_types.h"
#include "core/job.h"  // JobDependency.
#include "core/job_definition.h"

namespace barge {

// SubmitJob.containerOverrides.
struct ContainerOverrides {
  std::optional<std::vector<std::string>> command{};  // Replaces the definition's when non-empty.
  std::vector<KeyValuePair> environment{};            // Merged by name; these win.
  std::vector<ResourceRequirement> resource_requirements{};  // Merged by type; these win.
  std::optional<int32_t> vcpus{};                            // Legacy.
  std::optional<int32_t> memory{};                           // Legacy, MiB.
  std::optional<std::string> instance_type{};  // Multi-node only on AWS; kept, not used.
};

// SubmitJob.arrayProperties.
struct ArrayProperties {
  std::optional<int32_t> size{};
  // barge's extension (the barge CLI and API only): at most this many
  // children STARTING or RUNNING at once.
  std::optional<int32_t> max_concurrency{};
};

struct JobSubmission {
  std::string job_name{};
  std::string job_queue{};       // Name or ARN.
  std::string job_definition{};  // name, name:revision or ARN.
  std::map<std::string, std::string> parameters{};
  std::optional<ContainerOverrides> container_overrides{};
  std::optional<RetryStrategy> retry_strategy{};
  std::optional<JobTimeout> timeout{};
  Tags tags{};
  std::optional<bool> propagate_tags{};
  std::optional<std::string> share_identifier{};
  std::optional<int32_t> scheduling_priority_override{};
  std::vector<JobDependency> depends_on{};
  std::optional<ArrayProperties> array_properties{};
  // nodeOverrides, ecsPropertiesOverride, eksPropertiesOverride,
  // consumableResourcePropertiesOverride: type-checked and kept as JSON text.
  AwsOnlyFields aws_only{};
};

}  // namespace barge
