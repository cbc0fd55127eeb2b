#pragma once
// A job definition revision: the template a job is submitted from (container
// image and command, resources, volumes, retry strategy, timeout, ...).
// (name, revision) is the key; revisions start at 1 and increase per name.
// Plain data; `version` belongs to the Store.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/common_types.h"

namespace barge {

struct KeyValuePair {
  std::string name{};
  std::string value{};
};

// VCPU, MEMORY (MiB) or GPU; the value is a string on the wire.
struct ResourceRequirement {
  std::string type{};
  std::string value{};
};

struct Volume {
  std::string name{};
  std::optional<std::string> host_source_path{};  // host.sourcePath
  AwsOnlyFields aws_only{};                        // efsVolumeConfiguration
};

struct MountPoint {
  std::string container_path{};
  std::optional<bool> read_only{};
  std::string source_volume{};
};

struct Ulimit {
  std::string name{};
  int32_t soft_limit = 0;
  int32_t hard_limit = 0;
};

struct Device {
  std::string host_path{};
  std::string container_path{};
  std::vector<std::string> permissions{};  // READ | WRITE | MKNOD
};

struct Tmpfs {
  std::string container_path{};
  int32_t size = 0;  // MiB
  std::vector<std::string> mount_options{};
};

struct LinuxParameters {
  std::vector<Device> devices{};
  std::optional<bool> init_process_enabled{};
  std::optional<int32_t> shared_memory_size{};  // MiB
  std::vector<Tmpfs> tmpfs{};
  std::optional<int32_t> max_swap{};
  std::optional<int32_t> swappiness{};
};

struct LogConfiguration {
  std::string log_driver{};
  std::map<std::string, std::string> options{};
  AwsOnlyFields aws_only{};  // secretOptions
};

struct Secret {
  std::string name{};
  std::string value_from{};
};

struct ContainerProperties {
  std::string image{};
  std::vector<std::string> command{};
  std::vector<KeyValuePair> environment{};
  std::vector<ResourceRequirement> resource_requirements{};
  std::optional<int32_t> vcpus{};   // Legacy; resourceRequirements is preferred.
  std::optional<int32_t> memory{};  // Legacy, MiB.
  std::vector<Volume> volumes{};
  std::vector<MountPoint> mount_points{};
  std::vector<Ulimit> ulimits{};
  std::optional<std::string> user{};
  std::optional<bool> readonly_root_filesystem{};
  std::optional<bool> privileged{};
  std::optional<LinuxParameters> linux_parameters{};
  std::optional<LogConfiguration> log_configuration{};
  std::vector<Secret> secrets{};
  std::optional<std::string> instance_type{};
  // jobRoleArn, executionRoleArn, networkConfiguration, fargatePlatformConfiguration,
  // ephemeralStorage, runtimePlatform, repositoryCredentials, enableExecuteCommand
  AwsOnlyFields aws_only{};
};

struct NodeRangeProperty {
  std::string target_nodes{};  // "0:3", ":3", "3:", "2"
  std::optional<ContainerProperties> container{};
  std::vector<std::string> instance_types{};
  AwsOnlyFields aws_only{};  // ecsProperties, eksProperties, consumableResourceProperties
};

struct NodeProperties {
  int32_t num_nodes = 0;
  int32_t main_node = 0;
  std::vector<NodeRangeProperty> node_range_properties{};
};

struct EvaluateOnExit {
  std::optional<std::string> on_status_reason{};
  std::optional<std::string> on_reason{};
  std::optional<std::string> on_exit_code{};
  std::string action{};  // RETRY | EXIT, case-insensitive on input.
};

struct RetryStrategy {
  std::optional<int32_t> attempts{};
  std::vector<EvaluateOnExit> evaluate_on_exit{};
};

struct JobTimeout {
  std::optional<int32_t> attempt_duration_seconds{};
};

enum class JobDefinitionStatus { kActive, kInactive };
std::string_view ToString(JobDefinitionStatus status);
std::optional<JobDefinitionStatus> ParseJobDefinitionStatus(std::string_view text);

struct JobDefinition {
  std::string name{};
  int32_t revision = 0;
  std::string arn{};
  JobDefinitionStatus status = JobDefinitionStatus::kActive;
  std::string type{};  // container | multinode
  std::map<std::string, std::string> parameters{};
  std::optional<int32_t> scheduling_priority{};
  std::optional<ContainerProperties> container_properties{};
  std::optional<NodeProperties> node_properties{};
  std::optional<RetryStrategy> retry_strategy{};
  std::optional<JobTimeout> timeout{};
  std::optional<bool> propagate_tags{};
  std::vector<std::string> platform_capabilities{};
  Tags tags{};
  AwsOnlyFields aws_only{};  // ecsProperties, eksProperties, consumableResourceProperties
  int64_t version = 0;
};

}  // namespace barge
