#include "core/common_types.h"

namespace barge {

std::string_view ToString(ResourceState state) {
  switch (state) {
    case ResourceState::kEnabled: return "ENABLED";
    case ResourceState::kDisabled: return "DISABLED";
  }
  return "DISABLED";
}

std::string_view ToString(ResourceStatus status) {
  switch (status) {
    case ResourceStatus::kCreating: return "CREATING";
    case ResourceStatus::kUpdating: return "UPDATING";
    case ResourceStatus::kDeleting: return "DELETING";
    case ResourceStatus::kDeleted: return "DELETED";
    case ResourceStatus::kValid: return "VALID";
    case ResourceStatus::kInvalid: return "INVALID";
  }
  return "INVALID";
}

std::optional<ResourceState> ParseResourceState(std::string_view text) {
  if (text == "ENABLED") return ResourceState::kEnabled;
  if (text == "DISABLED") return ResourceState::kDisabled;
  return std::nullopt;
}

std::optional<ResourceStatus> ParseResourceStatus(std::string_view text) {
  for (auto s : {ResourceStatus::kCreating, ResourceStatus::kUpdating, ResourceStatus::kDeleting,
                 ResourceStatus::kDeleted, ResourceStatus::kValid, ResourceStatus::kInvalid}) {
    if (ToString(s) == text) return s;
  }
  return std::nullopt;
}

}  // namespace barge
