#include "executor/log_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace barge::executor {

void AppendLogRecord(std::string& out, int64_t at_ms, char stream, std::string_view message) {
  out += std::to_string(at_ms);
  out += ' ';
  out += stream;
  out += ' ';
  out += message;
  out += '\n';
}

void LineSplitter::Add(std::string_view data, int64_t at_ms, std::string& out) {
  pending_.append(data);
  size_t start = 0;
  while (true) {
    size_t newline = pending_.find('\n', start);
    size_t available = (newline == std::string::npos ? pending_.size() : newline) - start;
    if (newline == std::string::npos && available < kMaxLineBytes) break;
    size_t length = std::min(available, kMaxLineBytes);
    AppendLogRecord(out, at_ms, stream_, std::string_view(pending_).substr(start, length));
    start += length;
    if (newline != std::string::npos && start == newline) ++start;  // Drop the newline itself.
  }
  pending_.erase(0, start);
}

void LineSplitter::Flush(int64_t at_ms, std::string& out) {
  if (pending_.empty()) return;
  AppendLogRecord(out, at_ms, stream_, pending_);
  pending_.clear();
}

Result<LogBatch> ReadLogFile(const std::string& path, LogCursor from, size_t max_lines,
                             size_t max_bytes) {
  LogBatch batch{.next = from};
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return batch;
    return Internal("cannot open " + path + ": " + std::strerror(errno));
  }
  // Read only what is there: the agent polls logs that mostly did not grow.
  struct stat st {};
  if (::fstat(fd, &st) != 0 || st.st_size <= from.offset) {
    ::close(fd);
    return batch;
  }
  max_bytes = std::max(max_bytes, kMaxLineBytes + 64);  // Room for the longest record.
  std::string data(std::min(max_bytes, static_cast<size_t>(st.st_size - from.offset)), '\0');
  size_t filled = 0;
  while (filled < data.size()) {
    ssize_t n = ::pread(fd, data.data() + filled, data.size() - filled,
                        static_cast<off_t>(from.offset + static_cast<int64_t>(filled)));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int error = errno;
      ::close(fd);
      return Internal("cannot read " + path + ": " + std::strerror(error));
    }
    if (n == 0) break;
    filled += static_cast<size_t>(n);
  }
  ::close(fd);
  data.resize(filled);

  size_t at = 0;
  while (batch.lines.size() < max_lines) {
    size_t end = data.find('\n', at);
    if (end == std::string::npos) break;  // A record still being written.
    std::string_view record(data.data() + at, end - at);
    protocol::LogLine line;
    // "<ms> <stream> <message>"
    size_t space = record.find(' ');
    bool parsed = space != std::string_view::npos && space > 0 && record.size() >= space + 3 &&
                  record[space + 2] == ' ';
    int64_t ms = 0;
    for (size_t i = 0; parsed && i < space; ++i) {
      if (record[i] < '0' || record[i] > '9') {
        parsed = false;
      } else {
        ms = ms * 10 + (record[i] - '0');
      }
    }
    if (parsed) {
      line.timestamp_ms = ms;
      line.message = std::string(record.substr(space + 3));
    } else {
      line.message = std::string(record);
    }
    batch.lines.push_back(std::move(line));
    at = end + 1;
  }
  batch.next.sequence = from.sequence + static_cast<int64_t>(batch.lines.size());
  batch.next.offset = from.offset + static_cast<int64_t>(at);
  return batch;
}

}  // namespace barge::executor
