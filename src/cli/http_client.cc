// The only file of cli/ that includes Beast: it is slow to compile.
#include "cli/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <string>
#include <utility>

namespace barge::cli {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct HttpClient::Connection {
  net::io_context io{};
  beast::tcp_stream stream{io};
  beast::flat_buffer buffer{};
};

namespace {

constexpr size_t kMaxBodyBytes = 256u << 20;
// The AWS CLI's defaults for --cli-connect-timeout and --cli-read-timeout.
constexpr auto kConnectTimeout = std::chrono::seconds(60);
constexpr auto kReadTimeout = std::chrono::seconds(60);

// Runs one asynchronous operation to completion on `io`. Beast's stream
// timeouts (expires_after) only apply to asynchronous operations, so the
// client is synchronous on top of them.
template <typename Start>
beast::error_code RunOne(net::io_context& io, Start start) {
  beast::error_code result;
  start([&result](beast::error_code ec, auto&&...) { result = ec; });
  io.restart();
  io.run();
  return result;
}

// Why an exchange failed: before the request was fully written on a reused
// connection (worth one retry on a fresh one), or otherwise.
enum class Failure { kNone, kStale, kBroken };

}  // namespace

HttpClient::HttpClient(Endpoint endpoint) : endpoint_(std::move(endpoint)) {}

HttpClient::~HttpClient() {
  if (connection_) {
    beast::error_code ignored;
    connection_->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  }
}

Result<HttpResponse> HttpClient::RoundTrip(const HttpRequest& request) {
  std::string url = "http://" + endpoint_.HostHeader() + request.target;
  http::request<http::string_body> message{http::string_to_verb(request.method), request.target,
                                           11};
  for (const auto& [name, value] : request.headers) message.set(name, value);
  message.body() = request.body;
  // The AWS CLI sends Content-Length: 0 on an empty DELETE; GET has none.
  if (request.method != "GET" || !request.body.empty()) message.content_length(request.body.size());

  for (int attempt = 0; attempt < 2; ++attempt) {
    bool reused = connection_ != nullptr;
    if (!reused) {
      auto connection = std::make_unique<Connection>();
      beast::error_code ec;
      tcp::resolver resolver(connection->io);
      auto endpoints = resolver.resolve(endpoint_.host, endpoint_.port, ec);
      if (!ec) {
        connection->stream.expires_after(kConnectTimeout);
        ec = RunOne(connection->io, [&](auto handler) {
          connection->stream.async_connect(endpoints, std::move(handler));
        });
      }
      if (ec == beast::error::timeout) {
        return Unavailable("connect timeout on endpoint URL: " + url);
      }
      if (ec) return Unavailable("could not connect to the endpoint URL: " + url);
      connection_ = std::move(connection);
    }

    Connection& connection = *connection_;
    connection.stream.expires_after(kReadTimeout);
    beast::error_code ec = RunOne(connection.io, [&](auto handler) {
      http::async_write(connection.stream, message, std::move(handler));
    });
    Failure failure = Failure::kNone;
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxBodyBytes);
    if (ec == beast::error::timeout) {
      connection_.reset();
      return Unavailable("read timeout on endpoint URL: " + url);
    }
    if (ec) {
      failure = reused ? Failure::kStale : Failure::kBroken;
    } else {
      connection.stream.expires_after(kReadTimeout);
      ec = RunOne(connection.io, [&](auto handler) {
        http::async_read(connection.stream, connection.buffer, parser, std::move(handler));
      });
      if (ec == beast::error::timeout) {
        connection_.reset();
        return Unavailable("read timeout on endpoint URL: " + url);
      }
      // A reused connection the server already closed reads end-of-stream
      // before any byte of the response.
      if (ec) failure = reused && !parser.got_some() ? Failure::kStale : Failure::kBroken;
    }
    if (failure != Failure::kNone) {
      connection_.reset();
      if (failure == Failure::kStale) continue;
      return Unavailable(
          "connection was closed before a valid response was received from "
          "endpoint URL: " +
          url + " (" + ec.message() + ")");
    }

    http::response<http::string_body> reply = parser.release();
    HttpResponse response{.status = static_cast<int>(reply.result_int()),
                          .reason = std::string(reply.reason())};
    for (const auto& field : reply) {
      response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    response.body = std::move(reply.body());
    if (!reply.keep_alive()) connection_.reset();
    return response;
  }
  return Unavailable("could not connect to the endpoint URL: " + url);
}

}  // namespace barge::cli
