#pragma once
// The per-attempt output log: what the monitor process captured from the
// job's stdout and stderr, one record per line, appended as it arrives, so no
// output is lost while the agent or the server is away. The agent reads it
// back in batches (ReadLogFile) and ships it.
//
// Record format, one per line: "<epoch ms> <o|e> <message>\n". A message never
// holds '\n'; a line longer than kMaxLineBytes is cut into several records,
// and a last line without a newline becomes a record when its stream closes.
//
// LineSplitter runs in the forked monitor, ReadLogFile in the agent; both are
// plain values, one thread each.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"
#include "executor/executor.h"

namespace barge::executor {

inline constexpr size_t kMaxLineBytes = 64 * 1024;

// Appends "<at_ms> <stream> <message>\n" to `out`.
void AppendLogRecord(std::string& out, int64_t at_ms, char stream, std::string_view message);

// Splits one stream's bytes into records.
class LineSplitter {
 public:
  explicit LineSplitter(char stream) : stream_(stream) {}
  // Adds `data` read at `at_ms`; appends every completed record to `out`.
  void Add(std::string_view data, int64_t at_ms, std::string& out);
  // Turns a pending partial line into a record (the stream ended).
  void Flush(int64_t at_ms, std::string& out);

 private:
  char stream_;
  std::string pending_{};
};

// Reads up to `max_lines` complete records of the log at `path` from
// `from`, looking at no more than `max_bytes` of the file. A missing file
// reads as empty. kInternal when the file cannot be read; a malformed record
// is returned as a line with timestamp 0 rather than stopping the reader.
Result<LogBatch> ReadLogFile(const std::string& path, LogCursor from, size_t max_lines,
                             size_t max_bytes = 1 << 20);

}  // namespace barge::executor
