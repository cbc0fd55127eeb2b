#include "core/array_job.h"

#include <charconv>

#include "core/check.h"

namespace barge {

std::string ArrayChildId(std::string_view parent_id, int32_t index) {
  std::string id;
  id.reserve(parent_id.size() + 6);
  id.append(parent_id);
  id += ':';
  id += std::to_string(index);
  return id;
}

std::optional<ArrayChildRef> ParseArrayChildId(std::string_view job_id) {
  size_t colon = job_id.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == job_id.size()) {
    return std::nullopt;
  }
  std::string_view digits = job_id.substr(colon + 1);
  if (digits.size() > 1 && digits[0] == '0') return std::nullopt;
  int32_t index = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
  if (error != std::errc() || end != digits.data() + digits.size() || index < 0) {
    return std::nullopt;
  }
  return ArrayChildRef{.parent_id = job_id.substr(0, colon), .index = index};
}

bool IsArrayParent(const Job& job) { return job.array && !job.array->index; }
bool IsArrayChild(const Job& job) { return job.array && job.array->index; }

Job MakeArrayChild(const Job& parent, int32_t index) {
  BARGE_CHECK(IsArrayParent(parent), "array children are made from an array parent");
  BARGE_CHECK(index >= 0 && index < parent.array->size, "array child index out of range");
  Job child;
  child.id = ArrayChildId(parent.id, index);
  child.name = parent.name;
  child.queue = parent.queue;
  child.job_definition_arn = parent.job_definition_arn;
  child.job_definition_name = parent.job_definition_name;
  child.status = parent.status;
  child.created_at = parent.created_at;
  child.container = parent.container;
  child.parameters = parent.parameters;
  child.retry_strategy = parent.retry_strategy;
  child.attempt_duration_seconds = parent.attempt_duration_seconds;
  child.propagate_tags = parent.propagate_tags;
  child.scheduling_priority = parent.scheduling_priority;
  child.share_identifier = parent.share_identifier;
  child.request = parent.request;
  child.platform_capabilities = parent.platform_capabilities;
  SetArrayChildIndex(parent, index, child);
  return child;
}

void SetArrayChildIndex(const Job& parent, int32_t index, Job& child) {
  BARGE_CHECK(index >= 0 && index < parent.array->size, "array child index out of range");
  child.id = ArrayChildId(parent.id, index);
  child.depends_on.clear();
  for (const JobDependency& dependency : parent.depends_on) {
    if (dependency.type == "SEQUENTIAL" && index > 0) {
      child.depends_on.push_back({.job_id = ArrayChildId(parent.id, index - 1),
                                  .type = dependency.type});
    } else if (dependency.type == "N_TO_N") {
      child.depends_on.push_back({.job_id = ArrayChildId(dependency.job_id, index),
                                  .type = dependency.type});
    }
  }
  child.array = ArrayJob{.size = parent.array->size, .index = index};
}

Status ValidateArraySize(int32_t size) {
  if (size < kMinArraySize || size > kMaxArraySize) {
    return InvalidArgument("arrayProperties.size must be between " +
                           std::to_string(kMinArraySize) + " and " +
                           std::to_string(kMaxArraySize) + ", not " + std::to_string(size));
  }
  return Ok();
}

}  // namespace barge
