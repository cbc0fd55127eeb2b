// ProcessExecutor with real processes. Tests that need root and writable
// cgroups (limits, OOM, user switch) skip with a message elsewhere.
#include "executor/process_executor.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <utility>

#include "executor/attempt_files.h"
#include "testing/temp_dir.h"

namespace barge::executor {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

constexpr auto kTimeout = std::chrono::seconds(20);
constexpr std::string_view kCgroupParent = "barge-test";

bool IsAlive(pid_t pid) { return ProcessStartTicks(pid) != 0; }

bool CanUseCgroups() {
  return ::geteuid() == 0 &&
         AttemptCgroups::MemoryWritable(CgroupOptions{.parent = std::string(kCgroupParent)});
}

class ProcessExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = barge::testing::TempDir::Create();
    ASSERT_TRUE(dir);
    dir_.emplace(std::move(*dir));
    executor_ = OpenExecutor(io_);
  }

  std::unique_ptr<ProcessExecutor> OpenExecutor(boost::asio::io_context& io,
                                                bool use_cgroups = true) {
    auto executor = ProcessExecutor::Open(
        io, clock_,
        ProcessExecutorOptions{.work_dir = dir_->path() / "attempts",
                               .use_cgroups = use_cgroups,
                               .cgroups = {.parent = std::string(kCgroupParent)},
                               .drain_timeout = milliseconds(500)});
    EXPECT_TRUE(executor);
    (*executor)->SetExitCallback([this](const AttemptResult& r) { results_[r.attempt_id] = r; });
    return std::move(*executor);
  }

  // A fresh attempt id per call, unique across test processes (cgroups are shared).
  std::string NewId() {
    return "t" + std::to_string(::getpid()) + "-" + std::to_string(next_id_++);
  }

  protocol::Assignment Job(const std::string& id, std::vector<std::string> command) {
    return protocol::Assignment{
        .attempt_id = id, .job_id = "job-" + id, .command = std::move(command)};
  }

  // Runs `io` until `done()` holds; false on timeout.
  template <typename Done>
  bool RunUntil(Done done, boost::asio::io_context& io) {
    auto deadline = std::chrono::steady_clock::now() + kTimeout;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      io.restart();
      io.run_one_for(milliseconds(20));
    }
    return true;
  }
  template <typename Done>
  bool RunUntil(Done done) {
    return RunUntil(done, io_);
  }

  AttemptResult RunToExit(const protocol::Assignment& assignment) {
    Status started = executor_->Start(assignment);
    EXPECT_TRUE(started) << started.error().message;
    EXPECT_TRUE(RunUntil([&] { return results_.contains(assignment.attempt_id); }))
        << "attempt " << assignment.attempt_id << " did not end";
    return results_[assignment.attempt_id];
  }

  std::vector<std::string> Lines(const std::string& id, ProcessExecutor* executor = nullptr) {
    auto batch =
        (executor ? executor : executor_.get())->ReadLog(id, LogCursor{}, {.max_lines = 10000});
    EXPECT_TRUE(batch);
    std::vector<std::string> lines;
    if (batch) {
      for (const auto& line : batch->lines) lines.push_back(line.message);
    }
    return lines;
  }

  // The job and two background children all ignore SIGTERM; after the grace
  // period the whole tree is killed.
  void ExpectKillTakesDownTheTree(ProcessExecutor& executor, boost::asio::io_context& io) {
    std::string id = NewId();
    ASSERT_TRUE(executor.Start(
        Job(id, {"sh", "-c",
                 "trap '' TERM; sleep 1000 & echo $!; sleep 1000 & echo $!; echo ready; wait"})));
    ASSERT_TRUE(RunUntil([&] { return Lines(id, &executor).size() == 3; }, io));
    std::vector<std::string> printed = Lines(id, &executor);
    pid_t child1 = std::stoi(printed[0]);
    pid_t child2 = std::stoi(printed[1]);
    ASSERT_TRUE(IsAlive(child1));

    auto asked = std::chrono::steady_clock::now();
    ASSERT_TRUE(executor.Kill(id, milliseconds(300)));
    ASSERT_TRUE(RunUntil([&] { return results_.contains(id); }, io));
    auto waited = std::chrono::steady_clock::now() - asked;

    EXPECT_EQ(results_[id].exit_code, std::optional<int32_t>(128 + SIGKILL));
    EXPECT_GE(waited, milliseconds(250));  // SIGTERM was ignored; SIGKILL came after the grace.
    EXPECT_TRUE(RunUntil([&] { return !IsAlive(child1) && !IsAlive(child2); }, io));
    EXPECT_FALSE(executor.Kill(id, Duration::zero()));  // No longer running.
  }

  fs::path WorkDirOf(const std::string& id) { return dir_->path() / "attempts" / id / "work"; }

  std::optional<barge::testing::TempDir> dir_;
  boost::asio::io_context io_;
  SystemClock clock_;
  std::map<std::string, AttemptResult> results_;
  std::unique_ptr<ProcessExecutor> executor_;
  int next_id_ = 0;
};

