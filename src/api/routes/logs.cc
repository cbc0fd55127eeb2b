// CloudWatch Logs' GetLogEvents, which `aws logs get-log-events`, boto3's
// logs client and `barge logs` call for a job's output: AWS JSON 1.1, POST /
// with X-Amz-Target: Logs_20140328.GetLogEvents.
//
// Tokens are "f/<sequence>" and "b/<sequence>" (control/log_service.h's
// LogCursor, 20 digits so they sort as text). Clients treat them as opaque
// and compare them only for equality, which tells them the end was reached.

// clang-format off
// routes.h first: see jobs.cc.
#include "api/routes/routes.h"
// clang-format on

#include <charconv>
#include <cstdio>

#include "codec/json_reader.h"

namespace barge::api {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kTargetPrefix = "Logs_20140328.";
// arn:aws:logs:<region>:<account>:log-group:<name>, optionally ending in ":*".
constexpr std::string_view kLogGroupArnPart = ":log-group:";

std::string EncodeToken(const control::LogCursor& cursor) {
  char text[32];
  std::snprintf(text, sizeof text, "%c/%020lld",
                cursor.direction == LogDirection::kForward ? 'f' : 'b',
                static_cast<long long>(cursor.sequence));
  return text;
}

Result<control::LogCursor> DecodeToken(std::string_view token) {
  Error invalid = InvalidArgument("The specified nextToken is invalid.");
  if (token.size() < 3 || token.size() > 32 || token[1] != '/') return invalid;
  control::LogCursor cursor;
  if (token[0] == 'f') {
    cursor.direction = LogDirection::kForward;
  } else if (token[0] == 'b') {
    cursor.direction = LogDirection::kBackward;
  } else {
    return invalid;
  }
  std::string_view digits = token.substr(2);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), cursor.sequence);
  if (ec != std::errc{} || end != digits.data() + digits.size() || cursor.sequence < 0) {
    return invalid;
  }
  return cursor;
}

// The group's name from logGroupName or logGroupIdentifier (a name or an ARN).
Result<std::string> LogGroupName(codec::JsonReader& r) {
  std::optional<std::string> name = r.String("logGroupName");
  std::optional<std::string> identifier = r.String("logGroupIdentifier");
  if (name && identifier) {
    return InvalidArgument(
        "LogGroupName and LogGroupIdentifier are mutually exclusive parameters.");
  }
  if (name) return *name;
  if (!identifier) {
    return InvalidArgument("Either logGroupName or logGroupIdentifier should be provided.");
  }
  std::string_view id = *identifier;
  if (!id.starts_with("arn:")) return std::string(id);
  size_t part = id.find(kLogGroupArnPart);
  if (part == std::string_view::npos)
    return InvalidArgument("invalid log group ARN: " + *identifier);
  id.remove_prefix(part + kLogGroupArnPart.size());
  if (id.ends_with(":*")) id.remove_suffix(2);
  return std::string(id);
}

std::optional<Timestamp> NonNegativeTime(codec::JsonReader& r, std::string_view member) {
  std::optional<int64_t> ms = r.Int64(member);
  if (!ms) return std::nullopt;
  if (*ms < 0) r.Fail(std::string(member) + " must not be negative");
  return FromEpochMillis(*ms);
}

Result<control::LogEventsRequest> ReadRequest(const Json& body) {
  codec::JsonReader r(body, "");
  Result<std::string> group = LogGroupName(r);
  if (!group) return group.error();
  control::LogEventsRequest request{
      .log_group = std::move(*group),
      .log_stream = r.String("logStreamName").value_or(""),
      .start_time = NonNegativeTime(r, "startTime"),
      .end_time = NonNegativeTime(r, "endTime"),
      .cursor = std::nullopt,
      .limit = r.Int32("limit"),
      .start_from_head = r.Bool("startFromHead").value_or(false),
  };
  std::optional<std::string> token = r.String("nextToken");
  BARGE_RETURN_IF_ERROR(r.status());
  if (token) {
    Result<control::LogCursor> cursor = DecodeToken(*token);
    if (!cursor) return cursor.error();
    request.cursor = *cursor;
  }
  return request;
}

Json PageReply(const control::LogEventsPage& page) {
  Json events = Json::array();
  for (const LogEvent& event : page.events) {
    events.push_back(Json{{"timestamp", ToEpochMillis(event.timestamp)},
                          {"message", event.message},
                          {"ingestionTime", ToEpochMillis(event.ingested_at)}});
  }
  return Json{{"events", std::move(events)},
              {"nextForwardToken", EncodeToken(page.next_forward)},
              {"nextBackwardToken", EncodeToken(page.next_backward)}};
}

}  // namespace

void AddLogRoutes(Router& router, control::LogService& service) {
  router.AddTarget(std::string(kTargetPrefix) + "GetLogEvents",
                   {.name = "GetLogEvents",
                    .effect = RouteEffect::kReadOnly,
                    .handler = [&service](const RouteRequest& request) -> Result<Json> {
                      Result<control::LogEventsRequest> decoded = ReadRequest(request.body);
                      if (!decoded) return decoded.error();
                      Result<control::LogEventsPage> page = service.GetEvents(*decoded);
                      if (!page) return page.error();
                      return PageReply(*page);
                    },
                    .service = AwsService::kLogs});
}

}  // namespace barge::api
