#include "control/dispatcher.h"

#include <gtest/gtest.h>

#include <set>

#include "control/dispatch_test_fixture.h"

namespace barge::control {
namespace {

class DispatcherTest : public DispatchTest {
 protected:
  void SetUp() override {
    AddEnvironment("ce");
    AddQueue("q", 1, {"ce"});
  }
};

TEST_F(DispatcherTest, PlacesARunnableJobAndQueuesItsAssignment) {
  std::string agent = Register("ce", Vcpus(4));
  AddJob("j1", "q", Vcpus(1, 256));

  std::vector<protocol::Assignment> assignments = TickAndPoll(agent);

  ASSERT_EQ(assignments.size(), 1U);
  const protocol::Assignment& a = assignments[0];
  Job job = GetJob("j1");
  EXPECT_EQ(job.status, JobStatus::kStarting);
  ASSERT_EQ(job.attempts.size(), 1U);
  EXPECT_EQ(a.attempt_id, job.attempts[0].id);
  EXPECT_EQ(job.attempts[0].agent_id, agent);
  EXPECT_EQ(job.attempts[0].instance_id, "i-1");
  EXPECT_EQ(job.attempts[0].compute_environment, "ce");
  EXPECT_EQ(a.log_stream_name, "def/default/" + job.attempts[0].id);
  EXPECT_EQ(a.command, (std::vector<std::string>{"echo", "hi"}));
  EXPECT_EQ(a.resources.millicpus, 1000);
  EXPECT_EQ(a.resources.memory_mib, 256);
  EXPECT_EQ(a.environment.at("GREETING"), "hello");
  EXPECT_EQ(a.environment.at("AWS_BATCH_JOB_ID"), "j1");
  EXPECT_EQ(a.environment.at("AWS_BATCH_JQ_NAME"), "q");
  EXPECT_EQ(a.environment.at("AWS_BATCH_CE_NAME"), "ce");
  EXPECT_EQ(a.environment.at("AWS_BATCH_JOB_ATTEMPT"), "1");
}

TEST_F(DispatcherTest, NeverOverCommitsAnAgent) {
  std::string agent = Register("ce", Vcpus(4, 4096));
  for (int i = 0; i < 10; ++i) AddJob("j" + std::to_string(i), "q", Vcpus(1, 1000));

  std::vector<protocol::Assignment> assignments = TickAndPoll(agent);
  std::vector<protocol::Assignment> more = TickAndPoll(agent);

  EXPECT_EQ(assignments.size(), 4U);
  EXPECT_TRUE(more.empty());
  EXPECT_EQ(StatusOf("j0"), JobStatus::kStarting);
  EXPECT_EQ(StatusOf("j4"), JobStatus::kRunnable);
}

TEST_F(DispatcherTest, FreedCapacityGoesToTheNextJobInOrder) {
  std::string agent = Register("ce", Vcpus(1));
  AddJob("first", "q", Vcpus(1));
  AddJob("second", "q", Vcpus(1));
  std::vector<protocol::Assignment> assignments = TickAndPoll(agent);
  ASSERT_EQ(assignments.size(), 1U);

  Exited(agent, assignments[0].attempt_id, 0);
  std::vector<protocol::Assignment> next = TickAndPoll(agent);

  EXPECT_EQ(StatusOf("first"), JobStatus::kSucceeded);
  ASSERT_EQ(next.size(), 1U);
  EXPECT_EQ(next[0].job_id, "second");
}

TEST_F(DispatcherTest, FreedSlotGoesToTheFirstJobThatFitsItFurtherDownTheQueue) {
  std::string agent = Register("ce", Vcpus(2, 4096));
  AddJob("running", "q", Vcpus(2, 512));
  ASSERT_EQ(TickAndPoll(agent).size(), 1U);
  // Behind the head, older jobs that need the whole agent, then ones that fit half.
  for (int i = 0; i < 5; ++i) AddJob("wide" + std::to_string(i), "q", Vcpus(3, 512));
  AddJob("half1", "q", Vcpus(1, 512));
  AddJob("half2", "q", Vcpus(1, 512));
  AddJob("half3", "q", Vcpus(1, 512));
  EXPECT_TRUE(TickAndPoll(agent).empty());

  Exited(agent, GetJob("running").attempts[0].id, 0);
  std::vector<protocol::Assignment> next = TickAndPoll(agent);

  std::set<std::string> started;
  for (const protocol::Assignment& a : next) started.insert(a.job_id);
  EXPECT_EQ(started, (std::set<std::string>{"half1", "half2"}));
  EXPECT_EQ(StatusOf("half3"), JobStatus::kRunnable);
  // Larger than any agent: they get the reason, also when the pass stops early.
  EXPECT_EQ(GetJob("wide4").status_reason, scheduler::kJobResourceRequirementReason);
}

TEST_F(DispatcherTest, FreedHalfOfAnAgentGoesToTheFirstJobThatFitsBehindWiderOnes) {
  std::string agent = Register("ce", Vcpus(2, 4096));
  AddJob("r1", "q", Vcpus(1, 512));
  AddJob("r2", "q", Vcpus(1, 512));
  ASSERT_EQ(TickAndPoll(agent).size(), 2U);
  // Wider jobs first (they fit the agent once it is empty, so no reason), then narrow ones.
  for (int i = 0; i < 5; ++i) AddJob("wide" + std::to_string(i), "q", Vcpus(2, 512));
  AddJob("narrow1", "q", Vcpus(1, 512));
  AddJob("narrow2", "q", Vcpus(1, 512));
  EXPECT_TRUE(TickAndPoll(agent).empty());

  Exited(agent, GetJob("r1").attempts[0].id, 0);
  std::vector<protocol::Assignment> next = TickAndPoll(agent);

  ASSERT_EQ(next.size(), 1U);
  EXPECT_EQ(next[0].job_id, "narrow1");
  EXPECT_EQ(StatusOf("narrow2"), JobStatus::kRunnable);
  EXPECT_EQ(StatusOf("wide0"), JobStatus::kRunnable);
  EXPECT_EQ(GetJob("wide0").status_reason, "");
}

TEST_F(DispatcherTest, HigherPriorityQueueIsServedFirst) {
  AddQueue("high", 10, {"ce"});
  AddJob("low-job", "q", Vcpus(1));
  AddJob("high-job", "high", Vcpus(1));
  std::string agent = Register("ce", Vcpus(1));

  std::vector<protocol::Assignment> assignments = TickAndPoll(agent);

  ASSERT_EQ(assignments.size(), 1U);
  EXPECT_EQ(assignments[0].job_id, "high-job");
}

TEST_F(DispatcherTest, DisabledQueueIsNotPlaced) {
  AddQueue("off", 1, {"ce"}, ResourceState::kDisabled);
  AddJob("j", "off", Vcpus(1));
  std::string agent = Register("ce", Vcpus(4));

  EXPECT_TRUE(TickAndPoll(agent).empty());
  EXPECT_EQ(StatusOf("j"), JobStatus::kRunnable);
}

TEST_F(DispatcherTest, DisabledEnvironmentGetsNoNewWork) {
  AddEnvironment("off", ResourceState::kDisabled);
  AddQueue("q2", 1, {"off", "ce"});
  std::string off_agent = Register("off", Vcpus(4));
  std::string on_agent = Register("ce", Vcpus(4));
  AddJob("j", "q2", Vcpus(1));

  EXPECT_TRUE(TickAndPoll(off_agent).empty());
  EXPECT_EQ(PollNow(on_agent).assignments.size(), 1U);
}

// What a pass made of the environments is kept between passes only while
// they stay the same.
TEST_F(DispatcherTest, AnEnvironmentDisabledBetweenPassesGetsNoNewWorkUntilEnabledAgain) {
  std::string agent = Register("ce", Vcpus(4, 4096));
  AddJob("before", "q", Vcpus(1, 512));
  ASSERT_EQ(TickAndPoll(agent).size(), 1U);
  auto set_state = [&](ResourceState state) {
    ASSERT_TRUE(store_.Transact([&](StoreTransaction& txn) -> Status {
      ComputeEnvironment ce = txn.GetComputeEnvironment("ce").value();
      ce.state = state;
      return txn.UpdateComputeEnvironment(ce);
    }));
  };

  set_state(ResourceState::kDisabled);
  AddJob("while-disabled", "q", Vcpus(1, 512));
  EXPECT_TRUE(TickAndPoll(agent).empty());
  EXPECT_EQ(StatusOf("while-disabled"), JobStatus::kRunnable);

  set_state(ResourceState::kEnabled);
  dispatcher_->RequestFullPass();
  std::vector<protocol::Assignment> placed = TickAndPoll(agent);
  ASSERT_EQ(placed.size(), 1U);
  EXPECT_EQ(placed[0].job_id, "while-disabled");
}

TEST_F(DispatcherTest, EnvironmentOrderIsRespected) {
  AddEnvironment("first");
  AddEnvironment("second");
  AddQueue("ordered", 1, {"first", "second"});
  std::string second = Register("second", Vcpus(1));
  std::string first = Register("first", Vcpus(16));
  AddJob("a", "ordered", Vcpus(1));

  auto placed = dispatcher_->Tick();
  ASSERT_TRUE(placed);

  EXPECT_EQ(PollNow(first).assignments.size(), 1U);
  EXPECT_TRUE(PollNow(second).assignments.empty());
  EXPECT_EQ(GetJob("a").attempts[0].compute_environment, "first");
}

TEST_F(DispatcherTest, JobTooLargeForEveryAgentGetsTheReasonUntilABiggerAgentJoins) {
  std::string small = Register("ce", Vcpus(2));
  AddJob("big", "q", Vcpus(8));

  EXPECT_TRUE(TickAndPoll(small).empty());
  EXPECT_EQ(GetJob("big").status_reason, scheduler::kJobResourceRequirementReason);
  int64_t version = GetJob("big").version;
  ASSERT_TRUE(dispatcher_->Tick());
  dispatcher_->RequestFullPass();
  ASSERT_TRUE(dispatcher_->Tick());
  EXPECT_EQ(GetJob("big").version, version);  // Written only when it changes.

  std::string large = Register("ce", Vcpus(8));
  std::vector<protocol::Assignment> assignments = TickAndPoll(large);

  ASSERT_EQ(assignments.size(), 1U);
  EXPECT_EQ(StatusOf("big"), JobStatus::kStarting);
  EXPECT_EQ(GetJob("big").status_reason, "");
}

TEST_F(DispatcherTest, ContainerJobIsNotPlacedOnAProcessOnlyAgentAndSaysWhy) {
  AddEnvironment("boxes", ResourceState::kEnabled, ExecutorKind::kContainer);
  AddQueue("containers", 1, {"boxes"});
  std::string host_only = Register("boxes", Vcpus(4), {}, {}, {"process"});
  AddJob("j", "containers", Vcpus(1));

  EXPECT_TRUE(TickAndPoll(host_only).empty());

  EXPECT_EQ(StatusOf("j"), JobStatus::kRunnable);
  EXPECT_EQ(GetJob("j").status_reason,
            "MISCONFIGURATION:EXECUTOR - no agent in compute environment boxes can run "
            "containers (runc not found on its host, or the agent does not run as root; or tag "
            "the environment barge:executor=process to run jobs directly on the host)");
  int64_t version = GetJob("j").version;
  dispatcher_->RequestFullPass();
  ASSERT_TRUE(dispatcher_->Tick());
  EXPECT_EQ(GetJob("j").version, version);  // Written only when it changes.
}

TEST_F(DispatcherTest, ContainerJobGoesToAnAgentThatRunsContainersAndLosesTheReason) {
  AddEnvironment("boxes", ResourceState::kEnabled, ExecutorKind::kContainer);
  AddQueue("containers", 1, {"boxes"});
  std::string host_only = Register("boxes", Vcpus(16), {}, {}, {"process"});
  AddJob("j", "containers", Vcpus(1));
  EXPECT_TRUE(TickAndPoll(host_only).empty());
  ASSERT_NE(GetJob("j").status_reason, "");

  std::string runc = Register("boxes", Vcpus(1), {}, {}, {"process", "container"});
  std::vector<protocol::Assignment> assignments = TickAndPoll(runc);

  ASSERT_EQ(assignments.size(), 1U);
  EXPECT_EQ(assignments[0].executor, "container");
  EXPECT_EQ(assignments[0].container->image, "busybox");
  EXPECT_EQ(StatusOf("j"), JobStatus::kStarting);
  EXPECT_EQ(GetJob("j").attempts[0].agent_id, runc);
  EXPECT_EQ(GetJob("j").status_reason, "");
  EXPECT_TRUE(PollNow(host_only).assignments.empty());
}

TEST_F(DispatcherTest, EnvironmentWithoutTheExecutorTagRunsContainers) {
  ComputeEnvironment older{.name = "older",
                           .arn = arns_.ComputeEnvironment("older"),
                           .type = ComputeEnvironmentType::kUnmanaged,
                           .status = ResourceStatus::kValid};
  ASSERT_TRUE(
      store_.Transact([&](StoreTransaction& txn) { return txn.InsertComputeEnvironment(older); }));
  AddQueue("old-q", 1, {"older"});
  std::string agent = Register("older", Vcpus(4));  // Lists no executors: process only.
  AddJob("j", "old-q", Vcpus(1));

  EXPECT_TRUE(TickAndPoll(agent).empty());

  EXPECT_TRUE(GetJob("j").status_reason.starts_with(
      "MISCONFIGURATION:EXECUTOR - no agent in compute environment older can run containers"));
}

TEST_F(DispatcherTest, QueueFallsThroughToAnEnvironmentWhoseAgentsHaveItsExecutor) {
  AddEnvironment("boxes", ResourceState::kEnabled, ExecutorKind::kContainer);
  AddQueue("mixed", 1, {"boxes", "ce"});
  std::string box_agent = Register("boxes", Vcpus(4), {}, {}, {"process"});
  std::string host_agent = Register("ce", Vcpus(4), {}, {}, {"process"});
  AddJob("j", "mixed", Vcpus(1));

  std::vector<protocol::Assignment> assignments = TickAndPoll(host_agent);

  ASSERT_EQ(assignments.size(), 1U);
  EXPECT_EQ(assignments[0].executor, "process");
  EXPECT_EQ(GetJob("j").attempts[0].compute_environment, "ce");
  EXPECT_EQ(GetJob("j").status_reason, "");
  EXPECT_TRUE(PollNow(box_agent).assignments.empty());
}

TEST_F(DispatcherTest, ProcessEnvironmentUsesContainerCapableAgentsToo) {
  std::string agent = Register("ce", Vcpus(4), {}, {}, {"process", "container"});
  AddJob("j", "q", Vcpus(1));

  std::vector<protocol::Assignment> assignments = TickAndPoll(agent);

  ASSERT_EQ(assignments.size(), 1U);
  EXPECT_EQ(assignments[0].executor, "process");
}

TEST_F(DispatcherTest, JobAddedAfterAPassIsPlacedByTheNextTick) {
  std::string agent = Register("ce", Vcpus(4));
  ASSERT_TRUE(dispatcher_->Tick());  // The initial full pass.

  AddJob("j", "q", Vcpus(1));
  std::vector<protocol::Assignment> assignments = TickAndPoll(agent);

  EXPECT_EQ(assignments.size(), 1U);
}

TEST_F(DispatcherTest, WakeIsCalledWhenAJobBecomesRunnable) {
  int wakes = 0;
  dispatcher_ = std::make_unique<Dispatcher>(store_, clock_, *registry_, planner_,
                                             DispatcherOptions{.wake = [&] { ++wakes; }});

  AddJob("j", "q", Vcpus(1));

  EXPECT_EQ(wakes, 1);
}

TEST_F(DispatcherTest, JobCancelledAfterItWasQueuedIsSkipped) {
  AddJob("cancelled", "q", Vcpus(1));
  AddJob("next", "q", Vcpus(1));
  ASSERT_TRUE(dispatcher_->Tick());  // No agent yet: both wait in the index.
  Job job = GetJob("cancelled");     // What CancelJob does, without telling the dispatcher.
  ASSERT_TRUE(Transition(job, JobStatus::kFailed, clock_.Now(), "cancelled by user"));
  ASSERT_TRUE(store_.Transact([&](StoreTransaction& txn) { return txn.UpdateJob(job); }));
  std::string agent = Register("ce", Vcpus(1));

  ASSERT_TRUE(dispatcher_->Tick());  // Plans the stale entry, finds it FAILED, drops it.
  std::vector<protocol::Assignment> assignments = TickAndPoll(agent);

  ASSERT_EQ(assignments.size(), 1U);
  EXPECT_EQ(assignments[0].job_id, "next");
  EXPECT_EQ(StatusOf("cancelled"), JobStatus::kFailed);
  EXPECT_TRUE(GetJob("cancelled").attempts.empty());
}

TEST_F(DispatcherTest, NoJobEverRunsTwoAttemptsAtOnce) {
  std::string a = Register("ce", Vcpus(4));
  std::string b = Register("ce", Vcpus(4));
  AddJob("j", "q", Vcpus(1));

  for (int i = 0; i < 5; ++i) {
    dispatcher_->RequestFullPass();
    ASSERT_TRUE(dispatcher_->Tick());
  }
  size_t total = PollNow(a).assignments.size() + PollNow(b).assignments.size();

  EXPECT_EQ(total, 1U);
  EXPECT_EQ(GetJob("j").attempts.size(), 1U);
}

}  // namespace
}  // namespace barge::control
