#include "core/job.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <tuple>
#include <vector>

namespace barge {
namespace {

using enum JobStatus;

TEST(JobTest, EveryEdgeOfTheAwsStateMachineIsAllowedAndNoOther) {
  // (from, to) pairs AWS Batch has: the happy path, retries back to RUNNABLE,
  // and FAILED from every non-terminal state (cancel, terminate, timeout, deps).
  std::vector<std::pair<JobStatus, JobStatus>> allowed = {
      {kSubmitted, kPending}, {kSubmitted, kRunnable}, {kPending, kRunnable},
      {kRunnable, kStarting}, {kStarting, kRunning},   {kRunning, kSucceeded},
      {kStarting, kRunnable}, {kRunning, kRunnable},   {kSubmitted, kFailed},
      {kPending, kFailed},    {kRunnable, kFailed},    {kStarting, kFailed},
      {kRunning, kFailed},
  };
  const std::vector<JobStatus> all = {kSubmitted, kPending,   kRunnable, kStarting,
                                      kRunning,   kSucceeded, kFailed};

  for (JobStatus from : all) {
    for (JobStatus to : all) {
      bool expected = std::find(allowed.begin(), allowed.end(), std::pair{from, to}) !=
                      allowed.end();
      EXPECT_EQ(IsAllowedEdge(from, to), expected) << ToString(from) << " -> " << ToString(to);
    }
  }
}

TEST(JobTest, TransitionStampsStartedAtOnRunningAndStoppedAtOnTerminal) {
  Job job{.id = "j1", .status = kStarting};
  Timestamp t1 = FromEpochMillis(1000);
  Timestamp t2 = FromEpochMillis(5000);

  ASSERT_TRUE(Transition(job, kRunning, t1));
  ASSERT_TRUE(Transition(job, kSucceeded, t2, "Essential container in task exited"));

  EXPECT_EQ(job.started_at, t1);
  EXPECT_EQ(job.stopped_at, t2);
  EXPECT_EQ(job.status_reason, "Essential container in task exited");
}

TEST(JobTest, RefusedTransitionLeavesJobUntouched) {
  Job job{.id = "j2", .status = kSucceeded, .status_reason = "done"};

  Status moved = Transition(job, kRunnable, FromEpochMillis(1), "again");

  ASSERT_FALSE(moved);
  EXPECT_EQ(moved.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(moved.error().message, "job j2 cannot go from SUCCEEDED to RUNNABLE");
  EXPECT_EQ(job.status, kSucceeded);
  EXPECT_EQ(job.status_reason, "done");
}

TEST(JobTest, StatusNamesRoundTrip) {
  for (JobStatus s : {kSubmitted, kPending, kRunnable, kStarting, kRunning, kSucceeded, kFailed}) {
    EXPECT_EQ(ParseJobStatus(ToString(s)), s);
  }
  EXPECT_FALSE(ParseJobStatus("running").has_value());
}

TEST(JobTest, CurrentAttemptIsTheUnstoppedLastOne) {
  Job job;
  EXPECT_EQ(job.current_attempt(), nullptr);
  job.attempts.push_back({.id = "a1", .number = 1, .stopped_at = FromEpochMillis(2)});
  EXPECT_EQ(job.current_attempt(), nullptr);
  job.attempts.push_back({.id = "a2", .number = 2});
  ASSERT_NE(job.current_attempt(), nullptr);
  EXPECT_EQ(job.current_attempt()->id, "a2");
}

}  // namespace
}  // namespace barge