TEST_F(ProcessExecutorTest, NormalExitReportsItsCodeAndTheAwsReason) {
  std::string id = NewId();

  AttemptResult result = RunToExit(Job(id, {"sh", "-c", "exit 3"}));

  EXPECT_EQ(result.attempt_id, id);
  EXPECT_EQ(result.exit_code, std::optional<int32_t>(3));
  EXPECT_EQ(result.reason, kReasonExited);
  EXPECT_FALSE(result.oom_killed);
  EXPECT_GT(result.started_at_ms, 0);
  EXPECT_GE(result.stopped_at_ms, result.started_at_ms);
}

TEST_F(ProcessExecutorTest, SignalDeathIsReportedAs128PlusTheSignal) {
  AttemptResult result = RunToExit(Job(NewId(), {"sh", "-c", "kill -TERM $$"}));

  EXPECT_EQ(result.exit_code, std::optional<int32_t>(128 + SIGTERM));
}

TEST_F(ProcessExecutorTest, EnvironmentIsExactlyTheAssignmentsPlusPathAndHome) {
  ::setenv("BARGE_EXECUTOR_TEST_LEAK", "1", 1);
  std::string id = NewId();
  protocol::Assignment job = Job(id, {"env"});
  job.environment = {{"FOO", "bar"}, {"AWS_BATCH_JOB_ID", "job-1"}};

  AttemptResult result = RunToExit(job);
  std::vector<std::string> lines = Lines(id);
  std::sort(lines.begin(), lines.end());

  EXPECT_EQ(result.exit_code, std::optional<int32_t>(0));
  ASSERT_EQ(lines.size(), 4u) << ::testing::PrintToString(lines);
  EXPECT_EQ(lines[0], "AWS_BATCH_JOB_ID=job-1");
  EXPECT_EQ(lines[1], "FOO=bar");
  EXPECT_EQ(lines[2].substr(0, 5), "HOME=");
  EXPECT_EQ(lines[3].substr(0, 5), "PATH=");
}

TEST_F(ProcessExecutorTest, StdoutAndStderrAreCapturedAsTimestampedLines) {
  std::string id = NewId();

  RunToExit(Job(id, {"sh", "-c", "echo out1; echo err1 >&2; echo out2; printf no-newline"}));
  auto first = executor_->ReadLog(id, LogCursor{}, {.max_lines = 1});
  ASSERT_TRUE(first);
  auto rest = executor_->ReadLog(id, first->next, {.max_lines = 100});
  ASSERT_TRUE(rest);

  ASSERT_EQ(first->lines.size(), 1u);
  EXPECT_GT(first->lines[0].timestamp_ms, 0);
  EXPECT_EQ(first->next.sequence, 1);
  std::vector<std::string> all = Lines(id);
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, (std::vector<std::string>{"err1", "no-newline", "out1", "out2"}));
  EXPECT_EQ(rest->next.sequence, 4);
}

TEST_F(ProcessExecutorTest, JobStartsWithDefaultSignalDispositionsAndNoOutputFile) {
  std::string id = NewId();
  // The monitor ignores SIGPIPE, SIGINT and SIGHUP and blocks SIGTERM; the job inherits none.
  RunToExit(Job(id, {"sh", "-c", "grep -E '^Sig(Blk|Ign):' /proc/self/status"}));
  EXPECT_EQ(Lines(id),
            (std::vector<std::string>{"SigBlk:\t0000000000000000", "SigIgn:\t0000000000000000"}));

  std::string quiet = NewId();
  RunToExit(Job(quiet, {"true"}));
  EXPECT_EQ(results_[quiet].exit_code, 0);
  EXPECT_FALSE(fs::exists(PathsOf(dir_->path() / "attempts", quiet).output_log));
  auto batch = executor_->ReadLog(quiet, LogCursor{}, {.max_lines = 10});
  ASSERT_TRUE(batch);
  EXPECT_TRUE(batch->lines.empty());
}

