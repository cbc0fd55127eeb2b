// The only file of agent/ that includes Beast: it is slow to compile.
#include "agent/http_agent_channel.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <deque>
#include <nlohmann/json.hpp>
#include <optional>

#include "protocol/codec.h"

namespace barge::agent {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Json = nlohmann::json;

namespace {

constexpr size_t kMaxReplyBytes = 64u << 20;
constexpr auto kConnectTimeout = std::chrono::seconds(10);

struct HttpReply {
  int status = 0;
  std::string body{};
};

// One TCP connection and its read buffer; shared with the operations in
// flight so that closing it early is always safe.
struct Connection {
  explicit Connection(net::io_context& io) : stream(io) {}
  beast::tcp_stream stream;
  beast::flat_buffer buffer{};
};

// One request/response exchange; likewise shared with its operations.
struct Exchange {
  http::request<http::string_body> request{};
  http::response_parser<http::string_body> parser{};
};

}  // namespace

// Sends queued requests one at a time over one keep-alive connection.
class HttpAgentChannel::Lane : public std::enable_shared_from_this<Lane> {
 public:
  using Done = std::function<void(Result<HttpReply>)>;

  Lane(net::io_context& io, Endpoint endpoint, std::string token)
      : io_(io), endpoint_(std::move(endpoint)), token_(std::move(token)), resolver_(io) {}

  void Submit(std::string target, std::string body, Duration timeout, Done done) {
    queue_.push_back(Request{.target = endpoint_.base_path + target,
                             .body = std::move(body),
                             .timeout = timeout,
                             .done = std::move(done)});
    Next();
  }

  void Cancel() {
    ++epoch_;
    queue_.clear();
    current_.reset();
    resolver_.cancel();
    Close();
  }

 private:
  struct Request {
    std::string target{};
    std::string body{};
    Duration timeout{};
    Done done{};
  };

  std::string Url() const {
    return "http://" + endpoint_.host + ":" + endpoint_.port + (current_ ? current_->target : "");
  }

  void Next() {
    if (current_ || queue_.empty()) return;
    current_ = std::move(queue_.front());
    queue_.pop_front();
    retried_ = false;
    if (connection_) {
      reused_ = true;
      Write();
    } else {
      Connect();
    }
  }

  void Connect() {
    resolver_.async_resolve(
        endpoint_.host, endpoint_.port,
        [self = shared_from_this(), epoch = epoch_](beast::error_code ec,
                                                    tcp::resolver::results_type results) {
          if (epoch != self->epoch_) return;
          if (ec)
            return self->Finish(Unavailable("cannot resolve " + self->Url() + ": " + ec.message()));
          auto connection = std::make_shared<Connection>(self->io_);
          connection->stream.expires_after(kConnectTimeout);
          connection->stream.async_connect(
              results,
              [self, epoch, connection](beast::error_code connect_ec, const tcp::endpoint&) {
                if (epoch != self->epoch_) return;
                if (connect_ec) {
                  return self->Finish(Unavailable("cannot connect to " + self->Url() + ": " +
                                                  connect_ec.message()));
                }
                self->connection_ = connection;
                self->reused_ = false;
                self->Write();
              });
        });
  }

  void Write() {
    auto exchange = std::make_shared<Exchange>();
    http::request<http::string_body>& request = exchange->request;
    request.method(http::verb::post);
    request.target(current_->target);
    request.version(11);
    request.set(http::field::host, endpoint_.host + ":" + endpoint_.port);
    request.set(http::field::user_agent, "barge-agent");
    request.set(http::field::content_type, "application/json");
    if (!token_.empty()) request.set(http::field::authorization, "Bearer " + token_);
    request.keep_alive(true);
    request.body() = current_->body;
    request.prepare_payload();
    exchange->parser.body_limit(kMaxReplyBytes);

    auto connection = connection_;
    // One deadline for writing the request and reading the whole reply.
    connection->stream.expires_after(current_->timeout);
    http::async_write(connection->stream, exchange->request,
                      [self = shared_from_this(), epoch = epoch_, connection, exchange](
                          beast::error_code ec, size_t) {
                        if (epoch != self->epoch_) return;
                        if (ec) return self->Failed(ec, /*got_reply=*/false);
                        self->Read(connection, exchange);
                      });
  }

