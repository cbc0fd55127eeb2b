#pragma once
// The user a container's process runs as, resolved against the image's own
// /etc/passwd and /etc/group (never the host's), as Docker resolves `--user`.
// Pure: the files' contents are passed in. Any thread.
#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace barge::executor {

struct ContainerUser {
  uint32_t uid = 0;
  uint32_t gid = 0;
  // Groups of /etc/group that list the user by name, other than `gid`.
  std::vector<uint32_t> additional_gids{};
  std::string home = "/";  // From /etc/passwd; "/" when the user has no entry.
};

// `spec` is "", "user", "uid", "user:group", "uid:gid" (either side a name
// or a number). "" means root. A numeric uid need not be in /etc/passwd (its
// gid is then 0, unless given); a name must be. kInvalidArgument naming the
// user or group when a name is not in the image's files or a number is out
// of range.
Result<ContainerUser> ResolveContainerUser(const std::string& spec, const std::string& etc_passwd,
                                           const std::string& etc_group);

}  // namespace barge::executor
