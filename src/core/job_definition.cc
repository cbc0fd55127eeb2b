#include "core/job_definition.h"

namespace barge {

std::string_view ToString(JobDefinitionStatus status) {
  return status == JobDefinitionStatus::kActive ? "ACTIVE" : "INACTIVE";
}

std::optional<JobDefinitionStatus> ParseJobDefinitionStatus(std::string_view text) {
  if (text == "ACTIVE") return JobDefinitionStatus::kActive;
  if (text == "INACTIVE") return JobDefinitionStatus::kInactive;
  return std::nullopt;
}

}  // namespace barge
