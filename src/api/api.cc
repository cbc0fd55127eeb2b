#include "api/api.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <memory>
#include <optional>

#include "api/error_response.h"
#include "api/routes/routes.h"

namespace barge::api {
namespace {

using Json = nlohmann::json;

// No AWS Batch request shape comes close: the deepest (nodeOverrides) is ~8.
constexpr size_t kMaxJsonDepth = 64;

// Decodes "a=1&b=%20x" into pairs; nullopt for a malformed escape.
std::optional<std::vector<std::pair<std::string, std::string>>> ParseQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t start = 0;
  while (start < query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    std::string_view pair = query.substr(start, end - start);
    start = end + 1;
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::optional<std::string> name = PercentDecode(pair.substr(0, eq));
    std::optional<std::string> value =
        PercentDecode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!name || !value) return std::nullopt;
    out.emplace_back(std::move(*name), std::move(*value));
  }
  return out;
}

// The message of a JSON parse error without nlohmann's "[json.exception...] " prefix.
// Both parse_error and out_of_range (a number too large for a double, e.g.
// 1e9999) are thrown by the parser for a malformed body.
std::string_view ParseErrorMessage(const Json::exception& error) {
  std::string_view what = error.what();
  size_t bracket = what.find("] ");
  return bracket == std::string_view::npos ? what : what.substr(bracket + 2);
}

// How deeply arrays and objects nest in `json` text, ignoring brackets inside
// strings. Checked before parsing because the JSON library recurses when it
// copies, dumps or compares values, and a body of 500k '[' would exhaust the
// stack.
size_t NestingDepth(std::string_view json) {
  size_t depth = 0;
  size_t max_depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    char c = json[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      max_depth = std::max(max_depth, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return max_depth;
}

std::string_view RequestId(const HttpReply& reply) {
  std::optional<std::string_view> id = FindHeader(reply.headers, "x-amzn-RequestId");
  return id ? *id : std::string_view("-");
}

}  // namespace

Api::Api(ApiServices services, ApiOptions options) : options_(std::move(options)) {
  AddComputeEnvironmentRoutes(router_, services.compute_environments);
  AddJobQueueRoutes(router_, services.job_queues);
  AddJobDefinitionRoutes(router_, services.job_definitions);
  AddSchedulingPolicyRoutes(router_, services.scheduling_policies);
  AddTagRoutes(router_, services.tags);
  if (services.jobs != nullptr) AddJobRoutes(router_, *services.jobs);
  if (services.logs != nullptr) AddLogRoutes(router_, *services.logs);
  if (services.cost != nullptr) AddCostRoutes(router_, *services.cost);
  if (services.agents != nullptr) {
    agent_routes_ = std::make_unique<AgentRoutes>(*services.agents, options_.agent_token);
  }
}

struct Api::Exchange {
  std::chrono::steady_clock::time_point started{};
  std::string method{};
  std::string target{};
  std::string_view route_name = "-";  // Into the Router's routes, which outlive requests.
  bool mutated = false;
  bool answered = false;
  std::function<void(HttpReply)> done{};
};

void Api::HandleAsync(const HttpRequest& request, std::function<void(HttpReply)> done) {
  if (!AgentRoutes::Owns(request.target)) return Serve(request, std::move(done));
  if (agent_routes_ == nullptr) {
    return done(ErrorReply(404, kUnknownOperation, "this server does not serve agents"));
  }
  if (spdlog::should_log(spdlog::level::debug)) {
    // Agent requests bypass Serve, so they are logged here, when answered.
    done = [started = std::chrono::steady_clock::now(), method = request.method,
            target = request.target, done = std::move(done)](HttpReply reply) {
      auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::steady_clock::now() - started)
                        .count();
      spdlog::debug("{} {} -> {} in {} us", method, target, reply.status, micros);
      done(std::move(reply));
    };
  }
  try {
    agent_routes_->Handle(request, std::move(done));
  } catch (const std::exception& e) {
    // A bug below us. `done` may be gone with the throw; the connection then
    // closes without a reply, and the agent retries.
    spdlog::error("{} {}: unexpected exception: {}", request.method, request.target, e.what());
  }
}

HttpReply Api::Handle(const HttpRequest& request) {
  auto reply = std::make_shared<std::optional<HttpReply>>();
  HandleAsync(request, [reply](HttpReply answer) { *reply = std::move(answer); });
  if (*reply) return std::move(**reply);
  return ErrorReply(Internal("this request completes later and needs HandleAsync"));
}

