#include "api/http_server.h"

#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <chrono>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "api/error_response.h"

namespace barge::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using ErrorCode = boost::system::error_code;

namespace {

constexpr auto kIdleTimeout = std::chrono::seconds(60);     // Between keep-alive requests.
constexpr auto kRequestTimeout = std::chrono::seconds(30);  // To receive one request body.
constexpr auto kWriteTimeout = std::chrono::seconds(30);
constexpr auto kDrainTimeout = std::chrono::seconds(5);
constexpr size_t kMaxHeaderBytes = 16 * 1024;
constexpr size_t kMaxDrainBytes = 64 * 1024 * 1024;

}  // namespace

class Session;

// What the acceptor and every session share. Sessions hold it by shared_ptr,
// so it outlives the HttpServer object if connections are still open.
struct HttpServer::State : std::enable_shared_from_this<HttpServer::State> {
  State(asio::io_context& io_context, Api& api_ref)
      : io(io_context), api(api_ref), acceptor(io_context), retry_timer(io_context) {}

  void Accept();
  void Stop(std::function<void()> stopped);
  void Forget(Session* session) {
    sessions.erase(session);
    if (stopping && sessions.empty() && on_stopped) asio::post(io, std::exchange(on_stopped, {}));
  }

  asio::io_context& io;
  Api& api;
  tcp::acceptor acceptor;
  asio::steady_timer retry_timer;  // Backs off after an accept error such as EMFILE.
  bool stopping = false;
  std::function<void()> on_stopped;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;
};

namespace {
using State = HttpServer::State;
}  // namespace

