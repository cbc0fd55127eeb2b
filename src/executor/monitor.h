#pragma once
// The attempt monitor: a process forked from the agent (no exec) that is
// the parent of the job, so the job's exit status is never lost when the
// agent stops or restarts (the design conmon and HTCondor's starter use).
//
// The monitor starts a new session, becomes a child subreaper, closes every
// inherited descriptor, and starts the job the way posix_spawn does (clone
// with CLONE_VM | CLONE_VFORK: no copy of the address space); the child joins
// the attempt's cgroups, starts its own session and process group, switches
// user and execs with default signal dispositions and an empty signal mask.
// Then the monitor:
//   1. writes a MonitorReport (job pid, or where starting failed) to
//      `report_fd`, which the agent reads when it comes (Start() does not wait);
//   2. captures stdout and stderr through pipes into the output log;
//   3. when the job's main process exits, SIGKILLs what is left of its tree
//      (AWS stops the whole task when its essential container exits), reads
//      the remaining output for up to drain_ms, reaps, reads the OOM counter;
//   4. writes exit.json atomically, removes the cgroups, and exits 0.
// For a container attempt the "job" is `runc run` in the foreground: the
// container's exit status is runc's; a runc that exits without having
// written its pid file never started the container, and its log says why
// (CannotStartContainerError); an OOM anywhere under the attempt's memory
// group is caught by an eventfd, since the OOM-killed process sits in the
// group runc made and runc deletes that group as it exits.
// SIGTERM to the monitor kills the job's tree, and the exit is recorded as
// usual (137), so stopping stray "barge" processes never loses a result;
// SIGINT and SIGHUP are ignored. Its process name (comm) is barge-monitor;
// its command line is the agent's, as it is forked without exec.
//
// Runs only in the forked child; the agent is single-threaded when it forks
// (STYLE.md), so the heap is consistent and malloc is usable there.
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "executor/cgroups.h"
#include "executor/run_as.h"

namespace barge::executor {

// Everything the job child needs, resolved before the fork.
struct JobLaunch {
  std::vector<std::string> exec_paths{};  // Tried in order, like execvp over the job's PATH.
  std::vector<std::string> argv{};
  std::vector<std::string> env{};  // "NAME=value"
  std::string working_dir{};
  RunAs run_as{};
  std::vector<std::string> cgroup_procs{};  // cgroup.procs files to join.
  uint64_t address_space_bytes = 0;         // RLIMIT_AS when there is no memory cgroup; 0: none.
  // Container attempts (executor/container_attempt.h): the child mounts this
  // overlay in a mount namespace of its own, then execs the runtime; the
  // mount goes away with the last process of that namespace.
  std::string overlay_target{};
  std::string overlay_options{};
};

// What the monitor needs to know about a container runtime it started.
struct RuntimeWatch {
  std::string pid_file{};  // Written by runc once the container runs.
  std::string log{};       // runc's JSON log: the reason when it failed to start.
  // Groups runc made under the attempt's, removed before the attempt's own.
  std::vector<std::string> nested_cgroups{};
};

struct MonitorSpec {
  std::string attempt_id{};
  JobLaunch job{};
  AttemptCgroups cgroups{};
  std::string output_log{};
  std::string exit_json{};
  int64_t started_at_ms = 0;
  int drain_ms = 2000;
  std::optional<RuntimeWatch> runtime{};  // Set for container attempts.
};

// Where starting the job failed.
enum class LaunchStage : int32_t {
  kNone,
  kFork,
  kCgroup,
  kStdio,
  kChdir,
  kLimits,
  kUser,
  kExec,
  kMount
};

// Written once by the monitor to the agent; job_pid is -1 when the fork failed.
// For a container attempt it is written once runc has started the container
// (its pid file exists) or has given up, so that RUNNING means running.
struct MonitorReport {
  int32_t job_pid = -1;
  LaunchStage stage = LaunchStage::kNone;
  int32_t error = 0;    // errno of the failed stage.
  int32_t running = 0;  // 1: the job (the container) runs; 0: it never started.
  int64_t running_at_ms = 0;  // Epoch ms at which it was seen running.
};

// Does not return.
[[noreturn]] void RunMonitor(const MonitorSpec& spec, int report_fd);

}  // namespace barge::executor
