#pragma once
// AttemptCgroups: the control groups of one attempt, on hosts with the hybrid
// layout RUNTIME.md describes. Limits live in cgroup v1 hierarchies
// (memory, cpu, pids under <root>/<controller>/<parent>/<attempt>); the
// cgroup2 group (<root>/unified/<parent>/<attempt>) is used only to kill the
// whole tree in one write (cgroup.kill) and to see when it is empty.
//
// A plain value holding paths: copied into the attempt's monitor process,
// which uses it after fork. Its methods use only system calls, no locks, so
// they are safe there. Any thread.
//
// Where a hierarchy is missing or not writable (not root, a container), that
// controller is simply not used; has_memory_limit() tells the executor to fall
// back to RLIMIT_AS, which fails allocations instead of killing, so that
// fallback cannot produce the OutOfMemoryError reason.
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace barge::executor {

struct CgroupOptions {
  std::string root = "/sys/fs/cgroup";  // Where the hierarchies are mounted.
  std::string parent = "barge";         // Group under which each attempt gets its own.
  int64_t pids_limit = 4096;            // pids.max of each attempt; 0 for none.
};

struct CgroupLimits {
  int64_t memory_mib = 0;  // memory.limit_in_bytes (and memsw); 0 for none.
  int64_t millicpus = 0;   // cpu.cfs_quota_us over a 100 ms period, and cpu.shares; 0 for none.
};

// The groups a container runtime makes under an attempt's (the attempt's
// own group, then <attempt>/<leaf>) in every hierarchy mounted under
// options.root, deepest first: runc joins every v1 controller, not only the
// ones AttemptCgroups uses, and leaves the parents it created behind.
std::vector<std::string> NestedCgroupDirs(const CgroupOptions& options,
                                          std::string_view attempt_id, std::string_view leaf);
// rmdir of each directory that exists, retrying for up to `wait_ms` while
// dying processes still hold one. System calls only (used by the monitor).
void RemoveCgroupDirs(const std::vector<std::string>& dirs, int wait_ms);

class AttemptCgroups {
 public:
  AttemptCgroups() = default;

  // Creates the attempt's groups and writes the limits. Never fails as a
  // whole: a controller that cannot be set up is left out and a line saying
  // why is appended to `problems`.
  static AttemptCgroups Create(const CgroupOptions& options, std::string_view attempt_id,
                               const CgroupLimits& limits, std::vector<std::string>& problems);
  // The groups an earlier Create() made for this attempt, where they still exist.
  static AttemptCgroups Existing(const CgroupOptions& options, std::string_view attempt_id);
  // Whether this host lets us create memory groups under options.parent.
  static bool MemoryWritable(const CgroupOptions& options);
  static bool UnifiedWritable(const CgroupOptions& options);

  bool has_memory_limit() const { return memory_limited_; }
  bool empty() const { return groups_.empty(); }
  // cgroup.procs of every group: a process joins by writing "0" to each.
  std::vector<std::string> ProcsFiles() const;

  // oom_kill count of the memory group; 0 when there is none. It counts
  // kills of the group's own processes only (cgroup v1 does not propagate
  // it up), so a job in a child group needs WatchOom() instead.
  int64_t OomKills() const;
  // An eventfd the kernel signals when the memory group, or any group under
  // it, runs out of memory (cgroup.event_control on memory.oom_control);
  // -1 when there is no memory group or registering failed. Read it before
  // Remove(): removing the group signals it too.
  int WatchOom() const;
  // SIGKILLs every process of the attempt: cgroup.kill when there is a
  // cgroup2 group, else each pid listed by the v1 groups, plus the process
  // group `pgid` when it is > 0.
  void KillAll(pid_t pgid) const;
  // True when no group lists a process.
  bool Unpopulated() const;
  // Removes the groups (rmdir), retrying for up to `wait_ms` while dying
  // processes still hold them. Best effort.
  void Remove(int wait_ms) const;

 private:
  std::vector<std::string> groups_{};  // Directories; the unified one (if any) first.
  bool has_unified_ = false;
  bool memory_limited_ = false;
  std::string memory_group_{};  // Empty when there is no memory group.
};

}  // namespace barge::executor
