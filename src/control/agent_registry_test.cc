#include "control/agent_registry.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "testing/fake_clock.h"

namespace barge::control {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class AgentRegistryTest : public ::testing::Test {
 protected:
  AgentRegistryTest() {
    registry_.Add("a1", {.compute_environment = "ce",
                         .instance_id = "i-1",
                         .capacity = {.millicpus = 4000, .memory_mib = 4096}});
  }

  void AddAttempt(const std::string& attempt, int64_t millicpus = 1000) {
    registry_.AddAttempt({.attempt_id = attempt,
                          .agent_id = "a1",
                          .job_id = "job-" + attempt,
                          .reserved = {.millicpus = millicpus, .memory_mib = 512}});
  }

  // Parks a poll; `reply_` is set when it is answered.
  void Park(Duration wait = seconds(20)) {
    reply_.reset();
    registry_.Poll("a1", wait, [this](protocol::PollReply reply) { reply_ = std::move(reply); });
  }

  testing::FakeClock clock_;
  AgentRegistry registry_{clock_, {.lease = seconds(15), .max_poll_wait = seconds(20)}};
  std::optional<protocol::PollReply> reply_;
};

TEST_F(AgentRegistryTest, ParkedPollIsAnsweredAsSoonAsAnAssignmentIsQueued) {
  Park();
  ASSERT_FALSE(reply_.has_value());
  AddAttempt("x");

  registry_.QueueAssignment({.attempt_id = "x", .job_id = "job-x"});

  ASSERT_TRUE(reply_.has_value());
  ASSERT_EQ(reply_->assignments.size(), 1U);
  EXPECT_EQ(reply_->assignments[0]->attempt_id, "x");
}

TEST_F(AgentRegistryTest, ParkedPollIsAnsweredEmptyOnceItsWaitIsOver) {
  Park(seconds(5));

  clock_.Advance(milliseconds(4999));
  registry_.Tick();
  EXPECT_FALSE(reply_.has_value());
  clock_.Advance(milliseconds(1));
  registry_.Tick();

  ASSERT_TRUE(reply_.has_value());
  EXPECT_TRUE(reply_->assignments.empty());
}

TEST_F(AgentRegistryTest, WaitIsCappedAtTheMaximum) {
  Park(seconds(600));

  clock_.Advance(seconds(20));
  registry_.Tick();

  EXPECT_TRUE(reply_.has_value());
}

TEST_F(AgentRegistryTest, SecondPollAnswersTheFirstEmpty) {
  bool first_answered = false;
  registry_.Poll("a1", seconds(20), [&](protocol::PollReply) { first_answered = true; });

  Park();

  EXPECT_TRUE(first_answered);
  EXPECT_FALSE(reply_.has_value());
}

TEST_F(AgentRegistryTest, PollWithQueuedWorkIsAnsweredAtOnceAndOnlyOnce) {
  AddAttempt("x");
  registry_.QueueAssignment({.attempt_id = "x"});

  Park();
  ASSERT_TRUE(reply_.has_value());
  EXPECT_EQ(reply_->assignments.size(), 1U);
  Park();

  EXPECT_FALSE(reply_.has_value());  // Delivered already: the second poll parks.
}

TEST_F(AgentRegistryTest, ReservationsShrinkFreeCapacityUntilRemoved) {
  AddAttempt("x", 3000);

  ASSERT_EQ(registry_.Nodes().size(), 1U);
  EXPECT_EQ(registry_.Nodes()[0].free.millicpus, 1000);
  EXPECT_EQ(registry_.Nodes()[0].free.memory_mib, 4096 - 512);
  registry_.RemoveAttempt("x");

  EXPECT_EQ(registry_.Nodes()[0].free, registry_.Nodes()[0].capacity);
}

TEST_F(AgentRegistryTest, KillOrderWakesThePollAndIsRepeatedUntilTheAttemptEnds) {
  AddAttempt("x");
  Park();

  registry_.QueueKill({.attempt_id = "x", .reason = "stop"});

  ASSERT_TRUE(reply_.has_value());
  ASSERT_EQ(reply_->kills.size(), 1U);
  EXPECT_EQ(reply_->kills[0].reason, "stop");
  EXPECT_EQ(registry_.PendingKills("a1"), std::vector<std::string>{"x"});
  registry_.RemoveAttempt("x");
  EXPECT_TRUE(registry_.PendingKills("a1").empty());
}

TEST_F(AgentRegistryTest, KilledAttemptIsNotAssigned) {
  AddAttempt("x");
  registry_.QueueAssignment({.attempt_id = "x"});
  registry_.QueueKill({.attempt_id = "x"});

  Park();

  ASSERT_TRUE(reply_.has_value());
  EXPECT_TRUE(reply_->assignments.empty());
  EXPECT_EQ(reply_->kills.size(), 1U);
}

TEST_F(AgentRegistryTest, AgentWhoseLeaseRunsOutIsRemovedWithItsAttempts) {
  AddAttempt("x");
  Park();

  clock_.Advance(seconds(14));
  EXPECT_TRUE(registry_.Renew("a1"));
  clock_.Advance(seconds(14));
  EXPECT_TRUE(registry_.TakeExpired().empty());
  clock_.Advance(seconds(1));
  std::vector<ExpiredAgent> expired = registry_.TakeExpired();

  ASSERT_EQ(expired.size(), 1U);
  EXPECT_EQ(expired[0].agent_id, "a1");
  ASSERT_EQ(expired[0].attempts.size(), 1U);
  EXPECT_EQ(expired[0].attempts[0].job_id, "job-x");
  EXPECT_TRUE(reply_.has_value());  // Its parked poll was answered.
  EXPECT_FALSE(registry_.Contains("a1"));
  EXPECT_EQ(registry_.FindAttempt("x"), nullptr);
}

TEST_F(AgentRegistryTest, UnacknowledgedAssignmentCanBeDeliveredAgain) {
  AddAttempt("x");
  registry_.QueueAssignment({.attempt_id = "x"});
  Park();
  clock_.Advance(seconds(15));

  std::vector<std::string> lost = registry_.Unacknowledged("a1", {}, seconds(15));
  ASSERT_EQ(lost, std::vector<std::string>{"x"});
  EXPECT_TRUE(registry_.Unacknowledged("a1", {"x"}, seconds(15)).empty());
  Park();
  registry_.Undeliver("x");

  ASSERT_TRUE(reply_.has_value());
  EXPECT_EQ(reply_->assignments.size(), 1U);
}

TEST_F(AgentRegistryTest, AcknowledgedAssignmentIsNeverDeliveredAgain) {
  AddAttempt("x");
  registry_.QueueAssignment({.attempt_id = "x"});
  Park();
  registry_.Acknowledge("x");
  clock_.Advance(seconds(60));

  EXPECT_TRUE(registry_.Unacknowledged("a1", {}, seconds(15)).empty());
}

TEST_F(AgentRegistryTest, ReRegisteringReplacesTheRecord) {
  AddAttempt("x");
  Park();

  registry_.Add("a1", {.compute_environment = "ce", .capacity = {.millicpus = 8000}});

  EXPECT_TRUE(reply_.has_value());
  EXPECT_EQ(registry_.FindAttempt("x"), nullptr);
  EXPECT_EQ(registry_.Nodes()[0].free.millicpus, 8000);
}

TEST_F(AgentRegistryTest, NodeShapesGroupAlikeAgentsUnderTheirLowestIdAsTheyComeAndGo) {
  auto shapes = [&] {
    std::vector<std::string> seen;
    registry_.VisitNodeShapes([&](const NodeShape& shape, const std::string& first_id) {
      seen.push_back(shape.compute_environment + "/" + std::to_string(shape.capacity.millicpus) +
                     ": " + first_id);
    });
    return seen;
  };
  AgentInfo small{.compute_environment = "ce", .capacity = {.millicpus = 2000, .memory_mib = 4096}};
  registry_.Add("a3", small);
  registry_.Add("a2", small);
  registry_.Add("b1", {.compute_environment = "other", .capacity = small.capacity});

  EXPECT_EQ(shapes(), (std::vector<std::string>{"ce/2000: a2", "ce/4000: a1", "other/2000: b1"}));

  registry_.Remove("a2");
  clock_.Advance(seconds(10));
  registry_.Renew("a1");
  registry_.Renew("a3");
  clock_.Advance(seconds(10));
  registry_.TakeExpired();  // b1's lease ran out.

  EXPECT_EQ(shapes(), (std::vector<std::string>{"ce/2000: a3", "ce/4000: a1"}));
  // Registering anew with a1's capacity moves a3 to a1's shape.
  registry_.Add("a3",
                {.compute_environment = "ce", .capacity = {.millicpus = 4000, .memory_mib = 4096}});
  EXPECT_EQ(shapes(), (std::vector<std::string>{"ce/4000: a1"}));
}

TEST_F(AgentRegistryTest, InstanceActionWakesTheParkedPollOnceWithTheMail) {
  AddAttempt("x");
  registry_.QueueKill({.attempt_id = "x", .reason = "r"});
  Park();  // Takes the kill.
  Park();
  ASSERT_FALSE(reply_.has_value());
  protocol::InstanceAction action{.action = "terminate", .time_ms = 1796534400000};

  registry_.SetInstanceAction("a1", action);

  ASSERT_TRUE(reply_.has_value());
  EXPECT_EQ(reply_->instance_action, std::optional(action));
  EXPECT_EQ(registry_.InstanceActionOf("a1"), std::optional(action));
  Park();
  registry_.SetInstanceAction("a1", action);  // The same again: nothing new to say.
  EXPECT_FALSE(reply_.has_value());
  clock_.Advance(seconds(20));
  registry_.Tick();
  ASSERT_TRUE(reply_.has_value());
  EXPECT_FALSE(reply_->instance_action.has_value());
}

TEST_F(AgentRegistryTest, InstanceActionGoesWithTheNextPollWhenNoneIsParked) {
  protocol::InstanceAction action{.action = "terminate", .time_ms = 1796534400000};
  registry_.SetInstanceAction("a1", action);

  Park();
  std::optional<protocol::PollReply> first = reply_;
  Park();

  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->instance_action, std::optional(action));
  EXPECT_FALSE(reply_.has_value());  // The second one parks: no spinning on the notice.
}

TEST_F(AgentRegistryTest, ChangedInstanceActionIsSentAgain) {
  registry_.SetInstanceAction("a1", {.action = "terminate", .time_ms = 1000});
  Park();
  Park();

  registry_.SetInstanceAction("a1", {.action = "terminate", .time_ms = 2000});

  ASSERT_TRUE(reply_.has_value());
  ASSERT_TRUE(reply_->instance_action.has_value());
  EXPECT_EQ(reply_->instance_action->time_ms, 2000);
}

TEST_F(AgentRegistryTest, InstanceActionIsForgottenOnReRegisteringAndIgnoredForUnknownAgents) {
  registry_.SetInstanceAction("a1", {.action = "terminate", .time_ms = 1000});
  registry_.SetInstanceAction("nobody", {.action = "terminate", .time_ms = 1000});

  registry_.Add("a1", {.compute_environment = "ce", .capacity = {.millicpus = 8000}});

  EXPECT_FALSE(registry_.InstanceActionOf("a1").has_value());
  EXPECT_FALSE(registry_.InstanceActionOf("nobody").has_value());
  EXPECT_FALSE(registry_.Contains("nobody"));
}

}  // namespace
}  // namespace barge::control
