#pragma once
// A child process of `barge dev`: started from this same binary with its
// own arguments, killed with the parent (PR_SET_PDEATHSIG) so that no
// process outlives `barge dev`, even when it is killed with SIGKILL.
//
// One thread (the dev supervisor's).
#include <sys/types.h>

#include <string>
#include <vector>

#include "core/result.h"

namespace barge::cli {

struct ChildOptions {
  std::vector<std::string> argv{};  // argv[0] is the program to exec.
  bool pipe_stdout = false;         // Give the parent a pipe of the child's stdout.
};

class ChildProcess {
 public:
  // kUnavailable when fork/pipe fail; an exec failure shows as exit code 127.
  static Result<ChildProcess> Start(const ChildOptions& options);

  pid_t pid() const { return pid_; }
  int stdout_fd() const { return stdout_fd_; }  // -1 unless pipe_stdout.

 private:
  ChildProcess(pid_t pid, int stdout_fd) : pid_(pid), stdout_fd_(stdout_fd) {}
  pid_t pid_;
  int stdout_fd_;
};

// Sends SIGTERM, waits up to `grace_ms` for the exit, then SIGKILLs.
// Returns the wait status (or -1 when the child was already reaped).
int StopChild(pid_t pid, int grace_ms);

// The path of the running barge binary (/proc/self/exe resolved).
std::string SelfExecutable();

}  // namespace barge::cli
