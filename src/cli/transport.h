#pragma once
// The seam between the CLI's logic and the network: one HTTP/1.1 exchange.
// HttpClient (http_client.h) is the real implementation; tests substitute a
// fake that records requests and replays canned responses.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace barge::cli {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method{};   // "POST"
  std::string target{};   // Path and query as sent: "/v1/tags/arn%3A...?tagKeys=a"
  HttpHeaders headers{};  // Host, Content-Type, X-Amz-Date, Authorization...
  std::string body{};
};

struct HttpResponse {
  int status = 0;
  std::string reason{};  // "Bad Request"
  HttpHeaders headers{};
  std::string body{};

  // The first header named `name` (case-insensitive), or "".
  std::string Header(std::string_view name) const;
};

// Where requests go, from --endpoint-url: "http://127.0.0.1:8000/prefix".
struct Endpoint {
  std::string url{};        // As given, for messages.
  std::string host{};       // "127.0.0.1"
  std::string port{};       // "8000"; "80" when the URL names none.
  std::string base_path{};  // "" or "/prefix" (no trailing slash), put before every path.
  // The Host header: host[:port], the port left out when it is 80.
  std::string HostHeader() const;
};

// kInvalidArgument for anything but an http:// URL with a host. (https needs
// TLS, which the client does not do yet.)
Result<Endpoint> ParseEndpoint(std::string_view url);

class Transport {
 public:
  virtual ~Transport() = default;
  // Sends `request` and reads the whole response. kUnavailable when the
  // endpoint cannot be reached or the connection fails mid-exchange. An HTTP
  // error status is a successful round trip.
  virtual Result<HttpResponse> RoundTrip(const HttpRequest& request) = 0;
};

}  // namespace barge::cli
