#pragma once
// Test-only: the dispatching side of the control plane (registry, dispatcher,
// agent service, timeout sweeper) wired to one InMemoryStore and a FakeClock,
// with helpers that play an agent and put jobs, queues and environments
// straight into the store. Included by control_test sources only.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "control/agent_registry.h"
#include "control/agent_service.h"
#include "control/dispatcher.h"
#include "control/job_end_reporting_store.h"
#include "control/timeout_sweeper.h"
#include "core/arn.h"
#include "scheduler/planner.h"
#include "testing/fake_clock.h"
#include "testing/in_memory_store.h"

namespace barge::control {

inline Resources Vcpus(int64_t vcpus, int64_t memory_mib = 1024, int64_t gpus = 0) {
  return {.millicpus = vcpus * 1000, .memory_mib = memory_mib, .gpus = gpus};
}

class DispatchTest : public ::testing::Test {
 protected:
  DispatchTest() { Build(); }

  // (Re)creates everything but the store and the clock: a server restart.
  // Everything writes through reporting_, as in the server.
  void Build() {
    sweeper_.reset();
    agents_.reset();
    dispatcher_.reset();
    registry_ = std::make_unique<AgentRegistry>(clock_, AgentRegistryOptions{});
    dispatcher_ =
        std::make_unique<Dispatcher>(reporting_, clock_, *registry_, planner_, DispatcherOptions{});
    agents_ = std::make_unique<AgentService>(reporting_, clock_, *registry_, *dispatcher_);
    sweeper_ = std::make_unique<TimeoutSweeper>(reporting_, clock_, *registry_);
  }

  // The fixture's agents register with the process executor only (Register),
  // so environments run jobs on the host unless a test says otherwise.
  void AddEnvironment(const std::string& name, ResourceState state = ResourceState::kEnabled,
                      ExecutorKind executor = ExecutorKind::kProcess) {
    ComputeEnvironment ce{.name = name,
                          .arn = arns_.ComputeEnvironment(name),
                          .type = ComputeEnvironmentType::kUnmanaged,
                          .state = state,
                          .status = ResourceStatus::kValid,
                          .tags = {{std::string(kExecutorTag), std::string(ToString(executor))}}};
    ASSERT_TRUE(
        store_.Transact([&](StoreTransaction& txn) { return txn.InsertComputeEnvironment(ce); }));
  }

  void AddQueue(const std::string& name, int32_t priority, const std::vector<std::string>& envs,
                ResourceState state = ResourceState::kEnabled) {
    JobQueue queue{.name = name,
                   .arn = arns_.JobQueue(name),
                   .state = state,
                   .status = ResourceStatus::kValid,
                   .priority = priority};
    int32_t order = 1;
    for (const std::string& env : envs) {
      queue.compute_environment_order.push_back(
          {.order = order++, .compute_environment = arns_.ComputeEnvironment(env)});
    }
    ASSERT_TRUE(store_.Transact([&](StoreTransaction& txn) { return txn.InsertJobQueue(queue); }));
  }

  // A RUNNABLE job, created `created_offset` after the clock's start.
  Job AddJob(const std::string& id, const std::string& queue, Resources request,
             RetryStrategy retry = {}, std::optional<int32_t> timeout_seconds = std::nullopt) {
    Job job{
        .id = id,
        .name = "name-" + id,
        .queue = queue,
        .job_definition_arn = arns_.JobDefinition("def", 1),
        .job_definition_name = "def",
        .status = JobStatus::kRunnable,
        .created_at = clock_.Now() + std::chrono::milliseconds(next_created_++),
        .container = ContainerProperties{.image = "busybox",
                                         .command = {"echo", "hi"},
                                         .environment = {{.name = "GREETING", .value = "hello"}}},
        .retry_strategy = std::move(retry),
        .attempt_duration_seconds = timeout_seconds,
        .request = request};
    EXPECT_TRUE(store_.Transact([&](StoreTransaction& txn) { return txn.InsertJob(job); }));
    dispatcher_->JobRunnable(job);
    return job;
  }

