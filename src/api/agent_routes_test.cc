#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>
#include <optional>

#include "api/api.h"
#include "api/credentials_file.h"
#include "api/http_server.h"
#include "api/routes/agent.h"
#include "control/compute_environment_service.h"
#include "control/dispatch_test_fixture.h"
#include "control/job_definition_service.h"
#include "control/job_queue_service.h"
#include "control/scheduling_policy_service.h"
#include "control/tag_service.h"
#include "protocol/codec.h"

namespace barge::api {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Json = nlohmann::json;

constexpr char kToken[] = "s3cret-token";

class AgentRoutesTest : public control::DispatchTest {
 protected:
  void SetUp() override {
    AddEnvironment("ce");
    AddQueue("q", 1, {"ce"});
  }

  static HttpRequest Request(std::string action, Json body, std::string token = kToken) {
    HttpRequest request{.method = "POST", .target = "/agent/v1/" + action, .body = body.dump()};
    if (!token.empty()) request.headers.emplace_back("Authorization", "Bearer " + token);
    return request;
  }

  std::string RegisterOverHttp() {
    HttpReply reply =
        api_.Handle(Request("register", protocol::ToJson(protocol::RegisterRequest{
                                            .compute_environment = "ce",
                                            .instance_id = "i-9",
                                            .capacity = {.millicpus = 4000, .memory_mib = 4096}})));
    EXPECT_EQ(reply.status, 200) << reply.body;
    Json json = Json::parse(reply.body, nullptr, false);
    return json.is_object() ? json.value("agent_id", "") : "";
  }

  control::ComputeEnvironmentService compute_environments_{store_, arns_};
  control::JobQueueService job_queues_{store_, arns_};
  control::JobDefinitionService job_definitions_{store_, arns_};
  control::SchedulingPolicyService scheduling_policies_{store_, arns_};
  control::TagService tags_{store_, arns_};
  Api api_{ApiServices{.compute_environments = compute_environments_,
                       .job_queues = job_queues_,
                       .job_definitions = job_definitions_,
                       .scheduling_policies = scheduling_policies_,
                       .tags = tags_,
                       .agents = agents_.get()},
           ApiOptions{.agent_token = kToken}};
};

TEST_F(AgentRoutesTest, RegisterRepliesWithAnAgentIdAndLease) {
  HttpReply reply = api_.Handle(Request(
      "register",
      protocol::ToJson(protocol::RegisterRequest{
          .compute_environment = "ce", .capacity = {.millicpus = 1000, .memory_mib = 512}})));

  ASSERT_EQ(reply.status, 200) << reply.body;
  Json json = Json::parse(reply.body);
  EXPECT_FALSE(json["agent_id"].get<std::string>().empty());
  EXPECT_EQ(json["lease_ms"], 15000);
}

TEST_F(AgentRoutesTest, WrongOrMissingTokenIs401) {
  HttpReply wrong = api_.Handle(Request("heartbeat", {{"agent_id", "x"}}, "guess"));
  HttpReply missing = api_.Handle(Request("heartbeat", {{"agent_id", "x"}}, ""));
  HttpReply prefix = api_.Handle(Request("heartbeat", {{"agent_id", "x"}}, "s3cret"));

  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(missing.status, 401);
  EXPECT_EQ(prefix.status, 401);
}

TEST_F(AgentRoutesTest, UnknownAgentIs410) {
  EXPECT_EQ(api_.Handle(Request("heartbeat", {{"agent_id", "ghost"}})).status, 410);
  EXPECT_EQ(
      api_.Handle(Request("events", {{"agent_id", "ghost"}, {"events", Json::array()}})).status,
      410);
  EXPECT_EQ(api_.Handle(Request("poll", {{"agent_id", "ghost"}, {"wait_ms", 0}})).status, 410);
}

TEST_F(AgentRoutesTest, UnknownEnvironmentAndBadBodiesAre400) {
  HttpReply unknown_ce = api_.Handle(Request(
      "register",
      protocol::ToJson(protocol::RegisterRequest{
          .compute_environment = "nope", .capacity = {.millicpus = 1000, .memory_mib = 1}})));
  HttpRequest not_json = Request("heartbeat", {});
  not_json.body = "{oops";

  EXPECT_EQ(unknown_ce.status, 400);
  EXPECT_NE(unknown_ce.body.find("nope"), std::string::npos);
  EXPECT_EQ(api_.Handle(not_json).status, 400);
  EXPECT_EQ(api_.Handle(Request("heartbeat", {{"agent_id", 7}})).status, 400);
}

TEST_F(AgentRoutesTest, UnknownPathIs404AndGetIs405) {
  HttpRequest get = Request("poll", {});
  get.method = "GET";

  EXPECT_EQ(api_.Handle(Request("nothing", {})).status, 404);
  EXPECT_EQ(api_.Handle(get).status, 405);
}

TEST_F(AgentRoutesTest, AgentRoutesUseTheTokenNotSigV4) {
  Sigv4Verifier verifier(CredentialSet{{"AKIDEXAMPLE", "secret"}}, clock_);
  Api signed_api(ApiServices{.compute_environments = compute_environments_,
                             .job_queues = job_queues_,
                             .job_definitions = job_definitions_,
                             .scheduling_policies = scheduling_policies_,
                             .tags = tags_,
                             .agents = agents_.get()},
                 ApiOptions{.verifier = &verifier, .agent_token = kToken});

  HttpReply aws =
      signed_api.Handle({.method = "POST", .target = "/v1/describejobqueues", .body = "{}"});
  HttpReply agent = signed_api.Handle(Request("heartbeat", {{"agent_id", "ghost"}}));

  EXPECT_EQ(aws.status, 403);
  EXPECT_EQ(agent.status, 410);  // Past authentication, to the service.
}

TEST_F(AgentRoutesTest, ParkedPollCompletesWhenAnAssignmentArrives) {
  std::string agent = RegisterOverHttp();
  std::optional<HttpReply> reply;

  api_.HandleAsync(Request("poll", {{"agent_id", agent}, {"wait_ms", 20000}}),
                   [&](HttpReply r) { reply = std::move(r); });
  EXPECT_FALSE(reply.has_value());
  AddJob("j", "q", control::Vcpus(1));
  ASSERT_TRUE(dispatcher_->Tick());

  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->status, 200);
  Json json = Json::parse(reply->body);
  ASSERT_EQ(json["assignments"].size(), 1U);
  EXPECT_EQ(json["assignments"][0]["job_id"], "j");
}