TEST_F(ProcessExecutorTest, OutputIsReadableWhileTheJobRuns) {
  std::string id = NewId();
  ASSERT_TRUE(executor_->Start(
      Job(id, {"sh", "-c", "echo hello; while [ ! -e go ]; do sleep 0.02; done; echo bye"})));

  bool seen = RunUntil([&] { return Lines(id) == std::vector<std::string>{"hello"}; });
  std::ofstream(WorkDirOf(id) / "go").put('x');
  bool ended = RunUntil([&] { return results_.contains(id); });

  EXPECT_TRUE(seen);
  EXPECT_TRUE(ended);
  EXPECT_EQ(Lines(id), (std::vector<std::string>{"hello", "bye"}));
}

TEST_F(ProcessExecutorTest, JobRunsInItsOwnWritableWorkingDirectory) {
  std::string id = NewId();

  AttemptResult result = RunToExit(Job(id, {"sh", "-c", "pwd; touch file && echo wrote"}));

  EXPECT_EQ(result.exit_code, std::optional<int32_t>(0));
  EXPECT_EQ(Lines(id), (std::vector<std::string>{WorkDirOf(id).string(), "wrote"}));
}

TEST_F(ProcessExecutorTest, MissingCommandFailsWith127AndCannotStartReason) {
  AttemptResult result = RunToExit(Job(NewId(), {"barge-no-such-command-xyz"}));

  EXPECT_EQ(result.exit_code, std::optional<int32_t>(127));
  EXPECT_EQ(result.reason.substr(0, kReasonCannotStart.size()), kReasonCannotStart);
  EXPECT_NE(result.reason.find("barge-no-such-command-xyz"), std::string::npos);
}

TEST_F(ProcessExecutorTest, InvalidAssignmentsAreRefusedWithoutStarting) {
  Status no_command = executor_->Start(Job(NewId(), {}));
  Status bad_id = executor_->Start(Job("../escape", {"true"}));

  ASSERT_FALSE(no_command);
  EXPECT_EQ(no_command.error().code, ErrorCode::kInvalidArgument);
  ASSERT_FALSE(bad_id);
  EXPECT_EQ(bad_id.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(executor_->Running().empty());
}

TEST_F(ProcessExecutorTest, KnownAttemptIsNotStartedTwice) {
  std::string id = NewId();
  RunToExit(Job(id, {"true"}));

  Status again = executor_->Start(Job(id, {"true"}));

  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
}

TEST_F(ProcessExecutorTest, RemoveDeletesAnEndedAttemptButNotARunningOne) {
  std::string ended = NewId();
  RunToExit(Job(ended, {"true"}));
  std::string running = NewId();
  ASSERT_TRUE(executor_->Start(Job(running, {"sleep", "1000"})));

  Status removed = executor_->Remove(ended);
  Status refused = executor_->Remove(running);

  EXPECT_TRUE(removed);
  EXPECT_FALSE(fs::exists(dir_->path() / "attempts" / ended));
  EXPECT_EQ(executor_->ReadLog(ended, LogCursor{}, {}).error().code, ErrorCode::kNotFound);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition);
  ASSERT_TRUE(executor_->Kill(running, Duration::zero()));
  EXPECT_TRUE(RunUntil([&] { return results_.contains(running); }));
}

TEST_F(ProcessExecutorTest, KillTakesDownAProcessTreeThatIgnoresSigterm) {
  ExpectKillTakesDownTheTree(*executor_, io_);
}

TEST_F(ProcessExecutorTest, KillWithoutCgroupsUsesTheProcessGroup) {
  boost::asio::io_context io;
  auto executor = OpenExecutor(io, /*use_cgroups=*/false);
  ExpectKillTakesDownTheTree(*executor, io);
}

