#include "cli/dev_bootstrap.h"

#include <cctype>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <thread>

namespace barge::cli {
namespace {

using Json = nlohmann::json;

constexpr const char* kExecutorTag = "barge:executor";

Result<Json> Call(Transport& transport, const std::string& method, const std::string& target,
                  const Json& body) {
  HttpRequest request{.method = method,
                      .target = target,
                      .headers = {{"Content-Type", "application/json"}},
                      .body = body.dump()};
  auto response = transport.RoundTrip(request);
  if (!response) return response.error();
  Json reply = Json::parse(response->body, nullptr, /*allow_exceptions=*/false);
  if (response->status != 200) {
    std::string message =
        reply.is_object() && reply.contains("message") && reply["message"].is_string()
            ? reply["message"].get<std::string>()
            : response->body;
    return FailedPrecondition(target + ": " + message);
  }
  if (!reply.is_object()) return Internal(target + ": reply is not a JSON object");
  return reply;
}

Result<Json> Post(Transport& transport, const std::string& operation, const Json& body) {
  return Call(transport, "POST", "/v1/" + operation, body);
}

// The environment as DescribeComputeEnvironments shows it; null when absent.
Result<Json> Describe(Transport& transport, const std::string& name) {
  auto described =
      Post(transport, "describecomputeenvironments", {{"computeEnvironments", {name}}});
  if (!described) return described.error();
  const Json& list = (*described)["computeEnvironments"];
  if (!list.is_array() || list.empty()) return Json();
  return list[0];
}

std::string TagOf(const Json& ce) {
  if (!ce.contains("tags") || !ce["tags"].is_object()) return "";
  return ce["tags"].value(kExecutorTag, "");
}

// Dev's --min-vcpus and --max-vcpus apply to an environment made by an
// earlier dev too.
Status FollowMaxvCpus(Transport& transport, const Json& existing,
                      const DevEnvironment& environment) {
  if (!existing.contains("computeResources") || !existing["computeResources"].is_object()) {
    return Ok();
  }
  const Json& resources = existing["computeResources"];
  if (resources.value("maxvCpus", int64_t{-1}) == environment.max_vcpus &&
      resources.value("minvCpus", int64_t{0}) == environment.min_vcpus) {
    return Ok();
  }
  auto updated =
      Post(transport, "updatecomputeenvironment",
           {{"computeEnvironment", environment.name},
            {"computeResources",
             {{"minvCpus", environment.min_vcpus}, {"maxvCpus", environment.max_vcpus}}}});
  if (!updated) return updated.error();
  return Ok();
}

}  // namespace

std::string EncodePathSegment(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    bool unreserved = std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      char escaped[4];
      std::snprintf(escaped, sizeof escaped, "%%%02X", c);
      out += escaped;
    }
  }
  return out;
}

Result<std::string> EnsureDevEnvironment(Transport& transport, const DevEnvironment& environment) {
  const std::string& name = environment.name;
  auto existing = Describe(transport, name);
  if (!existing) return existing.error();
  std::string executor = environment.executor;
  if (existing->is_null()) {
    Json create = {{"computeEnvironmentName", name},
                   {"type", "MANAGED"},
                   {"state", "ENABLED"},
                   {"computeResources",
                    {{"type", "EC2"},
                     {"minvCpus", environment.min_vcpus},
                     {"maxvCpus", environment.max_vcpus},
                     {"instanceTypes", {"optimal"}}}},
                   {"tags", {{kExecutorTag, executor}}}};
    auto created = Post(transport, "createcomputeenvironment", create);
    if (!created) return created.error();
  } else {
    if (std::string tag = TagOf(*existing); !tag.empty()) {
      executor = tag;  // Chosen earlier (or by hand with TagResource): kept.
    } else {
      std::string arn = existing->value("computeEnvironmentArn", "");
      auto tagged = Call(transport, "POST", "/v1/tags/" + EncodePathSegment(arn),
                         {{"tags", {{kExecutorTag, executor}}}});
      if (!tagged) return tagged.error();
    }
    auto updated = FollowMaxvCpus(transport, *existing, environment);
    if (!updated) return updated.error();
  }

  for (int i = 0; i < 100; ++i) {
    auto described = Describe(transport, name);
    if (!described) return described.error();
    std::string status = described->is_null() ? "" : described->value("status", "");
    if (status == "VALID") break;
    if (status == "INVALID") {
      return FailedPrecondition("compute environment " + name +
                                " is INVALID: " + described->value("statusReason", ""));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }

  auto queues = Post(transport, "describejobqueues", {{"jobQueues", {name}}});
  if (!queues) return queues.error();
  if ((*queues)["jobQueues"].empty()) {
    Json create = {{"jobQueueName", name},
                   {"priority", 1},
                   {"state", "ENABLED"},
                   {"computeEnvironmentOrder", {{{"order", 1}, {"computeEnvironment", name}}}}};
    auto created = Post(transport, "createjobqueue", create);
    if (!created) return created.error();
  }
  return executor;
}

}  // namespace barge::cli
