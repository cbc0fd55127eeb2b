// ProcessExecutor running container assignments with the real runc, from
// the busybox test image (tests/images/make_busybox_image.sh) imported into
// a scratch image store. Only as root with runc and busybox-static
// installed and writable cgroups; skipped otherwise.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <utility>

#include "executor/attempt_files.h"
#include "executor/process_executor.h"
#include "executor/test_shell.h"
#include "image/image_store.h"
#include "testing/temp_dir.h"

namespace barge::executor {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

constexpr auto kTimeout = std::chrono::seconds(30);
constexpr std::string_view kCgroupParent = "barge-ctest";

// Directories of `attempt_id` left in any cgroup hierarchy.
std::vector<std::string> LeftoverCgroups(const std::string& attempt_id) {
  std::vector<std::string> left;
  std::error_code ec;
  for (const fs::directory_entry& hierarchy : fs::directory_iterator("/sys/fs/cgroup", ec)) {
    if (hierarchy.is_symlink(ec)) continue;
    fs::path group = hierarchy.path() / kCgroupParent / attempt_id;
    if (fs::exists(group, ec)) left.push_back(group.string());
  }
  return left;
}

class ContainerExecutorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (geteuid() != 0) {
      skip_ = "runc needs root";
    } else if (Shell("command -v runc").second != 0) {
      skip_ = "runc is not installed";
    } else if (!fs::exists("/bin/busybox")) {
      skip_ = "busybox-static is not installed";
    } else if (!AttemptCgroups::MemoryWritable(
                   CgroupOptions{.parent = std::string(kCgroupParent)})) {
      skip_ = "the cgroup memory hierarchy is not writable";
    }
  }

  void SetUp() override {
    if (!skip_.empty()) GTEST_SKIP() << skip_;
    auto dir = barge::testing::TempDir::Create();
    ASSERT_TRUE(dir);
    dir_.emplace(std::move(*dir));
    auto [made, made_rc] =
        Shell(std::string(BARGE_BUSYBOX_IMAGE_SCRIPT) + " " + (dir_->path() / "layout").string());
    ASSERT_EQ(made_rc, 0) << made;
    auto store = image::ImageStore::Open(dir_->path() / "images");
    ASSERT_TRUE(store);
    auto imported = (*store)->Import(dir_->path() / "layout", {.tag = "busybox:latest"});
    ASSERT_TRUE(imported) << imported.error().message;
    executor_ = OpenExecutor();
  }

  std::unique_ptr<ProcessExecutor> OpenExecutor(ContainerOptions extra = {}) {
    extra.runc_path = Shell("command -v runc").first;
    extra.runc_path.erase(extra.runc_path.find('\n'));
    extra.image_store_dir = (dir_->path() / "images").string();
    auto executor = ProcessExecutor::Open(
        io_, clock_,
        ProcessExecutorOptions{.work_dir = dir_->path() / "attempts",
                               .cgroups = {.parent = std::string(kCgroupParent)},
                               .drain_timeout = milliseconds(500),
                               .containers = std::move(extra)});
    EXPECT_TRUE(executor);
    EXPECT_EQ((*executor)->containers_unavailable(), "");
    (*executor)->SetExitCallback([this](const AttemptResult& r) { results_[r.attempt_id] = r; });
    (*executor)->SetRunningCallback(
        [this](const std::string& id, int64_t at_ms) { running_at_[id] = at_ms; });
    return std::move(*executor);
  }

  std::string NewId() {
    return "c" + std::to_string(::getpid()) + "-" + std::to_string(next_id_++);
  }

  protocol::Assignment Job(const std::string& id, std::vector<std::string> command,
                           std::string image = "busybox") {
    return protocol::Assignment{.attempt_id = id,
                                .job_id = "job-" + id,
                                .command = std::move(command),
                                .image = std::move(image),
                                .resources = {.millicpus = 500, .memory_mib = 64},
                                .executor = std::string(protocol::kExecutorContainer)};
  }

  template <typename Done>
  bool RunUntil(Done done) {
    auto deadline = std::chrono::steady_clock::now() + kTimeout;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      io_.restart();
      io_.run_one_for(milliseconds(20));
    }
    return true;
  }

  AttemptResult RunToExit(const protocol::Assignment& assignment) {
    Status started = executor_->Start(assignment);
    EXPECT_TRUE(started) << started.error().message;
    EXPECT_TRUE(RunUntil([&] { return results_.contains(assignment.attempt_id); }))
        << "attempt " << assignment.attempt_id << " did not end";
    return results_[assignment.attempt_id];
  }

  std::vector<std::string> Lines(const std::string& id) {
    auto batch = executor_->ReadLog(id, LogCursor{}, {.max_lines = 10000});
    EXPECT_TRUE(batch);
    std::vector<std::string> lines;
    if (batch) {
      for (const auto& line : batch->lines) lines.push_back(line.message);
    }
    return lines;
  }

  static inline std::string skip_{};
  std::optional<barge::testing::TempDir> dir_{};
  boost::asio::io_context io_{};
  SystemClock clock_{};
  std::unique_ptr<ProcessExecutor> executor_{};
  std::map<std::string, AttemptResult> results_{};
  std::map<std::string, int64_t> running_at_{};
  int next_id_ = 0;
};

