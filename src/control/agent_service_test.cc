#include "control/agent_service.h"

#include <gtest/gtest.h>

#include "control/attempt_transitions.h"
#include "control/dispatch_test_fixture.h"

namespace barge::control {
namespace {

using std::chrono::seconds;

class AgentServiceTest : public DispatchTest {
 protected:
  void SetUp() override {
    AddEnvironment("ce");
    AddQueue("q", 1, {"ce"});
    agent_ = Register("ce", Vcpus(4));
  }

  // Places `id` and returns its attempt id.
  std::string Place(const std::string& id) {
    std::vector<protocol::Assignment> assignments = TickAndPoll(agent_);
    EXPECT_EQ(assignments.size(), 1U);
    if (assignments.empty()) return {};
    EXPECT_EQ(assignments[0].job_id, id);
    return assignments[0].attempt_id;
  }

  // Keeps `agent_` alive across a clock jump.
  void Heartbeat(std::vector<std::string> running = {}) {
    auto reply = agents_->Heartbeat({.agent_id = agent_, .running_attempts = std::move(running)});
    ASSERT_TRUE(reply) << reply.error().message;
    last_heartbeat_ = *reply;
  }

  std::string agent_;
  protocol::HeartbeatReply last_heartbeat_{};
};

TEST_F(AgentServiceTest, RegisterGivesAnIdALeaseAndAHeartbeatInterval) {
  EXPECT_FALSE(agent_.empty());
  EXPECT_EQ(last_register_.lease_ms, 15000);
  EXPECT_EQ(last_register_.heartbeat_ms, 5000);
}

TEST_F(AgentServiceTest, RegisterIntoAnUnknownEnvironmentIsRefused) {
  auto reply = agents_->Register(
      {.compute_environment = "nope", .capacity = {.millicpus = 1000, .memory_mib = 100}});

  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(AgentServiceTest, UnknownAgentGetsNotFoundEverywhere) {
  EXPECT_EQ(agents_->Heartbeat({.agent_id = "ghost"}).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(agents_->Events({.agent_id = "ghost"}).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(agents_->Logs({.agent_id = "ghost"}).error().code, ErrorCode::kNotFound);
  bool called = false;
  Status polled = agents_->Poll({.agent_id = "ghost"}, [&](protocol::PollReply) { called = true; });
  EXPECT_EQ(polled.error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(called);
}

TEST_F(AgentServiceTest, StartedThenExitZeroSucceeds) {
  AddJob("j", "q", Vcpus(1));
  std::string attempt = Place("j");

  Started(agent_, attempt);
  EXPECT_EQ(StatusOf("j"), JobStatus::kRunning);
  clock_.Advance(seconds(3));
  Exited(agent_, attempt, 0);

  Job job = GetJob("j");
  EXPECT_EQ(job.status, JobStatus::kSucceeded);
  EXPECT_EQ(job.status_reason, "Essential container in task exited");
  ASSERT_EQ(job.attempts.size(), 1U);
  EXPECT_EQ(job.attempts[0].exit_code, 0);
  EXPECT_EQ(*job.stopped_at - *job.started_at, seconds(3));
  EXPECT_EQ(registry_->Nodes()[0].free, Vcpus(4));
}

TEST_F(AgentServiceTest, DuplicateAndStaleEventsAreHarmless) {
  AddJob("j", "q", Vcpus(1));
  std::string attempt = Place("j");
  Started(agent_, attempt);
  Started(agent_, attempt);
  Exited(agent_, attempt, 0);
  int64_t version = GetJob("j").version;

  Exited(agent_, attempt, 1);
  Started(agent_, attempt);
  Exited(agent_, "never-heard-of-it", 0);

  EXPECT_EQ(StatusOf("j"), JobStatus::kSucceeded);
  EXPECT_EQ(GetJob("j").version, version);
  EXPECT_TRUE(TickAndPoll(agent_).empty());  // A SUCCEEDED job never runs again.
}

TEST_F(AgentServiceTest, OneRequestOfEventsIsRecordedInOneTransaction) {
  AddJob("a", "q", Vcpus(1, 64));
  AddJob("b", "q", Vcpus(1, 64));
  std::vector<protocol::Assignment> placed = TickAndPoll(agent_);
  ASSERT_EQ(placed.size(), 2U);
  std::vector<protocol::AttemptEvent> events;
  for (const protocol::Assignment& a : placed) {
    events.push_back({.attempt_id = a.attempt_id, .kind = protocol::EventKind::kStarted});
    events.push_back(
        {.attempt_id = a.attempt_id, .kind = protocol::EventKind::kExited, .exit_code = 0});
  }
  store_.FailNextCommit(Unavailable("disk busy"));

  Status failed = agents_->Events({.agent_id = agent_, .events = events});

  ASSERT_FALSE(failed);
  EXPECT_EQ(StatusOf("a"), JobStatus::kStarting);
  EXPECT_EQ(StatusOf("b"), JobStatus::kStarting);
  // Still reserved: nothing was recorded.
  EXPECT_EQ(registry_->Nodes()[0].free, Vcpus(2, 1024 - 128));

  ASSERT_TRUE(agents_->Events({.agent_id = agent_, .events = events}));

  EXPECT_EQ(StatusOf("a"), JobStatus::kSucceeded);
  EXPECT_EQ(StatusOf("b"), JobStatus::kSucceeded);
  EXPECT_EQ(GetJob("a").version, 3);  // Inserted, placed, then one write for both events.
  EXPECT_EQ(registry_->Nodes()[0].free, Vcpus(4));
}

// An exit and the placement it makes room for share the events request's
// transaction: the waiting job is STARTING and its assignment queued when
// Events returns, with no separate pass; a failed commit records neither.
TEST_F(AgentServiceTest, AnExitPlacesTheNextJobInTheSameTransaction) {
  AddJob("a", "q", Vcpus(4));
  std::string first = Place("a");
  AddJob("b", "q", Vcpus(4));
  ASSERT_TRUE(dispatcher_->Tick());  // No room for b yet.
  EXPECT_EQ(StatusOf("b"), JobStatus::kRunnable);
  Started(agent_, first);
  protocol::AttemptEvent exit{
      .attempt_id = first, .kind = protocol::EventKind::kExited, .exit_code = 0};
  store_.FailNextCommit(Unavailable("disk busy"));

  ASSERT_FALSE(agents_->Events({.agent_id = agent_, .events = {exit}}));

  EXPECT_EQ(StatusOf("a"), JobStatus::kRunning);
  EXPECT_EQ(StatusOf("b"), JobStatus::kRunnable);
  EXPECT_TRUE(PollNow(agent_).assignments.empty());
  EXPECT_EQ(registry_->Nodes()[0].free, Resources{});

  ASSERT_TRUE(agents_->Events({.agent_id = agent_, .events = {exit}}));

  EXPECT_EQ(StatusOf("a"), JobStatus::kSucceeded);
  EXPECT_EQ(StatusOf("b"), JobStatus::kStarting);
  std::vector<protocol::Assignment> next = Copies(PollNow(agent_));
  ASSERT_EQ(next.size(), 1U);
  EXPECT_EQ(next[0].job_id, "b");
  EXPECT_EQ(registry_->Nodes()[0].free, Resources{});
  auto again = dispatcher_->Tick();
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 0);
}

// Without pass_within_exits (the simulation's setting) an exit only makes a
// full pass due: the dispatcher's next tick places the waiting job, together
// with what other exits freed since.
TEST_F(AgentServiceTest, WithoutPassWithinExitsTheNextTickPlacesTheWaitingJob) {
  agents_ = std::make_unique<AgentService>(reporting_, clock_, *registry_, *dispatcher_,
                                           AgentServiceOptions{.pass_within_exits = false});
  AddJob("a", "q", Vcpus(4));
  std::string first = Place("a");
  AddJob("b", "q", Vcpus(4));
  ASSERT_TRUE(dispatcher_->Tick());  // No room for b yet.
  Started(agent_, first);

  ASSERT_TRUE(agents_->Events(
      {.agent_id = agent_,
       .events = {{.attempt_id = first, .kind = protocol::EventKind::kExited, .exit_code = 0}}}));

  EXPECT_EQ(StatusOf("a"), JobStatus::kSucceeded);
  EXPECT_EQ(StatusOf("b"), JobStatus::kRunnable);
  EXPECT_EQ(registry_->Nodes()[0].free, Vcpus(4));
  EXPECT_TRUE(PollNow(agent_).assignments.empty());

  auto placed = dispatcher_->Tick();
  ASSERT_TRUE(placed);
  EXPECT_EQ(*placed, 1);
  EXPECT_EQ(StatusOf("b"), JobStatus::kStarting);
  std::vector<protocol::Assignment> next = Copies(PollNow(agent_));
  ASSERT_EQ(next.size(), 1U);
  EXPECT_EQ(next[0].job_id, "b");
}

TEST_F(AgentServiceTest, ExitThreeWithThreeAttemptsEndsFailedAfterThreeAttempts) {
  AddJob("j", "q", Vcpus(1), {.attempts = 3});

  for (int i = 1; i <= 3; ++i) {
    std::string attempt = Place("j");
    Started(agent_, attempt);
    Exited(agent_, attempt, 3);
  }

  Job job = GetJob("j");
  EXPECT_EQ(job.status, JobStatus::kFailed);
  ASSERT_EQ(job.attempts.size(), 3U);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(job.attempts[i].number, i + 1);
    EXPECT_EQ(job.attempts[i].exit_code, 3);
  }
  EXPECT_TRUE(TickAndPoll(agent_).empty());
}

TEST_F(AgentServiceTest, RetriedAttemptSeesTheNextAttemptNumber) {
  AddJob("j", "q", Vcpus(1), {.attempts = 2});
  std::string first = Place("j");
  Exited(agent_, first, 1);

  std::vector<protocol::Assignment> again = TickAndPoll(agent_);

  ASSERT_EQ(again.size(), 1U);
  EXPECT_EQ(again[0].attempt_number, 2);
  EXPECT_EQ(again[0].environment.at("AWS_BATCH_JOB_ATTEMPT"), "2");
  EXPECT_NE(again[0].attempt_id, first);
}

TEST_F(AgentServiceTest, EvaluateOnExitRuleStopsRetries) {
  AddJob("j", "q", Vcpus(1),
         {.attempts = 5, .evaluate_on_exit = {{.on_exit_code = "3", .action = "EXIT"}}});
  std::string attempt = Place("j");

  Exited(agent_, attempt, 3);

  EXPECT_EQ(StatusOf("j"), JobStatus::kFailed);
  EXPECT_EQ(GetJob("j").attempts.size(), 1U);
}

TEST_F(AgentServiceTest, TerminateSendsAKillAndFailsOnTheExitReport) {
  AddJob("j", "q", Vcpus(1), {.attempts = 3});
  std::string attempt = Place("j");
  Started(agent_, attempt);
  // What JobService::Terminate does before calling StopAttempt.
  Job job = GetJob("j");
  job.is_terminated = true;
  job.stop_reason = "enough";
  ASSERT_TRUE(store_.Transact([&](StoreTransaction& txn) { return txn.UpdateJob(job); }));

  dispatcher_->StopAttempt(GetJob("j"), "enough");
  protocol::PollReply reply = PollNow(agent_);
  ASSERT_EQ(reply.kills.size(), 1U);
  EXPECT_EQ(reply.kills[0].attempt_id, attempt);
  EXPECT_EQ(StatusOf("j"), JobStatus::kRunning);  // Until the agent says it is gone.
  Heartbeat({attempt});
  EXPECT_EQ(last_heartbeat_.kill_attempts, std::vector<std::string>{attempt});  // Repeated.
  Exited(agent_, attempt, 143);

  job = GetJob("j");
  EXPECT_EQ(job.status, JobStatus::kFailed);
  EXPECT_EQ(job.status_reason, "enough");
  EXPECT_EQ(job.attempts.size(), 1U);
  EXPECT_TRUE(TickAndPoll(agent_).empty());
}

TEST_F(AgentServiceTest, TerminateBeforeDeliveryWithdrawsTheAssignment) {
  AddJob("j", "q", Vcpus(1));
  ASSERT_TRUE(dispatcher_->Tick());
  Job job = GetJob("j");
  ASSERT_EQ(job.status, JobStatus::kStarting);
  job.is_terminated = true;
  job.stop_reason = "changed my mind";
  ASSERT_TRUE(store_.Transact([&](StoreTransaction& txn) { return txn.UpdateJob(job); }));

  dispatcher_->StopAttempt(GetJob("j"), "changed my mind");

  protocol::PollReply reply = PollNow(agent_);
  EXPECT_TRUE(reply.assignments.empty());
  EXPECT_TRUE(reply.kills.empty());
  EXPECT_EQ(StatusOf("j"), JobStatus::kFailed);
  EXPECT_EQ(GetJob("j").status_reason, "changed my mind");
  EXPECT_EQ(registry_->Nodes()[0].free, Vcpus(4));
}

TEST_F(AgentServiceTest, LeaseExpiryEndsAttemptsWithTheHostReasonAndRetriesElsewhere) {
  AddJob("j", "q", Vcpus(1), {.attempts = 2});
  std::string attempt = Place("j");
  Started(agent_, attempt);
  std::string dead = agent_;
  agent_ = Register("ce", Vcpus(4));
  clock_.Advance(seconds(10));
  Heartbeat();  // Only the new agent keeps its lease.
  clock_.Advance(seconds(6));

  auto ended = agents_->Tick();

  ASSERT_TRUE(ended);
  EXPECT_EQ(*ended, 1);
  Job job = GetJob("j");
  EXPECT_EQ(job.status, JobStatus::kRunnable);
  EXPECT_EQ(job.attempts[0].status_reason, "Host EC2 (instance i-1) terminated.");
  EXPECT_FALSE(job.attempts[0].exit_code.has_value());
  EXPECT_EQ(agents_->Heartbeat({.agent_id = dead}).error().code, ErrorCode::kNotFound);
  std::vector<protocol::Assignment> again = TickAndPoll(agent_);
  ASSERT_EQ(again.size(), 1U);
  EXPECT_EQ(again[0].attempt_number, 2);
}

TEST_F(AgentServiceTest, HeartbeatKillsAttemptsTheServerDoesNotKnow) {
  Heartbeat({"zombie"});

  EXPECT_EQ(last_heartbeat_.kill_attempts, std::vector<std::string>{"zombie"});
}

TEST_F(AgentServiceTest, LostPollReplyIsDeliveredAgain) {
  AddJob("j", "q", Vcpus(1));
  std::string attempt = Place("j");  // Suppose this reply never arrived.
  clock_.Advance(seconds(16));

  Heartbeat({});

  std::vector<protocol::Assignment> again = Copies(PollNow(agent_));
  ASSERT_EQ(again.size(), 1U);
  EXPECT_EQ(again[0].attempt_id, attempt);
}

TEST_F(AgentServiceTest, LogLinesGoToTheAttemptsStreamAndRepeatsAreDropped) {
  AddJob("j", "q", Vcpus(1));
  std::string attempt = Place("j");
  protocol::LogsRequest logs{
      .agent_id = agent_,
      .attempt_id = attempt,
      .first_sequence = 0,
      .lines = {{.timestamp_ms = 1, .message = "one"}, {.timestamp_ms = 2, .message = "two"}}};

  ASSERT_TRUE(agents_->Logs(logs));
  ASSERT_TRUE(agents_->Logs(logs));
  Exited(agent_, attempt, 0);
  ASSERT_TRUE(agents_->Logs({.agent_id = agent_,
                             .attempt_id = attempt,
                             .first_sequence = 2,
                             .lines = {{.timestamp_ms = 3, .message = "after exit"}}}));

  std::vector<LogEvent> lines;
  ASSERT_TRUE(store_.Transact([&](StoreTransaction& txn) -> Status {
    auto read = txn.ReadLogEvents({.stream = "def/default/" + attempt});
    if (!read) return read.error();
    lines = *read;
    return Ok();
  }));
  ASSERT_EQ(lines.size(), 3U);
  EXPECT_EQ(lines[0].message, "one");
  EXPECT_EQ(lines[2].message, "after exit");
}

TEST_F(AgentServiceTest, RestartedServerAdoptsAttemptsOfAgentsThatComeBack) {
  AddJob("j", "q", Vcpus(1));
  std::string attempt = Place("j");
  Started(agent_, attempt);

  Build();  // The server restarts: empty registry, same store.
  ASSERT_TRUE(agents_->Recover());
  EXPECT_EQ(agents_->Heartbeat({.agent_id = agent_}).error().code, ErrorCode::kNotFound);
  std::string same = Register("ce", Vcpus(4), {attempt}, agent_);
  clock_.Advance(seconds(20));
  Heartbeat({attempt});
  ASSERT_TRUE(agents_->Tick());

  EXPECT_EQ(same, agent_);
  EXPECT_TRUE(last_register_.kill_attempts.empty());
  EXPECT_EQ(StatusOf("j"), JobStatus::kRunning);
  EXPECT_EQ(registry_->Nodes()[0].free.millicpus, 3000);
  Exited(agent_, attempt, 0);
  EXPECT_EQ(StatusOf("j"), JobStatus::kSucceeded);
}

TEST_F(AgentServiceTest, RestartedServerFailsAttemptsWhoseAgentNeverComesBack) {
  AddJob("j", "q", Vcpus(1), {.attempts = 2});
  std::string attempt = Place("j");
  Started(agent_, attempt);

  Build();
  ASSERT_TRUE(agents_->Recover());
  clock_.Advance(seconds(14));
  ASSERT_TRUE(agents_->Tick());
  EXPECT_EQ(StatusOf("j"), JobStatus::kRunning);
  clock_.Advance(seconds(1));
  auto ended = agents_->Tick();

  ASSERT_TRUE(ended);
  EXPECT_EQ(*ended, 1);
  Job job = GetJob("j");
  EXPECT_EQ(job.status, JobStatus::kRunnable);
  EXPECT_EQ(job.attempts[0].status_reason, "Host EC2 (instance i-1) terminated.");
}

TEST_F(AgentServiceTest, RestartedServerResendsAStartingAttemptTheAgentNeverGot) {
  AddJob("j", "q", Vcpus(1));
  ASSERT_TRUE(dispatcher_->Tick());  // Committed; the poll reply never went out.

  Build();
  ASSERT_TRUE(agents_->Recover());
  Register("ce", Vcpus(4), {}, agent_);

  std::vector<protocol::Assignment> assignments = Copies(PollNow(agent_));
  ASSERT_EQ(assignments.size(), 1U);
  EXPECT_EQ(assignments[0].attempt_id, GetJob("j").attempts[0].id);
  EXPECT_EQ(GetJob("j").attempts.size(), 1U);
}

TEST_F(AgentServiceTest, ResentAssignmentKeepsItsEnvironmentsExecutor) {
  AddEnvironment("boxes", ResourceState::kEnabled, ExecutorKind::kContainer);
  AddQueue("containers", 1, {"boxes"});
  std::string boxes = Register("boxes", Vcpus(4), {}, {}, {"process", "container"});
  AddJob("j", "containers", Vcpus(1));
  ASSERT_TRUE(dispatcher_->Tick());  // Committed; the poll reply never went out.

  Build();
  ASSERT_TRUE(agents_->Recover());
  Register("boxes", Vcpus(4), {}, boxes, {"process", "container"});

  std::vector<protocol::Assignment> assignments = Copies(PollNow(boxes));
  ASSERT_EQ(assignments.size(), 1U);
  EXPECT_EQ(assignments[0].executor, "container");
  EXPECT_EQ(assignments[0].container->image, "busybox");
}

TEST_F(AgentServiceTest, ReRegisteredAgentIsToldToKillWhatTheServerConsidersEnded) {
  AddJob("j", "q", Vcpus(1));
  std::string attempt = Place("j");
  Exited(agent_, attempt, 0);

  Register("ce", Vcpus(4), {attempt, "unknown"}, agent_);

  EXPECT_EQ(last_register_.kill_attempts, (std::vector<std::string>{attempt, "unknown"}));
}

TEST_F(AgentServiceTest, AgentThatLostARunningAttemptMakesItHostLost) {
  AddJob("j", "q", Vcpus(1));
  std::string attempt = Place("j");
  Started(agent_, attempt);

  Register("ce", Vcpus(4), {}, agent_);  // The agent restarted and forgot it.

  Job job = GetJob("j");
  EXPECT_EQ(job.status, JobStatus::kFailed);
  EXPECT_EQ(job.attempts[0].status_reason, "Host EC2 (instance i-1) terminated.");
}

}  // namespace
}  // namespace barge::control
