#include "control/job_retention_sweeper.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "control/dispatch_test_fixture.h"

namespace barge::control {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;

class JobRetentionSweeperTest : public DispatchTest {
 protected:
  bool Exists(const std::string& id) {
    bool found = false;
    EXPECT_TRUE(store_.Transact([&](StoreTransaction& txn) -> Status {
      Result<Job> job = txn.GetJob(id);
      if (!job && job.error().code != ErrorCode::kNotFound) return job.error();
      found = job.ok();
      return Ok();
    }));
    return found;
  }

  size_t LogLines(const std::string& stream) {
    size_t lines = 0;
    EXPECT_TRUE(store_.Transact([&](StoreTransaction& txn) -> Status {
      Result<std::vector<LogEvent>> read = txn.ReadLogEvents({.stream = stream});
      if (!read) return read.error();
      lines = read->size();
      return Ok();
    }));
    return lines;
  }

  // A job that ends now, FAILED from RUNNABLE without ever starting (a
  // cancel): the state machine stamps its stoppedAt all the same.
  void AddCancelledJob(const std::string& id) {
    Job job{.id = id,
            .queue = "q",
            .job_definition_name = "def",
            .status = JobStatus::kRunnable,
            .created_at = clock_.Now()};
    ASSERT_TRUE(Transition(job, JobStatus::kFailed, clock_.Now(), "cancelled"));
    ASSERT_TRUE(store_.Transact([&](StoreTransaction& txn) { return txn.InsertJob(job); }));
  }

  size_t Tick(JobRetentionSweeper& sweeper) {
    Result<size_t> deleted = sweeper.Tick();
    EXPECT_TRUE(deleted) << deleted.error().message;
    return deleted ? deleted.value() : 0;
  }

  JobRetentionSweeper retention_{reporting_, clock_, {.retention = hours(24)}};
};

TEST_F(JobRetentionSweeperTest, KeepsAFinishedJobForTheRetentionPeriodThenDeletesItAndItsLogs) {
  AddEnvironment("ce");
  AddQueue("q", 1, {"ce"});
  std::string agent = Register("ce", Vcpus(4));
  AddJob("j", "q", Vcpus(1));
  std::vector<protocol::Assignment> assignments = TickAndPoll(agent);
  ASSERT_EQ(assignments.size(), 1U);
  const protocol::Assignment& attempt = assignments[0];
  Started(agent, attempt.attempt_id);
  ASSERT_TRUE(store_.Transact([&](StoreTransaction& txn) {
    return txn.AppendLogEvents(attempt.log_stream_name, {{.sequence = 1, .message = "hi"}});
  }));
  clock_.Advance(milliseconds(5000));
  Exited(agent, attempt.attempt_id, 0);
  ASSERT_EQ(StatusOf("j"), JobStatus::kSucceeded);

  clock_.Advance(hours(24));
  EXPECT_EQ(Tick(retention_), 0U);
  EXPECT_TRUE(Exists("j"));
  EXPECT_EQ(LogLines(attempt.log_stream_name), 1U);

  clock_.Advance(milliseconds(1));
  EXPECT_EQ(Tick(retention_), 1U);
  EXPECT_FALSE(Exists("j"));
  EXPECT_EQ(LogLines(attempt.log_stream_name), 0U);
}

TEST_F(JobRetentionSweeperTest, NeverDeletesAJobThatHasNotEnded) {
  AddEnvironment("ce");
  AddQueue("q", 1, {"ce"});
  AddJob("waiting", "q", Vcpus(1));  // RUNNABLE, and no agent to run it.

  clock_.Advance(hours(24 * 365));

  EXPECT_EQ(Tick(retention_), 0U);
  EXPECT_EQ(StatusOf("waiting"), JobStatus::kRunnable);
}

TEST_F(JobRetentionSweeperTest, ExpiresAJobThatEndedWithoutEverStarting) {
  AddCancelledJob("cancelled");

  clock_.Advance(hours(24) + milliseconds(1));

  EXPECT_EQ(Tick(retention_), 1U);
  EXPECT_FALSE(Exists("cancelled"));
}

TEST_F(JobRetentionSweeperTest, DeletesAtMostOneBatchPerTick) {
  JobRetentionSweeper sweeper(reporting_, clock_, {.retention = hours(1), .batch = 2});
  for (const char* id : {"a", "b", "c", "d", "e"}) AddCancelledJob(id);
  clock_.Advance(hours(2));

  EXPECT_EQ(Tick(sweeper), 2U);
  EXPECT_EQ(Tick(sweeper), 2U);
  EXPECT_EQ(Tick(sweeper), 1U);
  EXPECT_EQ(Tick(sweeper), 0U);
  for (const char* id : {"a", "b", "c", "d", "e"}) EXPECT_FALSE(Exists(id)) << id;
}

TEST_F(JobRetentionSweeperTest, AFailedCommitDeletesNothingAndTheNextTickRetries) {
  AddCancelledJob("j");
  clock_.Advance(hours(25));
  store_.FailNextCommit(Unavailable("database is locked"));

  Result<size_t> failed = retention_.Tick();

  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(Exists("j"));
  EXPECT_EQ(Tick(retention_), 1U);
  EXPECT_FALSE(Exists("j"));
}

}  // namespace
}  // namespace barge::control