TEST_F(ProcessExecutorTest, KillRightAfterStartReachesTheJob) {
  // Start() does not wait for the job's exec: kill orders given before the
  // monitor reports the job's pid are carried out when it does.
  std::string termed = NewId();
  std::string killed = NewId();
  ASSERT_TRUE(executor_->Start(Job(termed, {"sleep", "1000"})));
  ASSERT_TRUE(executor_->Kill(termed, std::chrono::seconds(30)));
  ASSERT_TRUE(executor_->Start(Job(killed, {"sleep", "1000"})));
  ASSERT_TRUE(executor_->Kill(killed, Duration::zero()));

  bool ended = RunUntil([&] { return results_.contains(termed) && results_.contains(killed); });

  ASSERT_TRUE(ended);
  EXPECT_EQ(results_[termed].exit_code, std::optional<int32_t>(128 + SIGTERM));
  // Kill() sends SIGTERM before the SIGKILL, so either may be what ended it.
  EXPECT_TRUE(results_[killed].exit_code == 128 + SIGKILL ||
              results_[killed].exit_code == 128 + SIGTERM);
}

TEST_F(ProcessExecutorTest, SigtermToTheMonitorKillsTheJobAndStillRecordsItsExit) {
  std::string id = NewId();
  ASSERT_TRUE(executor_->Start(Job(id, {"sleep", "1000"})));
  auto text = ReadWholeFile((dir_->path() / "attempts" / id / "attempt.json").string());
  ASSERT_TRUE(text);
  auto record = DecodeAttemptRecord(*text);
  ASSERT_TRUE(record);

  ASSERT_EQ(::kill(record->monitor_pid, SIGTERM), 0);
  bool ended = RunUntil([&] { return results_.contains(id); });

  ASSERT_TRUE(ended);
  EXPECT_EQ(results_[id].exit_code, std::optional<int32_t>(128 + SIGKILL));
  EXPECT_EQ(results_[id].reason, kReasonExited);
}

TEST_F(ProcessExecutorTest, OverMemoryJobIsOomKilledWithTheAwsReason) {
  if (!CanUseCgroups()) GTEST_SKIP() << "needs root and a writable cgroup v1 memory hierarchy";
  protocol::Assignment job = Job(NewId(), {"sh", "-c", "tail /dev/zero"});
  job.resources.memory_mib = 32;

  AttemptResult result = RunToExit(job);

  EXPECT_EQ(result.exit_code, std::optional<int32_t>(137));
  EXPECT_TRUE(result.oom_killed);
  EXPECT_EQ(result.reason, kReasonOutOfMemory);
}

TEST_F(ProcessExecutorTest, LimitsAreWrittenToTheAttemptsCgroupsWhichAreRemovedAfterwards) {
  if (!CanUseCgroups()) GTEST_SKIP() << "needs root and a writable cgroup v1 memory hierarchy";
  std::string id = NewId();
  auto group = [&](std::string controller) {
    return "/sys/fs/cgroup/" + controller + "/" + std::string(kCgroupParent) + "/" + id;
  };
  protocol::Assignment job = Job(
      id, {"cat", group("memory") + "/memory.limit_in_bytes", group("cpu") + "/cpu.cfs_quota_us",
           group("pids") + "/pids.max", "/proc/self/cgroup"});
  job.resources = {.millicpus = 500, .memory_mib = 64};

  AttemptResult result = RunToExit(job);
  std::vector<std::string> lines = Lines(id);

  EXPECT_EQ(result.exit_code, std::optional<int32_t>(0));
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(lines[0], "67108864");
  EXPECT_EQ(lines[1], "50000");
  EXPECT_EQ(lines[2], "4096");
  EXPECT_NE(std::find(lines.begin(), lines.end(), "0::/" + std::string(kCgroupParent) + "/" + id),
            lines.end());
  for (std::string controller : {"memory", "cpu", "pids", "unified"}) {
    EXPECT_FALSE(fs::exists(group(controller))) << group(controller);
  }
}