// One TCP connection: read a request, Api::HandleAsync it, write the reply
// when it comes, repeat while keep-alive holds.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<State> state)
      : stream_(std::move(socket)), state_(std::move(state)) {}
  ~Session() { state_->Forget(this); }

  void Start() {
    state_->sessions.emplace(this, weak_from_this());
    ReadHeader();
  }

  // Called by Stop(): an idle or reading connection is closed now; one that is
  // waiting for or writing a reply closes when the write completes.
  void StopSoon() {
    if (phase_ != Phase::kWriting && phase_ != Phase::kWaiting) Close();
  }

 private:
  enum class Phase { kReading, kWaiting, kWriting, kDraining };

  void ReadHeader() {
    phase_ = Phase::kReading;
    parser_.emplace();
    parser_->header_limit(kMaxHeaderBytes);
    parser_->body_limit(kMaxRequestBodyBytes);
    stream_.expires_after(kIdleTimeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](ErrorCode ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(ErrorCode ec) {
    if (ec) return OnReadError(ec);
    const auto& request = parser_->get();
    if (auto length = parser_->content_length(); length && *length > kMaxRequestBodyBytes) {
      return Reject(PayloadTooLargeReply());
    }
    if (beast::iequals(request[http::field::expect], "100-continue")) {
      auto continue_reply = std::make_shared<http::response<http::empty_body>>(
          http::status::continue_, request.version());
      stream_.expires_after(kWriteTimeout);
      http::async_write(stream_, *continue_reply,
                        [self = shared_from_this(), continue_reply](ErrorCode write_ec, size_t) {
                          if (write_ec) return self->Close();
                          self->ReadBody();
                        });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    stream_.expires_after(kRequestTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](ErrorCode ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(ErrorCode ec) {
    if (ec) return OnReadError(ec);
    http::request<http::string_body> request = parser_->release();
    HttpRequest plain;
    plain.method = std::string(request.method_string());
    plain.target = std::string(request.target());
    plain.headers.reserve(16);
    for (const auto& field : request) {
      plain.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    plain.body = std::move(request.body());
    bool keep_alive = request.keep_alive();
    unsigned version = request.version();
    // The reply may come later (the agent long-poll); the session stays alive
    // in the callback until it does.
    phase_ = Phase::kWaiting;
    state_->api.HandleAsync(plain,
                            [self = shared_from_this(), version, keep_alive](HttpReply reply) {
                              self->Write(std::move(reply), version, keep_alive);
                            });
  }

  void OnReadError(ErrorCode ec) {
    if (ec == http::error::body_limit) return Reject(PayloadTooLargeReply());
    if (ec == http::error::header_limit) {
      return Reject(ErrorReply(431, "ClientException", "request headers are too large"));
    }
    if (ec.category() == http::make_error_code(http::error::end_of_stream).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
      return Reject(ErrorReply(400, "ClientException", "malformed HTTP request: " + ec.message()));
    }
    // The client went away, timed out or we are stopping: nothing to answer.
    Close();
  }

  // Replies and then closes, draining what the client still sends so that it
  // gets to read the reply.
  void Reject(HttpReply reply) {
    Write(std::move(reply), 11, /*keep_alive=*/false, /*drain=*/true);
  }

  void Write(HttpReply reply, unsigned version, bool keep_alive, bool drain = false) {
    phase_ = Phase::kWriting;
    response_ = http::response<http::string_body>{};
    response_.version(version);
    response_.result(static_cast<unsigned>(reply.status));
    for (auto& [name, value] : reply.headers) response_.insert(name, value);
    response_.body() = std::move(reply.body);
    response_.keep_alive(keep_alive && !state_->stopping);
    response_.prepare_payload();
    stream_.expires_after(kWriteTimeout);
    http::async_write(stream_, response_, [self = shared_from_this(), drain](ErrorCode ec, size_t) {
      self->OnWrite(ec, drain);
    });
  }

  void OnWrite(ErrorCode ec, bool drain) {
    if (ec) return Close();
    if (drain && !state_->stopping) return Drain();
    if (!response_.keep_alive() || state_->stopping) {
      ErrorCode ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      return Close();
    }
    ReadHeader();
  }

  void Drain() {
    phase_ = Phase::kDraining;
    ErrorCode ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(kDrainTimeout);
    drain_buffer_.resize(64 * 1024);
    DrainMore();
  }

  void DrainMore() {
    stream_.async_read_some(asio::buffer(drain_buffer_),
                            [self = shared_from_this()](ErrorCode ec, size_t bytes) {
                              self->drained_ += bytes;
                              if (ec || self->drained_ > kMaxDrainBytes) return self->Close();
                              self->DrainMore();
                            });
  }

  void Close() {
    ErrorCode ignored;
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  std::shared_ptr<State> state_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  Phase phase_ = Phase::kReading;
  std::vector<char> drain_buffer_;
  size_t drained_ = 0;
};

void HttpServer::State::Accept() {
  acceptor.async_accept([this, self = shared_from_this()](ErrorCode ec, tcp::socket socket) {
    if (stopping || ec == asio::error::operation_aborted) return;
    if (ec) {
      spdlog::warn("accept failed: {}; retrying in 100 ms", ec.message());
      retry_timer.expires_after(std::chrono::milliseconds(100));
      retry_timer.async_wait([this, self](ErrorCode timer_ec) {
        if (!timer_ec && !stopping) Accept();
      });
      return;
    }
    ErrorCode ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    std::make_shared<Session>(std::move(socket), self)->Start();
    Accept();
  });
}

void HttpServer::State::Stop(std::function<void()> stopped) {
  if (stopping) return;
  stopping = true;
  on_stopped = std::move(stopped);
  ErrorCode ignored;
  acceptor.close(ignored);
  retry_timer.cancel();
  // Copy first: closing a session may destroy it, which edits the map.
  std::vector<std::shared_ptr<Session>> live;
  for (auto& [raw, weak] : sessions) {
    if (auto session = weak.lock()) live.push_back(std::move(session));
  }
  for (auto& session : live) session->StopSoon();
  if (sessions.empty() && on_stopped) asio::post(io, std::exchange(on_stopped, {}));
}

namespace {

struct ListenAddress {
  std::string host{};
  uint16_t port = 0;
};

Result<ListenAddress> ParseListen(std::string_view listen) {
  size_t colon = listen.rfind(':');
  if (colon == std::string_view::npos) {
    return InvalidArgument("listen address '" + std::string(listen) + "' must be HOST:PORT");
  }
  std::string_view host = listen.substr(0, colon);
  std::string_view port_text = listen.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    return InvalidArgument("listen address '" + std::string(listen) + "' has a bad port");
  }
  if (host.empty()) host = "0.0.0.0";
  if (host == "localhost") host = "127.0.0.1";
  return ListenAddress{.host = std::string(host), .port = static_cast<uint16_t>(port)};
}

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::Listen(asio::io_context& io,
                                                       std::string_view listen, Api& api) {
  Result<ListenAddress> address = ParseListen(listen);
  if (!address) return address.error();
  ErrorCode ec;
  asio::ip::address ip = asio::ip::make_address(address->host, ec);
  if (ec) {
    return InvalidArgument("listen address '" + std::string(listen) + "': " + ec.message());
  }
  auto state = std::make_shared<State>(io, api);
  tcp::endpoint endpoint(ip, address->port);
  auto fail = [&](std::string_view what) {
    return Unavailable("cannot " + std::string(what) + " " + std::string(listen) + ": " +
                       ec.message());
  };
  if (state->acceptor.open(endpoint.protocol(), ec); ec) return fail("open");
  if (state->acceptor.set_option(asio::socket_base::reuse_address(true), ec); ec) {
    return fail("configure");
  }
  if (state->acceptor.bind(endpoint, ec); ec) return fail("bind");
  if (state->acceptor.listen(asio::socket_base::max_listen_connections, ec); ec) {
    return fail("listen on");
  }
  tcp::endpoint bound = state->acceptor.local_endpoint(ec);
  if (ec) return fail("read the address of");
  std::string host = bound.address().to_string();
  if (bound.address().is_v6()) host = "[" + host + "]";
  std::string url = "http://" + host + ":" + std::to_string(bound.port());
  state->Accept();
  return std::unique_ptr<HttpServer>(
      new HttpServer(std::move(state), std::move(url), bound.port()));
}

HttpServer::HttpServer(std::shared_ptr<State> state, std::string url, uint16_t port)
    : state_(std::move(state)), url_(std::move(url)), port_(port) {}

HttpServer::~HttpServer() { state_->Stop({}); }

void HttpServer::Stop(std::function<void()> on_stopped) { state_->Stop(std::move(on_stopped)); }

}  // namespace barge::api
