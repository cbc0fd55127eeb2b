// HttpAgentChannel against a tiny in-test HTTP responder on 127.0.0.1:0.
#include "agent/http_agent_channel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "protocol/codec.h"

namespace barge::agent {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Json = nlohmann::json;

struct Seen {
  std::string target{};
  std::string authorization{};
  Json body{};
};

struct Answer {
  int status = 200;
  std::string body = "{}";
  bool close = false;  // Send "Connection: close" and close afterwards.
};

// Serves each connection on its own thread until the test ends.
class Responder {
 public:
  explicit Responder(std::function<Answer(const Seen&)> handler)
      : handler_(std::move(handler)),
        acceptor_(io_, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)) {
    thread_ = std::thread([this] { AcceptLoop(); });
  }
  ~Responder() {
    // A blocked accept() does not wake when its socket is closed: connect to it.
    stopping_ = true;
    beast::error_code ignored;
    tcp::socket waker(io_);
    waker.connect(acceptor_.local_endpoint(), ignored);
    thread_.join();
    acceptor_.close(ignored);
    std::lock_guard lock(mutex_);
    for (auto& socket : sockets_) socket->shutdown(tcp::socket::shutdown_both, ignored);
    for (auto& session : sessions_) session.join();
  }

  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
  }
  std::vector<Seen> seen() {
    std::lock_guard lock(mutex_);
    return seen_;
  }
  int connections() {
    std::lock_guard lock(mutex_);
    return static_cast<int>(sockets_.size());
  }

 private:
  void AcceptLoop() {
    while (true) {
      auto socket = std::make_shared<tcp::socket>(io_);
      beast::error_code ec;
      acceptor_.accept(*socket, ec);
      if (ec || stopping_) return;
      std::lock_guard lock(mutex_);
      sockets_.push_back(socket);
      sessions_.emplace_back([this, socket] { Serve(*socket); });
    }
  }

  void Serve(tcp::socket& socket) {
    beast::flat_buffer buffer;
    while (true) {
      http::request<http::string_body> request;
      beast::error_code ec;
      http::read(socket, buffer, request, ec);
      if (ec) return;
      Seen seen{.target = std::string(request.target()),
                .authorization = std::string(request[http::field::authorization]),
                .body = Json::parse(request.body(), nullptr, false)};
      Answer answer;
      {
        std::lock_guard lock(mutex_);
        seen_.push_back(seen);
        answer = handler_(seen);
      }
      http::response<http::string_body> response{static_cast<http::status>(answer.status), 11};
      response.body() = answer.body;
      response.keep_alive(!answer.close);
      response.prepare_payload();
      http::write(socket, response, ec);
      if (ec || answer.close) {
        socket.shutdown(tcp::socket::shutdown_both, ec);
        return;
      }
    }
  }

  std::function<Answer(const Seen&)> handler_;
  net::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
  std::atomic<bool> stopping_ = false;
  std::mutex mutex_;
  std::vector<Seen> seen_;
  std::vector<std::shared_ptr<tcp::socket>> sockets_;
  std::vector<std::thread> sessions_;
};

class HttpAgentChannelTest : public ::testing::Test {
 protected:
  std::unique_ptr<HttpAgentChannel> Channel(const std::string& url) {
    auto channel = HttpAgentChannel::Create(
        io_, HttpAgentChannelOptions{.server_url = url, .token = "s3cret"});
    EXPECT_TRUE(channel) << channel.error().message;
    return std::move(*channel);
  }

  // Runs the io_context until `done` holds (or 10 s pass).
  template <typename Done>
  void RunUntil(Done done) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      io_.restart();
      io_.run_one_for(std::chrono::milliseconds(20));
    }
  }

  net::io_context io_;
};

TEST_F(HttpAgentChannelTest, RegisterPostsJsonWithTheTokenAndDecodesTheReply) {
  Responder server([](const Seen&) {
    return Answer{.body = R"({"agent_id":"a-1","lease_ms":30000,"heartbeat_ms":5000})"};
  });
  auto channel = Channel(server.url());
  std::optional<Result<protocol::RegisterReply>> got;

  channel->Register(protocol::RegisterRequest{.compute_environment = "ce"},
                    [&](Result<protocol::RegisterReply> reply) { got = std::move(reply); });
  RunUntil([&] { return got.has_value(); });

  ASSERT_TRUE(got.has_value());
  ASSERT_TRUE(*got) << got->error().message;
  EXPECT_EQ((*got)->agent_id, "a-1");
  EXPECT_EQ((*got)->heartbeat_ms, 5000);
  ASSERT_EQ(server.seen().size(), 1u);
  EXPECT_EQ(server.seen()[0].target, "/agent/v1/register");
  EXPECT_EQ(server.seen()[0].authorization, "Bearer s3cret");
  EXPECT_EQ(server.seen()[0].body.value("compute_environment", ""), "ce");
}

