#include "agent/agent.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "agent/fake_agent_channel.h"
#include "agent/fake_executor.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace barge::agent {
namespace {

using std::chrono::milliseconds;
using Channel = FakeAgentChannel;

protocol::Assignment Assign(const std::string& id) {
  return protocol::Assignment{.attempt_id = id, .job_id = "job-" + id, .command = {"true"}};
}

class AgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = barge::testing::TempDir::Create();
    ASSERT_TRUE(dir);
    dir_.emplace(std::move(*dir));
  }

  AgentOptions Options() {
    return AgentOptions{.state_dir = dir_->path(),
                        .compute_environment = "ce-1",
                        .instance_id = "i-0123456789abcdef0",
                        .instance_type = "local",
                        .hostname = "host-1",
                        .capacity = {.millicpus = 2000, .memory_mib = 4096},
                        .labels = {{"zone", "a"}},
                        .max_log_lines_per_request = 2};
  }

  std::unique_ptr<Agent> StartAgent() {
    auto agent = std::make_unique<Agent>(channel_, executor_, clock_, Options());
    Status started = agent->Start();
    EXPECT_TRUE(started) << started.error().message;
    return agent;
  }

  // Starts an agent and answers its registration.
  std::unique_ptr<Agent> RegisteredAgent(int64_t heartbeat_ms = 5000) {
    auto agent = StartAgent();
    EXPECT_EQ(channel_.registers.size(), 1u);
    Channel::Answer(channel_.registers,
                    protocol::RegisterReply{
                        .agent_id = "agent-7", .lease_ms = 30000, .heartbeat_ms = heartbeat_ms});
    return agent;
  }

  // Answers the outstanding poll with these assignments.
  void Assignments(std::vector<protocol::Assignment> assignments) {
    ASSERT_EQ(channel_.polls.size(), 1u);
    protocol::PollReply reply;
    for (protocol::Assignment& assignment : assignments) {
      reply.assignments.push_back(protocol::Share(std::move(assignment)));
    }
    Channel::Answer(channel_.polls, std::move(reply));
  }

  void AckEvents() { Channel::Answer(channel_.events, Acknowledged{}); }
  void AckLogs() { Channel::Answer(channel_.logs, Acknowledged{}); }

  std::optional<barge::testing::TempDir> dir_;
  barge::testing::FakeClock clock_;
  Channel channel_;
  FakeExecutor executor_;
};

TEST_F(AgentTest, RegistersWithItsCapacityAndKeepsOnePollOutstanding) {
  auto agent = StartAgent();

  ASSERT_EQ(channel_.registers.size(), 1u);
  const protocol::RegisterRequest& sent = channel_.registers.front().request;
  EXPECT_EQ(sent.agent_id, "");
  EXPECT_EQ(sent.compute_environment, "ce-1");
  EXPECT_EQ(sent.instance_id, "i-0123456789abcdef0");
  EXPECT_EQ(sent.capacity.millicpus, 2000);
  EXPECT_EQ(sent.capacity.memory_mib, 4096);
  EXPECT_EQ(sent.labels.at("zone"), "a");
  EXPECT_EQ(sent.executors, std::vector<std::string>{"process"});
  EXPECT_TRUE(channel_.polls.empty());

  Channel::Answer(channel_.registers, protocol::RegisterReply{.agent_id = "agent-7"});

  EXPECT_TRUE(agent->registered());
  EXPECT_EQ(agent->agent_id(), "agent-7");
  ASSERT_EQ(channel_.polls.size(), 1u);
  EXPECT_EQ(channel_.polls.front().request.agent_id, "agent-7");
  agent->Tick();
  EXPECT_EQ(channel_.polls.size(), 1u);  // Still just one.
}

