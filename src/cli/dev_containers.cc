#include "cli/dev_containers.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

namespace barge::cli {
namespace {

bool IsExecutableFile(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) &&
         ::access(path.c_str(), X_OK) == 0;
}

}  // namespace

std::string FindExecutableInPath(const std::string& name, const std::string& path_env) {
  size_t start = 0;
  while (start <= path_env.size()) {
    size_t end = path_env.find(':', start);
    if (end == std::string::npos) end = path_env.size();
    std::string dir = path_env.substr(start, end - start);
    std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
    if (IsExecutableFile(candidate)) return candidate;
    start = end + 1;
  }
  return {};
}

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
