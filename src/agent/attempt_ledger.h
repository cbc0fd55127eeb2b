#pragma once
// AttemptLedger: what the agent has told the server about each attempt on
// this host, so that a restarted agent sends exactly what was not
// acknowledged yet: the started event, the exited event (with the result),
// and the output lines after `shipped`.
//
// Storage: one append-only journal, <dir>/ledger.jsonl, one JSON line per
// change holding the attempt's whole progress (or that it was forgotten);
// the last line of an attempt wins. Appending creates no files, which
// matters at hundreds of attempts a second (ext4 inode allocation after
// many deletes is slow). Open() compacts the journal, and it is compacted
// again whenever it has grown well past the attempts it describes. A torn
// last line (a crash mid-append) is ignored.
//
// Losing an append only means sending something again, which the protocol
// makes harmless (every message names its attempt; logs carry sequence
// numbers), so nothing is fsynced.
//
// Owned by the Agent; its thread only.
#include <filesystem>
#include <map>
#include <memory>
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
  // Creates `dir` when missing, loads and compacts the journal. kInternal
  // when it cannot be read or written.
  static Result<AttemptLedger> Open(std::filesystem::path dir);
  AttemptLedger(AttemptLedger&&) noexcept;
  AttemptLedger& operator=(AttemptLedger&&) noexcept;
  ~AttemptLedger();

  // The progress of every attempt not removed, as loaded by Open and
  // changed since.
  const std::map<std::string, AttemptProgress>& entries() const { return entries_; }
  Status Save(const AttemptProgress& progress);  // kInternal
  void Remove(const std::string& attempt_id);    // Best effort.

 private:
  explicit AttemptLedger(std::filesystem::path dir) : dir_(std::move(dir)) {}
  Status Append(const std::string& line);
  Status Compact();

  std::filesystem::path dir_;
  std::map<std::string, AttemptProgress> entries_{};
  int fd_ = -1;       // The journal, open for appending.
  size_t lines_ = 0;  // Lines in the journal since the last compaction.
};

}  // namespace barge::agent
