// FollowJobLogs and LogStreamReader against FakeBatchServer: paging to the
// repeated token, streams that do not exist yet, following until the job
// ends, retries, --attempt and interruption.
#include "cli/log_follower.h"

#include <gtest/gtest.h>

#include "cli/fake_batch_server.h"

namespace barge::cli {
namespace {

using Json = nlohmann::json;

Json Attempt(const std::string& stream, int exit_code) {
  return {{"container", {{"logStreamName", stream}, {"exitCode", exit_code}}}};
}

class LogFollowerTest : public ::testing::Test {
 protected:
  Result<FollowOutcome> Follow(FollowOptions options) {
    SignedClient client = server_.Client();
    return FollowJobLogs(
        client, "j1", options,
        [this](std::chrono::milliseconds) {
          ++waits_;
          return waits_ <= interrupt_after_waits_;
        },
        [this](const std::string& line) { lines_.push_back(line); });
  }

  FakeBatchServer server_;
  std::vector<std::string> lines_;
  int waits_ = 0;
  int interrupt_after_waits_ = 1000;
};

TEST_F(LogFollowerTest, ReaderPagesUntilTheTokenRepeatsAndThenOnlyReadsNewLines) {
  server_.streams["s"] = {"a", "b", "c"};
  SignedClient client = server_.Client();
  LogStreamReader reader(client, "s");
  std::vector<std::string> lines;
  auto print = [&lines](const std::string& line) { lines.push_back(line); };

  ASSERT_TRUE(reader.ReadNew(print));
  server_.streams["s"].push_back("d");
  ASSERT_TRUE(reader.ReadNew(print));

  EXPECT_EQ(lines, (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(server_.bodies.back()["nextToken"], "f/4");
  EXPECT_EQ(server_.bodies.front()["startFromHead"], true);
  EXPECT_EQ(server_.bodies.front()["logGroupName"], "/aws/batch/job");
}

TEST_F(LogFollowerTest, AStreamNotCreatedYetReadsEmpty) {
  SignedClient client = server_.Client();
  LogStreamReader reader(client, "missing");

  EXPECT_TRUE(reader.ReadNew([](const std::string&) { FAIL(); }));
}

TEST_F(LogFollowerTest, UnknownJobIsNotFound) {
  Result<FollowOutcome> outcome = Follow({});

  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(outcome.error().message, "job j1 does not exist");
}

TEST_F(LogFollowerTest, WithoutFollowPrintsTheLatestAttemptOnly) {
  server_.job = {{"status", "FAILED"},
                 {"attempts", {Attempt("s1", 1), Attempt("s2", 2)}},
                 {"container", {{"logStreamName", "s2"}}}};
  server_.streams = {{"s1", {"one"}}, {"s2", {"two"}}};

  ASSERT_TRUE(Follow({}));

  EXPECT_EQ(lines_, (std::vector<std::string>{"two"}));
}

TEST_F(LogFollowerTest, AttemptPicksOneAndOutOfRangeIsInvalid) {
  server_.job = {{"status", "FAILED"},
                 {"attempts", {Attempt("s1", 1), Attempt("s2", 2)}},
                 {"container", {{"logStreamName", "s2"}}}};
  server_.streams = {{"s1", {"one"}}, {"s2", {"two"}}};

  ASSERT_TRUE(Follow({.attempt = 1}));
  Result<FollowOutcome> third = Follow({.attempt = 3});

  EXPECT_EQ(lines_, (std::vector<std::string>{"one"}));
  ASSERT_FALSE(third);
  EXPECT_EQ(third.error().message, "job j1 has no attempt 3 (it has 2)");
}

TEST_F(LogFollowerTest, FollowReadsAsTheJobRunsAndAcrossARetryUntilItEnds) {
  server_.job = {{"status", "RUNNABLE"}};
  server_.on_describe = [this](int count) {
    if (count == 2) {
      server_.job = {{"status", "RUNNING"}, {"container", {{"logStreamName", "s1"}}}};
    } else if (count == 3) {
      server_.streams["s1"] = {"1a", "1b", "1c"};
    } else if (count == 4) {
      server_.job = {{"status", "RUNNING"},
                     {"attempts", {Attempt("s1", 3)}},
                     {"container", {{"logStreamName", "s2"}}}};
      server_.streams["s2"] = {"2a"};
    } else if (count == 5) {
      server_.streams["s2"].push_back("2b");
      server_.job["status"] = "SUCCEEDED";
    }
  };

  Result<FollowOutcome> outcome = Follow({.follow = true});

  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_FALSE(outcome->interrupted);
  EXPECT_EQ(outcome->job["status"], "SUCCEEDED");
  EXPECT_EQ(lines_, (std::vector<std::string>{"1a", "1b", "1c", "2a", "2b"}));
  EXPECT_EQ(waits_, 4);
}

TEST_F(LogFollowerTest, InterruptedWhileWaiting) {
  server_.job = {{"status", "RUNNING"}, {"container", {{"logStreamName", "s1"}}}};
  interrupt_after_waits_ = 2;

  Result<FollowOutcome> outcome = Follow({.follow = true});

  ASSERT_TRUE(outcome);
  EXPECT_TRUE(outcome->interrupted);
  EXPECT_EQ(waits_, 3);
}

TEST(AttemptStreamsTest, FinishedAttemptsThenTheRunningOne) {
  Json job = {{"attempts", {Attempt("s1", 1), Attempt("s2", 1)}},
              {"container", {{"logStreamName", "s2"}}}};
  Json running = {{"attempts", {Attempt("s1", 1)}}, {"container", {{"logStreamName", "s2"}}}};

  EXPECT_EQ(AttemptStreams(job), (std::vector<std::string>{"s1", "s2"}));
  EXPECT_EQ(AttemptStreams(running), (std::vector<std::string>{"s1", "s2"}));
  EXPECT_TRUE(AttemptStreams(Json{{"status", "RUNNABLE"}}).empty());
}

}  // namespace
}  // namespace barge::cli
