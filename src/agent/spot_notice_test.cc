#include "agent/spot_notice.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "agent/agent.h"
#include "agent/fake_agent_channel.h"
#include "agent/fake_executor.h"
#include "executor/attempt_files.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace barge::agent {
namespace {

using std::chrono::milliseconds;

constexpr int64_t kReclaimMs = 1796534400000;  // 2026-12-06T05:20:00Z
const protocol::InstanceAction kReclaim{.action = "terminate", .time_ms = kReclaimMs};

std::string FileText(const std::filesystem::path& path) {
  Result<std::string> text = executor::ReadWholeFile(path.string());
  return text ? *text : "(" + text.error().message + ")";
}

mode_t ModeOf(const std::filesystem::path& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_mode & 07777 : 0;
}

class SpotNoticeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = barge::testing::TempDir::Create();
    ASSERT_TRUE(dir);
    dir_.emplace(std::move(*dir));
  }

  SpotNotice Open() {
    Result<SpotNotice> notice = SpotNotice::Open(dir_->path(), clock_.Now());
    EXPECT_TRUE(notice) << notice.error().message;
    return std::move(notice).value();
  }

  std::optional<barge::testing::TempDir> dir_;
  barge::testing::FakeClock clock_;  // Some time in 1999.
};

TEST(InstanceActionDocumentTest, IsTheMetadataServicesDocumentWithSecondsInUtc) {
  EXPECT_EQ(InstanceActionDocument(kReclaim),
            R"({"action":"terminate","time":"2026-12-06T05:20:00Z"})");
  EXPECT_EQ(InstanceActionDocument({.action = "stop", .time_ms = kReclaimMs + 61999}),
            R"({"action":"stop","time":"2026-12-06T05:21:01Z"})");
}

TEST(InstanceActionDocumentTest, ParsesBackToTheSecond) {
  auto parsed = ParseInstanceActionDocument(InstanceActionDocument(kReclaim));
  auto junk = ParseInstanceActionDocument("{\"action\":\"terminate\",\"time\":\"soon\"}");
  auto not_json = ParseInstanceActionDocument("terminate");

  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(*parsed, kReclaim);
  EXPECT_FALSE(junk);
  EXPECT_FALSE(not_json);
}

TEST_F(SpotNoticeTest, FirstNoticeWritesTheFileAndOnlyADifferentOneIsNew) {
  mode_t saved_umask = ::umask(077);  // Jobs running as another user still read it.
  SpotNotice notice = Open();
  EXPECT_EQ(ModeOf(notice.dir()), 0755u);
  EXPECT_FALSE(std::filesystem::exists(notice.file()));  // No notice, no file.

  EXPECT_TRUE(notice.Notice(kReclaim));
  ::umask(saved_umask);
  EXPECT_EQ(FileText(dir_->path() / "spot" / "instance-action"),
            R"({"action":"terminate","time":"2026-12-06T05:20:00Z"})");
  EXPECT_EQ(ModeOf(notice.file()), 0644u);
  EXPECT_FALSE(notice.Notice(kReclaim));
  EXPECT_TRUE(notice.Notice({.action = "terminate", .time_ms = kReclaimMs + 60000}));
  EXPECT_EQ(FileText(notice.file()), R"({"action":"terminate","time":"2026-12-06T05:21:00Z"})");
}

TEST_F(SpotNoticeTest, ReopeningRemembersANoticeStillToComeAndRemovesAPastOne) {
  protocol::InstanceAction with_millis{.action = "terminate", .time_ms = kReclaimMs + 250};
  EXPECT_TRUE(Open().Notice(with_millis));

  SpotNotice reopened = Open();

  EXPECT_EQ(reopened.seen(), std::optional(kReclaim));  // To the second, as the file has it.
  EXPECT_FALSE(reopened.Notice(with_millis));
  clock_.Set(FromEpochMillis(kReclaimMs + 1000));
  SpotNotice later = Open();
  EXPECT_FALSE(later.seen().has_value());
  EXPECT_FALSE(std::filesystem::exists(later.file()));
}

TEST_F(SpotNoticeTest, ProcessAttemptsGetTheHostPath) {
  SpotNotice notice = Open();
  protocol::Assignment a{.attempt_id = "a", .environment = {{"A", "1"}}};

  notice.Expose(a);

  EXPECT_EQ(a.environment.at("BARGE_SPOT_INSTANCE_ACTION_FILE"),
            (dir_->path() / "spot" / "instance-action").string());
  EXPECT_EQ(a.environment.at("A"), "1");
  EXPECT_TRUE(a.container->volumes.empty());
  EXPECT_TRUE(a.container->mount_points.empty());
}

TEST_F(SpotNoticeTest, ContainerAttemptsGetTheDirectoryMountedReadOnly) {
  SpotNotice notice = Open();
  protocol::Assignment a{.attempt_id = "a", .executor = std::string(protocol::kExecutorContainer)};
  a.container.mutable_value().volumes = {
      {.name = "barge-spot-instance-action", .host_source_path = "/data"}};
  a.container.mutable_value().mount_points = {{.container_path = "/data", .source_volume = "data"}};

  notice.Expose(a);

  EXPECT_EQ(a.environment.at("BARGE_SPOT_INSTANCE_ACTION_FILE"), "/run/barge/spot/instance-action");
  ASSERT_EQ(a.container->volumes.size(), 2u);
  const Volume& volume = a.container->volumes[1];
  EXPECT_EQ(volume.name, "barge-spot-instance-action-");  // The job's name was taken.
  EXPECT_EQ(volume.host_source_path, std::optional((dir_->path() / "spot").string()));
  ASSERT_EQ(a.container->mount_points.size(), 2u);
  const MountPoint& mount = a.container->mount_points[1];
  EXPECT_EQ(mount.container_path, "/run/barge/spot");
  EXPECT_EQ(mount.read_only, std::optional(true));
  EXPECT_EQ(mount.source_volume, volume.name);
}

