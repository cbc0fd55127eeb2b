#include "control/job_definition_validation.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/validation.h"

namespace barge::control {
namespace {

constexpr std::array<std::string_view, 15> kUlimitNames{
    "core",   "cpu",   "data", "fsize",  "locks",  "memlock",    "msgqueue", "nice",
    "nofile", "nproc", "rss",  "rtprio", "rttime", "sigpending", "stack"};
constexpr std::array<std::string_view, 8> kLogDrivers{
    "json-file", "syslog", "journald", "gelf", "fluentd", "awslogs", "splunk", "awsfirelens"};
constexpr std::array<std::string_view, 3> kDevicePermissions{"READ", "WRITE", "MKNOD"};

std::string Str(std::string_view text) { return std::string(text); }
std::string Num(int64_t value) { return std::to_string(value); }

template <size_t N>
bool OneOf(const std::array<std::string_view, N>& allowed, std::string_view value) {
  return std::ranges::find(allowed, value) != allowed.end();
}

std::optional<int32_t> ParseIndex(std::string_view text) {
  int32_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value < 0) {
    return std::nullopt;
  }
  return value;
}

// -1 is Docker's "unlimited", so it compares above every other limit.
int64_t UlimitOrder(int32_t limit) {
  return limit == -1 ? std::numeric_limits<int64_t>::max() : limit;
}

Status ValidateUlimits(std::string_view field, const std::vector<Ulimit>& ulimits) {
  std::set<std::string> seen;
  for (const Ulimit& ulimit : ulimits) {
    if (!OneOf(kUlimitNames, ulimit.name)) {
      return InvalidArgument(Str(field) + ".ulimits name '" + ulimit.name +
                             "' is invalid: it must be one of core, cpu, data, fsize, locks, "
                             "memlock, msgqueue, nice, nofile, nproc, rss, rtprio, rttime, "
                             "sigpending, stack");
    }
    if (!seen.insert(ulimit.name).second) {
      return InvalidArgument(Str(field) + ".ulimits lists " + ulimit.name + " more than once");
    }
    if (ulimit.soft_limit < -1 || ulimit.hard_limit < -1) {
      return InvalidArgument(Str(field) + ".ulimits " + ulimit.name +
                             ": limits must be >= 0, or -1 for unlimited");
    }
    if (UlimitOrder(ulimit.soft_limit) > UlimitOrder(ulimit.hard_limit)) {
      return InvalidArgument(Str(field) + ".ulimits " + ulimit.name + ": softLimit " +
                             Num(ulimit.soft_limit) + " must not exceed hardLimit " +
                             Num(ulimit.hard_limit));
    }
  }
  return Ok();
}

Status ValidateVolumes(std::string_view field, const ContainerProperties& container) {
  std::set<std::string> volumes;
  for (const Volume& volume : container.volumes) {
    if (!volume.name.empty() && !volumes.insert(volume.name).second) {
      return InvalidArgument(Str(field) + ".volumes names " + volume.name + " more than once");
    }
  }
  for (const MountPoint& mount : container.mount_points) {
    if (!volumes.contains(mount.source_volume)) {
      return InvalidArgument(Str(field) + ".mountPoints sourceVolume '" + mount.source_volume +
                             "' does not name a volume in " + Str(field) + ".volumes");
    }
    if (mount.container_path.empty()) {
      return InvalidArgument(Str(field) + ".mountPoints containerPath is required (sourceVolume " +
                             mount.source_volume + ")");
    }
  }
  return Ok();
}

Status ValidateLinuxParameters(std::string_view field, const LinuxParameters& params) {
  std::string where = Str(field) + ".linuxParameters";
  for (const Device& device : params.devices) {
    if (device.host_path.empty()) return InvalidArgument(where + ".devices.hostPath is required");
    for (const std::string& permission : device.permissions) {
      if (!OneOf(kDevicePermissions, permission)) {
        return InvalidArgument(where + ".devices.permissions '" + permission +
                               "' is invalid: it must be READ, WRITE or MKNOD");
      }
    }
  }
  for (const Tmpfs& tmpfs : params.tmpfs) {
    if (tmpfs.container_path.empty()) {
      return InvalidArgument(where + ".tmpfs.containerPath is required");
    }
    if (tmpfs.size <= 0) {
      return InvalidArgument(where + ".tmpfs size " + Num(tmpfs.size) + " for " +
                             tmpfs.container_path + " must be a positive number of MiB");
    }
  }
  if (params.shared_memory_size && *params.shared_memory_size < 0) {
    return InvalidArgument(where + ".sharedMemorySize " + Num(*params.shared_memory_size) +
                           " must be >= 0");
  }
  if (params.max_swap && *params.max_swap < 0) {
    return InvalidArgument(where + ".maxSwap " + Num(*params.max_swap) + " must be >= 0");
  }
  if (params.swappiness && (*params.swappiness < 0 || *params.swappiness > 100)) {
    return InvalidArgument(where + ".swappiness " + Num(*params.swappiness) +
                           " must be between 0 and 100");
  }
  return Ok();
}

Status ValidateLogAndSecrets(std::string_view field, const ContainerProperties& container) {
  if (const auto& log = container.log_configuration) {
    if (!OneOf(kLogDrivers, log->log_driver)) {
      return InvalidArgument(Str(field) + ".logConfiguration.logDriver '" + log->log_driver +
                             "' is invalid: it must be one of json-file, syslog, journald, "
                             "gelf, fluentd, awslogs, splunk, awsfirelens");
    }
  }
  for (const Secret& secret : container.secrets) {
    if (secret.name.empty() || secret.value_from.empty()) {
      return InvalidArgument(Str(field) + ".secrets entries need both name and valueFrom");
    }
  }
  return Ok();
}

bool HasOtherProperties(const AwsOnlyFields& aws_only) {
  return aws_only.contains("ecsProperties") || aws_only.contains("eksProperties");
}

// Checks that the union of `ranges` is exactly 0..num_nodes-1.
Status ValidateCoverage(std::vector<NodeRange> ranges, int32_t num_nodes) {
  std::ranges::sort(ranges, {}, &NodeRange::first);
  int64_t next = 0;  // First node not yet covered.
  for (const NodeRange& range : ranges) {
    if (range.first > next) break;
    next = std::max<int64_t>(next, int64_t{range.last} + 1);
  }
  if (next < num_nodes) {
    return InvalidArgument("nodeProperties.nodeRangeProperties do not cover node " + Num(next) +
                           " (numNodes is " + Num(num_nodes) + ")");
  }
  return Ok();
}

}  // namespace