  void Read(const std::shared_ptr<Connection>& connection,
            const std::shared_ptr<Exchange>& exchange) {
    http::async_read(connection->stream, connection->buffer, exchange->parser,
                     [self = shared_from_this(), epoch = epoch_, connection, exchange](
                         beast::error_code ec, size_t) {
                       if (epoch != self->epoch_) return;
                       if (ec) return self->Failed(ec, exchange->parser.got_some());
                       http::response<http::string_body> reply = exchange->parser.release();
                       if (!reply.keep_alive()) self->Close();
                       self->Finish(HttpReply{.status = static_cast<int>(reply.result_int()),
                                              .body = std::move(reply.body())});
                     });
  }

  void Failed(beast::error_code ec, bool got_reply) {
    Close();
    // A kept-alive connection the server closed in the meantime: once more, afresh.
    if (reused_ && !got_reply && !retried_ && ec != beast::error::timeout) {
      retried_ = true;
      Connect();
      return;
    }
    Finish(Unavailable(ec == beast::error::timeout
                           ? "request to " + Url() + " timed out"
                           : "request to " + Url() + " failed: " + ec.message()));
  }

  void Finish(Result<HttpReply> reply) {
    Done done = std::move(current_->done);
    current_.reset();
    uint64_t epoch = epoch_;
    done(std::move(reply));
    if (epoch == epoch_) Next();
  }

  void Close() {
    if (!connection_) return;
    beast::error_code ignored;
    connection_->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    connection_->stream.close();
    connection_.reset();
  }

