#pragma once
// Pagination of the Describe*/List* operations: `maxResults` plus an opaque
// `nextToken` that the client echoes back verbatim. The token is the base64
// of {"offset":N} (the shape AWS-WIRE.md shows the real service using), N
// being how many items earlier pages returned. The services return lists in a
// stable order (by name, then revision), so offsets are stable while nothing
// is created or deleted in between; the AWS CLI's "same token twice" check
// can never fire because offsets only grow.
//
// Pure functions; any thread.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace barge::api {

struct PageLimits {
  size_t default_max_results = 100;  // When the request has no maxResults.
  size_t max_max_results = 100;      // maxResults must be in 1..this.
};

struct PageRequest {
  size_t offset = 0;
  size_t max_results = 100;
};

// Reads `maxResults` and `nextToken` from a request body (an object).
// kInvalidArgument for a maxResults that is not an integer in range, and
// "invalid nextToken" for a token this server did not issue.
Result<PageRequest> ReadPageRequest(const nlohmann::json& body, PageLimits limits);

std::string EncodePageToken(size_t offset);
Result<size_t> DecodePageToken(std::string_view token);

template <typename T>
struct Page {
  std::vector<T> items{};
  std::optional<std::string> next_token{};  // Absent on the last page.
};

// The page of `all` that `request` asks for.
template <typename T>
Page<T> TakePage(std::vector<T> all, const PageRequest& request) {
  Page<T> page;
  if (request.offset >= all.size()) return page;
  size_t end = all.size() - request.offset > request.max_results
                   ? request.offset + request.max_results
                   : all.size();
  page.items.reserve(end - request.offset);
  for (size_t i = request.offset; i < end; ++i) page.items.push_back(std::move(all[i]));
  if (end < all.size()) page.next_token = EncodePageToken(end);
  return page;
}

}  // namespace barge::api
