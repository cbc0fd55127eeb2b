// LogService over an InMemoryStore: GetLogEvents' group and stream checks,
// head and tail reads, forward and backward paging with CloudWatch's
// repeated-token end, time filters and the reply size cap.
#include "control/log_service.h"

#include <gtest/gtest.h>

#include "testing/fake_clock.h"
#include "testing/in_memory_store.h"

namespace barge::control {
namespace {

constexpr std::string_view kStream = "jd/default/att-1";

class LogServiceTest : public ::testing::Test {
 protected:
  // Lines "line <i>" with sequences 0..count-1, one millisecond apart.
  void Append(int count, std::string_view stream = kStream) {
    std::vector<LogEvent> events;
    for (int i = 0; i < count; ++i) {
      events.push_back({.sequence = i,
                        .timestamp = FromEpochMillis(1000 + i),
                        .ingested_at = FromEpochMillis(2000 + i),
                        .message = "line " + std::to_string(i)});
    }
    Status appended = store_.Transact(
        [&](StoreTransaction& txn) { return txn.AppendLogEvents(std::string(stream), events); });
    ASSERT_TRUE(appended) << appended.error().message;
  }

  LogEventsRequest Request() {
    return {.log_group = std::string(kJobLogGroup), .log_stream = std::string(kStream)};
  }

  LogEventsPage Get(const LogEventsRequest& request) {
    Result<LogEventsPage> page = logs_.GetEvents(request);
    EXPECT_TRUE(page) << page.error().message;
    return page ? *page : LogEventsPage{};
  }

  static std::vector<int64_t> Sequences(const LogEventsPage& page) {
    std::vector<int64_t> out;
    for (const LogEvent& event : page.events) out.push_back(event.sequence);
    return out;
  }

  testing::FakeClock clock_;
  barge::testing::InMemoryStore store_;
  AgentRegistry registry_{clock_, AgentRegistryOptions{}};
  LogService logs_{store_, registry_};
};

TEST_F(LogServiceTest, UnknownGroupAndStreamAreNotFoundWithCloudWatchMessages) {
  Append(1);
  LogEventsRequest group = Request();
  group.log_group = "/aws/lambda/x";
  LogEventsRequest stream = Request();
  stream.log_stream = "jd/default/nope";

  Result<LogEventsPage> no_group = logs_.GetEvents(group);
  Result<LogEventsPage> no_stream = logs_.GetEvents(stream);

  ASSERT_FALSE(no_group);
  EXPECT_EQ(no_group.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(no_group.error().message, "The specified log group does not exist.");
  ASSERT_FALSE(no_stream);
  EXPECT_EQ(no_stream.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(no_stream.error().message, "The specified log stream does not exist.");
}

TEST_F(LogServiceTest, StreamOfARunningAttemptWithoutLinesReadsEmpty) {
  registry_.Add("agent-1", {.compute_environment = "ce", .capacity = {.millicpus = 4000}});
  registry_.AddAttempt({.attempt_id = "att-1",
                        .agent_id = "agent-1",
                        .job_id = "job-1",
                        .log_stream_name = std::string(kStream)});

  LogEventsPage page = Get(Request());

  EXPECT_TRUE(page.events.empty());
  EXPECT_EQ(page.next_forward, (LogCursor{LogDirection::kForward, 0}));
}

TEST_F(LogServiceTest, LimitOutOfRangeIsInvalid) {
  Append(1);
  for (int32_t limit : {0, -1, 10'001}) {
    LogEventsRequest request = Request();
    request.limit = limit;
    Result<LogEventsPage> page = logs_.GetEvents(request);
    ASSERT_FALSE(page) << limit;
    EXPECT_EQ(page.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST_F(LogServiceTest, DefaultReadsTheLatestLinesOldestFirst) {
  Append(5);
  LogEventsRequest request = Request();
  request.limit = 2;

  LogEventsPage page = Get(request);

  EXPECT_EQ(Sequences(page), (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(page.events[0].message, "line 3");
  EXPECT_EQ(page.events[0].timestamp, FromEpochMillis(1003));
  EXPECT_EQ(page.events[0].ingested_at, FromEpochMillis(2003));
  EXPECT_EQ(page.next_forward, (LogCursor{LogDirection::kForward, 5}));
  EXPECT_EQ(page.next_backward, (LogCursor{LogDirection::kBackward, 3}));
}

TEST_F(LogServiceTest, ForwardPagingFromHeadEndsWithTheSameCursor) {
  Append(5);
  LogEventsRequest request = Request();
  request.start_from_head = true;
  request.limit = 2;

  std::vector<std::vector<int64_t>> pages;
  LogCursor last{};
  for (int i = 0; i < 10; ++i) {
    LogEventsPage page = Get(request);
    pages.push_back(Sequences(page));
    if (request.cursor && page.next_forward == *request.cursor) break;
    last = page.next_forward;
    request.cursor = page.next_forward;
  }

  EXPECT_EQ(pages, (std::vector<std::vector<int64_t>>{{0, 1}, {2, 3}, {4}, {}}));
  EXPECT_EQ(last, (LogCursor{LogDirection::kForward, 5}));
}

TEST_F(LogServiceTest, BackwardPagingFromTheTailEndsWithTheSameCursor) {
  Append(5);
  LogEventsRequest request = Request();
  request.limit = 2;

  std::vector<std::vector<int64_t>> pages;
  for (int i = 0; i < 10; ++i) {
    LogEventsPage page = Get(request);
    pages.push_back(Sequences(page));
    if (request.cursor && page.next_backward == *request.cursor) break;
    request.cursor = page.next_backward;
  }

  EXPECT_EQ(pages, (std::vector<std::vector<int64_t>>{{3, 4}, {1, 2}, {0}, {}}));
}

TEST_F(LogServiceTest, LinesAppendedLaterArriveAfterTheForwardCursor) {
  Append(2);
  LogEventsRequest request = Request();
  request.start_from_head = true;
  LogEventsPage first = Get(request);
  request.cursor = first.next_forward;
  LogEventsPage empty = Get(request);

  Append(4);  // Sequences 0 and 1 again (skipped) and 2, 3.
  LogEventsPage later = Get(request);

  EXPECT_EQ(Sequences(first), (std::vector<int64_t>{0, 1}));
  EXPECT_TRUE(empty.events.empty());
  EXPECT_EQ(empty.next_forward, *request.cursor);
  EXPECT_EQ(Sequences(later), (std::vector<int64_t>{2, 3}));
}

TEST_F(LogServiceTest, TimeRangeIsStartInclusiveEndExclusive) {
  Append(5);  // Timestamps 1000..1004.
  LogEventsRequest request = Request();
  request.start_from_head = true;
  request.start_time = FromEpochMillis(1001);
  request.end_time = FromEpochMillis(1003);

  EXPECT_EQ(Sequences(Get(request)), (std::vector<int64_t>{1, 2}));
}

TEST_F(LogServiceTest, PagesStopAtOneMegabyte) {
  std::vector<LogEvent> events;
  for (int i = 0; i < 3; ++i) {
    events.push_back({.sequence = i, .message = std::string(400 * 1024, 'x')});
  }
  ASSERT_TRUE(store_.Transact(
      [&](StoreTransaction& txn) { return txn.AppendLogEvents(std::string(kStream), events); }));
  LogEventsRequest head = Request();
  head.start_from_head = true;
  LogEventsRequest tail = Request();

  EXPECT_EQ(Sequences(Get(head)), (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(Sequences(Get(tail)), (std::vector<int64_t>{1, 2}));
}

}  // namespace
}  // namespace barge::control