TEST_F(AgentTest, AssignmentRunsAndItsStartOutputAndExitAreReported) {
  auto agent = RegisteredAgent();

  Assignments({Assign("a1")});

  EXPECT_EQ(executor_.started, std::vector<std::string>{"a1"});
  EXPECT_EQ(channel_.polls.size(), 1u);  // The next poll went out at once.
  ASSERT_EQ(channel_.events.size(), 1u);
  ASSERT_EQ(channel_.events.front().request.events.size(), 1u);
  EXPECT_EQ(channel_.events.front().request.events[0].kind, protocol::EventKind::kStarted);
  EXPECT_EQ(channel_.events.front().request.events[0].attempt_id, "a1");
  AckEvents();

  executor_.Print("a1", "hello");
  executor_.End("a1", 3);

  ASSERT_EQ(channel_.logs.size(), 1u);
  EXPECT_EQ(channel_.logs.front().request.attempt_id, "a1");
  EXPECT_EQ(channel_.logs.front().request.first_sequence, 0);
  ASSERT_EQ(channel_.logs.front().request.lines.size(), 1u);
  EXPECT_EQ(channel_.logs.front().request.lines[0].message, "hello");
  EXPECT_TRUE(channel_.events.empty());  // The exit waits for the output to be shipped.
  AckLogs();

  ASSERT_EQ(channel_.events.size(), 1u);
  const protocol::AttemptEvent& exited = channel_.events.front().request.events.at(0);
  EXPECT_EQ(exited.kind, protocol::EventKind::kExited);
  EXPECT_EQ(exited.exit_code, std::optional<int32_t>(3));
  EXPECT_EQ(exited.reason, executor::kReasonExited);
  AckEvents();

  EXPECT_TRUE(executor_.removed.contains("a1"));
  EXPECT_TRUE(agent->TrackedAttempts().empty());
  auto ledger = AttemptLedger::Open(dir_->path());
  ASSERT_TRUE(ledger);
  EXPECT_TRUE(ledger->entries().empty());
}

TEST_F(AgentTest, ContainerAttemptIsReportedStartedOnlyOnceItRuns) {
  auto agent = RegisteredAgent();
  protocol::Assignment container = Assign("c1");
  container.executor = std::string(protocol::kExecutorContainer);

  Assignments({container});

  EXPECT_EQ(executor_.started, std::vector<std::string>{"c1"});
  EXPECT_TRUE(channel_.events.empty());  // runc has not started the container yet.
  executor_.Run("c1", 1234);
  ASSERT_EQ(channel_.events.size(), 1u);
  const protocol::AttemptEvent& started = channel_.events.front().request.events.at(0);
  EXPECT_EQ(started.kind, protocol::EventKind::kStarted);
  EXPECT_EQ(started.at_ms, 1234);
}

TEST_F(AgentTest, ContainerAttemptThatEndsBeforeItsRunningReportStillReportsBoth) {
  auto agent = RegisteredAgent();
  protocol::Assignment container = Assign("c1");
  container.executor = std::string(protocol::kExecutorContainer);
  Assignments({container});

  executor_.End("c1", 0);

  ASSERT_EQ(channel_.events.size(), 1u);
  const auto& events = channel_.events.front().request.events;
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, protocol::EventKind::kStarted);
  EXPECT_EQ(events[0].at_ms, 1);  // The result's started_at_ms.
  EXPECT_EQ(events[1].kind, protocol::EventKind::kExited);
}

TEST_F(AgentTest, RepeatedAssignmentIsIgnored) {
  auto agent = RegisteredAgent();
  Assignments({Assign("a1"), Assign("a1")});
  AckEvents();
  executor_.End("a1", 0);
  agent->Tick();
  AckEvents();

  Assignments({Assign("a1")});  // Even after it ended and was forgotten.

  EXPECT_EQ(executor_.started, std::vector<std::string>{"a1"});
  EXPECT_TRUE(channel_.events.empty());
}

TEST_F(AgentTest, LogsAreShippedInBatchesWithTheirSequenceNumbers) {
  auto agent = RegisteredAgent();
  Assignments({Assign("a1")});
  AckEvents();
  for (int i = 0; i < 5; ++i) executor_.Print("a1", "line " + std::to_string(i));

  agent->Tick();
  ASSERT_EQ(channel_.logs.size(), 1u);
  EXPECT_EQ(channel_.logs.front().request.first_sequence, 0);
  EXPECT_EQ(channel_.logs.front().request.lines.size(), 2u);
  AckLogs();
  ASSERT_EQ(channel_.logs.size(), 1u);
  EXPECT_EQ(channel_.logs.front().request.first_sequence, 2);
  AckLogs();
  ASSERT_EQ(channel_.logs.size(), 1u);
  EXPECT_EQ(channel_.logs.front().request.first_sequence, 4);
  EXPECT_EQ(channel_.logs.front().request.lines.at(0).message, "line 4");
  AckLogs();

  EXPECT_TRUE(channel_.logs.empty());
}

