#pragma once
// Shell(): runs a shell command for the executor's tests that drive real
// tools (runc, the test image script, pgrep). Tests only.
#include <stdio.h>
#include <sys/wait.h>

#include <array>
#include <string>
#include <utility>

namespace barge::executor {

// Runs `command` through the shell with stdin from /dev/null: its stdout and
// stderr together, and its exit code (-1 when it did not exit normally).
inline std::pair<std::string, int> Shell(const std::string& command) {
  std::string output;
  FILE* pipe = popen((command + " </dev/null 2>&1").c_str(), "r");
  if (pipe == nullptr) return {"popen failed", -1};
  std::array<char, 4096> buffer{};
  while (size_t n = fread(buffer.data(), 1, buffer.size(), pipe)) output.append(buffer.data(), n);
  int status = pclose(pipe);
  return {output, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

}  // namespace barge::executor
