#pragma once
// Small helpers for the encoders in codec/: put a member only when it is set,
// and write AWS-only members back as the JSON they were received as.
//
// "Set" means: a std::optional that is engaged, a plain string that is not
// empty, a list or map that is not empty. Members the wire always carries
// (identity members, a container's list members) are assigned directly by the
// encoders instead.
//
// Pure functions; any thread. Never throw (other than std::bad_alloc).
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common_types.h"

namespace barge::codec {

using Json = nlohmann::json;

// Puts `value` under `member` if engaged.
template <typename T>
void PutIfSet(Json& out, std::string_view member, const std::optional<T>& value) {
  if (value) out[std::string(member)] = *value;
}

// Puts a plain string if it is not empty.
void PutIfNotEmpty(Json& out, std::string_view member, const std::string& value);

// Puts a list or map if it is not empty.
void PutIfNotEmpty(Json& out, std::string_view member, const std::vector<std::string>& value);
void PutIfNotEmpty(Json& out, std::string_view member,
                   const std::map<std::string, std::string>& value);

// Puts each AWS-only member back as the JSON it was received as. A member
// already in `out` wins (barge's interpreted value is never overwritten), and
// text that no longer parses (a corrupt store document) is skipped rather than
// thrown.
void PutAwsOnly(Json& out, const AwsOnlyFields& aws_only);

}  // namespace barge::codec
