#pragma once
// Small readers for the request members that have no domain type (the names
// and lists of the Describe and Delete operations), and the encoder of a
// paginated reply. Errors are kInvalidArgument with the member named.
//
// Pure functions; any thread.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "api/pagination.h"
#include "core/result.h"

namespace barge::api {

// A string member that must be present and non-empty.
Result<std::string> RequiredString(const nlohmann::json& body, std::string_view member);

// A list of strings that may be absent (then empty) and holds at most
// `max_items` entries.
Result<std::vector<std::string>> OptionalStringList(const nlohmann::json& body,
                                                    std::string_view member, size_t max_items);

// {"<member>": [encode(item)...], "nextToken": "..."}; nextToken only when set.
template <typename T, typename Encode>
nlohmann::json PageReply(std::string_view member, const Page<T>& page, Encode&& encode) {
  nlohmann::json items = nlohmann::json::array();
  for (const T& item : page.items) items.push_back(encode(item));
  nlohmann::json out = nlohmann::json::object();
  out[std::string(member)] = std::move(items);
  if (page.next_token) out["nextToken"] = *page.next_token;
  return out;
}

}  // namespace barge::api