std::optional<NodeRange> ParseTargetNodes(std::string_view target_nodes, int32_t num_nodes) {
  size_t colon = target_nodes.find(':');
  if (colon == std::string_view::npos) {
    auto node = ParseIndex(target_nodes);
    if (!node) return std::nullopt;
    return NodeRange{.first = *node, .last = *node};
  }
  std::string_view first_text = target_nodes.substr(0, colon);
  std::string_view last_text = target_nodes.substr(colon + 1);
  if (first_text.empty() && last_text.empty()) return std::nullopt;
  auto first = first_text.empty() ? std::optional<int32_t>(0) : ParseIndex(first_text);
  auto last = last_text.empty() ? std::optional<int32_t>(num_nodes - 1) : ParseIndex(last_text);
  if (!first || !last || *first > *last) return std::nullopt;
  return NodeRange{.first = *first, .last = *last};
}

Status ValidateContainerProperties(std::string_view field, const ContainerProperties& container,
                                   const ContainerRules& rules) {
  if (container.image.empty()) return InvalidArgument(Str(field) + ".image is required");
  BARGE_RETURN_IF_ERROR(ValidateEnvironment(Str(field) + ".environment", container.environment));
  BARGE_RETURN_IF_ERROR(ValidateResourceRequirements(Str(field) + ".resourceRequirements",
                                                     container.resource_requirements,
                                                     {.fargate = rules.fargate}));
  if (container.vcpus && *container.vcpus < 1) {
    return InvalidArgument(Str(field) + ".vcpus " + Num(*container.vcpus) +
                           " is invalid: it must be at least 1");
  }
  if (container.memory && *container.memory < kMinMemoryMib) {
    return InvalidArgument(Str(field) + ".memory " + Num(*container.memory) +
                           " is invalid: a job needs at least 4 MiB of memory");
  }
  if (rules.fargate && container.privileged.value_or(false)) {
    return InvalidArgument(Str(field) + ".privileged is not supported on FARGATE");
  }
  BARGE_RETURN_IF_ERROR(ValidateVolumes(field, container));
  BARGE_RETURN_IF_ERROR(ValidateUlimits(field, container.ulimits));
  if (container.linux_parameters) {
    BARGE_RETURN_IF_ERROR(ValidateLinuxParameters(field, *container.linux_parameters));
  }
  return ValidateLogAndSecrets(field, container);
}

