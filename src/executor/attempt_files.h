#pragma once
// The durable files of one attempt, under <work dir>/<attempt id>/:
//   attempt.json  who runs it: monitor pid and start time, job pid, start time
//   output.log    captured stdout/stderr (executor/log_file.h); created with
//                 the first line, so a job that prints nothing has none
//   exit.json     the AttemptResult, written once by the monitor (temp file,
//                 rename; no fsync), so a restarted agent reports what it missed
//   work/         the job's working directory
// Pure encoding plus small file helpers; any thread. WriteFileAtomically and
// EncodeResult are also used by the forked monitor.
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/result.h"
#include "executor/executor.h"

namespace barge::executor {

struct AttemptPaths {
  std::filesystem::path dir{};
  std::string attempt_json{};
  std::string exit_json{};
  std::string output_log{};
  std::string work{};
};

AttemptPaths PathsOf(const std::filesystem::path& work_dir, std::string_view attempt_id);

// True when `attempt_id` can name a directory and a cgroup: 1..200 of
// [A-Za-z0-9._:-], not "." or "..".
bool IsSafeAttemptId(std::string_view attempt_id);

// attempt.json.
struct AttemptRecord {
  std::string attempt_id{};
  std::string job_id{};
  int64_t started_at_ms = 0;
  pid_t monitor_pid = 0;             // 0 until the monitor is forked.
  uint64_t monitor_start_ticks = 0;  // /proc/<pid>/stat starttime: tells a reused pid apart.
  pid_t job_pid = 0;                 // Also the job's process group and session.
};

std::string EncodeAttemptRecord(const AttemptRecord& record);
Result<AttemptRecord> DecodeAttemptRecord(std::string_view text);  // kInvalidArgument
std::string EncodeResult(const AttemptResult& result);
Result<AttemptResult> DecodeResult(std::string_view text);  // kInvalidArgument

// Whether WriteFileAtomically waits for the disk.
enum class FileSync {
  kFull,  // fsync the file and its directory: survives a machine crash.
  kNone,  // Rename only: survives a process crash, which is all some callers need.
};

// Writes `content` to a temp file next to `path` and renames it over `path`,
// so readers see the old or the new content, never a mix. Uses only system
// calls (the forked monitor calls it). kInternal on failure.
Status WriteFileAtomically(const std::string& path, std::string_view content,
                           FileSync sync = FileSync::kFull);
// kNotFound when missing, kInternal when unreadable.
Result<std::string> ReadWholeFile(const std::string& path);

// starttime of a live (not zombie) process, from /proc/<pid>/stat; 0 when
// there is no such process.
uint64_t ProcessStartTicks(pid_t pid);

}  // namespace barge::executor