TEST_F(ContainerExecutorTest, ExecutorsListsContainers) {
  EXPECT_EQ(executor_->Executors(), (std::vector<std::string>{"process", "container"}));
}

TEST_F(ContainerExecutorTest, JobRunsInTheImageWithItsEnvironmentAndExitCode) {
  std::string id = NewId();
  protocol::Assignment job = Job(id, {"sh", "-c",
                                      "echo id=$AWS_BATCH_JOB_ID greeting=$GREETING; "
                                      "ls /bin/busybox; echo oops >&2; sleep 0.2; exit 3"});
  job.environment = {{"AWS_BATCH_JOB_ID", "job-1"}, {"GREETING", "hello"}};
  int64_t before_start_ms = ToEpochMillis(clock_.Now());

  AttemptResult result = RunToExit(job);

  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.reason, kReasonExited);
  // Running was reported once runc had started the container, which is
  // when the attempt's record says it started.
  ASSERT_TRUE(running_at_.contains(id));
  EXPECT_NEAR(static_cast<double>(running_at_[id]), static_cast<double>(result.started_at_ms),
              1000);
  EXPECT_GE(result.started_at_ms, before_start_ms);
  EXPECT_LE(result.started_at_ms, result.stopped_at_ms);
  std::vector<std::string> lines = Lines(id);
  std::sort(lines.begin(), lines.end());  // stdout and stderr are two pipes: no order between them.
  EXPECT_EQ(lines, (std::vector<std::string>{"/bin/busybox", "id=job-1 greeting=hello", "oops"}));
  EXPECT_EQ(LeftoverCgroups(id), std::vector<std::string>{});
}

TEST_F(ContainerExecutorTest, WritesGoToTheAttemptsLayerAndAReadOnlyRootRefusesThem) {
  std::string writer = NewId();
  EXPECT_EQ(RunToExit(Job(writer, {"sh", "-c", "echo x > /bin/new && cat /bin/new"})).exit_code, 0);
  EXPECT_EQ(Lines(writer), std::vector<std::string>{"x"});
  // The next attempt of the same image does not see it.
  std::string reader = NewId();
  EXPECT_EQ(RunToExit(Job(reader, {"test", "!", "-e", "/bin/new"})).exit_code, 0);

  std::string readonly = NewId();
  protocol::Assignment job = Job(readonly, {"sh", "-c", "touch /x || exit 9"});
  job.container.mutable_value().readonly_root_filesystem = true;
  EXPECT_EQ(RunToExit(job).exit_code, 9);
}

TEST_F(ContainerExecutorTest, MissingImageEndsTheAttemptWithCannotPullContainerError) {
  std::string id = NewId();
  AttemptResult result = RunToExit(Job(id, {"true"}, "registry.example/nothing:1"));

  EXPECT_FALSE(result.exit_code.has_value());
  EXPECT_TRUE(
      result.reason.starts_with("CannotPullContainerError: image "
                                "registry.example/nothing:1 is not in the image store"))
      << result.reason;
  EXPECT_TRUE(executor_->Running().empty());
  EXPECT_EQ(LeftoverCgroups(id), std::vector<std::string>{});
  // Recorded durably: a restarted executor finds the same result.
  executor_.reset();
  executor_ = OpenExecutor();
  auto recovered = executor_->Recover();
  ASSERT_TRUE(recovered);
  ASSERT_EQ(recovered->size(), 1u);
  EXPECT_EQ(recovered->at(0).result->reason, result.reason);
}

