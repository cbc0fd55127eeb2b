#pragma once
// Which user a job runs as. An agent running as root never runs jobs as
// root unless the job names root: without a `user` the job runs as `nobody`
// (65534:65534 when the host has no such entry). A named user is looked up
// with getpwnam; "uid" or "uid:gid" are taken as numbers. An agent that is
// not root cannot switch users, so it runs every job as itself and ignores
// `user`.
//
// Called by the agent before it forks; getpw* may take NSS locks, so never
// after fork. Any thread.
#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/time.h"

namespace barge::executor {

struct RunAs {
  bool switch_user = false;  // False: run as the agent's own user.
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups{};  // Supplementary groups to set (includes gid).
  std::string home{};           // The passwd home, when it exists as a directory.
};

// kInvalidArgument naming the user when it is unknown or malformed.
Result<RunAs> ResolveRunAs(const std::optional<std::string>& user, uid_t agent_euid);

// ResolveRunAs with its answers remembered: a lookup reads /etc/passwd and
// all of /etc/group (getgrouplist), which cost more than the rest of starting
// a short job's bookkeeping. An answer is reused while /etc/passwd and
// /etc/group are unchanged (inode, size, mtime) and for at most kMaxAge, for
// users that come from other NSS sources. Errors are not remembered. One
// thread (the agent's).
class RunAsCache {
 public:
  static constexpr Duration kMaxAge = std::chrono::seconds(30);

  Result<RunAs> Resolve(const std::optional<std::string>& user, uid_t agent_euid, Timestamp now);

 private:
  struct Entry {
    RunAs run_as{};
    Timestamp resolved_at{};
  };
  std::string files_version_{};  // Identity of /etc/passwd and /etc/group when filled.
  std::map<std::string, Entry, std::less<>> entries_{};  // By user ("" for none); one euid.
  uid_t euid_ = 0;
};

}  // namespace barge::executor
