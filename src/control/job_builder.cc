#include "control/job_builder.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <string_view>

#include "control/job_definition_validation.h"
#include "core/validation.h"

namespace barge::control {
namespace {

constexpr std::string_view kRef = "Ref::";

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

std::string Substitute(std::string_view arg, const std::map<std::string, std::string>& parameters) {
  std::string out;
  size_t pos = 0;
  while (pos < arg.size()) {
    size_t ref = arg.find(kRef, pos);
    if (ref == std::string_view::npos) break;
    out.append(arg.substr(pos, ref - pos));
    size_t name_start = ref + kRef.size();
    size_t name_end = name_start;
    while (name_end < arg.size() && IsNameChar(arg[name_end])) ++name_end;
    // The longest defined name: the whole run, then prefixes cut before a '-'.
    std::optional<size_t> matched_end;
    for (size_t end = name_end; end > name_start;) {
      if (parameters.contains(std::string(arg.substr(name_start, end - name_start)))) {
        matched_end = end;
        break;
      }
      size_t dash = arg.rfind('-', end - 1);
      if (dash == std::string_view::npos || dash <= name_start) break;
      end = dash;
    }
    if (matched_end) {
      out += parameters.at(std::string(arg.substr(name_start, *matched_end - name_start)));
      pos = *matched_end;
    } else {
      out.append(arg.substr(ref, name_end - ref));  // Left as it is.
      pos = name_end;
    }
  }
  out.append(arg.substr(std::min(pos, arg.size())));
  return out;
}

// "2" -> 2000, "0.25" -> 250; anything finer than a thousandth rounds up.
std::optional<int64_t> ParseMillis(std::string_view text) {
  size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view fraction = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  int64_t units = 0;
  if (!whole.empty()) {
    auto [end, ec] = std::from_chars(whole.data(), whole.data() + whole.size(), units);
    if (ec != std::errc{} || end != whole.data() + whole.size() || units > 1'000'000'000) {
      return std::nullopt;
    }
  }
  int64_t millis = 0;
  bool finer = false;
  for (size_t i = 0; i < fraction.size(); ++i) {
    char c = fraction[i];
    if (c < '0' || c > '9') return std::nullopt;
    if (i < 3) {
      millis = millis * 10 + (c - '0');
    } else if (c != '0') {
      finer = true;
    }
  }
  for (size_t i = fraction.size(); i < 3; ++i) millis *= 10;
  return units * 1000 + millis + (finer ? 1 : 0);
}

std::optional<int64_t> ParseCount(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// `base` with each entry of `overrides` replacing the one with the same key
// (or appended, in override order).
template <typename T, typename Key>
std::vector<T> MergeBy(std::vector<T> base, const std::vector<T>& overrides, Key key) {
  for (const T& item : overrides) {
    auto same = std::find_if(base.begin(), base.end(),
                             [&](const T& existing) { return key(existing) == key(item); });
    if (same != base.end()) {
      *same = item;
    } else {
      base.push_back(item);
    }
  }
  return base;
}

bool IsFargate(const JobDefinition& definition) {
  return std::find(definition.platform_capabilities.begin(), definition.platform_capabilities.end(),
                   "FARGATE") != definition.platform_capabilities.end();
}

Result<ContainerProperties> ApplyOverrides(ContainerProperties container,
                                           const ContainerOverrides& overrides, bool fargate) {
  BARGE_RETURN_IF_ERROR(
      ValidateEnvironment("containerOverrides.environment", overrides.environment));
  BARGE_RETURN_IF_ERROR(ValidateResourceRequirements("containerOverrides.resourceRequirements",
                                                     overrides.resource_requirements,
                                                     {.fargate = fargate}));
  if (overrides.vcpus && *overrides.vcpus < 1) {
    return InvalidArgument("containerOverrides.vcpus " + std::to_string(*overrides.vcpus) +
                           " is invalid: it must be at least 1");
  }
  if (overrides.memory && *overrides.memory < kMinMemoryMib) {
    return InvalidArgument("containerOverrides.memory " + std::to_string(*overrides.memory) +
                           " is invalid: a job needs at least 4 MiB of memory");
  }
  if (overrides.command && !overrides.command->empty()) container.command = *overrides.command;
  container.environment = MergeBy(std::move(container.environment), overrides.environment,
                                  [](const KeyValuePair& pair) { return pair.name; });
  container.resource_requirements =
      MergeBy(std::move(container.resource_requirements), overrides.resource_requirements,
              [](const ResourceRequirement& requirement) { return requirement.type; });
  if (overrides.vcpus) container.vcpus = overrides.vcpus;
  if (overrides.memory) container.memory = overrides.memory;
  if (overrides.instance_type) container.instance_type = overrides.instance_type;
  return container;
}

}  // namespace

std::vector<std::string> SubstituteParameters(
    const std::vector<std::string>& command, const std::map<std::string, std::string>& parameters) {
  std::vector<std::string> out;
  out.reserve(command.size());
  for (const std::string& arg : command) out.push_back(Substitute(arg, parameters));
  return out;
}

Result<Resources> ComputeResources(const std::string& job_name,
                                   const ContainerProperties& container) {
  Resources resources;
  for (const ResourceRequirement& requirement : container.resource_requirements) {
    std::optional<int64_t> value =
        requirement.type == "VCPU" ? ParseMillis(requirement.value) : ParseCount(requirement.value);
    if (!value || *value <= 0) {
      return InvalidArgument("job " + job_name + " resourceRequirements " + requirement.type +
                             " value '" + requirement.value + "' is invalid");
    }
    if (requirement.type == "VCPU") resources.millicpus = *value;
    if (requirement.type == "MEMORY") resources.memory_mib = *value;
    if (requirement.type == "GPU") resources.gpus = *value;
  }
  if (resources.millicpus == 0 && container.vcpus) resources.millicpus = *container.vcpus * 1000LL;
  if (resources.memory_mib == 0 && container.memory) resources.memory_mib = *container.memory;
  if (resources.millicpus == 0) {
    return InvalidArgument("job " + job_name +
                           " requests no vCPUs: set a VCPU resourceRequirement in the job "
                           "definition or in containerOverrides");
  }
  if (resources.memory_mib == 0) {
    return InvalidArgument("job " + job_name +
                           " requests no memory: set a MEMORY resourceRequirement in the job "
                           "definition or in containerOverrides");
  }
  return resources;
}

Result<Job> BuildJob(const JobSubmission& submission, const JobDefinition& definition,
                     const std::string& queue_name) {
  if (!definition.container_properties) {
    return InvalidArgument("job definition " + definition.arn + " has no containerProperties");
  }
  bool fargate = IsFargate(definition);
  ContainerProperties container = *definition.container_properties;
  if (submission.container_overrides) {
    auto merged = ApplyOverrides(std::move(container), *submission.container_overrides, fargate);
    if (!merged) return merged.error();
    container = std::move(merged).value();
  }

  std::map<std::string, std::string> parameters = definition.parameters;
  for (const auto& [name, value] : submission.parameters) parameters[name] = value;
  container.command = SubstituteParameters(container.command, parameters);

  RetryStrategy retry = submission.retry_strategy
                            ? *submission.retry_strategy
                            : definition.retry_strategy.value_or(RetryStrategy{});
  if (submission.retry_strategy) {
    BARGE_RETURN_IF_ERROR(ValidateRetryStrategy("retryStrategy", retry));
  }
  std::optional<int32_t> timeout =
      definition.timeout ? definition.timeout->attempt_duration_seconds : std::nullopt;
  if (submission.timeout) {
    BARGE_RETURN_IF_ERROR(ValidateTimeout("timeout", *submission.timeout));
    timeout = submission.timeout->attempt_duration_seconds;
  }
  BARGE_RETURN_IF_ERROR(ValidateTags(submission.tags));
  if (submission.scheduling_priority_override &&
      (*submission.scheduling_priority_override < 0 ||
       *submission.scheduling_priority_override > kMaxSchedulingPriority)) {
    return InvalidArgument("schedulingPriorityOverride " +
                           std::to_string(*submission.scheduling_priority_override) +
                           " is invalid: it must be between 0 and 9999");
  }

  bool propagate = submission.propagate_tags.value_or(definition.propagate_tags.value_or(false));
  Tags tags = submission.tags;
  if (propagate) {
    for (const auto& [key, value] : definition.tags) tags.emplace(key, value);  // Request wins.
  }

  auto resources = ComputeResources(submission.job_name, container);
  if (!resources) return resources.error();

  return Job{
      .name = submission.job_name,
      .queue = queue_name,
      .job_definition_arn = definition.arn,
      .job_definition_name = definition.name,
      .container = std::move(container),
      .parameters = std::move(parameters),
      .retry_strategy = std::move(retry),
      .attempt_duration_seconds = timeout,
      .tags = std::move(tags),
      .propagate_tags = propagate,
      .scheduling_priority = submission.scheduling_priority_override.value_or(
          definition.scheduling_priority.value_or(0)),
      .share_identifier = submission.share_identifier,
      .request = resources.value(),
      .platform_capabilities = definition.platform_capabilities,
  };
}

}  // namespace barge::control
