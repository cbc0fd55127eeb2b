#include "cli/dev_bootstrap.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace barge::cli {
namespace {

using Json = nlohmann::json;

// Plays the few calls dev makes: environments and queues by name, tags.
class FakeDevServer final : public Transport {
 public:
  std::map<std::string, Json> environments{};  // By name, as described.
  std::map<std::string, Json> queues{};
  std::vector<std::string> targets{};  // "POST /v1/..." in order.

  Result<HttpResponse> RoundTrip(const HttpRequest& request) override {
    targets.push_back(request.method + " " + request.target);
    Json body = Json::parse(request.body);
    Json reply = Json::object();
    if (request.target == "/v1/describecomputeenvironments") {
      reply["computeEnvironments"] = Json::array();
      for (const Json& name : body["computeEnvironments"]) {
        auto it = environments.find(name.get<std::string>());
        if (it != environments.end()) reply["computeEnvironments"].push_back(it->second);
      }
    } else if (request.target == "/v1/createcomputeenvironment") {
      std::string name = body["computeEnvironmentName"];
      Json ce = body;
      ce["computeEnvironmentArn"] = Arn(name);
      ce["status"] = "VALID";
      environments[name] = ce;
    } else if (request.target.starts_with("/v1/tags/")) {
      for (auto& [name, ce] : environments) {
        if (request.target == "/v1/tags/" + EncodePathSegment(Arn(name))) {
          for (const auto& [key, value] : body["tags"].items()) ce["tags"][key] = value;
        }
      }
    } else if (request.target == "/v1/updatecomputeenvironment") {
      Json& ce = environments.at(body["computeEnvironment"].get<std::string>());
      for (const auto& [key, value] : body["computeResources"].items()) {
        ce["computeResources"][key] = value;
      }
    } else if (request.target == "/v1/describejobqueues") {
      reply["jobQueues"] = Json::array();
      for (const Json& name : body["jobQueues"]) {
        auto it = queues.find(name.get<std::string>());
        if (it != queues.end()) reply["jobQueues"].push_back(it->second);
      }
    } else if (request.target == "/v1/createjobqueue") {
      queues[body["jobQueueName"]] = body;
    }
    return HttpResponse{.status = 200, .body = reply.dump()};
  }

  static std::string Arn(const std::string& name) {
    return "arn:aws:batch:us-east-1:000000000000:compute-environment/" + name;
  }
};

TEST(DevBootstrapTest, CreatesTheEnvironmentWithItsExecutorAndItsQueue) {
  FakeDevServer server;

  auto executor =
      EnsureDevEnvironment(server, {.name = "containers", .executor = "container", .max_vcpus = 4});

  ASSERT_TRUE(executor) << executor.error().message;
  EXPECT_EQ(*executor, "container");
  const Json& ce = server.environments.at("containers");
  EXPECT_EQ(ce["tags"], (Json{{"barge:executor", "container"}}));
  EXPECT_EQ(ce["type"], "MANAGED");
  EXPECT_EQ(ce["computeResources"]["maxvCpus"], 4);
  EXPECT_EQ(server.queues.at("containers")["computeEnvironmentOrder"][0]["computeEnvironment"],
            "containers");
}

TEST(DevBootstrapTest, TagsAnOlderEnvironmentThatHasNoExecutor) {
  FakeDevServer server;
  server.environments["default"] = {{"computeEnvironmentName", "default"},
                                    {"computeEnvironmentArn", FakeDevServer::Arn("default")},
                                    {"status", "VALID"},
                                    {"tags", {{"team", "a"}}}};
  server.queues["default"] = {{"jobQueueName", "default"}};

  auto executor =
      EnsureDevEnvironment(server, {.name = "default", .executor = "process", .max_vcpus = 2});

  ASSERT_TRUE(executor) << executor.error().message;
  EXPECT_EQ(*executor, "process");
  EXPECT_EQ(server.environments.at("default")["tags"],
            (Json{{"barge:executor", "process"}, {"team", "a"}}));
  EXPECT_NE(
      std::find(server.targets.begin(), server.targets.end(),
                "POST /v1/tags/"
                "arn%3Aaws%3Abatch%3Aus-east-1%3A000000000000%3Acompute-environment%2Fdefault"),
      server.targets.end());
}

TEST(DevBootstrapTest, KeepsAnExecutorChosenEarlier) {
  FakeDevServer server;
  server.environments["default"] = {{"computeEnvironmentName", "default"},
                                    {"computeEnvironmentArn", FakeDevServer::Arn("default")},
                                    {"status", "VALID"},
                                    {"tags", {{"barge:executor", "container"}}}};

  auto executor =
      EnsureDevEnvironment(server, {.name = "default", .executor = "process", .max_vcpus = 2});

  ASSERT_TRUE(executor) << executor.error().message;
  EXPECT_EQ(*executor, "container");
  EXPECT_EQ(server.environments.at("default")["tags"], (Json{{"barge:executor", "container"}}));
}

TEST(DevBootstrapTest, AnEarlierEnvironmentFollowsDevsMaxvCpus) {
  FakeDevServer server;
  ASSERT_TRUE(
      EnsureDevEnvironment(server, {.name = "default", .executor = "process", .max_vcpus = 2}));

  auto again =
      EnsureDevEnvironment(server, {.name = "default", .executor = "process", .max_vcpus = 8});

  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(server.environments.at("default")["computeResources"]["maxvCpus"], 8);
  EXPECT_EQ(
      std::count(server.targets.begin(), server.targets.end(), "POST /v1/updatecomputeenvironment"),
      1);
}

TEST(DevBootstrapTest, EncodesEverythingButUnreservedCharacters) {
  EXPECT_EQ(EncodePathSegment("arn:aws:batch/ce_1-x.y~z"), "arn%3Aaws%3Abatch%2Fce_1-x.y~z");
}

}  // namespace
}  // namespace barge::cli
