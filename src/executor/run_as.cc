#include "executor/run_as.h"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>

#include <charconv>
#include <limits>

namespace barge::executor {
namespace {

constexpr uid_t kNobody = 65534;

std::optional<uint32_t> ParseId(std::string_view text) {
  uint32_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  if (value == std::numeric_limits<uint32_t>::max()) return std::nullopt;  // (uid_t)-1
  return value;
}

// getpw*_r with a buffer that grows until it fits.
template <typename Lookup>
std::optional<passwd> LookupPasswd(Lookup lookup, std::string& buffer) {
  buffer.resize(4096);
  while (true) {
    passwd entry{};
    passwd* found = nullptr;
    int rc = lookup(&entry, buffer.data(), buffer.size(), &found);
    if (rc == ERANGE && buffer.size() < (1u << 20)) {
      buffer.resize(buffer.size() * 2);
      continue;
    }
    if (rc != 0 || found == nullptr) return std::nullopt;
    return entry;
  }
}

std::string HomeIfDirectory(const char* dir) {
  struct stat st {};
  if (dir == nullptr || ::stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) return {};
  return dir;
}

RunAs FromPasswd(const passwd& entry) {
  RunAs run_as{.switch_user = true,
               .uid = entry.pw_uid,
               .gid = entry.pw_gid,
               .home = HomeIfDirectory(entry.pw_dir)};
  int count = 32;
  std::vector<gid_t> groups(static_cast<size_t>(count));
  if (::getgrouplist(entry.pw_name, entry.pw_gid, groups.data(), &count) < 0) {
    groups.resize(static_cast<size_t>(count));
    if (::getgrouplist(entry.pw_name, entry.pw_gid, groups.data(), &count) < 0) count = 0;
  }
  groups.resize(static_cast<size_t>(count));
  if (groups.empty()) groups.push_back(entry.pw_gid);
  run_as.groups = std::move(groups);
  return run_as;
}

}  // namespace

Result<RunAs> ResolveRunAs(const std::optional<std::string>& user, uid_t agent_euid) {
  if (agent_euid != 0) return RunAs{};
  std::string buffer;
  std::string name = user && !user->empty() ? *user : std::string("nobody");

  if (name.find_first_not_of("0123456789:") == std::string::npos) {
    size_t colon = name.find(':');
    std::optional<uint32_t> uid = ParseId(std::string_view(name).substr(0, colon));
    std::optional<uint32_t> gid;
    if (colon != std::string::npos) gid = ParseId(std::string_view(name).substr(colon + 1));
    if (!uid || (colon != std::string::npos && !gid)) {
      return InvalidArgument("user " + name + " is not a uid or uid:gid");
    }
    auto entry = LookupPasswd(
        [&](passwd* e, char* b, size_t n, passwd** r) { return ::getpwuid_r(*uid, e, b, n, r); },
        buffer);
    if (entry && !gid) return FromPasswd(*entry);
    RunAs run_as{.switch_user = true, .uid = *uid, .gid = gid.value_or(*uid)};
    run_as.groups = {run_as.gid};
    if (entry) run_as.home = HomeIfDirectory(entry->pw_dir);
    return run_as;
  }

  auto entry = LookupPasswd([&](passwd* e, char* b, size_t n,
                                passwd** r) { return ::getpwnam_r(name.c_str(), e, b, n, r); },
                            buffer);
  if (entry) return FromPasswd(*entry);
  if (!user || user->empty()) {  // No nobody in /etc/passwd: use the conventional ids.
    return RunAs{.switch_user = true, .uid = kNobody, .gid = kNobody, .groups = {kNobody}};
  }
  return InvalidArgument("user " + name + " does not exist on this host");
}

}  // namespace barge::executor

namespace barge::executor {
namespace {

// Changes whenever either file is replaced or written.
std::string FilesVersion() {
  std::string version;
  for (const char* path : {"/etc/passwd", "/etc/group"}) {
    struct stat st {};
    if (::stat(path, &st) != 0) {
      version += "-;";
      continue;
    }
    version += std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) + ":" +
               std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec) + ";";
  }
  return version;
}

}  // namespace

Result<RunAs> RunAsCache::Resolve(const std::optional<std::string>& user, uid_t agent_euid,
                                  Timestamp now) {
  if (agent_euid != 0) return RunAs{};
  std::string version = FilesVersion();
  if (version != files_version_ || agent_euid != euid_) {
    entries_.clear();
    files_version_ = std::move(version);
    euid_ = agent_euid;
  }
  std::string key = user.value_or("");
  if (auto it = entries_.find(key); it != entries_.end()) {
    if (now - it->second.resolved_at < kMaxAge && now >= it->second.resolved_at) {
      return it->second.run_as;
    }
    entries_.erase(it);
  }
  Result<RunAs> resolved = ResolveRunAs(user, agent_euid);
  if (resolved) entries_[key] = Entry{.run_as = *resolved, .resolved_at = now};
  return resolved;
}

}  // namespace barge::executor