Status ValidateNodeProperties(const NodeProperties& nodes) {
  if (nodes.num_nodes < 1) {
    return InvalidArgument("nodeProperties.numNodes " + Num(nodes.num_nodes) +
                           " is invalid: it must be at least 1");
  }
  if (nodes.main_node < 0 || nodes.main_node >= nodes.num_nodes) {
    return InvalidArgument("nodeProperties.mainNode " + Num(nodes.main_node) +
                           " is invalid: it must be between 0 and numNodes - 1 (" +
                           Num(nodes.num_nodes - 1) + ")");
  }
  if (nodes.node_range_properties.empty()) {
    return InvalidArgument("nodeProperties.nodeRangeProperties must hold at least one range");
  }
  std::vector<NodeRange> ranges;
  for (const NodeRangeProperty& property : nodes.node_range_properties) {
    std::string where = "nodeProperties.nodeRangeProperties[" + property.target_nodes + "]";
    auto range = ParseTargetNodes(property.target_nodes, nodes.num_nodes);
    if (!range) {
      return InvalidArgument("nodeProperties.nodeRangeProperties targetNodes '" +
                             property.target_nodes +
                             "' is invalid: it must look like 0:3, :3, 3: or 3");
    }
    if (range->last >= nodes.num_nodes) {
      return InvalidArgument("nodeProperties.nodeRangeProperties targetNodes '" +
                             property.target_nodes + "' is outside 0:" + Num(nodes.num_nodes - 1) +
                             " (numNodes is " + Num(nodes.num_nodes) + ")");
    }
    if (property.instance_types.size() > 1) {
      return InvalidArgument(where + ".instanceTypes can hold at most one instance type");
    }
    if (property.container) {
      BARGE_RETURN_IF_ERROR(
          ValidateContainerProperties(where + ".container", *property.container, {}));
    } else if (!HasOtherProperties(property.aws_only)) {
      return InvalidArgument(where + ".container is required");
    }
    ranges.push_back(*range);
  }
  return ValidateCoverage(std::move(ranges), nodes.num_nodes);
}

Status ValidateJobDefinition(const JobDefinition& definition) {
  BARGE_RETURN_IF_ERROR(ValidateResourceName("jobDefinitionName", definition.name));
  if (definition.type.empty()) return InvalidArgument("type is required");
  if (definition.type != "container" && definition.type != "multinode") {
    return InvalidArgument("type '" + definition.type +
                           "' is invalid: it must be container or multinode");
  }
  bool fargate = false;
  for (const std::string& capability : definition.platform_capabilities) {
    if (capability != "EC2" && capability != "FARGATE") {
      return InvalidArgument("platformCapabilities '" + capability +
                             "' is invalid: it must be EC2 or FARGATE");
    }
    fargate = fargate || capability == "FARGATE";
  }
  if (definition.scheduling_priority &&
      (*definition.scheduling_priority < 0 ||
       *definition.scheduling_priority > kMaxSchedulingPriority)) {
    return InvalidArgument("schedulingPriority " + Num(*definition.scheduling_priority) +
                           " is invalid: it must be between 0 and 9999");
  }
  if (definition.retry_strategy) {
    BARGE_RETURN_IF_ERROR(ValidateRetryStrategy("retryStrategy", *definition.retry_strategy));
  }
  if (definition.timeout) BARGE_RETURN_IF_ERROR(ValidateTimeout("timeout", *definition.timeout));
  BARGE_RETURN_IF_ERROR(ValidateTags(definition.tags));

  if (definition.type == "multinode") {
    if (fargate) {
      return InvalidArgument("multinode job definitions are not supported on FARGATE");
    }
    if (definition.container_properties) {
      return InvalidArgument(
          "containerProperties must not be given for a multinode job "
          "definition: use nodeProperties.nodeRangeProperties");
    }
    if (!definition.node_properties) {
      return InvalidArgument("nodeProperties is required for a multinode job definition");
    }
    return ValidateNodeProperties(*definition.node_properties);
  }
  if (definition.node_properties) {
    return InvalidArgument("nodeProperties can only be given for a multinode job definition");
  }
  bool other = HasOtherProperties(definition.aws_only);
  if (definition.container_properties && other) {
    return InvalidArgument(
        "only one of containerProperties, ecsProperties and eksProperties "
        "can be given");
  }
  if (!definition.container_properties) {
    if (other) return Ok();
    return InvalidArgument("containerProperties is required for a container job definition");
  }
  return ValidateContainerProperties("containerProperties", *definition.container_properties,
                                     {.fargate = fargate});
}

}  // namespace barge::control
