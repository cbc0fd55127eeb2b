#pragma once
// Small value types shared by every AWS Batch resource: tags, ENABLED/DISABLED
// state, the CREATING..INVALID lifecycle status, and the fields barge stores
// and returns without interpreting.
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace barge {

// Resource tags, key -> value.
using Tags = std::map<std::string, std::string>;

// AWS-only members of a shape that barge accepts, stores and returns but never
// interprets (subnets, instanceRole, launchTemplate, ...), by wire member name,
// each as compact JSON text. core keeps them as text so it needs no JSON library.
using AwsOnlyFields = std::map<std::string, std::string>;

// CEState and JQState on the wire.
enum class ResourceState { kEnabled, kDisabled };
// CEStatus and JQStatus on the wire.
enum class ResourceStatus { kCreating, kUpdating, kDeleting, kDeleted, kValid, kInvalid };

std::string_view ToString(ResourceState state);
std::string_view ToString(ResourceStatus status);
std::optional<ResourceState> ParseResourceState(std::string_view text);
std::optional<ResourceStatus> ParseResourceStatus(std::string_view text);

}  // namespace barge
