#include "api/http_server.h"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <thread>

#include "api/error_response.h"
#include "api/test_resource_services.h"
#include "testing/in_memory_store.h"

namespace barge::api {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// A real server on 127.0.0.1:0. The io_context runs on a background thread
// (standing in for the control thread); the test thread is the client.
class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = HttpServer::Listen(io_, "127.0.0.1:0", api_);
    ASSERT_TRUE(server) << server.error().message;
    server_ = std::move(*server);
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    asio::post(io_, [this] { server_.reset(); });
    thread_.join();  // run() returns once the server and its sessions are gone.
  }

  tcp::socket Connect() {
    tcp::socket socket(client_io_);
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
    return socket;
  }

  static http::response<http::string_body> RoundTrip(tcp::socket& socket, http::verb verb,
                                                     std::string target, std::string body) {
    http::request<http::string_body> request(verb, target, 11);
    request.set(http::field::host, "127.0.0.1");
    request.set(http::field::content_type, "application/json");
    request.body() = std::move(body);
    request.prepare_payload();
    http::write(socket, request);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(socket, buffer, response);
    return response;
  }

  asio::io_context io_;
  asio::io_context client_io_;
  TestResourceServices resources_;
  Api api_{resources_.Services(), ApiOptions{}};
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
};

TEST_F(HttpServerTest, ReportsTheBoundAddress) {
  EXPECT_NE(server_->port(), 0);
  EXPECT_EQ(server_->url(), "http://127.0.0.1:" + std::to_string(server_->port()));
}

TEST_F(HttpServerTest, ServesSeveralRequestsOnOneKeepAliveConnection) {
  tcp::socket socket = Connect();

  auto created = RoundTrip(socket, http::verb::post, "/v1/createcomputeenvironment",
                           R"({"computeEnvironmentName":"ce1","type":"UNMANAGED"})");
  auto described = RoundTrip(socket, http::verb::post, "/v1/describecomputeenvironments", "{}");
  auto unknown = RoundTrip(socket, http::verb::post, "/v1/nosuchoperation", "{}");

  EXPECT_EQ(created.result_int(), 200) << created.body();
  EXPECT_EQ(created[http::field::content_type], "application/json");
  EXPECT_FALSE(created["x-amzn-RequestId"].empty());
  EXPECT_EQ(described.result_int(), 200);
  EXPECT_NE(described.body().find("\"ce1\""), std::string::npos);
  EXPECT_EQ(unknown.result_int(), 404);
  EXPECT_EQ(unknown["x-amzn-ErrorType"], "UnknownOperationException");
  EXPECT_TRUE(unknown.keep_alive());
}

TEST_F(HttpServerTest, OversizedBodyGets413AndTheClientCanReadIt) {
  tcp::socket socket = Connect();

  auto response = RoundTrip(socket, http::verb::post, "/v1/createcomputeenvironment",
                            std::string(2 * kMaxRequestBodyBytes, ' '));

  EXPECT_EQ(response.result_int(), 413);
  EXPECT_EQ(response["x-amzn-ErrorType"], "ClientException");
  EXPECT_FALSE(response.keep_alive());
}

TEST_F(HttpServerTest, MalformedHttpGets400) {
  tcp::socket socket = Connect();
  asio::write(socket, asio::buffer(std::string("NOT HTTP AT ALL\r\n\r\n")));

  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(socket, buffer, response);

  EXPECT_EQ(response.result_int(), 400);
  EXPECT_EQ(response["x-amzn-ErrorType"], "ClientException");
}

}  // namespace
}  // namespace barge::api
