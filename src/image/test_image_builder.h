#pragma once
// Builds small images for the image tests: tar layers written with
// libarchive, and the three formats ImageStore imports (OCI layout, OCI
// archive, docker-archive). Tests only.
#include <cstdint>
#include <string>
#include <vector>

namespace barge::image::testing {

struct TarEntry {
  enum class Type { kFile, kDir, kSymlink, kHardlink };
  std::string path{};
  Type type = Type::kFile;
  std::string content{};  // File content, or the link target.
  int mode = 0644;
  int64_t uid = 0;
  int64_t gid = 0;
};

inline TarEntry File(std::string path, std::string content, int mode = 0644) {
  return {.path = std::move(path),
          .type = TarEntry::Type::kFile,
          .content = std::move(content),
          .mode = mode};
}
inline TarEntry Dir(std::string path, int mode = 0755) {
  return {.path = std::move(path), .type = TarEntry::Type::kDir, .mode = mode};
}
inline TarEntry Symlink(std::string path, std::string target) {
  return {.path = std::move(path),
          .type = TarEntry::Type::kSymlink,
          .content = std::move(target),
          .mode = 0777};
}
inline TarEntry Hardlink(std::string path, std::string target) {
  return {.path = std::move(path), .type = TarEntry::Type::kHardlink, .content = std::move(target)};
}

// Writes a tar (gzip-compressed when `gzip`) of `entries`, in that order.
// Aborts the test binary on failure.
void WriteTar(const std::string& path, const std::vector<TarEntry>& entries, bool gzip);

// Tars the directory `dir` (its contents at the root of the archive).
void TarDirectory(const std::string& dir, const std::string& tar_path);

struct TestImage {
  std::vector<std::vector<TarEntry>> layers{};
  std::string name{};  // Annotation / RepoTag; empty for none.
  std::vector<std::string> cmd{"/bin/sh"};
  std::vector<std::string> env{"PATH=/bin"};
  std::string working_dir{};
  std::string user{};
  bool gzip = true;
};

struct BuiltImage {
  std::string manifest_digest{};
  std::string config_digest{};
  std::vector<std::string> layer_digests{};
};

// Adds `image` to the OCI layout in `dir` (created if needed).
BuiltImage AddToOciLayout(const std::string& dir, const TestImage& image);

// Writes `image` as a docker-archive tarball (`docker save` format). Returns
// the config digest (the image id).
std::string WriteDockerArchive(const std::string& tar_path, const TestImage& image);

std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& content);

}  // namespace barge::image::testing