TEST_F(AgentTest, EventsAreRetriedWithBackoffUntilAcknowledged) {
  auto agent = RegisteredAgent();
  Assignments({Assign("a1")});
  ASSERT_EQ(channel_.events.size(), 1u);

  Channel::Answer(channel_.events, Unavailable("connection refused"));
  agent->Tick();
  EXPECT_TRUE(channel_.events.empty());  // Too early.
  clock_.Advance(milliseconds(200));
  agent->Tick();

  ASSERT_EQ(channel_.events.size(), 1u);
  EXPECT_EQ(channel_.events.front().request.events.at(0).attempt_id, "a1");
  EXPECT_EQ(channel_.events.front().request.events.at(0).kind, protocol::EventKind::kStarted);
  AckEvents();
  clock_.Advance(milliseconds(10000));
  agent->Tick();
  EXPECT_TRUE(channel_.events.empty());  // Acknowledged: never sent again.
}

TEST_F(AgentTest, GoneMakesTheAgentRegisterAgainListingItsAttemptsAndResendWhatIsPending) {
  auto agent = RegisteredAgent();
  Assignments({Assign("a1")});
  Channel::Answer(channel_.events, Unavailable("down"));

  Channel::Answer(channel_.polls, NotFound("410"));

  EXPECT_FALSE(agent->registered());
  ASSERT_EQ(channel_.registers.size(), 1u);
  EXPECT_EQ(channel_.registers.front().request.agent_id, "agent-7");
  EXPECT_EQ(channel_.registers.front().request.running_attempts, std::vector<std::string>{"a1"});
  Channel::Answer(channel_.registers, protocol::RegisterReply{.agent_id = "agent-7"});
  EXPECT_TRUE(agent->registered());
  EXPECT_EQ(channel_.polls.size(), 1u);
  ASSERT_EQ(channel_.events.size(), 1u);  // The unacknowledged start, at once.
  EXPECT_EQ(channel_.events.front().request.events.at(0).kind, protocol::EventKind::kStarted);
  EXPECT_TRUE(executor_.kills.empty());  // The job kept running throughout.
}

TEST_F(AgentTest, StaleGoneFromAnEarlierRegistrationIsIgnored) {
  auto agent = RegisteredAgent();
  agent->Tick();
  clock_.Advance(milliseconds(5000));
  agent->Tick();
  ASSERT_EQ(channel_.heartbeats.size(), 1u);
  Channel::Answer(channel_.polls, NotFound("410"));
  Channel::Answer(channel_.registers, protocol::RegisterReply{.agent_id = "agent-7"});

  Channel::Answer(channel_.heartbeats, NotFound("410"));  // Sent before re-registering.

  EXPECT_TRUE(agent->registered());
  EXPECT_TRUE(channel_.registers.empty());
}

TEST_F(AgentTest, UnreachableServerIsRetriedWithGrowingBackoff) {
  auto agent = StartAgent();

  Channel::Answer(channel_.registers, Unavailable("connection refused"));
  clock_.Advance(milliseconds(199));
  agent->Tick();
  EXPECT_TRUE(channel_.registers.empty());
  clock_.Advance(milliseconds(1));
  agent->Tick();
  ASSERT_EQ(channel_.registers.size(), 1u);
  Channel::Answer(channel_.registers, Unavailable("connection refused"));
  clock_.Advance(milliseconds(399));
  agent->Tick();
  EXPECT_TRUE(channel_.registers.empty());  // Second failure: 400 ms.
  clock_.Advance(milliseconds(1));
  agent->Tick();

  EXPECT_EQ(channel_.registers.size(), 1u);
}