  net::io_context& io_;
  Endpoint endpoint_;
  std::string token_;
  tcp::resolver resolver_;
  std::shared_ptr<Connection> connection_{};
  std::deque<Request> queue_{};
  std::optional<Request> current_{};
  bool reused_ = false;   // The current request runs on a connection that served others.
  bool retried_ = false;  // ...and was already sent once more on a fresh one.
  uint64_t epoch_ = 0;    // Bumped by Cancel: older operations then do nothing.
};

namespace {

// Maps an HTTP reply to a decoded message or an AgentChannel error.
template <typename T, typename Decode>
Result<T> Interpret(const Result<HttpReply>& reply, const std::string& what, Decode decode) {
  if (!reply) return reply.error();
  int status = reply->status;
  std::string detail = reply->body.substr(0, 300);
  if (status == 410) return NotFound(what + ": the server does not know this agent (410)");
  if (status == 401 || status == 403) {
    return FailedPrecondition(what + ": the server refused the join token (" +
                              std::to_string(status) + ")");
  }
  if (status == 404 || status >= 500) {
    return Unavailable(what + ": server answered " + std::to_string(status) + " " + detail);
  }
  if (status < 200 || status >= 300) {
    return InvalidArgument(what + ": server answered " + std::to_string(status) + " " + detail);
  }
  Json json = Json::parse(reply->body.empty() ? std::string("{}") : reply->body, nullptr,
                          /*allow_exceptions=*/false);
  if (json.is_discarded()) return InvalidArgument(what + ": the reply is not JSON");
  Result<T> decoded = decode(json);
  if (!decoded) return InvalidArgument(what + ": " + decoded.error().message);
  return decoded;
}

std::string Body(const Json& json) {
  // Job output may hold invalid UTF-8: replace it rather than fail the batch.
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Result<Acknowledged> DecodeAck(const Json&) { return Acknowledged{}; }

}  // namespace

Result<std::unique_ptr<HttpAgentChannel>> HttpAgentChannel::Create(
    net::io_context& io, HttpAgentChannelOptions options) {
  std::string url = options.server_url;
  constexpr std::string_view kScheme = "http://";
  if (url.rfind(kScheme, 0) != 0) {
    return InvalidArgument("server URL " + url + " must start with http:// (https is not " +
                           "supported; put a TLS terminator in front of the server)");
  }
  std::string rest = url.substr(kScheme.size());
  size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  std::string base = slash == std::string::npos ? std::string() : rest.substr(slash);
  while (!base.empty() && base.back() == '/') base.pop_back();
  Endpoint endpoint{.port = "80", .base_path = base};
  if (!authority.empty() && authority.front() == '[') {  // [v6]:port
    size_t close = authority.find(']');
    if (close == std::string::npos) return InvalidArgument("server URL " + url + " is malformed");
    endpoint.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':') {
      endpoint.port = authority.substr(close + 2);
    }
  } else {
    size_t colon = authority.rfind(':');
    endpoint.host = authority.substr(0, colon);
    if (colon != std::string::npos) endpoint.port = authority.substr(colon + 1);
  }
  if (endpoint.host.empty() || endpoint.port.empty() ||
      endpoint.port.find_first_not_of("0123456789") != std::string::npos) {
    return InvalidArgument("server URL " + url + " is malformed");
  }
  return std::unique_ptr<HttpAgentChannel>(
      new HttpAgentChannel(io, std::move(endpoint), std::move(options)));
}

HttpAgentChannel::HttpAgentChannel(net::io_context& io, Endpoint endpoint,
                                   HttpAgentChannelOptions options)
    : options_(std::move(options)),
      poll_lane_(std::make_shared<Lane>(io, endpoint, options_.token)),
      control_lane_(std::make_shared<Lane>(io, endpoint, options_.token)),
      report_lane_(std::make_shared<Lane>(io, endpoint, options_.token)) {}

HttpAgentChannel::~HttpAgentChannel() { CancelAll(); }

void HttpAgentChannel::CancelAll() {
  poll_lane_->Cancel();
  control_lane_->Cancel();
  report_lane_->Cancel();
}

void HttpAgentChannel::Register(const protocol::RegisterRequest& request,
                                Reply<protocol::RegisterReply> done) {
  control_lane_->Submit("/agent/v1/register", Body(protocol::ToJson(request)),
                        options_.request_timeout,
                        [done = std::move(done)](Result<HttpReply> reply) {
                          done(Interpret<protocol::RegisterReply>(reply, "register",
                                                                  protocol::RegisterReplyFromJson));
                        });
}

void HttpAgentChannel::Heartbeat(const protocol::HeartbeatRequest& request,
                                 Reply<protocol::HeartbeatReply> done) {
  control_lane_->Submit("/agent/v1/heartbeat", Body(protocol::ToJson(request)),
                        options_.request_timeout,
                        [done = std::move(done)](Result<HttpReply> reply) {
                          done(Interpret<protocol::HeartbeatReply>(
                              reply, "heartbeat", protocol::HeartbeatReplyFromJson));
                        });
}

void HttpAgentChannel::Poll(const protocol::PollRequest& request, Reply<protocol::PollReply> done) {
  poll_lane_->Submit(
      "/agent/v1/poll", Body(protocol::ToJson(request)),
      std::chrono::milliseconds(request.wait_ms) + options_.poll_slack,
      [done = std::move(done)](Result<HttpReply> reply) {
        done(Interpret<protocol::PollReply>(reply, "poll", protocol::PollReplyFromJson));
      });
}

void HttpAgentChannel::SendEvents(const protocol::EventsRequest& request,
                                  Reply<Acknowledged> done) {
  report_lane_->Submit("/agent/v1/events", Body(protocol::ToJson(request)),
                       options_.request_timeout, [done = std::move(done)](Result<HttpReply> reply) {
                         done(Interpret<Acknowledged>(reply, "events", DecodeAck));
                       });
}

void HttpAgentChannel::SendLogs(const protocol::LogsRequest& request, Reply<Acknowledged> done) {
  report_lane_->Submit("/agent/v1/logs", Body(protocol::ToJson(request)), options_.request_timeout,
                       [done = std::move(done)](Result<HttpReply> reply) {
                         done(Interpret<Acknowledged>(reply, "logs", DecodeAck));
                       });
}

}  // namespace barge::agent
