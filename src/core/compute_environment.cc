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

}  // namespace barge