TEST_F(AgentTest, HeartbeatsFollowTheServersIntervalAndListRunningAttempts) {
  auto agent = RegisteredAgent(/*heartbeat_ms=*/1000);
  Assignments({Assign("a1")});

  clock_.Advance(milliseconds(999));
  agent->Tick();
  EXPECT_TRUE(channel_.heartbeats.empty());
  clock_.Advance(milliseconds(1));
  agent->Tick();

  ASSERT_EQ(channel_.heartbeats.size(), 1u);
  EXPECT_EQ(channel_.heartbeats.front().request.agent_id, "agent-7");
  EXPECT_EQ(channel_.heartbeats.front().request.running_attempts, std::vector<std::string>{"a1"});
}

TEST_F(AgentTest, KillOrdersFromPollsAndHeartbeatsAreObeyed) {
  auto agent = RegisteredAgent(/*heartbeat_ms=*/1000);
  Assignments({Assign("a1"), Assign("a2")});

  Channel::Answer(channel_.polls,
                  protocol::PollReply{
                      .kills = {{.attempt_id = "a1", .grace_ms = 500}, {.attempt_id = "unknown"}}});
  clock_.Advance(milliseconds(1000));
  agent->Tick();
  Channel::Answer(channel_.heartbeats, protocol::HeartbeatReply{.kill_attempts = {"a2"}});

  ASSERT_EQ(executor_.kills.size(), 2u);
  EXPECT_EQ(executor_.kills[0], std::make_pair(std::string("a1"), Duration(milliseconds(500))));
  EXPECT_EQ(executor_.kills[1].first, "a2");
  EXPECT_EQ(executor_.kills[1].second, Duration(std::chrono::seconds(30)));
}

TEST_F(AgentTest, AssignmentThatCannotStartIsReportedAsExitedOnly) {
  auto agent = RegisteredAgent();
  executor_.start_errors["a1"] = InvalidArgument("user bob does not exist on this host");

  Assignments({Assign("a1")});

  ASSERT_EQ(channel_.events.size(), 1u);
  ASSERT_EQ(channel_.events.front().request.events.size(), 1u);
  const protocol::AttemptEvent& event = channel_.events.front().request.events[0];
  EXPECT_EQ(event.kind, protocol::EventKind::kExited);
  EXPECT_FALSE(event.exit_code.has_value());
  EXPECT_EQ(event.reason, "CannotStartContainerError: user bob does not exist on this host");
}

TEST_F(AgentTest, ExitIsNotHeldBackWhileLogShippingFails) {
  auto agent = RegisteredAgent();
  Assignments({Assign("a1")});
  AckEvents();
  executor_.Print("a1", "x");
  executor_.End("a1", 0);
  ASSERT_EQ(channel_.logs.size(), 1u);

  Channel::Answer(channel_.logs, Unavailable("logs down"));

  ASSERT_EQ(channel_.events.size(), 1u);
  EXPECT_EQ(channel_.events.front().request.events.at(0).kind, protocol::EventKind::kExited);
}

TEST_F(AgentTest, ExitWaitsForLogsOnlyUpToItsLimit) {
  auto agent = RegisteredAgent();
  Assignments({Assign("a1")});
  AckEvents();
  executor_.Print("a1", "x");
  executor_.End("a1", 0);
  ASSERT_EQ(channel_.logs.size(), 1u);  // Never answered.

  clock_.Advance(milliseconds(2000));
  agent->Tick();

  ASSERT_EQ(channel_.events.size(), 1u);
  EXPECT_EQ(channel_.events.front().request.events.at(0).kind, protocol::EventKind::kExited);
}

