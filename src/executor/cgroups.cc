#include "executor/cgroups.h"

#include <fcntl.h>
#include <dirent.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

namespace barge::executor {
namespace {

// Everything here may run in the forked monitor, so it sticks to system calls.

bool WriteValue(const std::string& path, std::string_view value) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::write(fd, value.data(), value.size()) == static_cast<ssize_t>(value.size());
  ::close(fd);
  return ok;
}

// Reads up to 64 KiB; empty on failure.
std::string ReadValue(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::string out;
  char buffer[4096];
  while (out.size() < 65536) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

bool IsDirectory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool Exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

// mkdir that accepts an existing directory.
bool MakeDir(const std::string& path) {
  return ::mkdir(path.c_str(), 0755) == 0 || (errno == EEXIST && IsDirectory(path));
}

std::string Hierarchy(const CgroupOptions& options, std::string_view controller) {
  return options.root + "/" + std::string(controller);
}

// "<root>/<controller>/<parent>", creating the parent group when missing.
// Empty when the hierarchy is not there or not writable.
std::string EnsureParent(const CgroupOptions& options, std::string_view controller,
                         std::vector<std::string>& problems) {
  std::string hierarchy = Hierarchy(options, controller);
  if (!Exists(hierarchy + "/cgroup.procs")) {
    problems.push_back(std::string(controller) + " hierarchy not mounted at " + hierarchy);
    return {};
  }
  std::string parent = hierarchy + "/" + options.parent;
  if (!MakeDir(parent)) {
    problems.push_back("cannot create " + parent + ": " + std::strerror(errno));
    return {};
  }
  return parent;
}

bool ProbeWritable(const CgroupOptions& options, std::string_view controller) {
  std::string hierarchy = Hierarchy(options, controller);
  if (!Exists(hierarchy + "/cgroup.procs")) return false;
  std::string parent = hierarchy + "/" + options.parent;
  if (IsDirectory(parent)) return ::access(parent.c_str(), W_OK) == 0;
  return ::access(hierarchy.c_str(), W_OK) == 0;
}

void SleepMillis(int ms) {
  struct timespec ts {
    .tv_sec = ms / 1000, .tv_nsec = static_cast<long>(ms % 1000) * 1000000L
  };
  while (::nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

}  // namespace

bool AttemptCgroups::MemoryWritable(const CgroupOptions& options) {
  return ProbeWritable(options, "memory");
}

bool AttemptCgroups::UnifiedWritable(const CgroupOptions& options) {
  return ProbeWritable(options, "unified");
}

AttemptCgroups AttemptCgroups::Create(const CgroupOptions& options, std::string_view attempt_id,
                                      const CgroupLimits& limits,
                                      std::vector<std::string>& problems) {
  AttemptCgroups out;
  auto make = [&](std::string_view controller) -> std::string {
    std::string group =
        Hierarchy(options, controller) + "/" + options.parent + "/" + std::string(attempt_id);
    // The parent group is there after the first attempt: look for it (and for
    // the hierarchy) only when the attempt's group cannot be made without it.
    if (::mkdir(group.c_str(), 0755) == 0) return group;
    if (errno == ENOENT && EnsureParent(options, controller, problems).empty()) return {};
    if (!MakeDir(group)) {
      problems.push_back("cannot create " + group + ": " + std::strerror(errno));
      return {};
    }
    return group;
  };

  if (std::string unified = make("unified"); !unified.empty()) {
    out.groups_.push_back(unified);
    out.has_unified_ = Exists(unified + "/cgroup.kill");
  }
  if (std::string memory = make("memory"); !memory.empty()) {
    out.groups_.push_back(memory);
    out.memory_group_ = memory;
    if (limits.memory_mib > 0) {
      std::string bytes = std::to_string(limits.memory_mib * 1024 * 1024);
      if (WriteValue(memory + "/memory.limit_in_bytes", bytes)) {
        out.memory_limited_ = true;
        // Only present with swap accounting; keeps swap from stretching the limit.
        (void)WriteValue(memory + "/memory.memsw.limit_in_bytes", bytes);
      } else {
        problems.push_back("cannot write memory.limit_in_bytes of " + memory + ": " +
                           std::strerror(errno));
      }
    }
  }
  if (std::string cpu = make("cpu"); !cpu.empty()) {
    out.groups_.push_back(cpu);
    if (limits.millicpus > 0) {
      constexpr int64_t kPeriodUs = 100000;
      // The kernel refuses quotas under 1 ms.
      int64_t quota = std::max<int64_t>(1000, limits.millicpus * kPeriodUs / 1000);
      int64_t shares = std::max<int64_t>(2, limits.millicpus * 1024 / 1000);
      if (!WriteValue(cpu + "/cpu.cfs_period_us", std::to_string(kPeriodUs)) ||
          !WriteValue(cpu + "/cpu.cfs_quota_us", std::to_string(quota))) {
        problems.push_back("cannot write cpu.cfs_quota_us of " + cpu + ": " + std::strerror(errno));
      }
      (void)WriteValue(cpu + "/cpu.shares", std::to_string(shares));
    }
  }
  if (std::string pids = make("pids"); !pids.empty()) {
    out.groups_.push_back(pids);
    if (options.pids_limit > 0 &&
        !WriteValue(pids + "/pids.max", std::to_string(options.pids_limit))) {
      problems.push_back("cannot write pids.max of " + pids + ": " + std::strerror(errno));
    }
  }
  return out;
}

AttemptCgroups AttemptCgroups::Existing(const CgroupOptions& options, std::string_view attempt_id) {
  AttemptCgroups out;
  for (std::string_view controller : {"unified", "memory", "cpu", "pids"}) {
    std::string group =
        Hierarchy(options, controller) + "/" + options.parent + "/" + std::string(attempt_id);
    if (!IsDirectory(group)) continue;
    out.groups_.push_back(group);
    if (controller == "unified") out.has_unified_ = Exists(group + "/cgroup.kill");
    if (controller == "memory") out.memory_group_ = group;
  }
  return out;
}

std::vector<std::string> AttemptCgroups::ProcsFiles() const {
  std::vector<std::string> files;
  for (const std::string& group : groups_) files.push_back(group + "/cgroup.procs");
  return files;
}

int64_t AttemptCgroups::OomKills() const {
  if (memory_group_.empty()) return 0;
  std::string text = ReadValue(memory_group_ + "/memory.oom_control");
  // Lines "name value"; we want "oom_kill N" (kernel 4.13+).
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + at, end - at);
    constexpr std::string_view kKey = "oom_kill ";
    if (line.substr(0, kKey.size()) == kKey) {
      int64_t value = 0;
      for (char c : line.substr(kKey.size())) {
        if (c < '0' || c > '9') break;
        value = value * 10 + (c - '0');
      }
      return value;
    }
    at = end + 1;
  }
  return 0;
}

void AttemptCgroups::KillAll(pid_t pgid) const {
  if (pgid > 0) ::kill(-pgid, SIGKILL);
  if (has_unified_ && WriteValue(groups_.front() + "/cgroup.kill", "1")) return;
  // No cgroup.kill: kill what the v1 groups list, a few rounds to catch forks.
  for (int round = 0; round < 3; ++round) {
    bool any = false;
    for (const std::string& group : groups_) {
      std::string procs = ReadValue(group + "/cgroup.procs");
      size_t at = 0;
      while (at < procs.size()) {
        size_t end = procs.find('\n', at);
        if (end == std::string::npos) end = procs.size();
        pid_t pid = 0;
        for (size_t i = at; i < end && procs[i] >= '0' && procs[i] <= '9'; ++i) {
          pid = pid * 10 + (procs[i] - '0');
        }
        if (pid > 0 && ::kill(pid, SIGKILL) == 0) any = true;
        at = end + 1;
      }
    }
    if (!any) return;
  }
}

bool AttemptCgroups::Unpopulated() const {
  for (const std::string& group : groups_) {
    std::string procs = ReadValue(group + "/cgroup.procs");
    if (procs.find_first_of("0123456789") != std::string::npos) return false;
  }
  return true;
}

int AttemptCgroups::WatchOom() const {
  if (memory_group_.empty()) return -1;
  int event = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (event < 0) return -1;
  std::string control = memory_group_ + "/memory.oom_control";
  int control_fd = ::open(control.c_str(), O_RDONLY | O_CLOEXEC);
  bool registered = false;
  if (control_fd >= 0) {
    // The kernel keeps its own reference to both files once registered.
    registered = WriteValue(memory_group_ + "/cgroup.event_control",
                            std::to_string(event) + " " + std::to_string(control_fd));
    ::close(control_fd);
  }
  if (!registered) {
    ::close(event);
    return -1;
  }
  return event;
}

std::vector<std::string> NestedCgroupDirs(const CgroupOptions& options,
                                          std::string_view attempt_id, std::string_view leaf) {
  std::vector<std::string> dirs;
  DIR* root = ::opendir(options.root.c_str());
  if (root == nullptr) return dirs;
  std::vector<std::string> hierarchies;
  while (struct dirent* entry = ::readdir(root)) {
    // cpu and cpuacct are symlinks to cpu,cpuacct: one directory each.
    if (entry->d_type != DT_DIR || entry->d_name[0] == '.') continue;
    hierarchies.push_back(options.root + "/" + entry->d_name);
  }
  ::closedir(root);
  std::sort(hierarchies.begin(), hierarchies.end());
  std::string attempt = "/" + options.parent + "/" + std::string(attempt_id);
  for (const std::string& hierarchy : hierarchies) {
    dirs.push_back(hierarchy + attempt + "/" + std::string(leaf));
  }
  for (const std::string& hierarchy : hierarchies) dirs.push_back(hierarchy + attempt);
  return dirs;
}

void RemoveCgroupDirs(const std::vector<std::string>& dirs, int wait_ms) {
  constexpr int kStepMs = 5;
  int waited = 0;
  for (const std::string& dir : dirs) {
    while (::rmdir(dir.c_str()) != 0 && errno == EBUSY && waited < wait_ms) {
      SleepMillis(kStepMs);
      waited += kStepMs;
    }
  }
}

void AttemptCgroups::Remove(int wait_ms) const {
  constexpr int kStepMs = 5;
  for (const std::string& group : groups_) {
    int waited = 0;
    while (::rmdir(group.c_str()) != 0 && errno == EBUSY && waited < wait_ms) {
      SleepMillis(kStepMs);
      waited += kStepMs;
    }
  }
}

}  // namespace barge::executor