TEST_F(ProcessExecutorTest, RootAgentRunsJobsAsNobodyUnlessTheJobNamesAUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "user switching needs an agent running as root";
  std::string nobody = NewId();
  std::string root = NewId();
  std::string numeric = NewId();
  protocol::Assignment as_root = Job(root, {"id", "-u"});
  as_root.user = "root";
  protocol::Assignment as_numeric = Job(numeric, {"sh", "-c", "id -u; id -g; touch f && echo ok"});
  as_numeric.user = "1234:4321";
  protocol::Assignment unknown = Job(NewId(), {"true"});
  unknown.user = "barge-no-such-user";

  RunToExit(Job(nobody, {"id", "-u"}));
  RunToExit(as_root);
  RunToExit(as_numeric);
  Status refused = executor_->Start(unknown);

  EXPECT_EQ(Lines(nobody), std::vector<std::string>{"65534"});
  EXPECT_EQ(Lines(root), std::vector<std::string>{"0"});
  EXPECT_EQ(Lines(numeric), (std::vector<std::string>{"1234", "4321", "ok"}));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(ProcessExecutorTest, WithoutCgroupsMemoryIsCappedByRlimit) {
  boost::asio::io_context io;
  auto executor = OpenExecutor(io, /*use_cgroups=*/false);
  std::string id = NewId();
  protocol::Assignment job =
      Job(id, {"sh", "-c", "x=$(head -c 200000000 /dev/zero | tr '\\0' a); echo survived"});
  job.resources.memory_mib = 32;

  ASSERT_TRUE(executor->Start(job));
  ASSERT_TRUE(RunUntil([&] { return results_.contains(id); }, io));

  EXPECT_NE(results_[id].exit_code, std::optional<int32_t>(0));
  EXPECT_FALSE(results_[id].oom_killed);  // The weaker signal: no OOM reason without cgroups.
  std::vector<std::string> lines = Lines(id, executor.get());
  EXPECT_EQ(std::count(lines.begin(), lines.end(), "survived"), 0);
}

TEST_F(ProcessExecutorTest, ResultRecordedWhileNoExecutorRanIsRecovered) {
  std::string id = NewId();
  RunToExit(Job(id, {"sh", "-c", "echo before; exit 5"}));
  executor_.reset();

  boost::asio::io_context io;
  auto restarted = OpenExecutor(io);
  auto recovered = restarted->Recover();

  ASSERT_TRUE(recovered) << recovered.error().message;
  ASSERT_EQ(recovered->size(), 1u);
  EXPECT_EQ((*recovered)[0].attempt_id, id);
  ASSERT_TRUE((*recovered)[0].result.has_value());
  EXPECT_EQ((*recovered)[0].result->exit_code, std::optional<int32_t>(5));
  EXPECT_EQ(Lines(id, restarted.get()), std::vector<std::string>{"before"});
}

TEST_F(ProcessExecutorTest, RunningAttemptIsAdoptedByARestartedExecutorAndReportsItsExit) {
  std::string id = NewId();
  {
    boost::asio::io_context io;
    auto first = OpenExecutor(io);
    ASSERT_TRUE(
        first->Start(Job(id, {"sh", "-c", "while [ ! -e go ]; do sleep 0.02; done; exit 7"})));
  }  // The first agent goes away; its attempt keeps running.

  boost::asio::io_context io;
  auto restarted = OpenExecutor(io);
  auto recovered = restarted->Recover();
  ASSERT_TRUE(recovered);
  std::vector<std::string> running_after_recover = restarted->Running();
  std::ofstream(WorkDirOf(id) / "go").put('x');
  bool ended = RunUntil([&] { return results_.contains(id); }, io);

  ASSERT_EQ(recovered->size(), 1u);
  EXPECT_FALSE((*recovered)[0].result.has_value());
  EXPECT_EQ(running_after_recover, std::vector<std::string>{id});
  ASSERT_TRUE(ended);
  EXPECT_EQ(results_[id].exit_code, std::optional<int32_t>(7));
  EXPECT_TRUE(restarted->Running().empty());
}

TEST_F(ProcessExecutorTest, AdoptedAttemptCanBeKilled) {
  std::string id = NewId();
  {
    boost::asio::io_context io;
    auto first = OpenExecutor(io);
    ASSERT_TRUE(first->Start(Job(id, {"sleep", "1000"})));
  }
  boost::asio::io_context io;
  auto restarted = OpenExecutor(io);
  ASSERT_TRUE(restarted->Recover());

  ASSERT_TRUE(restarted->Kill(id, milliseconds(100)));
  bool ended = RunUntil([&] { return results_.contains(id); }, io);

  ASSERT_TRUE(ended);
  EXPECT_EQ(results_[id].exit_code, std::optional<int32_t>(128 + SIGTERM));
}

}  // namespace
}  // namespace barge::executor
