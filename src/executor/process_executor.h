#pragma once
// ProcessExecutor: runs each attempt's command directly on the host, under a
// per-attempt monitor process (executor/monitor.h), in its own session and
// process group, its own working directory <work dir>/<attempt>/work, and
// its own cgroups:
//   - memory: memory.limit_in_bytes (and memsw) = resources.memory_mib; an
//     OOM kill (memory.oom_control oom_kill > 0) ends the attempt with exit
//     code 137 and kReasonOutOfMemory;
//   - cpu: cpu.cfs_quota_us = millicpus/1000 of a 100 ms period, cpu.shares;
//   - pids: pids.max = CgroupOptions::pids_limit;
//   - cgroup2 (unified): only so that cgroup.kill takes down the whole tree.
// Where the memory hierarchy is not writable (not root), memory falls back to
// RLIMIT_AS: a job over its memory then sees allocation failures (and
// usually exits non-zero or with SIGSEGV) instead of being killed, so such a
// host cannot report the OutOfMemoryError reason. isolation() says which
// mode is in use.
//
// The environment is exactly the assignment's, plus PATH and HOME when it
// has none. When the agent runs as root the job runs as `nobody` unless the
// assignment names a user (executor/run_as.h). An assignment for the
// process executor runs on the host whatever its `image`.
//
// Assignments for the container executor (protocol::kExecutorContainer) run
// in runc, when the options name a runtime: executor/container_attempt.h
// prepares the bundle, and the monitor's job is `runc run` in the
// foreground under the same cgroups, so kill orders, the exit record, OOM
// detection, logs and recovery after a restart work the same way. An image
// that is not in the store, or a bundle that cannot be made, ends the
// attempt (Start() returns OK and the ExitCallback follows) with
// CannotPullContainerError or CannotStartContainerError. An image not yet
// unpacked is unpacked on a thread of its own (a large image takes seconds,
// which the agent's thread — heartbeats included — must not wait for); the
// attempt counts as running meanwhile, and a kill order given then ends it
// before its container starts. The destructor waits for such unpacks.
//
// Signal() sends to the job's process group, or for a container to its init
// (the pid runc writes to <attempt>/container.pid): `runc run` forwards most
// signals to the container, but takes SIGWINCH as a terminal resize.
//
// Start() forks the agent process (with SIGTERM blocked, so the monitor is
// born with it blocked) and returns without waiting for the job's exec: the
// monitor's report (the job's pid, for kill orders) is read asynchronously,
// and kill orders given before it are carried out when it arrives. The
// destructor waits (up to 2 s each) for monitors still starting their job.
// The child (the monitor) uses only system calls and malloc (fork-safe in
// glibc): no logging, no NSS lookups, nothing that takes a lock another
// thread (Asio's resolver) may hold at the fork.
//
// Child exits arrive through a SIGCHLD signal_set and waitpid on the
// io_context thread; monitors adopted after a restart are watched through a
// pidfd. Owned by the composition root; one thread (the io_context's). The
// destructor leaves running attempts running (their monitors carry on), so
// a restarted agent can adopt them; kill them first to stop them.
#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>  // Before Boost: Asio 1.74 under C++20 needs it.

#include "core/clock.h"
#include "executor/attempt_files.h"
#include "executor/cgroups.h"
#include "executor/container_attempt.h"
#include "executor/executor.h"
#include "executor/run_as.h"

namespace barge::executor {

struct ProcessExecutorOptions {
  std::filesystem::path work_dir{};  // Holds one directory per attempt. Created when missing.
  bool use_cgroups = true;           // False: rlimits only (tests, unprivileged hosts).
  CgroupOptions cgroups{};
  // How long output is still read after the job's main process exits, for
  // writers that escaped the tree.
  Duration drain_timeout = std::chrono::seconds(2);
  // runc_path empty: no container executor on this host.
  ContainerOptions containers{};
};

class ProcessExecutor final : public Executor {
 public:
  // kInternal when the work dir cannot be created. `io` and `clock` are not owned.
  static Result<std::unique_ptr<ProcessExecutor>> Open(boost::asio::io_context& io,
                                                       const Clock& clock,
                                                       ProcessExecutorOptions options);
  ~ProcessExecutor() override;
  ProcessExecutor(const ProcessExecutor&) = delete;
  ProcessExecutor& operator=(const ProcessExecutor&) = delete;

