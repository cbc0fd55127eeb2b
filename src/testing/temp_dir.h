#pragma once
// TempDir: a fresh, private directory for one test (Envoy's hermetic-test
// rule), removed with everything in it when the TempDir is destroyed.
//
// Movable, not copyable; one thread at a time.
#include <filesystem>

#include "core/result.h"

namespace barge::testing {

class TempDir {
 public:
  // Creates a new directory under the system temp dir ($TMPDIR or /tmp).
  // kInternal when it cannot be created.
  static Result<TempDir> Create();

  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();  // Best effort: a failure to remove is ignored.

  const std::filesystem::path& path() const { return path_; }
  // path() / name, as a string (what Open(path) functions take).
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  explicit TempDir(std::filesystem::path path) : path_(std::move(path)) {}
  void Remove();

  std::filesystem::path path_;  // Empty once moved from.
};

}  // namespace barge::testing
