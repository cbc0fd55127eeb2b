#include "util/executable_path.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

namespace barge {

bool IsExecutableFile(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) &&
         ::access(path.c_str(), X_OK) == 0;
}

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

std::string FindExecutable(const std::string& name) {
  const char* path = std::getenv("PATH");
  return FindExecutableInPath(name, path != nullptr ? path : "");
}

}  // namespace barge
