#pragma once
// Executor: runs attempts on this host. The agent hands it protocol
// Assignments and kill orders and is told when an attempt ends; the
// attempt's output is kept on disk and read back in batches for shipping.
//
// Implementations: ProcessExecutor (fork/exec under cgroups), and the agent
// tests' FakeExecutor. Owned by the agent's composition root; every method is
// called on, and every callback runs on, the agent's one io_context thread.
//
// An attempt, once Start() returned OK, ends exactly once: its ExitCallback
// runs (later, never inside Start or Kill) with the AttemptResult that is also
// recorded durably, so an attempt that ends while the agent is down is found
// by Recover() after a restart.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "protocol/messages.h"

namespace barge::executor {

// Container reasons, as AWS Batch reports them in container.reason.
inline constexpr std::string_view kReasonExited = "Essential container in task exited";
inline constexpr std::string_view kReasonOutOfMemory =
    "OutOfMemoryError: Container killed due to memory usage";
// Prefix of the reason of an attempt that could not be started at all.
inline constexpr std::string_view kReasonCannotStart = "CannotStartContainerError: ";

// How one attempt ended.
struct AttemptResult {
  std::string attempt_id{};
  // 0..255: the exit status, or 128+signal for a signal death, 137 after an
  // OOM kill. nullopt when the executor could not learn it (its monitor died).
  std::optional<int32_t> exit_code{};
  std::string reason{};  // kReasonExited, kReasonOutOfMemory, or kReasonCannotStart + detail.
  bool oom_killed = false;
  int64_t started_at_ms = 0;  // Epoch milliseconds.
  int64_t stopped_at_ms = 0;
};

// Position in an attempt's output: the sequence number of the next line (0
// for the first) and where it starts in the executor's log file. Opaque to
// callers except for `sequence`, which is what the protocol ships.
struct LogCursor {
  int64_t sequence = 0;
  int64_t offset = 0;
};

struct LogBatch {
  std::vector<protocol::LogLine> lines{};  // Complete lines only, in output order.
  LogCursor next{};                        // Where the line after the last one starts.
};

// How much one ReadLog returns: a shipping batch.
struct LogReadLimits {
  size_t max_lines = 1000;
  size_t max_bytes = 128 * 1024;  // Of the log file, so of the messages, roughly.
};

// An attempt found in the executor's durable state by Recover().
struct RecoveredAttempt {
  std::string attempt_id{};
  int64_t started_at_ms = 0;
  std::optional<AttemptResult> result{};  // Set when it has ended; else it runs and is adopted.
};

using ExitCallback = std::function<void(const AttemptResult&)>;
// An attempt's job is running (a container: runc has started it), at epoch ms.
using RunningCallback = std::function<void(const std::string& attempt_id, int64_t at_ms)>;

class Executor {
 public:
  virtual ~Executor() = default;

  // The kinds of assignment this host can run (protocol::kExecutorProcess,
  // kExecutorContainer), for the agent's registration.
  virtual std::vector<std::string> Executors() const {
    return {std::string(protocol::kExecutorProcess)};
  }

  // Whether Start(a) is followed by a RunningCallback once the job really
  // runs (for work that takes a while to start, like a container), so the
  // agent reports RUNNING then rather than when Start returns. An attempt
  // that ends without having run gets only its ExitCallback.
  virtual bool ReportsRunning(const protocol::Assignment& /*a*/) const { return false; }
  virtual void SetRunningCallback(RunningCallback /*on_running*/) {}

  // Where ended attempts are reported. Set once, before Start or Recover.
  virtual void SetExitCallback(ExitCallback on_exit) = 0;

  // Starts the attempt. kAlreadyExists when the attempt id is known here
  // (running, or ended and not yet removed); kInvalidArgument when it cannot
  // run on this host (empty command, unknown user, bad attempt id);
  // kUnavailable/kInternal when the host could not set it up. On any error
  // nothing was started and no ExitCallback will come. On OK the ExitCallback
  // comes exactly once, also when the command cannot be executed (exit code
  // 127 or 126, reason kReasonCannotStart + detail).
  virtual Status Start(const protocol::Assignment& assignment) = 0;

  // Sends SIGTERM to the attempt's processes, then SIGKILL to its whole
  // process tree once `grace` has passed (at once for a zero grace). A second
  // call may shorten the grace. kNotFound when the attempt is not running.
  virtual Status Kill(std::string_view attempt_id, Duration grace) = 0;

  // Sends `signal` to a running attempt's job without ending the attempt: to
  // the job's process group for a process attempt, to the container's init
  // process for a container attempt (runc itself does not forward SIGWINCH).
  // A job not started yet (its pid not reported, its image being unpacked)
  // gets it once it starts. The agent sends SIGWINCH for a spot interruption
  // notice. kNotFound when the attempt is not running; kInternal when the
  // signal could not be sent.
  virtual Status Signal(std::string_view attempt_id, int signal) = 0;

  // Attempt ids currently running.
  virtual std::vector<std::string> Running() const = 0;

  // Scans the durable state left by an earlier run of the agent: ended
  // attempts are returned with their result; running ones are adopted (their
  // end is then reported through the ExitCallback). Call once, before Start.
  virtual Result<std::vector<RecoveredAttempt>> Recover() = 0;

  // Complete output lines from `from` on, within `limits`; at least one line
  // when there is one, however long. kNotFound for an unknown attempt.
  virtual Result<LogBatch> ReadLog(std::string_view attempt_id, LogCursor from,
                                   LogReadLimits limits) = 0;

  // Forgets an ended attempt and deletes its files. kFailedPrecondition while
  // it runs; OK when it is already gone.
  virtual Status Remove(std::string_view attempt_id) = 0;
};

}  // namespace barge::executor