TEST_F(ContainerExecutorTest, ImageIsUnpackedOffTheCallersThreadAndAKillMeanwhileEndsTheAttempt) {
  // The store's image is not unpacked yet: Start() hands that to a thread
  // and returns; the attempt already counts as running.
  std::string first = NewId();
  ASSERT_TRUE(executor_->Start(Job(first, {"true"})));
  EXPECT_EQ(executor_->Running(), std::vector<std::string>{first});
  // Killed before the unpack is reported (that needs this thread's io loop).
  ASSERT_TRUE(executor_->Kill(first, milliseconds(0)));
  ASSERT_TRUE(RunUntil([&] { return results_.contains(first); }));
  EXPECT_FALSE(results_[first].exit_code.has_value());
  EXPECT_EQ(results_[first].reason,
            "CannotStartContainerError: stopped before the container started (its image was "
            "being unpacked)");
  EXPECT_FALSE(running_at_.contains(first));

  // The unpack itself went through: the next attempt starts at once and runs.
  std::string second = NewId();
  EXPECT_EQ(RunToExit(Job(second, {"true"})).exit_code, 0);
}

TEST_F(ContainerExecutorTest, MissingCommandIsCannotStartContainerErrorWith127) {
  std::string id = NewId();
  AttemptResult result = RunToExit(Job(id, {"no-such-command"}));

  EXPECT_EQ(result.exit_code, 127);
  EXPECT_TRUE(result.reason.starts_with("CannotStartContainerError: ")) << result.reason;
  EXPECT_FALSE(running_at_.contains(id));
  EXPECT_NE(result.reason.find("no-such-command"), std::string::npos) << result.reason;
  EXPECT_EQ(LeftoverCgroups(id), std::vector<std::string>{});
}

TEST_F(ContainerExecutorTest, UnknownUserIsCannotStartContainerErrorNamingIt) {
  std::string id = NewId();
  protocol::Assignment job = Job(id, {"true"});
  job.user = "nosuchuser";
  AttemptResult result = RunToExit(job);

  EXPECT_FALSE(result.exit_code.has_value());
  EXPECT_TRUE(result.reason.starts_with("CannotStartContainerError: ")) << result.reason;
  EXPECT_NE(result.reason.find("nosuchuser"), std::string::npos) << result.reason;
}

TEST_F(ContainerExecutorTest, OverMemoryContainerIsReportedAs137WithTheOomReason) {
  std::string id = NewId();
  protocol::Assignment job =
      Job(id, {"sh", "-c", "x=$(head -c 200000000 /dev/zero | tr '\\0' a); echo survived"});
  job.resources.memory_mib = 32;

  AttemptResult result = RunToExit(job);

  EXPECT_EQ(result.exit_code, 137);
  EXPECT_TRUE(result.oom_killed);
  EXPECT_EQ(result.reason, kReasonOutOfMemory);
  EXPECT_EQ(LeftoverCgroups(id), std::vector<std::string>{});
}

TEST_F(ContainerExecutorTest, KillAfterGraceTakesDownAContainerThatIgnoresSigterm) {
  std::string id = NewId();
  ASSERT_TRUE(executor_->Start(
      Job(id, {"sh", "-c", "trap '' TERM; sleep 1000 & echo ready; wait; echo after-wait"})));
  ASSERT_TRUE(RunUntil([&] { return Lines(id).size() == 1; }));
  auto start = std::chrono::steady_clock::now();

  ASSERT_TRUE(executor_->Kill(id, milliseconds(300)));
  ASSERT_TRUE(RunUntil([&] { return results_.contains(id); }));

  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(300));
  EXPECT_EQ(results_[id].exit_code, 137);
  EXPECT_EQ(LeftoverCgroups(id), std::vector<std::string>{});
  EXPECT_EQ(Shell("pgrep -f 'sleep 1000' | wc -l").first, "0\n");
}

