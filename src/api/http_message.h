#pragma once
// HttpRequest and HttpReply: the plain, socket-free form of one HTTP exchange.
// The Beast server (http_server.h) converts to and from them, and everything
// else in api/ (routing, SigV4, the routes) works on them alone, so unit tests
// and the fuzz target drive the API without a network.
//
// Plain values; any thread.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace barge::api {

using HttpHeader = std::pair<std::string, std::string>;

struct HttpRequest {
  std::string method{};               // "POST", as on the request line.
  std::string target{};               // Raw request target: percent-encoded path plus "?query".
  std::vector<HttpHeader> headers{};  // As received; names in any case, repeats kept.
  std::string body{};
};

struct HttpReply {
  int status = 200;
  std::vector<HttpHeader> headers{};  // x-amzn-RequestId, Content-Type, ...
  std::string body{};
};

// The first header named `name` (case-insensitive), or nullopt.
std::optional<std::string_view> FindHeader(const std::vector<HttpHeader>& headers,
                                           std::string_view name);

// Percent-decodes `text` ("%3A" -> ":"). '+' stays '+': the AWS clients encode
// a space as %20. nullopt for a malformed escape ("%4", "%zz").
std::optional<std::string> PercentDecode(std::string_view text);

}  // namespace barge::api
