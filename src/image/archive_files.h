#pragma once
// Reading tar archives with libarchive (any compression libarchive knows:
// gzip, zstd, xz, or none).
//
// Thread-safe: each call opens its own archive handle.
#include <string>

#include "core/result.h"

namespace barge::image {

// Extracts the regular files and directories of the tar at `archive_path`
// into the existing directory `dest_dir`, as the calling user with modes
// 0644/0755 (an image archive carries blobs, not a filesystem). A symlink or
// hardlink to a file of the archive becomes a copy of it (skopeo's
// docker-archive links <id>/layer.tar to <digest>.tar). Refuses
// (kInvalidArgument) absolute paths, `..` components, links leading out of
// the archive, and device entries; kNotFound when the file is missing.
Status ExtractArchive(const std::string& archive_path, const std::string& dest_dir);

// "sha256:<hex>" of the decompressed content of the file at `path` (a layer
// blob's diff id). The file may be compressed or not.
Result<std::string> UncompressedSha256(const std::string& path);

// A relative path inside a tree, cleaned: "./a//b/" -> "a/b", "" for the
// root itself. kInvalidArgument when it is absolute after cleaning of a
// leading "./" or contains a ".." component.
Result<std::string> CleanEntryPath(const std::string& path);

}  // namespace barge::image