TEST_F(ContainerExecutorTest, RestartedExecutorAdoptsARunningContainerAndGetsItsTrueExit) {
  std::string id = NewId();
  fs::create_directories(dir_->path() / "shared");
  protocol::Assignment job =
      Job(id, {"sh", "-c", "while [ ! -e /shared/go ]; do sleep 0.05; done; exit 42"});
  job.container.mutable_value().volumes = {
      {.name = "shared", .host_source_path = (dir_->path() / "shared").string()}};
  job.container.mutable_value().mount_points = {
      {.container_path = "/shared", .source_volume = "shared"}};
  ASSERT_TRUE(executor_->Start(job));
  ASSERT_TRUE(
      RunUntil([&] { return fs::exists(dir_->path() / "attempts" / id / "container.pid"); }));

  executor_.reset();  // The agent goes away; the monitor and the container carry on.
  std::ofstream(dir_->path() / "shared" / "go") << "";
  executor_ = OpenExecutor();
  auto recovered = executor_->Recover();
  ASSERT_TRUE(recovered);
  ASSERT_EQ(recovered->size(), 1u);
  // Ended before the executor looked, or adopted and reported later.
  if (recovered->at(0).result) results_[id] = *recovered->at(0).result;
  ASSERT_TRUE(RunUntil([&] { return results_.contains(id); }));

  EXPECT_EQ(results_[id].exit_code, 42);
  EXPECT_EQ(LeftoverCgroups(id), std::vector<std::string>{});
}

// The spot interruption notice as the agent gives it (agent/spot_notice.h):
// its directory mounted read-only at /run/barge/spot, and SIGWINCH, which
// runc does not forward, sent to the container's init.
TEST_F(ContainerExecutorTest, SignalReachesTheContainersInitAndTheNoticeDirectoryIsReadOnly) {
  std::string id = NewId();
  fs::path spot = dir_->path() / "spot";
  fs::create_directories(spot);
  protocol::Assignment job =
      Job(id, {"sh", "-c",
               "trap 'cat /run/barge/spot/instance-action; echo; "
               "touch /run/barge/spot/x 2>/dev/null || echo read-only' WINCH; "
               "echo ready; while :; do sleep 0.05; done"});
  job.container.mutable_value().volumes = {{.name = "spot", .host_source_path = spot.string()}};
  job.container.mutable_value().mount_points = {
      {.container_path = "/run/barge/spot", .read_only = true, .source_volume = "spot"}};
  ASSERT_TRUE(executor_->Start(job));
  ASSERT_TRUE(RunUntil([&] { return Lines(id).size() == 1; }));
  std::ofstream(spot / "instance-action")
      << R"({"action":"terminate","time":"2026-12-06T05:20:00Z"})";

  Status signalled = executor_->Signal(id, SIGWINCH);

  ASSERT_TRUE(signalled) << signalled.error().message;
  ASSERT_TRUE(RunUntil([&] { return Lines(id).size() == 3; }));
  EXPECT_EQ(Lines(id),
            (std::vector<std::string>{
                "ready", R"({"action":"terminate","time":"2026-12-06T05:20:00Z"})", "read-only"}));
  EXPECT_FALSE(results_.contains(id));  // Still running.
  ASSERT_TRUE(executor_->Kill(id, Duration::zero()));
  ASSERT_TRUE(RunUntil([&] { return results_.contains(id); }));
}

TEST_F(ContainerExecutorTest, IsolatedNetworkHasOnlyLoopbackAndHostNetworkIsTheHosts) {
  std::string host = NewId();
  ASSERT_EQ(RunToExit(Job(host, {"ls", "/sys/class/net"})).exit_code, 0);
  std::vector<std::string> host_interfaces = Lines(host);
  EXPECT_GT(host_interfaces.size(), 1u);  // lo and the host's own.

  executor_ = OpenExecutor({.network = NetworkMode::kIsolated});
  std::string isolated = NewId();
  ASSERT_EQ(RunToExit(Job(isolated, {"ls", "/sys/class/net"})).exit_code, 0);
  EXPECT_EQ(Lines(isolated), std::vector<std::string>{"lo"});
}

TEST_F(ContainerExecutorTest, InitProcessEnabledRunsTheJobUnderTheInit) {
  const char* init = "/usr/bin/tini-static";
  if (!fs::exists(init)) GTEST_SKIP() << "tini is not installed (apt-get install tini)";
  executor_ = OpenExecutor({.init_binary_path = init});
  std::string id = NewId();
  protocol::Assignment job = Job(id, {"sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' '; echo"});
  job.container.mutable_value().linux_parameters = LinuxParameters{.init_process_enabled = true};

  ASSERT_EQ(RunToExit(job).exit_code, 0);
  std::vector<std::string> lines = Lines(id);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(lines[0].starts_with("/sbin/docker-init -- sh -c")) << lines[0];
}

}  // namespace
}  // namespace barge::executor
