#pragma once
// JSON codecs for protocol/messages.h. Decoding is strict about types
// (kInvalidArgument naming the member); unknown members are ignored so that
// a newer peer can add fields. Pure functions; any thread.
#include <nlohmann/json.hpp>

#include "core/result.h"
#include "protocol/messages.h"

namespace barge::protocol {

using Json = nlohmann::json;

Json ToJson(const RegisterRequest& m);
Json ToJson(const RegisterReply& m);
Json ToJson(const HeartbeatRequest& m);
Json ToJson(const HeartbeatReply& m);
Json ToJson(const PollRequest& m);
Json ToJson(const PollReply& m);
Json ToJson(const EventsRequest& m);
Json ToJson(const LogsRequest& m);

Result<RegisterRequest> RegisterRequestFromJson(const Json& json);
Result<RegisterReply> RegisterReplyFromJson(const Json& json);
Result<HeartbeatRequest> HeartbeatRequestFromJson(const Json& json);
Result<HeartbeatReply> HeartbeatReplyFromJson(const Json& json);
Result<PollRequest> PollRequestFromJson(const Json& json);
Result<PollReply> PollReplyFromJson(const Json& json);
Result<EventsRequest> EventsRequestFromJson(const Json& json);
Result<LogsRequest> LogsRequestFromJson(const Json& json);

}  // namespace barge::protocol
