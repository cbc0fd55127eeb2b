#pragma once
// Decoders of shapes nested in more than one parent, for codec/'s own .cc
// files. Each reads the object `reader` is positioned on and records type
// errors in it (see json_reader.h); the caller checks reader.status().
#include "codec/json_reader.h"
#include "core/job_definition.h"

namespace barge::codec {

// The allowed values named in "<member> must be one of ..." messages.
inline constexpr std::string_view kResourceStates = "ENABLED, DISABLED";
inline constexpr std::string_view kResourceStatuses =
    "CREATING, UPDATING, DELETING, DELETED, VALID, INVALID";

ContainerProperties ReadContainerProperties(JsonReader& reader);
RetryStrategy ReadRetryStrategy(JsonReader& reader);

}  // namespace barge::codec
