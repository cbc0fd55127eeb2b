#pragma once
// Whether `barge dev` can offer the container executor on this machine: it
// needs runc (BARGE_RUNC when set, otherwise `runc` on PATH) and root (runc
// runs rootful containers here; see ../shared/RUNTIME.md). When either is
// missing, dev sets up only the process environment and says why.
//
// Pure apart from access(2) checks of candidate files; any thread.
#include <string>

namespace barge::cli {

struct DevContainerProbe {
  std::string path_env{};  // $PATH
  std::string runc_env{};  // $BARGE_RUNC; empty when unset
  bool is_root = false;    // geteuid() == 0
};

struct DevContainerSupport {
  std::string runc{};         // Absolute or as given; empty when unavailable.
  std::string unavailable{};  // Why not, when runc is empty: "runc not found on PATH ...".
  bool available() const { return !runc.empty(); }
};

DevContainerSupport ProbeDevContainers(const DevContainerProbe& probe);

// What this process sees: $PATH, $BARGE_RUNC and its effective uid.
DevContainerProbe CurrentDevContainerProbe();

}  // namespace barge::cli