TEST_F(SpotNoticeTest, AJobsOwnMountAtTheSpotDirectoryWins) {
  SpotNotice notice = Open();
  protocol::Assignment a{.attempt_id = "a", .executor = std::string(protocol::kExecutorContainer)};
  a.container.mutable_value().volumes = {{.name = "mine"}};
  a.container.mutable_value().mount_points = {
      {.container_path = "/run/barge/spot/", .source_volume = "mine"}};

  notice.Expose(a);

  EXPECT_EQ(a.container->volumes.size(), 1u);
  EXPECT_EQ(a.container->mount_points.size(), 1u);
  EXPECT_EQ(a.environment.at("BARGE_SPOT_INSTANCE_ACTION_FILE"), "/run/barge/spot/instance-action");
}

// The agent's side: replies carrying the notice, with FakeAgentChannel and
// FakeExecutor.
class AgentSpotNoticeTest : public SpotNoticeTest {
 protected:
  std::unique_ptr<Agent> RegisteredAgent() {
    auto agent = std::make_unique<Agent>(
        channel_, executor_, clock_,
        AgentOptions{.state_dir = dir_->path(), .instance_id = "i-0123456789abcdef0"});
    Status started = agent->Start();
    EXPECT_TRUE(started) << started.error().message;
    FakeAgentChannel::Answer(channel_.registers,
                             protocol::RegisterReply{.agent_id = "agent-7", .heartbeat_ms = 1000});
    return agent;
  }

  // Makes the agent heartbeat and answers it with `action`.
  void HeartbeatReply(Agent& agent, std::optional<protocol::InstanceAction> action) {
    clock_.Advance(milliseconds(1000));
    agent.Tick();
    ASSERT_EQ(channel_.heartbeats.size(), 1u);
    FakeAgentChannel::Answer(channel_.heartbeats,
                             protocol::HeartbeatReply{.instance_action = std::move(action)});
  }

  void Assignments(std::vector<protocol::Assignment> assignments,
                   std::optional<protocol::InstanceAction> action = std::nullopt) {
    ASSERT_EQ(channel_.polls.size(), 1u);
    protocol::PollReply reply{.instance_action = std::move(action)};
    for (protocol::Assignment& assignment : assignments) {
      reply.assignments.push_back(protocol::Share(std::move(assignment)));
    }
    FakeAgentChannel::Answer(channel_.polls, std::move(reply));
  }

  static protocol::Assignment Assign(const std::string& id) {
    return protocol::Assignment{.attempt_id = id, .command = {"true"}};
  }

  std::filesystem::path File() const { return dir_->path() / "spot" / "instance-action"; }

  FakeAgentChannel channel_;
  FakeExecutor executor_;
};

TEST_F(AgentSpotNoticeTest, NoticeInAHeartbeatWritesTheFileAndSignalsEachRunningJobOnce) {
  auto agent = RegisteredAgent();
  Assignments({Assign("a1"), Assign("a2")});
  HeartbeatReply(*agent, std::nullopt);
  EXPECT_FALSE(std::filesystem::exists(File()));

  HeartbeatReply(*agent, kReclaim);

  EXPECT_EQ(FileText(File()), R"({"action":"terminate","time":"2026-12-06T05:20:00Z"})");
  using Signalled = std::pair<std::string, int>;
  EXPECT_EQ(executor_.signals, (std::vector<Signalled>{{"a1", SIGWINCH}, {"a2", SIGWINCH}}));
  HeartbeatReply(*agent, kReclaim);         // Every heartbeat repeats it...
  Assignments({}, kReclaim);                // ...and a poll may bring it too.
  EXPECT_EQ(executor_.signals.size(), 2u);  // Still the same notice.
  EXPECT_EQ(executor_.running.size(), 2u);  // Nothing was killed.
}

TEST_F(AgentSpotNoticeTest, NoticeInAPollIsInPlaceBeforeTheAssignmentsWithItStart) {
  auto agent = RegisteredAgent();
  Assignments({Assign("a1")});

  Assignments({Assign("a2")}, kReclaim);

  EXPECT_TRUE(std::filesystem::exists(File()));
  EXPECT_EQ(executor_.signals, (std::vector<std::pair<std::string, int>>{{"a1", SIGWINCH}}));
  EXPECT_EQ(executor_.running.at("a1").environment.at("BARGE_SPOT_INSTANCE_ACTION_FILE"),
            File().string());
  EXPECT_EQ(executor_.running.at("a2").environment.at("BARGE_SPOT_INSTANCE_ACTION_FILE"),
            File().string());
}

TEST_F(AgentSpotNoticeTest, RestartedAgentDoesNotSignalTheSameNoticeAgain) {
  {
    auto agent = RegisteredAgent();
    Assignments({Assign("a1")});
    HeartbeatReply(*agent, kReclaim);
  }
  ASSERT_EQ(executor_.signals.size(), 1u);
  executor_.to_recover = {{.attempt_id = "a1", .started_at_ms = 1}};

  auto agent = RegisteredAgent();
  HeartbeatReply(*agent, kReclaim);

  EXPECT_EQ(executor_.signals.size(), 1u);
  EXPECT_TRUE(std::filesystem::exists(File()));
}

}  // namespace
}  // namespace barge::agent
