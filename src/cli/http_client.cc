// The only file of cli/ that includes Beast: it is slow to compile.
#include "cli/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
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
      if (!ec) connection->stream.connect(endpoints, ec);
      if (ec) return Unavailable("could not connect to the endpoint URL: " + url);
      connection_ = std::move(connection);
    }

    beast::error_code ec;
    http::write(connection_->stream, message, ec);
    Failure failure = Failure::kNone;
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxBodyBytes);
    if (ec) {
      failure = reused ? Failure::kStale : Failure::kBroken;
    } else {
      http::read(connection_->stream, connection_->buffer, parser, ec);
      // A reused connection the server already closed reads end-of-stream
      // before any byte of the response.
      if (ec) failure = reused && !parser.got_some() ? Failure::kStale : Failure::kBroken;
    }
    if (failure != Failure::kNone) {
      connection_.reset();
      if (failure == Failure::kStale) continue;
      return Unavailable("connection was closed before a valid response was received from "
                         "endpoint URL: " + url + " (" + ec.message() + ")");
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
