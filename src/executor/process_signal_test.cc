// ProcessExecutor::Signal with real processes: the spot interruption
// notice's SIGWINCH reaches a job that traps it, and leaves one that does not
// running. Runs with or without cgroups.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <utility>

#include "executor/process_executor.h"
#include "testing/temp_dir.h"

namespace barge::executor {
namespace {

using std::chrono::milliseconds;

constexpr auto kTimeout = std::chrono::seconds(20);

class ProcessSignalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = barge::testing::TempDir::Create();
    ASSERT_TRUE(dir);
    dir_.emplace(std::move(*dir));
    auto executor =
        ProcessExecutor::Open(io_, clock_,
                              ProcessExecutorOptions{.work_dir = dir_->path() / "attempts",
                                                     .cgroups = {.parent = "barge-test"},
                                                     .drain_timeout = milliseconds(500)});
    ASSERT_TRUE(executor);
    executor_ = std::move(*executor);
    executor_->SetExitCallback([this](const AttemptResult& r) { results_[r.attempt_id] = r; });
  }

  void TearDown() override {
    if (!executor_) return;
    for (const std::string& id : executor_->Running()) (void)executor_->Kill(id, {});
    RunUntil([&] { return executor_->Running().empty(); });
  }

  // Unique across test processes (cgroups are shared).
  std::string NewId() { return "s" + std::to_string(::getpid()) + "-" + std::to_string(next_++); }

  Status Start(const std::string& id, const std::string& script) {
    return executor_->Start(protocol::Assignment{
        .attempt_id = id, .job_id = "job-" + id, .command = {"sh", "-c", script}});
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

  std::vector<std::string> Lines(const std::string& id) {
    std::vector<std::string> lines;
    if (auto batch = executor_->ReadLog(id, LogCursor{}, {.max_lines = 1000})) {
      for (const protocol::LogLine& line : batch->lines) lines.push_back(line.message);
    }
    return lines;
  }

  bool Printed(const std::string& id, const std::string& line) {
    std::vector<std::string> lines = Lines(id);
    return std::find(lines.begin(), lines.end(), line) != lines.end();
  }

  std::optional<barge::testing::TempDir> dir_;
  boost::asio::io_context io_;
  SystemClock clock_;
  std::unique_ptr<ProcessExecutor> executor_;
  std::map<std::string, AttemptResult> results_;
  int next_ = 0;
};

TEST_F(ProcessSignalTest, JobThatTrapsTheSignalGetsItInItsWholeProcessGroup) {
  std::string id = NewId();
  // The job and a child of it both trap WINCH; sh runs a trap between commands.
  ASSERT_TRUE(Start(id,
                    "sh -c 'trap \"echo child got it\" WINCH; echo child ready; "
                    "while :; do sleep 0.05; done' & "
                    "trap 'echo job got it' WINCH; echo job ready; while :; do sleep 0.05; done"));
  ASSERT_TRUE(RunUntil([&] { return Printed(id, "job ready") && Printed(id, "child ready"); }));

  Status signalled = executor_->Signal(id, SIGWINCH);

  ASSERT_TRUE(signalled) << signalled.error().message;
  EXPECT_TRUE(RunUntil([&] { return Printed(id, "job got it") && Printed(id, "child got it"); }))
      << "output: " << ::testing::PrintToString(Lines(id));
  EXPECT_FALSE(results_.contains(id));  // Still running: the signal ends nothing.
}

TEST_F(ProcessSignalTest, JobThatDoesNotTrapTheSignalKeepsRunning) {
  std::string id = NewId();
  // It runs in its own work directory until the test creates `go` there.
  ASSERT_TRUE(Start(id, "echo ready; while [ ! -e go ]; do sleep 0.05; done; echo still here"));
  ASSERT_TRUE(RunUntil([&] { return Printed(id, "ready"); }));

  ASSERT_TRUE(executor_->Signal(id, SIGWINCH));
  std::ofstream(dir_->path() / "attempts" / id / "work" / "go") << "";
  ASSERT_TRUE(RunUntil([&] { return results_.contains(id); }));

  EXPECT_EQ(results_[id].exit_code, std::optional<int32_t>(0));
  EXPECT_TRUE(Printed(id, "still here"));
}

TEST_F(ProcessSignalTest, SignalRightAfterStartIsAcceptedAndAnUnknownAttemptIsNotFound) {
  std::string id = NewId();
  ASSERT_TRUE(Start(id, "echo ready; sleep 0.2"));

  Status early = executor_->Signal(id, SIGWINCH);  // Before the job's pid is known.
  Status unknown = executor_->Signal("nothing-" + id, SIGWINCH);

  EXPECT_TRUE(early) << early.error().message;
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(RunUntil([&] { return results_.contains(id); }));
  EXPECT_EQ(results_[id].exit_code, std::optional<int32_t>(0));
  EXPECT_FALSE(executor_->Signal(id, SIGWINCH));  // Ended: no longer running.
}

}  // namespace
}  // namespace barge::executor
