#pragma once
// Router: maps a method, raw path and X-Amz-Target to a route handler. AWS
// Batch has two route shapes, and the AWS JSON services (CloudWatch Logs) a
// third:
//   POST /v1/<operation in lower case>               every operation but tags
//   GET | POST | DELETE /v1/tags/{resourceArn}       the ARN percent-encoded in
//                                                    ONE path segment
//   POST /  with X-Amz-Target: <Prefix>.<Operation>  AWS JSON 1.1
// The ARN segment is decoded whole, so "%2F" inside it stays part of the ARN.
//
// Built once by Api at startup, then only read. Not thread-safe to build;
// Match is const.
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/aws_service.h"
#include "core/result.h"

namespace barge::api {

// What a route handler sees of the request.
struct RouteRequest {
  const nlohmann::json& body;  // The parsed body, an object ({} when the body was empty).
  size_t body_bytes = 0;       // Size of the raw body, for size limits.
  std::string resource_arn{};  // Decoded {resourceArn} of the tags routes.
  // Decoded query parameters in order, repeats kept (?tagKeys=a&tagKeys=b).
  std::vector<std::pair<std::string, std::string>> query{};
};

// Returns the reply body (sent with 200) or an Error (mapped by error_response.h).
using RouteHandler = std::function<Result<nlohmann::json>(const RouteRequest&)>;

// A route whose answer may come later (SubmitJob waits for its group
// commit): it calls `reply` exactly once, now or later on the control
// thread. It must copy what it needs from the request before returning.
using RouteReply = std::function<void(Result<nlohmann::json>)>;
using AsyncRouteHandler = std::function<void(const RouteRequest&, RouteReply reply)>;

// Whether a successful call may have changed resources (the server then runs
// the status reconciler at once).
enum class RouteEffect { kReadOnly, kMutating };

struct Route {
  std::string name{};  // "CreateComputeEnvironment", for logs.
  RouteEffect effect = RouteEffect::kReadOnly;
  RouteHandler handler{};
  AsyncRouteHandler async_handler{};        // Used instead of `handler` when set.
  bool has_body = true;                     // False for GET/DELETE tags: the body is ignored.
  AwsService service = AwsService::kBatch;  // Error types and Content-Type of the reply.
};

struct RouteMatch {
  // kUnknownTarget: POST / with an X-Amz-Target no route serves.
  enum class Kind { kFound, kNotFound, kMethodNotAllowed, kUnknownTarget };
  Kind kind = Kind::kNotFound;
  const Route* route = nullptr;  // When kFound.
  std::string resource_arn{};    // Decoded, for the tags routes.
  std::string allowed{};         // "POST" or "DELETE, GET, POST" when kMethodNotAllowed.
};

class Router {
 public:
  // POST /v1/<op>; `op` is the lower-case operation name ("submitjob").
  void AddOperation(std::string op, Route route);
  // `method` /v1/tags/{resourceArn}.
  void AddTagsMethod(std::string method, Route route);
  // POST / with header X-Amz-Target: `target` ("Logs_20140328.GetLogEvents").
  void AddTarget(std::string target, Route route);

  // `path` is the raw, still percent-encoded path without the query;
  // `amz_target` the X-Amz-Target header ("" when absent), which only the
  // path "/" looks at.
  RouteMatch Match(std::string_view method, std::string_view path,
                   std::string_view amz_target = {}) const;

 private:
  std::map<std::string, Route, std::less<>> operations_;
  std::map<std::string, Route, std::less<>> tags_methods_;
  std::map<std::string, Route, std::less<>> targets_;
};

}  // namespace barge::api