TEST_F(AgentRoutesTest, EventsAndLogsReplyEmptyObjects) {
  std::string agent = RegisterOverHttp();
  AddJob("j", "q", control::Vcpus(1));
  std::vector<protocol::Assignment> assignments = TickAndPoll(agent);
  ASSERT_EQ(assignments.size(), 1U);
  std::string attempt = assignments[0].attempt_id;

  HttpReply events = api_.Handle(Request(
      "events",
      protocol::ToJson(protocol::EventsRequest{.agent_id = agent,
                                               .events = {{.attempt_id = attempt,
                                                           .kind = protocol::EventKind::kExited,
                                                           .at_ms = 5,
                                                           .exit_code = 0}}})));
  HttpReply logs = api_.Handle(Request(
      "logs",
      protocol::ToJson(protocol::LogsRequest{.agent_id = agent,
                                             .attempt_id = attempt,
                                             .lines = {{.timestamp_ms = 1, .message = "hi"}}})));

  EXPECT_EQ(events.status, 200) << events.body;
  EXPECT_EQ(events.body, "{}");
  EXPECT_EQ(logs.status, 200) << logs.body;
  EXPECT_EQ(StatusOf("j"), JobStatus::kSucceeded);
}

// The long-poll through the real HTTP server, with the io_context driven by
// the test thread: the client's request parks, the connection waits, and the
// reply goes out the moment the dispatcher queues an assignment.
TEST_F(AgentRoutesTest, LongPollOverHttpCompletesWhenWorkIsQueued) {
  asio::io_context io;
  auto listening = HttpServer::Listen(io, "127.0.0.1:0", api_);
  ASSERT_TRUE(listening) << listening.error().message;
  std::unique_ptr<HttpServer> server = std::move(*listening);
  std::string agent = RegisterOverHttp();

  tcp::socket socket(io);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server->port()));
  http::request<http::string_body> request(http::verb::post, "/agent/v1/poll", 11);
  request.set(http::field::host, "127.0.0.1");
  request.set(http::field::authorization, std::string("Bearer ") + kToken);
  request.body() = Json{{"agent_id", agent}, {"wait_ms", 20000}}.dump();
  request.prepare_payload();
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  bool answered = false;
  http::async_write(socket, request, [&](beast::error_code ec, size_t) {
    ASSERT_FALSE(ec) << ec.message();
    http::async_read(socket, buffer, response, [&](beast::error_code read_ec, size_t) {
      ASSERT_FALSE(read_ec) << read_ec.message();
      answered = true;
    });
  });

  while (!registry_->HasParkedPoll(agent)) io.run_one();
  EXPECT_FALSE(answered);
  AddJob("j", "q", control::Vcpus(1));
  ASSERT_TRUE(dispatcher_->Tick());
  while (!answered) io.run_one();

  EXPECT_EQ(response.result_int(), 200);
  Json json = Json::parse(response.body());
  ASSERT_EQ(json["assignments"].size(), 1U);
  EXPECT_EQ(json["assignments"][0]["job_id"], "j");
  server.reset();
  socket.close();
  io.run();  // The server's session winds down.
}

}  // namespace
}  // namespace barge::api
