#include "core/compute_environment.h"

namespace barge {

std::string_view ToString(ComputeEnvironmentType type) {
  return type == ComputeEnvironmentType::kManaged ? "MANAGED" : "UNMANAGED";
}

std::optional<ComputeEnvironmentType> ParseComputeEnvironmentType(std::string_view text) {
  if (text == "MANAGED") return ComputeEnvironmentType::kManaged;
  if (text == "UNMANAGED") return ComputeEnvironmentType::kUnmanaged;
  return std::nullopt;
}

std::string_view ToString(ExecutorKind kind) {
  return kind == ExecutorKind::kContainer ? "container" : "process";
}

std::optional<ExecutorKind> ParseExecutorKind(std::string_view text) {
  if (text == "container") return ExecutorKind::kContainer;
  if (text == "process") return ExecutorKind::kProcess;
  return std::nullopt;
}

ExecutorKind ExecutorOf(const ComputeEnvironment& ce) {
  auto tag = ce.tags.find(std::string(kExecutorTag));
  if (tag == ce.tags.end()) return ExecutorKind::kContainer;
  return ParseExecutorKind(tag->second).value_or(ExecutorKind::kContainer);
}

Status ValidateExecutorTag(const Tags& tags) {
  auto tag = tags.find(std::string(kExecutorTag));
  if (tag == tags.end() || ParseExecutorKind(tag->second)) return Ok();
  return InvalidArgument("tag " + std::string(kExecutorTag) + " '" + tag->second +
                         "' is invalid: it must be container (jobs run in a container from "
                         "their image) or process (jobs run directly on the host)");
}

}  // namespace barge
