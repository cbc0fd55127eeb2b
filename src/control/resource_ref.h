#pragma once
// How requests name resources: a compute environment or job queue by name or
// by ARN, a scheduling policy by ARN, a job definition as "name",
// "name:revision" or ARN. These helpers turn such a reference into the store
// key. An ARN is accepted whatever its region and account, as long as it is a
// batch ARN of the expected kind.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/arn.h"

namespace barge::control {

// The name in `name_or_arn`: the id of a batch ARN of `kind`, or the text
// itself when it is not an ARN. nullopt when it is an ARN of another kind or
// not a batch ARN at all (such a reference can never name a resource).
std::optional<std::string> NameFromNameOrArn(std::string_view name_or_arn, ResourceKind kind);

// The name of the resource a batch ARN of `kind` names; nullopt otherwise.
std::optional<std::string> NameFromArn(std::string_view arn, ResourceKind kind);

// A job definition reference split into name and revision; revision is
// nullopt for a bare name.
struct JobDefinitionRef {
  std::string name{};
  std::optional<int32_t> revision{};
};
// Parses "name", "name:revision" (revision a positive integer) or a
// job-definition ARN (which always carries a revision). nullopt when malformed.
std::optional<JobDefinitionRef> ParseJobDefinitionRef(std::string_view text);

}  // namespace barge::control
