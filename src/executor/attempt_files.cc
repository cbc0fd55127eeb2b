#include "executor/attempt_files.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <sstream>

namespace barge::executor {
namespace {

using Json = nlohmann::json;

bool SyncAndClose(int fd) {
  bool ok = ::fsync(fd) == 0;
  return ::close(fd) == 0 && ok;
}

}  // namespace

AttemptPaths PathsOf(const std::filesystem::path& work_dir, std::string_view attempt_id) {
  std::filesystem::path dir = work_dir / std::string(attempt_id);
  return AttemptPaths{.dir = dir,
                      .attempt_json = (dir / "attempt.json").string(),
                      .exit_json = (dir / "exit.json").string(),
                      .output_log = (dir / "output.log").string(),
                      .work = (dir / "work").string()};
}

bool IsSafeAttemptId(std::string_view attempt_id) {
  if (attempt_id.empty() || attempt_id.size() > 200) return false;
  if (attempt_id == "." || attempt_id == "..") return false;
  for (char c : attempt_id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string EncodeAttemptRecord(const AttemptRecord& r) {
  return Json{{"attempt_id", r.attempt_id},
              {"job_id", r.job_id},
              {"started_at_ms", r.started_at_ms},
              {"monitor_pid", r.monitor_pid},
              {"monitor_start_ticks", r.monitor_start_ticks},
              {"job_pid", r.job_pid}}
      .dump(-1, ' ', false, Json::error_handler_t::replace);
}

Result<AttemptRecord> DecodeAttemptRecord(std::string_view text) {
  Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return InvalidArgument("attempt.json is not a JSON object");
  try {
    return AttemptRecord{.attempt_id = json.at("attempt_id").get<std::string>(),
                         .job_id = json.value("job_id", std::string()),
                         .started_at_ms = json.at("started_at_ms").get<int64_t>(),
                         .monitor_pid = json.value("monitor_pid", pid_t{0}),
                         .monitor_start_ticks = json.value("monitor_start_ticks", uint64_t{0}),
                         .job_pid = json.value("job_pid", pid_t{0})};
  } catch (const Json::exception& e) {
    return InvalidArgument(std::string("attempt.json: ") + e.what());
  }
}

std::string EncodeResult(const AttemptResult& r) {
  Json json{{"attempt_id", r.attempt_id},
            {"reason", r.reason},
            {"oom_killed", r.oom_killed},
            {"started_at_ms", r.started_at_ms},
            {"stopped_at_ms", r.stopped_at_ms}};
  if (r.exit_code) json["exit_code"] = *r.exit_code;
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Result<AttemptResult> DecodeResult(std::string_view text) {
  Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return InvalidArgument("exit.json is not a JSON object");
  try {
    AttemptResult r{.attempt_id = json.at("attempt_id").get<std::string>(),
                    .reason = json.value("reason", std::string()),
                    .oom_killed = json.value("oom_killed", false),
                    .started_at_ms = json.value("started_at_ms", int64_t{0}),
                    .stopped_at_ms = json.value("stopped_at_ms", int64_t{0})};
    if (json.contains("exit_code") && !json["exit_code"].is_null()) {
      r.exit_code = json["exit_code"].get<int32_t>();
    }
    return r;
  } catch (const Json::exception& e) {
    return InvalidArgument(std::string("exit.json: ") + e.what());
  }
}

Status WriteFileAtomically(const std::string& path, std::string_view content, FileSync sync) {
  std::string temp = path + ".tmp";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Internal("cannot create " + temp + ": " + std::strerror(errno));
  size_t written = 0;
  while (written < content.size()) {
    ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int error = errno;
      ::close(fd);
      return Internal("cannot write " + temp + ": " + std::strerror(error));
    }
    written += static_cast<size_t>(n);
  }
  bool closed = sync == FileSync::kFull ? SyncAndClose(fd) : ::close(fd) == 0;
  if (!closed) return Internal("cannot write " + temp + ": " + std::strerror(errno));
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    return Internal("cannot rename " + temp + ": " + std::strerror(errno));
  }
  if (sync == FileSync::kNone) return Ok();
  // The rename itself must survive a crash too.
  std::string dir =
      path.substr(0, path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/'));
  int dir_fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) (void)SyncAndClose(dir_fd);
  return Ok();
}

Result<std::string> ReadWholeFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return NotFound(path + " does not exist");
    return Internal("cannot open " + path + ": " + std::strerror(errno));
  }
  std::string out;
  char buffer[8192];
  while (true) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int error = errno;
      ::close(fd);
      return Internal("cannot read " + path + ": " + std::strerror(error));
    }
    if (n == 0) break;
    out.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

uint64_t ProcessStartTicks(pid_t pid) {
  if (pid <= 0) return 0;
  Result<std::string> stat = ReadWholeFile("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return 0;
  // "pid (comm) state ppid ... starttime(22nd)"; comm may hold spaces and ')'.
  size_t close = stat->rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(stat->substr(close + 2));
  std::string field;
  uint64_t start = 0;
  for (int index = 3; fields >> field; ++index) {
    if (index == 3 && (field == "Z" || field == "X")) return 0;  // Dead, not yet reaped.
    if (index == 22) {
      start = std::strtoull(field.c_str(), nullptr, 10);
      break;
    }
  }
  return start;
}

}  // namespace barge::executor
