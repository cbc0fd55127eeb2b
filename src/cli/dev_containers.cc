#include "cli/dev_containers.h"

#include <unistd.h>

#include <cstdlib>

#include "util/executable_path.h"

namespace barge::cli {

DevContainerSupport ProbeDevContainers(const DevContainerProbe& probe) {
  DevContainerSupport support;
  std::string runc;
  if (!probe.runc_env.empty()) {
    if (!IsExecutableFile(probe.runc_env)) {
      support.unavailable = "BARGE_RUNC=" + probe.runc_env + " is not an executable file";
      return support;
    }
    runc = probe.runc_env;
  } else {
    runc = FindExecutableInPath("runc", probe.path_env);
    if (runc.empty()) {
      support.unavailable = "runc not found on PATH (install runc, or set BARGE_RUNC)";
      return support;
    }
  }
  if (!probe.is_root) {
    support.unavailable = "barge dev is not running as root, which runc needs here";
    return support;
  }
  support.runc = runc;
  return support;
}

DevContainerProbe CurrentDevContainerProbe() {
  const char* path = std::getenv("PATH");
  const char* runc = std::getenv("BARGE_RUNC");
  return {.path_env = path != nullptr ? path : "",
          .runc_env = runc != nullptr ? runc : "",
          .is_root = ::geteuid() == 0};
}

}  // namespace barge::cli
