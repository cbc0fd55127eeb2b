// The agent with the real ProcessExecutor: a job runs as a real process and
// its start, output and exit reach the (fake) server.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "agent/agent.h"
#include "agent/fake_agent_channel.h"
#include "executor/process_executor.h"
#include "testing/temp_dir.h"

namespace barge::agent {
namespace {

TEST(AgentWithProcessExecutorTest, RunsARealJobAndReportsItsStartOutputAndExit) {
  auto dir = barge::testing::TempDir::Create();
  ASSERT_TRUE(dir);
  boost::asio::io_context io;
  SystemClock clock;
  auto executor = executor::ProcessExecutor::Open(
      io, clock,
      executor::ProcessExecutorOptions{.work_dir = dir->path() / "attempts",
                                       .cgroups = {.parent = "barge-test"}});
  ASSERT_TRUE(executor);
  FakeAgentChannel channel;
  Agent agent(channel, **executor, clock,
              AgentOptions{.state_dir = dir->path(), .instance_id = "i-00000000000000001"});
  ASSERT_TRUE(agent.Start());
  FakeAgentChannel::Answer(channel.registers, protocol::RegisterReply{.agent_id = "a"});
  protocol::Assignment job{.attempt_id = "real-" + std::to_string(::getpid()),
                           .command = {"sh", "-c", "echo hello from $NAME; exit 2"},
                           .environment = {{"NAME", "barge"}}};
  FakeAgentChannel::Answer(channel.polls,
                           protocol::PollReply{.assignments = {protocol::Share(job)}});

  std::vector<protocol::AttemptEvent> events;
  std::vector<protocol::LogLine> lines;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline && agent.TrackedAttempts().size() == 1) {
    io.restart();
    io.run_one_for(std::chrono::milliseconds(10));
    agent.Tick();
    while (!channel.events.empty()) {
      for (const auto& e : channel.events.front().request.events) events.push_back(e);
      FakeAgentChannel::Answer(channel.events, Acknowledged{});
    }
    while (!channel.logs.empty()) {
      for (const auto& l : channel.logs.front().request.lines) lines.push_back(l);
      FakeAgentChannel::Answer(channel.logs, Acknowledged{});
    }
  }

  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, protocol::EventKind::kStarted);
  EXPECT_EQ(events[1].kind, protocol::EventKind::kExited);
  EXPECT_EQ(events[1].exit_code, std::optional<int32_t>(2));
  EXPECT_EQ(events[1].reason, executor::kReasonExited);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].message, "hello from barge");
  EXPECT_TRUE(agent.TrackedAttempts().empty());
  EXPECT_FALSE(std::filesystem::exists(dir->path() / "attempts" / job.attempt_id));
}

// The spot interruption notice end to end on this host: a job that traps
// SIGWINCH reads the file its environment names.
TEST(AgentWithProcessExecutorTest, JobTrappingTheSpotNoticeReadsTheInstanceActionFile) {
  auto dir = barge::testing::TempDir::Create();
  ASSERT_TRUE(dir);
  std::filesystem::permissions(dir->path(), std::filesystem::perms::others_exec,
                               std::filesystem::perm_options::add);  // Jobs run as nobody.
  boost::asio::io_context io;
  SystemClock clock;
  auto executor = executor::ProcessExecutor::Open(
      io, clock,
      executor::ProcessExecutorOptions{.work_dir = dir->path() / "attempts",
                                       .cgroups = {.parent = "barge-test"}});
  ASSERT_TRUE(executor);
  FakeAgentChannel channel;
  Agent agent(channel, **executor, clock,
              AgentOptions{.state_dir = dir->path(), .instance_id = "i-00000000000000002"});
  ASSERT_TRUE(agent.Start());
  FakeAgentChannel::Answer(channel.registers, protocol::RegisterReply{.agent_id = "a"});
  protocol::Assignment job{
      .attempt_id = "spot-" + std::to_string(::getpid()),
      .command = {"sh", "-c",
                  "trap 'cat \"$BARGE_SPOT_INSTANCE_ACTION_FILE\"; echo; exit 3' WINCH; "
                  "echo ready; while :; do sleep 0.05; done"}};
  FakeAgentChannel::Answer(channel.polls,
                           protocol::PollReply{.assignments = {protocol::Share(job)}});

  std::vector<std::string> lines;
  std::optional<int32_t> exit_code;
  bool noticed = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline && !exit_code) {
    io.restart();
    io.run_one_for(std::chrono::milliseconds(10));
    agent.Tick();
    while (!channel.events.empty()) {
      for (const auto& e : channel.events.front().request.events) {
        if (e.kind == protocol::EventKind::kExited) exit_code = e.exit_code;
      }
      FakeAgentChannel::Answer(channel.events, Acknowledged{});
    }
    while (!channel.logs.empty()) {
      for (const auto& l : channel.logs.front().request.lines) lines.push_back(l.message);
      FakeAgentChannel::Answer(channel.logs, Acknowledged{});
    }
    if (!noticed && !lines.empty() && !channel.polls.empty()) {
      noticed = true;
      FakeAgentChannel::Answer(
          channel.polls, protocol::PollReply{.instance_action = protocol::InstanceAction{
                                                 .action = "terminate", .time_ms = 1796534400000}});
    }
  }

  EXPECT_EQ(exit_code, std::optional<int32_t>(3));
  EXPECT_EQ(lines, (std::vector<std::string>{
                       "ready", R"({"action":"terminate","time":"2026-12-06T05:20:00Z"})"}));
}

}  // namespace
}  // namespace barge::agent
