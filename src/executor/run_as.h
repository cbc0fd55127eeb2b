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

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

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

}  // namespace barge::executor