TEST_F(HttpAgentChannelTest, StatusCodesMapToTheAgentChannelErrors) {
  Responder server([](const Seen& seen) {
    if (seen.target == "/agent/v1/heartbeat") return Answer{.status = 410, .body = "{}"};
    if (seen.target == "/agent/v1/events") return Answer{.status = 503, .body = "busy"};
    if (seen.target == "/agent/v1/logs") return Answer{.status = 400, .body = "bad"};
    return Answer{.status = 401, .body = "no"};
  });
  auto channel = Channel(server.url());
  std::optional<Result<protocol::HeartbeatReply>> heartbeat;
  std::optional<Result<Acknowledged>> events;
  std::optional<Result<Acknowledged>> logs;
  std::optional<Result<protocol::PollReply>> poll;

  channel->Heartbeat({}, [&](auto r) { heartbeat = std::move(r); });
  channel->SendEvents({}, [&](auto r) { events = std::move(r); });
  channel->SendLogs({}, [&](auto r) { logs = std::move(r); });
  channel->Poll({.wait_ms = 10}, [&](auto r) { poll = std::move(r); });
  RunUntil([&] { return heartbeat && events && logs && poll; });

  ASSERT_TRUE(heartbeat && events && logs && poll);
  EXPECT_EQ(heartbeat->error().code, ErrorCode::kNotFound);
  EXPECT_EQ(events->error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(logs->error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(poll->error().code, ErrorCode::kFailedPrecondition);
}

TEST_F(HttpAgentChannelTest, UnreachableServerIsUnavailable) {
  std::string url;
  {
    Responder gone([](const Seen&) { return Answer{}; });
    url = gone.url();
  }  // Nothing listens there any more.
  auto channel = Channel(url);
  std::optional<Result<protocol::RegisterReply>> got;

  channel->Register({}, [&](auto r) { got = std::move(r); });
  RunUntil([&] { return got.has_value(); });

  ASSERT_TRUE(got.has_value());
  ASSERT_FALSE(*got);
  EXPECT_EQ(got->error().code, ErrorCode::kUnavailable);
}

TEST_F(HttpAgentChannelTest, RequestsReuseTheConnectionAndSurviveTheServerClosingIt) {
  int answered = 0;
  Responder server([&](const Seen&) {
    ++answered;
    return Answer{.close = answered == 2};  // The second reply closes the connection.
  });
  auto channel = Channel(server.url());
  int acknowledged = 0;

  for (int i = 0; i < 3; ++i) {
    channel->SendEvents({}, [&](Result<Acknowledged> r) { acknowledged += r ? 1 : 0; });
  }
  RunUntil([&] { return acknowledged == 3; });

  EXPECT_EQ(acknowledged, 3);
  EXPECT_EQ(server.connections(), 2);  // One kept alive for two requests, then a new one.
}

TEST_F(HttpAgentChannelTest, CancelAllDropsCallbacks) {
  Responder server([](const Seen&) { return Answer{}; });
  auto channel = Channel(server.url());
  bool called = false;

  channel->Poll({.wait_ms = 10}, [&](auto) { called = true; });
  channel->CancelAll();
  io_.restart();
  io_.run_for(std::chrono::milliseconds(100));

  EXPECT_FALSE(called);
}

TEST_F(HttpAgentChannelTest, ServerUrlMustBeHttp) {
  auto https = HttpAgentChannel::Create(io_, {.server_url = "https://example.com"});
  auto bad_port = HttpAgentChannel::Create(io_, {.server_url = "http://host:port"});
  auto with_base = HttpAgentChannel::Create(io_, {.server_url = "http://host:81/barge/"});

  ASSERT_FALSE(https);
  EXPECT_EQ(https.error().code, ErrorCode::kInvalidArgument);
  ASSERT_FALSE(bad_port);
  EXPECT_TRUE(with_base);
}

}  // namespace
}  // namespace barge::agent