  // "cgroups (memory, cpu, pids; cgroup2 kill)" or "rlimits only (...why)".
  const std::string& isolation() const { return isolation_; }
  // Empty when this host runs containers, else why not.
  const std::string& containers_unavailable() const { return containers_unavailable_; }

  std::vector<std::string> Executors() const override;
  void SetExitCallback(ExitCallback on_exit) override;
  bool ReportsRunning(const protocol::Assignment& a) const override;
  void SetRunningCallback(RunningCallback on_running) override;
  Status Start(const protocol::Assignment& assignment) override;
  Status Kill(std::string_view attempt_id, Duration grace) override;
  Status Signal(std::string_view attempt_id, int signal) override;
  std::vector<std::string> Running() const override;
  Result<std::vector<RecoveredAttempt>> Recover() override;
  Result<LogBatch> ReadLog(std::string_view attempt_id, LogCursor from,
                           LogReadLimits limits) override;
  Status Remove(std::string_view attempt_id) override;

 private:
  struct Tracked;  // One running attempt.
  ProcessExecutor(boost::asio::io_context& io, const Clock& clock, ProcessExecutorOptions options);

  void WaitForChildren();
  void ReadReport(Tracked& tracked);  // The job's pid, from the monitor, when it comes.
  void OnSigchld();
  void Watch(Tracked& tracked);  // Adopted monitor: pidfd, or polling without one.
  void PollAdopted(const std::string& attempt_id);
  void OnAdoptedGone(const std::string& attempt_id);
  void OnMonitorGone(const std::string& attempt_id);
  void KillTree(const std::string& attempt_id);
  // Sends `signal` to the attempt's job (Signal): true when sent (or the job
  // is already gone), false when its pid (a container's init) is not known yet.
  Result<bool> SendSignal(const Tracked& tracked, int signal) const;
  // Ends an attempt that was set up but never launched: exit.json with
  // `reason`, and the ExitCallback posted.
  void EndUnlaunched(const protocol::Assignment& a, const AttemptPaths& paths,
                     const AttemptCgroups& cgroups, int64_t started_at_ms, std::string reason);
  // The part of Start() after the attempt's directory exists: cgroups, the
  // bundle of a container (whose image, found and unpacked, is `image`;
  // nullptr for the process executor), the monitor.
  Status Launch(const protocol::Assignment& a, const RunAs& run_as, int64_t started_at_ms,
                const image::ImageSummary* image);
  void StartUnpacking(const protocol::Assignment& a, const image::ImageSummary& image);
  void OnUnpacked(const protocol::Assignment& a, const image::ImageSummary& image,
                  const Status& unpacked);
  // Removes the attempt's cgroups, with those a container runtime nested in them.
  void RemoveCgroups(const std::string& attempt_id, bool container, int wait_ms) const;
  // Writes exit.json for an attempt whose monitor is gone without one.
  AttemptResult LostResult(const std::string& attempt_id, int64_t started_at_ms,
                           std::string_view why);

  boost::asio::io_context& io_;
  const Clock& clock_;
  ProcessExecutorOptions options_;
  std::string isolation_{};
  std::string containers_unavailable_{};
  std::unique_ptr<ContainerPreparer> containers_{};
  ExitCallback on_exit_{};
  RunningCallback on_running_{};
  RunAsCache run_as_cache_{};
  struct Signals;
  std::unique_ptr<Signals> signals_;
  std::map<std::string, std::unique_ptr<Tracked>, std::less<>> running_;
  std::map<std::string, std::thread> unpackers_{};  // By attempt id.
  // Expires with the executor: what an unpacker posts after that is dropped.
  std::shared_ptr<char> alive_ = std::make_shared<char>();
};

}  // namespace barge::executor
