#pragma once
// Test-only: a Transport that plays a tiny barge server for the job
// commands' tests: DescribeJobs of one job, GetLogEvents over in-memory
// streams (pages of two lines, CloudWatch's repeating forward token), and
// any other operation answered by `on_call`. Every request is recorded.
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/signed_client.h"
#include "cli/transport.h"

namespace barge::cli {

class FakeBatchServer final : public Transport {
 public:
  using Json = nlohmann::json;

  Json job = Json::object();  // The DescribeJobs detail; empty object: no such job.
  std::map<std::string, std::vector<std::string>> streams{};
  // Operation name ("SubmitJob") and body -> reply body; status 400 if it has "__type".
  std::function<Json(const std::string& operation, const Json& body)> on_call{};
  // Runs before each DescribeJobs, to move the job along.
  std::function<void(int describe_count)> on_describe{};
  std::vector<std::string> operations{};  // In the order called.
  std::vector<Json> bodies{};
  int describes = 0;

  Result<HttpResponse> RoundTrip(const HttpRequest& request) override {
    std::string operation;
    for (const auto& [name, value] : request.headers) {
      if (name == "X-Amz-Target") operation = value.substr(value.find('.') + 1);
    }
    if (operation.empty()) operation = request.target.substr(request.target.rfind('/') + 1);
    Json body = Json::parse(request.body);
    operations.push_back(operation);
    bodies.push_back(body);
    Json reply;
    if (operation == "describejobs") {
      if (on_describe) on_describe(++describes);
      reply = {{"jobs", job.empty() ? Json::array() : Json::array({job})}};
    } else if (operation == "GetLogEvents") {
      reply = GetLogEvents(body);
    } else {
      reply = on_call ? on_call(operation, body) : Json::object();
    }
    int status = reply.contains("__type") ? 400 : 200;
    return HttpResponse{.status = status, .reason = "", .headers = {}, .body = reply.dump()};
  }

  SignedClient Client() {
    return SignedClient(*this, {.endpoint = {.url = "http://h:1", .host = "h", .port = "1"},
                                .now = [] { return std::chrono::system_clock::time_point(); }});
  }

 private:
  Json GetLogEvents(const Json& body) {
    auto stream = streams.find(body["logStreamName"].get<std::string>());
    if (stream == streams.end()) {
      return {{"__type", "ResourceNotFoundException"},
              {"message", "The specified log stream does not exist."}};
    }
    size_t from = 0;
    if (body.contains("nextToken"))
      from = std::stoul(body["nextToken"].get<std::string>().substr(2));
    Json events = Json::array();
    size_t at = from;
    for (; at < stream->second.size() && at < from + 2; ++at) {
      events.push_back({{"timestamp", 1}, {"message", stream->second[at]}, {"ingestionTime", 2}});
    }
    return {{"events", events},
            {"nextForwardToken", "f/" + std::to_string(at)},
            {"nextBackwardToken", "b/" + std::to_string(from)}};
  }
};

}  // namespace barge::cli