void Api::Serve(const HttpRequest& request, std::function<void(HttpReply)> done) {
  auto exchange = std::make_shared<Exchange>(Exchange{.started = std::chrono::steady_clock::now(),
                                                      .method = request.method,
                                                      .target = request.target,
                                                      .done = std::move(done)});
  std::optional<HttpReply> reply;
  try {
    reply = Dispatch(request, exchange);
  } catch (const std::exception& e) {
    // A bug below us; the client gets a ServerException and the server lives on.
    spdlog::error("{} {}: unexpected exception: {}", request.method, exchange->route_name,
                  e.what());
    reply = ErrorReply(Internal("internal error"));
  } catch (...) {
    spdlog::error("{} {}: unexpected exception", request.method, exchange->route_name);
    reply = ErrorReply(Internal("internal error"));
  }
  if (reply) Finish(*exchange, std::move(*reply));
}

void Api::Finish(Exchange& exchange, HttpReply reply) {
  if (exchange.answered) return;  // An asynchronous route answered, then threw.
  exchange.answered = true;
  if (exchange.mutated && reply.status == 200 && options_.after_mutation) {
    options_.after_mutation();
  }
  if (reply.status >= 500) {
    spdlog::error("{} {} ({}) -> {} {} id={}", exchange.method, exchange.target,
                  exchange.route_name, reply.status, reply.body, RequestId(reply));
  } else if (spdlog::should_log(spdlog::level::debug)) {
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - exchange.started)
                      .count();
    spdlog::debug("{} {} ({}) -> {} in {} us id={}", exchange.method, exchange.target,
                  exchange.route_name, reply.status, micros, RequestId(reply));
  }
  exchange.done(std::move(reply));
}

std::optional<HttpReply> Api::Dispatch(const HttpRequest& request,
                                       const std::shared_ptr<Exchange>& exchange) {
  if (request.body.size() > kMaxRequestBodyBytes) return PayloadTooLargeReply();
  if (options_.verifier != nullptr) {
    if (std::optional<AuthFailure> failure = options_.verifier->Verify(request)) {
      return ErrorReply(failure->http_status, failure->aws_type, failure->message);
    }
  }

  std::string_view target = request.target;
  size_t question = target.find('?');
  std::string_view path = target.substr(0, question);
  std::string_view query = question == std::string_view::npos ? "" : target.substr(question + 1);

  std::string_view amz_target = FindHeader(request.headers, "x-amz-target").value_or("");
  RouteMatch match = router_.Match(request.method, path, amz_target);
  switch (match.kind) {
    case RouteMatch::Kind::kNotFound:
      return ErrorReply(404, kUnknownOperation,
                        "no operation at " + request.method + " " + std::string(path));
    case RouteMatch::Kind::kUnknownTarget:
      // What the AWS JSON services answer for an operation they do not have.
      return ErrorReply(400, kUnknownOperation,
                        "operation " + std::string(amz_target) + " is not supported",
                        AwsService::kLogs);
    case RouteMatch::Kind::kMethodNotAllowed: {
      HttpReply reply = ErrorReply(405, kMethodNotAllowed,
                                   "method " + request.method + " is not allowed on " +
                                       std::string(path) + "; use " + match.allowed);
      reply.headers.emplace_back("Allow", match.allowed);
      return reply;
    }
    case RouteMatch::Kind::kFound:
      break;
  }
  const Route& route = *match.route;
  exchange->route_name = route.name;
  auto fail = [&route](Error error) { return ErrorReply(error, route.service); };

  auto query_pairs = ParseQuery(query);
  if (!query_pairs) return fail(InvalidArgument("malformed query string"));

  Json body = Json::object();
  if (route.has_body && !request.body.empty()) {
    if (NestingDepth(request.body) > kMaxJsonDepth) {
      return fail(InvalidArgument("request body nests deeper than " +
                                  std::to_string(kMaxJsonDepth) + " levels"));
    }
    try {
      body = Json::parse(request.body);
    } catch (const Json::exception& e) {
      return fail(
          InvalidArgument("request body is not valid JSON: " + std::string(ParseErrorMessage(e))));
    }
    if (!body.is_object()) return fail(InvalidArgument("request body must be a JSON object"));
  }

  RouteRequest route_request{.body = body,
                             .body_bytes = request.body.size(),
                             .resource_arn = std::move(match.resource_arn),
                             .query = std::move(*query_pairs)};
  bool mutating = route.effect == RouteEffect::kMutating;
  if (route.async_handler) {
    AwsService service = route.service;
    route.async_handler(route_request, [this, exchange, mutating, service](Result<Json> result) {
      // Runs later, from the service (a group commit): a throw here must
      // not unwind into it.
      try {
        if (!result) return Finish(*exchange, ErrorReply(result.error(), service));
        exchange->mutated = mutating;
        Finish(*exchange, JsonReply(*result, service));
      } catch (const std::exception& e) {
        spdlog::error("{} {}: unexpected exception: {}", exchange->method, exchange->route_name,
                      e.what());
        Finish(*exchange, ErrorReply(Internal("internal error"), service));
      }
    });
    return std::nullopt;
  }
  Result<Json> result = route.handler(route_request);
  if (!result) return fail(result.error());
  exchange->mutated = mutating;
  return JsonReply(*result, route.service);
}

}  // namespace barge::api
