#pragma once
// HttpServer: HTTP/1.1 over TCP for the Api, with Boost.Beast. Keep-alive
// connections (the JS SDK reuses them), one session per connection, all on
// the io_context it is given: the control thread, so Api::HandleAsync runs
// there and calls the services without locks. A reply may come later (the
// agent long-poll); the connection waits for it, and Stop() lets it finish.
//
// Per connection: headers up to 16 KiB, a body up to kMaxRequestBodyBytes
// (bigger: 413 ClientException, then the connection is closed after the
// client's remaining bytes are drained, so the client reads the reply instead
// of a reset), `Expect: 100-continue` answered, 60 s idle timeout between
// requests. Malformed HTTP gets a 400 and a close.
//
// Beast stays out of this header (it is slow to compile); only
// http_server.cc includes it. Create, use and destroy on the io_context's
// thread.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "api/api.h"
#include "core/result.h"

namespace boost::asio {
class io_context;
}

namespace barge::api {

class HttpServer {
 public:
  // Binds `listen` ("127.0.0.1:8000", "[::1]:8000", "localhost:0"; port 0
  // picks a free port) and starts accepting on `io`. kInvalidArgument for a
  // malformed address, kUnavailable when it cannot be bound.
  // `api` is not owned and must outlive every connection (that is, `io`'s run).
  static Result<std::unique_ptr<HttpServer>> Listen(boost::asio::io_context& io,
                                                    std::string_view listen, Api& api);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The bound address, "http://127.0.0.1:41233".
  const std::string& url() const { return url_; }
  uint16_t port() const { return port_; }

  // Graceful stop: closes the listening socket and idle connections; a reply
  // being written is finished, then its connection closed. `on_stopped`
  // (optional) is posted to the io_context once the last connection is gone.
  // Once nothing else is pending on the io_context, its run() returns.
  void Stop(std::function<void()> on_stopped = {});

  // What the acceptor and the connections share; defined in http_server.cc.
  struct State;

 private:
  HttpServer(std::shared_ptr<State> state, std::string url, uint16_t port);

  std::shared_ptr<State> state_;  // Shared with the sessions, which may outlive the server.
  std::string url_;
  uint16_t port_ = 0;
};

}  // namespace barge::api
