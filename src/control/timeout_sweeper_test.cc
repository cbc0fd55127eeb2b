#include "control/timeout_sweeper.h"

#include <gtest/gtest.h>

#include "control/dispatch_test_fixture.h"

namespace barge::control {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class TimeoutSweeperTest : public DispatchTest {
 protected:
  void SetUp() override {
    AddEnvironment("ce");
    AddQueue("q", 1, {"ce"});
    agent_ = Register("ce", Vcpus(4));
    AddJob("j", "q", Vcpus(1), {.attempts = 3}, 60);
    std::vector<protocol::Assignment> assignments = TickAndPoll(agent_);
    ASSERT_EQ(assignments.size(), 1U);
    attempt_ = assignments[0].attempt_id;
    EXPECT_EQ(assignments[0].timeout_seconds, 60);
  }

  void KeepAlive() {
    ASSERT_TRUE(agents_->Heartbeat({.agent_id = agent_, .running_attempts = {attempt_}}));
  }

  std::string agent_;
  std::string attempt_;
};

TEST_F(TimeoutSweeperTest, StartingAttemptNeverTimesOut) {
  clock_.Advance(seconds(600));

  auto swept = sweeper_->Tick();

  ASSERT_TRUE(swept);
  EXPECT_EQ(*swept, 0);
}

TEST_F(TimeoutSweeperTest, LeavesTheAttemptRunningUntilTheTimeoutElapses) {
  Started(agent_, attempt_);
  clock_.Advance(seconds(60) - milliseconds(1));

  auto swept = sweeper_->Tick();

  ASSERT_TRUE(swept);
  EXPECT_EQ(*swept, 0);
  EXPECT_EQ(StatusOf("j"), JobStatus::kRunning);
}

TEST_F(TimeoutSweeperTest, FailsTheJobKillsTheAttemptAndNeverRetries) {
  Started(agent_, attempt_);
  clock_.Advance(seconds(60));
  KeepAlive();

  auto swept = sweeper_->Tick();

  ASSERT_TRUE(swept);
  EXPECT_EQ(*swept, 1);
  Job job = GetJob("j");
  EXPECT_EQ(job.status, JobStatus::kFailed);
  EXPECT_EQ(job.status_reason, "Job attempt duration exceeded timeout");
  EXPECT_EQ(job.attempts[0].status_reason, "Job attempt duration exceeded timeout");
  protocol::PollReply reply = PollNow(agent_);
  ASSERT_EQ(reply.kills.size(), 1U);
  EXPECT_EQ(reply.kills[0].attempt_id, attempt_);
  EXPECT_EQ(registry_->Nodes()[0].free.millicpus, 3000);  // Still reserved while it dies.

  Exited(agent_, attempt_, 143);  // The late exit report.

  EXPECT_EQ(StatusOf("j"), JobStatus::kFailed);
  EXPECT_EQ(GetJob("j").status_reason, "Job attempt duration exceeded timeout");
  EXPECT_EQ(registry_->Nodes()[0].free, Vcpus(4));
  EXPECT_TRUE(TickAndPoll(agent_).empty());
  EXPECT_EQ(*sweeper_->Tick(), 0);
}

}  // namespace
}  // namespace barge::control
