#pragma once
// AttemptLedger: what the agent has told the server about each attempt on
// this host, kept in <dir>/<attempt id>.json so that a restarted agent sends
// exactly what was not acknowledged yet: the started event, the exited event
// (with the result), and the output lines after `shipped`.
//
// Losing a write only means sending something again, which the protocol
// makes harmless (every message names its attempt; logs carry sequence
// numbers), so records are replaced by rename without fsync.
//
// Owned by the Agent; its thread only.
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "core/result.h"
#include "executor/executor.h"

namespace barge::agent {

struct AttemptProgress {
  std::string attempt_id{};
  int64_t started_at_ms = 0;
  bool started_acked = false;  // Also true when there is no started event to send.
  std::optional<executor::AttemptResult> result{};  // Set once the attempt has ended.
  bool exited_acked = false;
  executor::LogCursor shipped{};  // Output acknowledged by the server up to here.
};

class AttemptLedger {
 public:
  // Creates `dir` when missing. kInternal when it cannot.
  static Result<AttemptLedger> Open(std::filesystem::path dir);

  // Every record; unreadable ones are skipped (their attempts are then
  // reported again from the executor's state).
  std::map<std::string, AttemptProgress> LoadAll() const;
  Status Save(const AttemptProgress& progress) const;  // kInternal
  void Remove(const std::string& attempt_id) const;    // Best effort.

 private:
  explicit AttemptLedger(std::filesystem::path dir) : dir_(std::move(dir)) {}
  std::filesystem::path dir_;
};

}  // namespace barge::agent
