// Issue 4's benchmark: the start overhead of the container executor. Runs
// N attempts of `true`, one at a time, through ProcessExecutor as the agent
// does (monitor, cgroups, files; Remove after each) with the process
// executor and with the container executor (runc, the busybox test image,
// already unpacked by a warm-up attempt), and prints p50/p99 of
//   - STARTING -> RUNNING: from Start() to the moment the agent reports
//     RUNNING (process: Start() returned; container: runc started it);
//   - the whole job: from Start() to the exit callback;
// next to the physical limits measured in the same run: fork/exec/wait of
// `true`, and a bare `runc run` of an equivalent bundle (no barge at all).
// Prints figures; asserts nothing about time. Needs root, runc, busybox-static.
//   container_bench [--attempts N] [--work-dir DIR]
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "core/clock.h"
#include "executor/oci_bundle_spec.h"
#include "executor/process_executor.h"
#include "image/image_store.h"
#include "util/executable_path.h"

extern char** environ;

namespace {

using namespace barge;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

struct Percentiles {
  double p50 = 0;
  double p99 = 0;
};

Percentiles Of(std::vector<double> samples) {
  if (samples.empty()) return {};
  std::sort(samples.begin(), samples.end());
  auto at = [&](double q) {
    return samples[std::min(samples.size() - 1, static_cast<size_t>(q * samples.size()))];
  };
  return {at(0.50), at(0.99)};
}

// Runs `argv` to its end; the wall time, or -1 when it failed.
double Spawn(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  ::posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  auto t0 = Clock::now();
  pid_t pid;
  if (::posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) return -1;
  ::posix_spawn_file_actions_destroy(&actions);
  int status = 0;
  ::waitpid(pid, &status, 0);
  double ms = Ms(Clock::now() - t0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? ms : -1;
}

struct Run {
  std::vector<double> to_running{};
  std::vector<double> whole{};
  std::vector<double> in_start{};  // Inside Start(): for a container, the bundle's preparation.
  int failed = 0;
};

Run RunAttempts(executor::ProcessExecutor& executor, boost::asio::io_context& io,
                const std::string& kind, int attempts) {
  Run run;
  std::map<std::string, Clock::time_point> running_at;
  std::map<std::string, executor::AttemptResult> ended;
  executor.SetRunningCallback(
      [&](const std::string& id, int64_t) { running_at[id] = Clock::now(); });
  executor.SetExitCallback([&](const executor::AttemptResult& r) { ended[r.attempt_id] = r; });
  std::string prefix = kind + std::to_string(::getpid()) + "-";
  for (int i = 0; i < attempts; ++i) {
    protocol::Assignment a{.attempt_id = prefix + std::to_string(i),
                           .job_id = "job",
                           .command = {"true"},
                           .image = "busybox",
                           .resources = {.millicpus = 1000, .memory_mib = 256},
                           .executor = kind};
    auto t0 = Clock::now();
    Status started = executor.Start(a);
    auto returned = Clock::now();
    if (!started) {
      std::fprintf(stderr, "start: %s\n", started.error().message.c_str());
      ++run.failed;
      continue;
    }
    while (!ended.contains(a.attempt_id)) {
      io.restart();
      io.run_one();
    }
    auto done = Clock::now();
    const executor::AttemptResult& result = ended[a.attempt_id];
    if (result.exit_code != 0) {
      if (run.failed++ == 0) std::fprintf(stderr, "%s: %s\n", kind.c_str(), result.reason.c_str());
    }
    bool reports_running = executor.ReportsRunning(a);
    auto running = running_at.find(a.attempt_id);
    if (!reports_running) {
      run.to_running.push_back(Ms(returned - t0));
    } else if (running != running_at.end()) {
      run.to_running.push_back(Ms(running->second - t0));
    }
    run.whole.push_back(Ms(done - t0));
    run.in_start.push_back(Ms(returned - t0));
    (void)executor.Remove(a.attempt_id);
  }
  return run;
}

void Print(const char* what, const Run& run) {
  Percentiles running = Of(run.to_running);
  Percentiles whole = Of(run.whole);
  std::printf("%-22s STARTING->RUNNING p50 %6.2f ms  p99 %6.2f ms | whole job p50 %6.2f ms  "
              "p99 %6.2f ms | in Start() p50 %5.2f ms | %d failed\n",
              what, running.p50, running.p99, whole.p50, whole.p99, Of(run.in_start).p50,
              run.failed);
}

}  // namespace

int main(int argc, char** argv) {
  int attempts = 200;
  std::string work_dir = "/var/tmp/barge-container-bench";
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (i + 1 < argc && flag == "--attempts") {
      attempts = std::atoi(argv[++i]);
    } else if (i + 1 < argc && flag == "--work-dir") {
      work_dir = argv[++i];
    } else {
      std::fprintf(stderr, "usage: container_bench [--attempts N] [--work-dir DIR]\n");
      return 2;
    }
  }
  std::string runc = FindExecutable("runc");
  if (::geteuid() != 0 || runc.empty()) {
    std::fprintf(stderr, "container_bench needs root and runc (apt-get install runc)\n");
    return 2;
  }
  std::error_code ec;
  fs::remove_all(work_dir, ec);
  fs::create_directories(work_dir);
  std::string layout = work_dir + "/layout";
  if (std::system((std::string(BARGE_BUSYBOX_IMAGE_SCRIPT) + " " + layout + " >/dev/null").c_str()) !=
      0) {
    std::fprintf(stderr, "cannot build the busybox test image\n");
    return 1;
  }
  auto store = image::ImageStore::Open(work_dir + "/images");
  if (!store) return 1;
  auto imported = (*store)->Import(layout, {.tag = "busybox:latest"});
  if (!imported) {
    std::fprintf(stderr, "import: %s\n", imported.error().message.c_str());
    return 1;
  }
  std::string digest = imported->at(0).digest;
  auto rootfs = (*store)->Unpack(digest);
  auto config = (*store)->Config(digest);
  if (!rootfs || !config) return 1;

