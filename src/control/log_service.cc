#include "control/log_service.h"

#include <algorithm>

namespace barge::control {
namespace {

// CloudWatch's messages, kept word for word (capital and period included)
// because scripts match on them.
constexpr std::string_view kNoGroup = "The specified log group does not exist.";
constexpr std::string_view kNoStream = "The specified log stream does not exist.";

// Drops events past CloudWatch's 1 MB reply size: the newest when reading
// forward, the oldest when reading backward (those are further from where
// the read started).
void TrimToPageSize(std::vector<LogEvent>& events, LogDirection direction) {
  size_t bytes = 0;
  size_t kept = 0;
  auto size_of = [](const LogEvent& event) {
    return event.message.size() + LogService::kEventOverheadBytes;
  };
  if (direction == LogDirection::kForward) {
    while (kept < events.size() && bytes + size_of(events[kept]) <= LogService::kMaxPageBytes) {
      bytes += size_of(events[kept++]);
    }
    // One line never exceeds the cap (the agent splits long lines), but an
    // empty page would stall a reader, so the first event always goes out.
    events.resize(std::max<size_t>(kept, std::min<size_t>(1, events.size())));
    return;
  }
  while (kept < events.size() &&
         bytes + size_of(events[events.size() - 1 - kept]) <= LogService::kMaxPageBytes) {
    bytes += size_of(events[events.size() - 1 - kept++]);
  }
  kept = std::max<size_t>(kept, std::min<size_t>(1, events.size()));
  events.erase(events.begin(), events.end() - static_cast<std::ptrdiff_t>(kept));
}

}  // namespace

bool LogService::IsLive(const std::string& stream) const {
  if (live_ == nullptr) return false;
  size_t slash = stream.rfind('/');
  if (slash == std::string::npos) return false;
  const PlacedAttempt* placed = live_->FindAttempt(stream.substr(slash + 1));
  return placed != nullptr && placed->log_stream_name == stream;
}

Result<LogEventsPage> LogService::GetEvents(const LogEventsRequest& request) {
  if (request.log_group != kJobLogGroup) return NotFound(std::string(kNoGroup));
  if (request.log_stream.empty()) return InvalidArgument("logStreamName is required");
  int32_t limit = request.limit.value_or(kMaxEvents);
  if (limit < 1 || limit > kMaxEvents) {
    return InvalidArgument("1 validation error detected: Value '" + std::to_string(limit) +
                           "' at 'limit' failed to satisfy constraint: Member must have value " +
                           (limit < 1 ? "greater than or equal to 1"
                                      : "less than or equal to " + std::to_string(kMaxEvents)));
  }

  LogQuery query{.stream = request.log_stream,
                 .start_time = request.start_time,
                 .end_time = request.end_time,
                 .limit = static_cast<size_t>(limit)};
  // A backward cursor at the very start has nothing before it.
  bool nothing_to_read = false;
  if (request.cursor) {
    query.direction = request.cursor->direction;
    if (query.direction == LogDirection::kForward) {
      query.from_sequence = request.cursor->sequence;
    } else if (request.cursor->sequence <= 0) {
      nothing_to_read = true;
    } else {
      query.from_sequence = request.cursor->sequence - 1;  // The store's bound is inclusive.
    }
  } else {
    query.direction = request.start_from_head ? LogDirection::kForward : LogDirection::kBackward;
  }

  LogEventsPage page;
  bool stream_has_lines = true;
  Status read = store_.Transact([&](StoreTransaction& txn) -> Status {
    if (!nothing_to_read) {
      Result<std::vector<LogEvent>> events = txn.ReadLogEvents(query);
      if (!events) return events.error();
      page.events = std::move(events).value();
    }
    if (page.events.empty()) {
      Result<std::vector<LogEvent>> any =
          txn.ReadLogEvents({.stream = request.log_stream, .limit = 1});
      if (!any) return any.error();
      stream_has_lines = !any->empty();
    }
    return Ok();
  });
  BARGE_RETURN_IF_ERROR(read);
  if (!stream_has_lines && !IsLive(request.log_stream)) return NotFound(std::string(kNoStream));

  TrimToPageSize(page.events, query.direction);
  if (!page.events.empty()) {
    page.next_forward = {LogDirection::kForward, page.events.back().sequence + 1};
    page.next_backward = {LogDirection::kBackward, page.events.front().sequence};
  } else if (request.cursor) {
    // The end (or start) was reached: the same position again, both ways.
    page.next_forward = {LogDirection::kForward, request.cursor->sequence};
    page.next_backward = {LogDirection::kBackward, request.cursor->sequence};
  } else {
    page.next_forward = {LogDirection::kForward, 0};
    page.next_backward = {LogDirection::kBackward, 0};
  }
  return page;
}

}  // namespace barge::control
