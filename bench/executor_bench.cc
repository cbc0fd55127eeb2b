// The agent side of issue 3's benchmark (b) without the server: runs N
// attempts of `true` through ProcessExecutor (monitor, cgroups, files),
// `--slots` at a time, removing each attempt when it ended as the agent
// does, and prints attempts/s and the CPU (this process plus every reaped
// monitor and job) per attempt next to a plain fork/exec/wait of `true`.
// Prints figures; asserts nothing about time.
//   executor_bench [--attempts N] [--slots N] [--work-dir DIR] [--no-cgroups]
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <string>
#include <utility>

#include "core/clock.h"
#include "executor/process_executor.h"

extern char** environ;

namespace {

using namespace barge;

double CpuSeconds() {
  double total = 0;
  for (int who : {RUSAGE_SELF, RUSAGE_CHILDREN}) {
    struct rusage usage {};
    ::getrusage(who, &usage);
    total += usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec +
             usage.ru_stime.tv_usec / 1e6;
  }
  return total;
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// fork/exec/wait of `true`, `slots` at a time: the machine's limit.
void ForkExecLimit(int attempts, int slots) {
  double cpu0 = CpuSeconds();
  auto t0 = std::chrono::steady_clock::now();
  char arg0[] = "true";
  char* argv[] = {arg0, nullptr};
  int started = 0;
  int running = 0;
  while (started < attempts || running > 0) {
    while (running < slots && started < attempts) {
      pid_t pid;
      if (::posix_spawnp(&pid, "true", nullptr, nullptr, argv, environ) != 0) std::abort();
      ++started;
      ++running;
    }
    if (::wait(nullptr) > 0) --running;
  }
  double wall = Seconds(t0);
  std::printf("fork/exec/wait of true: %d in %.2f s = %.0f/s, CPU %.3f ms each\n", attempts, wall,
              attempts / wall, (CpuSeconds() - cpu0) * 1000 / attempts);
}

}  // namespace

int main(int argc, char** argv) {
  int attempts = 2000;
  int slots = 2;
  bool use_cgroups = true;
  std::string work_dir = "/var/tmp/barge-executor-bench";
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag == "--no-cgroups") {
      use_cgroups = false;
    } else if (i + 1 < argc && flag == "--attempts") {
      attempts = std::atoi(argv[++i]);
    } else if (i + 1 < argc && flag == "--slots") {
      slots = std::atoi(argv[++i]);
    } else if (i + 1 < argc && flag == "--work-dir") {
      work_dir = argv[++i];
    } else {
      std::fprintf(stderr,
                   "usage: executor_bench [--attempts N] [--slots N] [--work-dir DIR] "
                   "[--no-cgroups]\n");
      return 2;
    }
  }
  boost::asio::io_context io;
  SystemClock clock;
  auto executor = executor::ProcessExecutor::Open(
      io, clock,
      executor::ProcessExecutorOptions{
          .work_dir = work_dir, .use_cgroups = use_cgroups, .cgroups = {.parent = "barge-bench"}});
  if (!executor) {
    std::fprintf(stderr, "%s\n", executor.error().message.c_str());
    return 1;
  }
  std::printf("isolation: %s\n", (*executor)->isolation().c_str());
  std::deque<std::string> ended;
  int failed = 0;
  (*executor)->SetExitCallback([&](const executor::AttemptResult& r) {
    if (r.exit_code != 0) ++failed;
    ended.push_back(r.attempt_id);
  });
  ForkExecLimit(attempts, slots);

  std::string prefix = "b" + std::to_string(::getpid()) + "-";
  double cpu0 = CpuSeconds();
  auto t0 = std::chrono::steady_clock::now();
  double in_start = 0;  // Seconds inside Start(), which waits for the job's exec.
  int started = 0;
  int done = 0;
  int running = 0;
  while (done < attempts) {
    while (running < slots && started < attempts) {
      protocol::Assignment a{.attempt_id = prefix + std::to_string(started),
                             .job_id = "job",
                             .command = {"true"},
                             .resources = {.millicpus = 1000, .memory_mib = 256}};
      auto start_began = std::chrono::steady_clock::now();
      Status s = (*executor)->Start(a);
      in_start += Seconds(start_began);
      if (!s) {
        std::fprintf(stderr, "start: %s\n", s.error().message.c_str());
        return 1;
      }
      ++started;
      ++running;
    }
    io.restart();
    io.run_one();
    while (!ended.empty()) {
      (void)(*executor)->Remove(ended.front());
      ended.pop_front();
      --running;
      ++done;
    }
  }
  double wall = Seconds(t0);
  std::printf(
      "ProcessExecutor, %d slots: %d attempts of true in %.2f s = %.0f/s, CPU %.3f ms "
      "each, %.3f ms in Start() each, %d failed\n",
      slots, attempts, wall, attempts / wall, (CpuSeconds() - cpu0) * 1000 / attempts,
      in_start * 1000 / attempts, failed);
  return failed == 0 ? 0 : 1;
}
