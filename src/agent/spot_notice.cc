#include "agent/spot_notice.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <utility>

#include "executor/attempt_files.h"

namespace barge::agent {

namespace fs = std::filesystem;
namespace chrono = std::chrono;

namespace {

constexpr std::string_view kVolumeName = "barge-spot-instance-action";

// WriteFileAtomically, made readable by every user (jobs may run as nobody)
// whatever the umask, before it appears under its name.
Status WriteReadableFile(const fs::path& path, std::string_view content) {
  std::string temp = path.string() + ".new";
  BARGE_RETURN_IF_ERROR(executor::WriteFileAtomically(temp, content));
  if (::chmod(temp.c_str(), 0644) != 0 || ::rename(temp.c_str(), path.c_str()) != 0) {
    return Internal("cannot write " + path.string() + ": " + std::strerror(errno));
  }
  return Ok();
}

}  // namespace

std::string InstanceActionDocument(const protocol::InstanceAction& action) {
  auto at = chrono::floor<chrono::seconds>(FromEpochMillis(action.time_ms));
  auto midnight = chrono::floor<chrono::days>(at);
  chrono::year_month_day date(midnight);
  chrono::hh_mm_ss<chrono::seconds> clock_time(at - midnight);
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(clock_time.hours().count()),
                static_cast<int>(clock_time.minutes().count()),
                static_cast<int>(clock_time.seconds().count()));
  // nlohmann sorts the keys, which puts them in the metadata service's order.
  return nlohmann::json{{"action", action.action}, {"time", text}}.dump();
}

Result<protocol::InstanceAction> ParseInstanceActionDocument(std::string_view text) {
  nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object() || !json.contains("action") || !json["action"].is_string() ||
      !json.contains("time") || !json["time"].is_string()) {
    return InvalidArgument("not an instance-action document");
  }
  int y = 0;
  unsigned mo = 0;
  unsigned d = 0;
  int h = 0;
  int mi = 0;
  int s = 0;
  char zone = 0;
  std::string when = json["time"].get<std::string>();
  if (std::sscanf(when.c_str(), "%d-%u-%uT%d:%d:%d%c", &y, &mo, &d, &h, &mi, &s, &zone) != 7 ||
      zone != 'Z') {
    return InvalidArgument("instance-action time \"" + when + "\" is not ISO 8601 UTC");
  }
  chrono::year_month_day date{chrono::year(y), chrono::month(mo), chrono::day(d)};
  if (!date.ok()) return InvalidArgument("instance-action time \"" + when + "\" is not a date");
  chrono::sys_seconds at =
      chrono::sys_days(date) + chrono::hours(h) + chrono::minutes(mi) + chrono::seconds(s);
  return protocol::InstanceAction{
      .action = json["action"].get<std::string>(),
      .time_ms = chrono::duration_cast<Duration>(at.time_since_epoch()).count()};
}

Result<SpotNotice> SpotNotice::Open(const fs::path& state_dir, Timestamp now) {
  // Absolute: jobs run in directories of their own, and bind mounts need it.
  std::error_code ec;
  fs::path dir = fs::absolute(state_dir, ec) / "spot";
  if (ec) return Internal("cannot resolve " + state_dir.string() + ": " + ec.message());
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return Internal("cannot create " + dir.string() + ": " + std::strerror(errno));
  }
  // Readable by jobs that run as another user, whatever the umask...
  (void)::chmod(dir.c_str(), 0755);
  // ...as long as they can get there.
  for (fs::path up = dir.parent_path(); ::geteuid() == 0 && up != up.parent_path();
       up = up.parent_path()) {
    struct stat st {};
    if (::stat(up.c_str(), &st) == 0 && (st.st_mode & S_IXOTH) == 0) {
      spdlog::warn(
          "jobs that run as another user cannot read {}/instance-action: {} is not searchable "
          "by others (chmod o+x it, or use a --work-dir they can reach)",
          dir.string(), up.string());
      break;
    }
  }
  SpotNotice notice(std::move(dir));
  Result<std::string> text = executor::ReadWholeFile(notice.file_.string());
  if (!text) return notice;
  Result<protocol::InstanceAction> action = ParseInstanceActionDocument(*text);
  if (action && FromEpochMillis(action->time_ms) > now) {
    spdlog::info("spot interruption notice from before the restart: {}", *text);
    notice.seen_ = *action;
    notice.written_ = true;
    return notice;
  }
  fs::remove(notice.file_, ec);  // Stale: this host lived past it, or it is not ours.
  return notice;
}

bool SpotNotice::Notice(const protocol::InstanceAction& action) {
  // Compared as documents, to the second: what Open() read back from the file
  // has lost the milliseconds that the server's action still carries.
  bool is_new = !seen_ || InstanceActionDocument(*seen_) != InstanceActionDocument(action);
  if (is_new) {
    seen_ = action;
    written_ = false;
  }
  if (!written_) {
    Status written = WriteReadableFile(file_, InstanceActionDocument(action));
    written_ = written.ok();
    if (!written) {
      spdlog::warn("cannot write the spot interruption notice: {}", written.error().message);
    }
  }
  return is_new;
}

void SpotNotice::Expose(protocol::Assignment& a) const {
  bool container = a.executor == protocol::kExecutorContainer;
  a.environment[std::string(kSpotFileVariable)] =
      container ? std::string(kContainerSpotFile) : file_.string();
  if (!container) return;
  ContainerProperties& c = a.container.mutable_value();
  auto at_spot_dir = [](const MountPoint& point) {
    std::string path = point.container_path;
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    return path == kContainerSpotDir;
  };
  if (std::ranges::any_of(c.mount_points, at_spot_dir)) return;  // The job's own mount wins.
  std::string name(kVolumeName);
  while (std::ranges::any_of(c.volumes, [&](const Volume& v) { return v.name == name; })) {
    name += "-";
  }
  c.volumes.push_back(Volume{.name = name, .host_source_path = dir_.string()});
  c.mount_points.push_back(MountPoint{
      .container_path = std::string(kContainerSpotDir), .read_only = true, .source_volume = name});
}

}  // namespace barge::agent
