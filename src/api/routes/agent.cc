// The agent protocol's HTTP routes: /agent/v1/{register,heartbeat,poll,events,logs}.
#include "api/routes/agent.h"

#include <nlohmann/json.hpp>

#include "api/error_response.h"
#include "protocol/codec.h"

namespace barge::api {
namespace {

using Json = nlohmann::json;

HttpReply AgentError(const Error& error) {
  switch (error.code) {
    case ErrorCode::kNotFound:
      return ErrorReply(410, "AgentGone", error.message);
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kFailedPrecondition:
      return ErrorReply(400, "ClientException", error.message);
    case ErrorCode::kConflict:
    case ErrorCode::kUnavailable:
      return ErrorReply(503, "ServerException", error.message);
    case ErrorCode::kInternal:
      return ErrorReply(500, "ServerException", error.message);
  }
  return ErrorReply(500, "ServerException", error.message);
}

// Same cost whatever the position of the first difference.
bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  size_t length = std::max(a.size(), b.size());
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < length; ++i) {
    unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= static_cast<unsigned char>(x ^ y);
  }
  return diff == 0;
}

Result<Json> ParseBody(const std::string& body) {
  if (body.empty()) return Json::object();
  Json json = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    return InvalidArgument("request body must be a JSON object");
  }
  return json;
}

// Decodes with `decode`, then calls `handle`, replying with its result.
template <typename Request, typename Decode, typename Handler>
HttpReply Call(const Json& body, Decode decode, Handler handle) {
  Result<Request> request = decode(body);
  if (!request) return AgentError(request.error());
  auto result = handle(*request);
  if (!result) return AgentError(result.error());
  if constexpr (std::is_same_v<decltype(result), Status>) {
    return JsonReply(Json::object());
  } else {
    return JsonReply(protocol::ToJson(*result));
  }
}

}  // namespace

AgentRoutes::AgentRoutes(control::AgentService& service, std::string token)
    : service_(service), token_(std::move(token)) {}

bool AgentRoutes::Owns(std::string_view target) {
  return target.substr(0, kAgentPathPrefix.size()) == kAgentPathPrefix;
}

bool AgentRoutes::Authorized(const HttpRequest& request) const {
  std::optional<std::string_view> header = FindHeader(request.headers, "Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (!header || token_.empty() || header->substr(0, kBearer.size()) != kBearer) return false;
  return ConstantTimeEquals(header->substr(kBearer.size()), token_);
}

void AgentRoutes::Handle(const HttpRequest& request, Done done) {
  std::string_view target = request.target;
  std::string_view path = target.substr(0, target.find('?'));
  std::string_view action = path.substr(kAgentPathPrefix.size());
  if (action != "register" && action != "heartbeat" && action != "poll" && action != "events" &&
      action != "logs") {
    return done(
        ErrorReply(404, "UnknownOperationException", "no agent operation at " + std::string(path)));
  }
  if (request.method != "POST") {
    HttpReply reply = ErrorReply(
        405, "MethodNotAllowedException",
        "method " + request.method + " is not allowed on " + std::string(path) + "; use POST");
    reply.headers.emplace_back("Allow", "POST");
    return done(std::move(reply));
  }
  if (!Authorized(request)) {
    return done(ErrorReply(401, "UnauthorizedException", "missing or wrong agent token"));
  }
  if (request.body.size() > kMaxRequestBodyBytes) return done(PayloadTooLargeReply());
  Result<Json> body = ParseBody(request.body);
  if (!body) return done(AgentError(body.error()));

  if (action == "register") {
    return done(Call<protocol::RegisterRequest>(
        *body, protocol::RegisterRequestFromJson,
        [&](const protocol::RegisterRequest& r) { return service_.Register(r); }));
  }
  if (action == "heartbeat") {
    return done(Call<protocol::HeartbeatRequest>(
        *body, protocol::HeartbeatRequestFromJson,
        [&](const protocol::HeartbeatRequest& r) { return service_.Heartbeat(r); }));
  }
  if (action == "events") {
    return done(Call<protocol::EventsRequest>(
        *body, protocol::EventsRequestFromJson,
        [&](const protocol::EventsRequest& r) { return service_.Events(r); }));
  }
  if (action == "logs") {
    return done(Call<protocol::LogsRequest>(
        *body, protocol::LogsRequestFromJson,
        [&](const protocol::LogsRequest& r) { return service_.Logs(r); }));
  }
  Result<protocol::PollRequest> poll = protocol::PollRequestFromJson(*body);
  if (!poll) return done(AgentError(poll.error()));
  // `done` moves into the parked poll only when the service accepts it.
  auto shared_done = std::make_shared<Done>(std::move(done));
  Status parked = service_.Poll(*poll, [shared_done](protocol::PollReply reply) {
    (*shared_done)(JsonReply(protocol::ToJson(reply)));
  });
  if (!parked) (*shared_done)(AgentError(parked.error()));
}

}  // namespace barge::api
