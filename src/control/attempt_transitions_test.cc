#include "control/attempt_transitions.h"

#include <gtest/gtest.h>

namespace barge::control {
namespace {

constexpr Timestamp kAt = Timestamp{} + std::chrono::hours(1000);

Job StartingJob(RetryStrategy retry = {}) {
  Job job{.id = "j", .status = JobStatus::kStarting, .retry_strategy = std::move(retry)};
  job.attempts.push_back({.id = "a1", .number = 1, .instance_id = "i-7"});
  return job;
}

Job RunningJob(RetryStrategy retry = {}) {
  Job job = StartingJob(std::move(retry));
  EXPECT_TRUE(RecordStarted(job, "a1", kAt));
  return job;
}

TEST(AttemptTransitionsTest, StartedMovesStartingToRunningAndStampsBothStartTimes) {
  Job job = StartingJob();

  Result<Applied> applied = RecordStarted(job, "a1", kAt);

  ASSERT_TRUE(applied);
  EXPECT_EQ(*applied, Applied::kChanged);
  EXPECT_EQ(job.status, JobStatus::kRunning);
  EXPECT_EQ(job.started_at, kAt);
  EXPECT_EQ(job.attempts[0].started_at, kAt);
}

TEST(AttemptTransitionsTest, RepeatedAndStaleEventsAreIgnored) {
  Job job = RunningJob();
  Job before = job;

  EXPECT_EQ(*RecordStarted(job, "a1", kAt), Applied::kIgnored);
  EXPECT_EQ(*RecordExited(job, "other", kAt, 0, ""), Applied::kIgnored);
  EXPECT_EQ(*RecordHostLost(job, "other", kAt), Applied::kIgnored);
  ASSERT_EQ(*RecordExited(job, "a1", kAt, 0, ""), Applied::kChanged);
  Job done = job;
  EXPECT_EQ(*RecordExited(job, "a1", kAt, 1, ""), Applied::kIgnored);
  EXPECT_EQ(*RecordTimedOut(job, "a1", kAt), Applied::kIgnored);

  EXPECT_EQ(job.status, JobStatus::kSucceeded);
  EXPECT_EQ(job.attempts[0].exit_code, 0);
  EXPECT_EQ(before.attempts.size(), done.attempts.size());
}

TEST(AttemptTransitionsTest, ExitZeroSucceeds) {
  Job job = RunningJob();

  ASSERT_TRUE(RecordExited(job, "a1", kAt, 0, ""));

  EXPECT_EQ(job.status, JobStatus::kSucceeded);
  EXPECT_EQ(job.status_reason, kEssentialContainerExited);
  EXPECT_EQ(job.stopped_at, kAt);
  EXPECT_EQ(job.attempts[0].stopped_at, kAt);
  EXPECT_EQ(job.attempts[0].status_reason, kEssentialContainerExited);
}

TEST(AttemptTransitionsTest, ExitBeforeStartedStillRecordsARun) {
  Job job = StartingJob();

  ASSERT_TRUE(RecordExited(job, "a1", kAt, 0, ""));

  EXPECT_EQ(job.status, JobStatus::kSucceeded);
  EXPECT_EQ(job.attempts[0].started_at, kAt);
}

TEST(AttemptTransitionsTest, ExitOutcomesFollowTheRetryStrategy) {
  struct Case {
    std::string name;
    RetryStrategy retry;
    int32_t exit_code;
    std::string reason;
    JobStatus want;
  };
  std::vector<Case> cases = {
      {"no strategy: one attempt", {}, 3, "", JobStatus::kFailed},
      {"attempts left, no rules", {.attempts = 3}, 3, "", JobStatus::kRunnable},
      {"matching EXIT rule",
       {.attempts = 3, .evaluate_on_exit = {{.on_exit_code = "3", .action = "EXIT"}}},
       3,
       "",
       JobStatus::kFailed},
      {"matching RETRY rule",
       {.attempts = 3,
        .evaluate_on_exit = {{.on_exit_code = "3", .action = "retry"},
                             {.on_reason = "*", .action = "EXIT"}}},
       3,
       "",
       JobStatus::kRunnable},
      {"catch-all EXIT after a non-matching RETRY",
       {.attempts = 3,
        .evaluate_on_exit = {{.on_exit_code = "4", .action = "RETRY"},
                             {.on_reason = "*", .action = "EXIT"}}},
       3,
       "",
       JobStatus::kFailed},
      {"container reason rule",
       {.attempts = 2, .evaluate_on_exit = {{.on_reason = "OutOfMemoryError*", .action = "EXIT"}}},
       137,
       "OutOfMemoryError: Container killed due to memory usage",
       JobStatus::kFailed},
  };
  for (const Case& c : cases) {
    Job job = RunningJob(c.retry);

    ASSERT_TRUE(RecordExited(job, "a1", kAt, c.exit_code, c.reason)) << c.name;

    EXPECT_EQ(job.status, c.want) << c.name;
    EXPECT_EQ(job.attempts[0].exit_code, c.exit_code) << c.name;
    EXPECT_EQ(job.attempts[0].reason, c.reason) << c.name;
    EXPECT_EQ(job.current_attempt(), nullptr) << c.name;
  }
}

TEST(AttemptTransitionsTest, TerminatedJobFailsWithItsStopReasonEvenOnExitZero) {
  Job job = RunningJob({.attempts = 5});
  job.is_terminated = true;
  job.stop_reason = "user said stop";

  ASSERT_TRUE(RecordExited(job, "a1", kAt, 0, ""));

  EXPECT_EQ(job.status, JobStatus::kFailed);
  EXPECT_EQ(job.status_reason, "user said stop");
  EXPECT_EQ(job.attempts[0].exit_code, 0);
}

TEST(AttemptTransitionsTest, HostLossEndsTheAttemptWithTheHostEc2ReasonAndRetries) {
  Job job = RunningJob({.attempts = 2,
                        .evaluate_on_exit = {{.on_status_reason = "Host EC2*", .action = "RETRY"},
                                             {.on_reason = "*", .action = "EXIT"}}});

  ASSERT_TRUE(RecordHostLost(job, "a1", kAt));

  EXPECT_EQ(job.status, JobStatus::kRunnable);
  EXPECT_EQ(job.attempts[0].status_reason, "Host EC2 (instance i-7) terminated.");
  EXPECT_FALSE(job.attempts[0].exit_code.has_value());
  EXPECT_EQ(job.attempts[0].stopped_at, kAt);
}

TEST(AttemptTransitionsTest, HostLossWithoutAttemptsLeftFailsWithTheHostReason) {
  Job job = StartingJob();

  ASSERT_TRUE(RecordHostLost(job, "a1", kAt));

  EXPECT_EQ(job.status, JobStatus::kFailed);
  EXPECT_EQ(job.status_reason, "Host EC2 (instance i-7) terminated.");
}

TEST(AttemptTransitionsTest, TimeoutFailsAtOnceAndIsNeverRetried) {
  Job job = RunningJob({.attempts = 10});

  ASSERT_TRUE(RecordTimedOut(job, "a1", kAt));

  EXPECT_EQ(job.status, JobStatus::kFailed);
  EXPECT_EQ(job.status_reason, kAttemptTimedOut);
  EXPECT_EQ(job.attempts[0].status_reason, kAttemptTimedOut);
  EXPECT_EQ(*RecordExited(job, "a1", kAt, 143, ""), Applied::kIgnored);
  EXPECT_EQ(job.status_reason, kAttemptTimedOut);
}

TEST(AttemptTransitionsTest, WithdrawnAttemptFailsTheTerminatedJob) {
  Job job = StartingJob({.attempts = 3});
  job.is_terminated = true;
  job.stop_reason = "cancelled by test";

  ASSERT_TRUE(RecordWithdrawn(job, "a1", kAt));

  EXPECT_EQ(job.status, JobStatus::kFailed);
  EXPECT_EQ(job.status_reason, "cancelled by test");
  EXPECT_EQ(job.attempts[0].status_reason, "cancelled by test");
}

}  // namespace
}  // namespace barge::control