  // The limits: fork/exec/wait of true, and runc run of the same image with
  // no barge in between (read-only root straight on the unpacked image).
  std::vector<double> fork_exec;
  for (int i = 0; i < attempts; ++i) fork_exec.push_back(Spawn({"true"}));
  fs::create_directories(work_dir + "/bare/bundle");
  auto spec = executor::GenerateBundleSpec(executor::BundleSpecInput{
      .command = {"true"},
      .image = *config,
      .readonly_root_filesystem = true,
      .cgroups_path = "/barge-bench/bare",
      .rootfs_path = *rootfs});
  if (!spec) return 1;
  std::ofstream(work_dir + "/bare/bundle/config.json") << spec->dump();
  std::vector<double> bare_runc;
  for (int i = 0; i < attempts; ++i) {
    bare_runc.push_back(Spawn({runc, "--root", work_dir + "/bare/state", "run", "--bundle",
                               work_dir + "/bare/bundle", "bare-" + std::to_string(i)}));
  }

  boost::asio::io_context io;
  SystemClock clock;
  auto executor = executor::ProcessExecutor::Open(
      io, clock,
      executor::ProcessExecutorOptions{
          .work_dir = work_dir + "/attempts",
          .cgroups = {.parent = "barge-bench"},
          .containers = {.runc_path = runc, .image_store_dir = work_dir + "/images"}});
  if (!executor || !(*executor)->containers_unavailable().empty()) {
    std::fprintf(stderr, "executor: %s\n",
                 executor ? (*executor)->containers_unavailable().c_str()
                          : executor.error().message.c_str());
    return 1;
  }
  (void)RunAttempts(**executor, io, "container", 3);  // Warm-up: caches, page cache.
  Run process = RunAttempts(**executor, io, "process", attempts);
  Run container = RunAttempts(**executor, io, "container", attempts);

  Percentiles fe = Of(fork_exec);
  Percentiles rc = Of(bare_runc);
  std::printf("%d attempts of `true` each, one at a time (image unpacked beforehand)\n", attempts);
  std::printf("%-22s p50 %6.2f ms  p99 %6.2f ms\n", "fork/exec/wait (limit)", fe.p50, fe.p99);
  std::printf("%-22s p50 %6.2f ms  p99 %6.2f ms\n", "bare runc run (limit)", rc.p50, rc.p99);
  Print("process executor", process);
  Print("container executor", container);
  double overhead_running = Of(container.to_running).p50 - Of(process.to_running).p50;
  double overhead_whole = Of(container.whole).p50 - Of(process.whole).p50;
  std::printf("container overhead p50: STARTING->RUNNING %+.2f ms, whole job %+.2f ms "
              "(target <= 50 ms); whole job = %.2fx bare runc run\n",
              overhead_running, overhead_whole, Of(container.whole).p50 / rc.p50);
  fs::remove_all(work_dir, ec);
  return process.failed + container.failed == 0 ? 0 : 1;
}
