#pragma once
// A blocking HTTP/1.1 client for one endpoint (Boost.Beast), keeping one
// connection open across requests so a paginated call reuses it. Reconnects
// when the server closed the connection, and retries a request once when a
// reused connection turns out to be stale.
//
// Owned by the CLI's Run(); one thread.
#include <memory>

#include "cli/transport.h"

namespace barge::cli {

class HttpClient final : public Transport {
 public:
  explicit HttpClient(Endpoint endpoint);
  ~HttpClient() override;
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // kUnavailable "could not connect to the endpoint URL: <url><target>" when
  // the connection cannot be made, or fails mid-exchange.
  Result<HttpResponse> RoundTrip(const HttpRequest& request) override;

 private:
  struct Connection;  // The Beast stream; kept out of this header (slow to compile).
  Endpoint endpoint_;
  std::unique_ptr<Connection> connection_;
};

}  // namespace barge::cli
