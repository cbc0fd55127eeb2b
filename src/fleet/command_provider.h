#pragma once
// CommandProvider: instances launched and terminated by two programs the user
// supplies, the way Slurm's power saving runs ResumeProgram and
// SuspendProgram. It plugs in on-premises pools or any cloud barge has no
// provider for: `barge server --command-provider NAME=LAUNCH,TERMINATE`, and
// an environment tagged barge:provider=NAME uses it.
//
// Programs run directly (no shell) with the server's environment and working
// directory, in a process group of their own, one run per Launch or
// Terminate call, each on a thread of its own because a run may take
// minutes. Their stdin is one JSON document, written whole and then closed.
//
// The launch program's stdin:
//   {"computeEnvironment": "CE",
//    "instanceType": {"name": "c5.large", "family": "c5", "vcpus": 2,
//                     "memoryMiB": 4096, "gpus": 0, "architecture": "x86_64",
//                     "onDemandPricePerHour": 0.085, "spotPricePerHour": 0.0361,
//                     "spotInterruption": "<5%"},          // the catalog entry
//    "capacityType": "ON_DEMAND" | "SPOT",
//    "count": 2,                                          // = instances.size()
//    "instances": [{"instanceId": "i-0123456789abcdef0",
//                   "agentCommand": ["agent", "--server", "URL", ...]}, ...],
//    "serverUrl": "URL",
//    "token": "T",
//    "executor": "process" | "container"}
// Each instance's agentCommand is the `barge agent` arguments after the
// executable (fleet/agent_command.h). The program starts, for each instance,
// `barge <agentCommand...>` on the new host with the environment variable
// BARGE_AGENT_TOKEN set to "token" (never on the command line, which every
// user of the host can read). It then prints on stdout
//   {"instances": [{"instanceId": "i-0123456789abcdef0",
//                   "providerData": "anything, given back at terminate"}, ...]}
// ("providerData" is an optional string) and exits 0. An instance it does not
// list failed to launch; so does every instance when it exits non-zero or by
// a signal, prints something else, or is still running after `timeout` (it
// and its process group are then killed with SIGKILL). Such results are
// kUnavailable, with a message naming the program and ending with the last
// KiB of its stderr. Ids in the reply that were not asked for are ignored, and
// so is stdout beyond 1 MiB (the reply then counts as unusable). Processes a
// program leaves behind when it exits in time (a started agent) are left
// alone, even if they hold its stdout open. An empty request runs nothing.
//
// The terminate program's stdin:
//   {"instances": [{"instanceId": "i-...", "providerData": "...",
//                   "computeEnvironment": "CE", "instanceType": "c5.large"}, ...]}
// Exit 0 means every instance is gone (or already was); anything else, or the
// timeout, is kUnavailable with the stderr tail. Its stdout is ignored.
//
// The controller learns of this provider's instances only through their
// agents: StillExists is always true (an instance whose agent never comes
// back is timed out by the controller) and TakeLost always empty (a lost host
// shows as its agent's expired lease).
//
// Threads: construct, call and destroy on the control thread. Results reach
// `done` through options.post, so `done` runs on the control thread too, and
// never inside Launch or Terminate. The process must not reap children it did
// not start (no waitpid(-1) on a SIGCHLD handler): each run waits for its own
// pid. Destruction kills the programs still running, waits for their threads
// and drops their results: no callback is posted once the destructor returns.
#include <chrono>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "fleet/provider.h"

namespace barge::fleet {

struct CommandProviderOptions {
  // What name() returns: the value of an environment's barge:provider tag.
  std::string name{};
  // Absolute, relative to the working directory (made absolute by Create), or
  // a bare name looked up in PATH.
  std::string launch_program{};
  std::string terminate_program{};
  // A run still going after this is killed and counts as failed.
  Duration timeout = std::chrono::minutes(5);
  // Runs `work` on the control thread later (the composition root posts it to
  // the control io_context). Called from the provider's threads; required.
  std::function<void(std::function<void()>)> post{};
};

class CommandProvider final : public Provider {
 public:
  // kInvalidArgument when the name is empty, the timeout is not positive, or
  // a program is missing or not executable (the message says which).
  static Result<std::unique_ptr<CommandProvider>> Create(CommandProviderOptions options);
  ~CommandProvider() override;

  CommandProvider(const CommandProvider&) = delete;
  CommandProvider& operator=(const CommandProvider&) = delete;

  std::string name() const override { return options_.name; }
  // A real machine pool or cloud interrupts its own instances.
  bool models_spot_interruptions() const override { return false; }
  void Launch(const LaunchRequest& request, LaunchDone done) override;
  void Terminate(const std::vector<Instance>& instances, TerminateDone done) override;
  bool StillExists(const Instance&) override { return true; }
  std::vector<LostInstance> TakeLost() override { return {}; }

 private:
  struct Worker {
    std::thread thread{};
    bool finished = false;
  };

  CommandProvider(CommandProviderOptions options, int cancel_fd);
  // Runs `work` on a new thread, tracked so the destructor can wait for it.
  // kUnavailable when no thread can be started.
  Status Spawn(std::function<void()> work);

  const CommandProviderOptions options_;
  // Readable once the destructor starts: running programs are killed.
  const int cancel_fd_;
  std::mutex mutex_;
  std::list<Worker> workers_;  // Guarded by mutex_.
};

}  // namespace barge::fleet