  Job GetJob(const std::string& id) {
    Job out;
    EXPECT_TRUE(store_.Transact([&](StoreTransaction& txn) -> Status {
      Result<Job> job = txn.GetJob(id);
      if (!job) return job.error();
      out = *job;
      return Ok();
    }));
    return out;
  }

  JobStatus StatusOf(const std::string& id) { return GetJob(id).status; }

  // Registers an agent and returns its id. `executors` as the agent lists
  // them: empty is an agent from before containers (process only).
  std::string Register(const std::string& environment, Resources capacity,
                       std::vector<std::string> running = {}, std::string id = {},
                       std::vector<std::string> executors = {}) {
    auto reply = agents_->Register({.agent_id = std::move(id),
                                    .compute_environment = environment,
                                    .instance_id = "i-" + std::to_string(next_instance_++),
                                    .capacity = {.millicpus = capacity.millicpus,
                                                 .memory_mib = capacity.memory_mib,
                                                 .gpus = capacity.gpus},
                                    .executors = std::move(executors),
                                    .running_attempts = std::move(running)});
    EXPECT_TRUE(reply) << reply.error().message;
    last_register_ = reply ? *reply : protocol::RegisterReply{};
    return last_register_.agent_id;
  }

  // A poll that must be answered at once (wait 0 when nothing is queued).
  protocol::PollReply PollNow(const std::string& agent) {
    std::optional<protocol::PollReply> got;
    Status polled = agents_->Poll({.agent_id = agent, .wait_ms = 0},
                                  [&](protocol::PollReply reply) { got = std::move(reply); });
    EXPECT_TRUE(polled) << polled.error().message;
    EXPECT_TRUE(got.has_value());
    return got.value_or(protocol::PollReply{});
  }

  // The assignments of `reply`, as values.
  static std::vector<protocol::Assignment> Copies(const protocol::PollReply& reply) {
    std::vector<protocol::Assignment> out;
    for (const protocol::SharedAssignment& assignment : reply.assignments) {
      out.push_back(*assignment);
    }
    return out;
  }

  // Runs a scheduling pass and returns the assignments `agent` then gets.
  std::vector<protocol::Assignment> TickAndPoll(const std::string& agent) {
    auto placed = dispatcher_->Tick();
    EXPECT_TRUE(placed) << placed.error().message;
    return Copies(PollNow(agent));
  }

  void Started(const std::string& agent, const std::string& attempt) {
    Status sent = agents_->Events({.agent_id = agent,
                                   .events = {{.attempt_id = attempt,
                                               .kind = protocol::EventKind::kStarted,
                                               .at_ms = ToEpochMillis(clock_.Now())}}});
    EXPECT_TRUE(sent) << sent.error().message;
  }

  void Exited(const std::string& agent, const std::string& attempt, int32_t code,
              std::string reason = {}) {
    Status sent = agents_->Events({.agent_id = agent,
                                   .events = {{.attempt_id = attempt,
                                               .kind = protocol::EventKind::kExited,
                                               .at_ms = ToEpochMillis(clock_.Now()),
                                               .exit_code = code,
                                               .reason = std::move(reason)}}});
    EXPECT_TRUE(sent) << sent.error().message;
  }

  testing::InMemoryStore store_;
  JobEndReportingStore reporting_{store_};
  testing::FakeClock clock_;
  ArnFormatter arns_{"us-east-1", "123456789012"};
  scheduler::Planner planner_ = scheduler::Planner::Standard();
  std::unique_ptr<AgentRegistry> registry_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<AgentService> agents_;
  std::unique_ptr<TimeoutSweeper> sweeper_;
  protocol::RegisterReply last_register_{};
  int next_created_ = 0;
  int next_instance_ = 1;
};

}  // namespace barge::control
