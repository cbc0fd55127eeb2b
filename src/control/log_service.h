#pragma once
// LogService: CloudWatch Logs' GetLogEvents over the log lines agents ship
// (store.h's LogEvent), with CloudWatch's paging semantics:
//  - the one log group is /aws/batch/job, as in AWS Batch; a stream is
//    "<jobDefinitionName>/default/<attemptId>" (core/job.h LogStreamName);
//  - without a cursor, startFromHead reads from the first line, otherwise the
//    latest `limit` lines; either way events come oldest first;
//  - a page answers a forward cursor (the lines after it) and a backward one
//    (the lines before it). A page with no events gives back the cursor it was
//    asked with, which is how clients (the SDK paginators, `aws logs tail`,
//    `barge logs`) know they reached the end.
// Cursors are stream positions (log sequence numbers), so lines arriving
// later never shift a page that was already read.
//
// A stream exists once a line was stored for it, or while its attempt is
// placed on an agent (so a running job that has printed nothing yet reads as
// empty rather than missing). A finished attempt that never printed has no
// stream, as its lines would have created it.
//
// Runs on the control thread; each call is one read-only Store transaction.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "control/agent_registry.h"
#include "core/result.h"
#include "core/time.h"
#include "store/store.h"

namespace barge::control {

// The log group AWS Batch writes job output to, and the only one barge has.
inline constexpr std::string_view kJobLogGroup = "/aws/batch/job";

// A position between two lines of a stream: kForward reads the lines at and
// after `sequence`, kBackward the lines before it.
struct LogCursor {
  LogDirection direction = LogDirection::kForward;
  int64_t sequence = 0;
  friend bool operator==(const LogCursor&, const LogCursor&) = default;
};

struct LogEventsRequest {
  std::string log_group{};
  std::string log_stream{};
  std::optional<Timestamp> start_time{};  // Inclusive.
  std::optional<Timestamp> end_time{};    // Exclusive.
  std::optional<LogCursor> cursor{};      // The decoded nextToken.
  std::optional<int32_t> limit{};         // 1..kMaxEvents; default kMaxEvents.
  bool start_from_head = false;           // Ignored with a cursor, which has its direction.
};

struct LogEventsPage {
  std::vector<LogEvent> events{};  // Oldest first.
  LogCursor next_forward{};
  LogCursor next_backward{};
};

class LogService {
 public:
  static constexpr int32_t kMaxEvents = 10'000;
  // CloudWatch's reply cap: message bytes plus 26 bytes per event.
  static constexpr size_t kMaxPageBytes = 1024 * 1024;
  static constexpr size_t kEventOverheadBytes = 26;

  // Neither owned; both outlive the service. `live` tells which streams
  // belong to attempts running now.
  LogService(Store& store, const AgentRegistry& live) : store_(store), live_(&live) {}
  // Without a registry a stream exists only once it has lines (tests, tools).
  explicit LogService(Store& store) : store_(store) {}

  // kInvalidArgument (limit out of range, no stream name), kNotFound with
  // CloudWatch's own messages ("The specified log group does not exist.",
  // "The specified log stream does not exist.").
  Result<LogEventsPage> GetEvents(const LogEventsRequest& request);

 private:
  bool IsLive(const std::string& stream) const;

  Store& store_;
  const AgentRegistry* live_ = nullptr;  // Not owned; may be null.
};

}  // namespace barge::control
