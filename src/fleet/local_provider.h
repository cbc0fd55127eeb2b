#pragma once
// LocalProvider: the `local` provider. An instance is one `barge agent`
// process on this machine, offering the instance type's capacity whatever the
// machine really has (it may be oversubscribed): the way to try managed
// compute environments, scaling and spot interruptions without a cloud.
//
// Process model:
//   - Each agent is a direct child of the server, started with posix_spawn
//     (no shell) as `barge agent` + AgentArguments + `--work-dir
//     <work_root>/<instance-id>` + the configured extra arguments, in its own
//     process group (so that the whole group can be killed), stdin from
//     /dev/null, stdout and stderr inherited, the join token in the
//     environment (kAgentTokenVariable), never on the command line.
//   - provider_data is the agent's pid as decimal text. Whether a pid is
//     still the instance's agent is decided by /proc/<pid>/cmdline holding
//     "--instance-id <id>", so that a recycled pid is never taken for it.
//   - Terminate sends SIGTERM (the agent stops its own jobs) and returns at
//     once; TakeLost, called every controller tick, reaps exited agents
//     (waitpid on each pid it started, never waitpid(-1), since other code
//     may own other children) and SIGKILLs the process group of any agent
//     still alive terminate_grace after its SIGTERM. Nothing here blocks
//     except StopAll.
//   - Agents outlive the provider: the destructor leaves them running, as a
//     server restart leaves real instances running. The next server adopts
//     them through StillExists; being no longer their parent, it notices
//     their death by kill(pid, 0) and the cmdline check instead of waitpid.
//     `barge dev` calls StopAll at shutdown instead.
//   - The agent's jobs run under monitors that it forks into sessions of
//     their own (executor/monitor.h), so no signal to its group reaches them.
//     They keep the agent's command line, though: when an agent is found gone
//     (TakeLost, StillExists, StopAll), every process whose cmdline names its
//     instance id gets SIGTERM, and the monitors stop their jobs.
//
// Owned by the composition root. Control thread only (not thread-safe).
#include <sys/types.h>

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "fleet/provider.h"

namespace barge::fleet {

struct LocalProviderOptions {
  // Absolute path of the barge binary, run as `barge agent`.
  std::string barge_executable{};
  // Each instance gets <work_root>/<instance-id> as its --work-dir (created
  // at launch, left behind at termination for its logs).
  std::string work_root{};
  // Appended when the environment's executor is "container" (e.g. --runtime
  // X --image-store D).
  std::vector<std::string> container_agent_args{};
  // Appended always (e.g. --log-level warn).
  std::vector<std::string> extra_agent_args{};
  // Between an agent's SIGTERM and the SIGKILL of its process group. Should
  // exceed the agent's own --stop-grace (10 s unless extra_agent_args set
  // it), so that the agent can stop its jobs and report them itself.
  Duration terminate_grace = std::chrono::seconds(10);
  // An agent this provider started that exits unasked is started again (the
  // instance and its running jobs are fine; the new agent adopts them), at
  // most max_restarts times within restart_window; past that the instance is
  // reported lost.
  size_t max_restarts = 5;
  Duration restart_window = std::chrono::minutes(10);
};

class LocalProvider final : public Provider {
 public:
  // kInvalidArgument when barge_executable is not an absolute path of an
  // executable regular file or work_root is empty; kNotFound when
  // barge_executable does not exist; kUnavailable when work_root cannot be
  // created.
  static Result<std::unique_ptr<LocalProvider>> Create(LocalProviderOptions options);

  // Leaves every agent running (see the header comment).
  ~LocalProvider() override = default;
  LocalProvider(const LocalProvider&) = delete;
  LocalProvider& operator=(const LocalProvider&) = delete;

  std::string name() const override { return "local"; }
  bool models_spot_interruptions() const override { return true; }

  // Starts one agent per id and calls `done` before returning. An instance
  // whose work dir cannot be made or whose agent cannot be spawned gets
  // kUnavailable with the system's reason; an id that is not a plain file
  // name gets kInvalidArgument.
  void Launch(const LaunchRequest& request, LaunchDone done) override;
  // Sends SIGTERM to each instance's agent and calls done(Ok()) before
  // returning; the SIGKILL, if needed, comes from a later TakeLost. An
  // instance whose agent is already gone (or whose provider_data names no
  // agent of it) is skipped.
  void Terminate(const std::vector<Instance>& instances, TerminateDone done) override;
  // Whether the pid in provider_data is alive and is this instance's agent.
  // If so, the provider tracks (adopts) it from now on.
  bool StillExists(const Instance& instance) override;
  // Agents that exited without being terminated, with their exit status or
  // signal as the reason. Also reaps terminated agents and escalates overdue
  // terminations to SIGKILL.
  std::vector<LostInstance> TakeLost() override;

  // For server shutdown in `barge dev`: SIGTERMs every tracked agent, waits
  // (blocking) up to terminate_grace for them to exit, then SIGKILLs the
  // process groups of the rest and reaps them. Forgets them all and returns
  // how many were alive.
  int StopAll();

 private:
  using SteadyTime = std::chrono::steady_clock::time_point;

  struct Agent {
    pid_t pid = 0;
    // Started by this provider (so reaped with waitpid), not adopted.
    bool is_child = false;
    // Set by Terminate: its exit is expected, and its group gets SIGKILL then.
    std::optional<SteadyTime> kill_at{};
    bool killed = false;
    // What started it, so that it can be started again (children only).
    std::optional<LaunchRequest> request{};
    std::vector<std::string> environment{};
    std::deque<SteadyTime> restarts{};  // Within restart_window.
  };

  explicit LocalProvider(LocalProviderOptions options) : options_(std::move(options)) {}

  Result<pid_t> Spawn(const LaunchRequest& request, const std::string& instance_id,
                      const std::vector<std::string>& environment);
  // nullopt while the agent runs; otherwise why it is gone. Reaps a child,
  // SIGKILLs whatever it left in its process group, and SIGTERMs its job
  // monitors.
  // With stop_leftovers, also stops the job monitors it left (the instance is
  // gone); without, they keep running for a restarted agent to adopt.
  std::optional<std::string> CheckExited(const std::string& instance_id, const Agent& agent,
                                         bool stop_leftovers = true);
  bool RestartBudgetLeft(Agent& agent, SteadyTime now) const;

  LocalProviderOptions options_;
  std::map<std::string, Agent> agents_;  // By instance id: every agent believed alive.
};

}  // namespace barge::fleet