TEST_F(AgentTest, RestartedAgentReportsWhatWasNotAcknowledgedAndAdoptsRunningAttempts) {
  {
    auto agent = RegisteredAgent();
    Assignments({Assign("running"), Assign("ended")});
    AckEvents();  // Both started events acknowledged.
    executor_.Print("ended", "first");
    agent->Tick();
    AckLogs();  // "first" acknowledged.
  }             // The agent stops; its jobs do not.
  EXPECT_EQ(channel_.cancelled, 1);
  executor_.Print("ended", "second");
  executor_.running.erase("ended");  // It ended while no agent ran.
  executor_.to_recover = {
      {.attempt_id = "running", .started_at_ms = 1},
      {.attempt_id = "ended",
       .started_at_ms = 1,
       .result = executor::AttemptResult{.attempt_id = "ended", .exit_code = 4}}};
  channel_.polls.clear();

  auto agent = StartAgent();
  ASSERT_EQ(channel_.registers.size(), 1u);
  const protocol::RegisterRequest& sent = channel_.registers.front().request;
  EXPECT_EQ(sent.agent_id, "agent-7");  // Same host, same id.
  EXPECT_EQ(sent.running_attempts, (std::vector<std::string>{"ended", "running"}));
  Channel::Answer(channel_.registers, protocol::RegisterReply{.agent_id = "agent-7"});

  ASSERT_EQ(channel_.logs.size(), 1u);  // Only what was not acknowledged.
  EXPECT_EQ(channel_.logs.front().request.first_sequence, 1);
  EXPECT_EQ(channel_.logs.front().request.lines.at(0).message, "second");
  AckLogs();
  ASSERT_EQ(channel_.events.size(), 1u);
  ASSERT_EQ(channel_.events.front().request.events.size(), 1u);  // No started events again.
  EXPECT_EQ(channel_.events.front().request.events[0].attempt_id, "ended");
  EXPECT_EQ(channel_.events.front().request.events[0].exit_code, std::optional<int32_t>(4));
  AckEvents();
  EXPECT_EQ(agent->TrackedAttempts(), std::vector<std::string>{"running"});
  EXPECT_TRUE(executor_.removed.contains("ended"));

  executor_.End("running", 0);  // The adopted attempt ends later.
  ASSERT_EQ(channel_.events.size(), 1u);
  EXPECT_EQ(channel_.events.front().request.events.at(0).attempt_id, "running");
}

TEST_F(AgentTest, ShutdownKillsJobsAndReturnsOnceTheirExitsAreReported) {
  auto agent = RegisteredAgent();
  Assignments({Assign("a1")});
  AckEvents();
  bool done = false;

  agent->Shutdown(ShutdownOptions{.grace = milliseconds(100)}, [&] { done = true; });
  ASSERT_EQ(executor_.kills.size(), 1u);
  EXPECT_EQ(executor_.kills[0].second, Duration(milliseconds(100)));
  EXPECT_FALSE(done);
  executor_.End("a1", 137);
  EXPECT_FALSE(done);
  AckEvents();

  EXPECT_TRUE(done);
}

TEST_F(AgentTest, ShutdownStopsPollingAndStartsNothingMore) {
  auto agent = RegisteredAgent();
  Assignments({Assign("a1")});
  AckEvents();
  agent->Shutdown(ShutdownOptions{}, [] {});

  Assignments({Assign("late")});  // The poll that was already out.
  agent->Tick();

  EXPECT_EQ(executor_.started, std::vector<std::string>{"a1"});
  EXPECT_TRUE(channel_.polls.empty());
  EXPECT_TRUE(channel_.events.empty());
}

TEST_F(AgentTest, ShutdownKeepingJobsReturnsAtOnceAndKillsNothing) {
  auto agent = RegisteredAgent();
  Assignments({Assign("a1")});
  bool done = false;

  agent->Shutdown(ShutdownOptions{.kill_jobs = false}, [&] { done = true; });

  EXPECT_TRUE(done);
  EXPECT_TRUE(executor_.kills.empty());
}

TEST_F(AgentTest, ShutdownGivesUpReportingAfterItsTimeout) {
  auto agent = RegisteredAgent();
  Assignments({Assign("a1")});
  bool done = false;
  agent->Shutdown(ShutdownOptions{.grace = milliseconds(100), .report_timeout = milliseconds(900)},
                  [&] { done = true; });

  clock_.Advance(milliseconds(999));
  agent->Tick();
  EXPECT_FALSE(done);
  clock_.Advance(milliseconds(1));
  agent->Tick();

  EXPECT_TRUE(done);
}

}  // namespace
}  // namespace barge::agent
