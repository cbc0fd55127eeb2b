#include "image/archive_files.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

#include "image/sha256.h"

namespace barge::image {
namespace {

namespace fs = std::filesystem;

struct ArchiveCloser {
  void operator()(archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveCloser>;

Result<ArchivePtr> OpenRead(const std::string& path, bool raw) {
  if (!fs::exists(path)) return NotFound(path + " does not exist");
  ArchivePtr a(archive_read_new());
  archive_read_support_filter_all(a.get());
  if (raw) {
    archive_read_support_format_raw(a.get());
  } else {
    archive_read_support_format_tar(a.get());
    archive_read_support_format_gnutar(a.get());
  }
  if (archive_read_open_filename(a.get(), path.c_str(), 1 << 16) != ARCHIVE_OK) {
    return InvalidArgument("cannot open " + path +
                           " as a tar archive: " + archive_error_string(a.get()));
  }
  return a;
}

// `target` of a link at `link` (both relative to the archive root), resolved
// lexically: kInvalidArgument when it is absolute or climbs above the root.
Result<std::string> ResolveLinkTarget(const std::string& link, const std::string& target,
                                      bool relative_to_link) {
  if (target.starts_with("/")) return InvalidArgument("link '" + link + "' is absolute");
  std::vector<std::string> parts;
  std::string joined = target;
  if (relative_to_link) {
    size_t slash = link.rfind('/');
    if (slash != std::string::npos) joined = link.substr(0, slash) + "/" + target;
  }
  size_t start = 0;
  while (start <= joined.size()) {
    size_t end = joined.find('/', start);
    if (end == std::string::npos) end = joined.size();
    std::string part = joined.substr(start, end - start);
    if (part == "..") {
      if (parts.empty()) return InvalidArgument("link '" + link + "' points outside the archive");
      parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    start = end + 1;
  }
  std::string out;
  for (const std::string& part : parts) out += (out.empty() ? "" : "/") + part;
  if (out.empty()) return InvalidArgument("link '" + link + "' points at the archive root");
  return out;
}

// A symlink or hardlink in an image archive (skopeo's docker-archive links
// <id>/layer.tar to <digest>.tar), replaced by a copy of its target once
// everything is extracted.
struct PendingLink {
  std::string path{};
  std::string target{};  // Resolved, relative to the archive root.
};

}  // namespace

Result<std::string> CleanEntryPath(const std::string& path) {
  std::string clean;
  size_t start = 0;
  if (path.starts_with("/")) return InvalidArgument("absolute path '" + path + "' in archive");
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string part = path.substr(start, end - start);
    if (part == "..") return InvalidArgument("path '" + path + "' escapes the root");
    if (!part.empty() && part != ".") {
      if (!clean.empty()) clean += '/';
      clean += part;
    }
    start = end + 1;
  }
  return clean;
}

Status ExtractArchive(const std::string& archive_path, const std::string& dest_dir) {
  Result<ArchivePtr> opened = OpenRead(archive_path, /*raw=*/false);
  if (!opened) return opened.error();
  archive* a = opened->get();
  archive_entry* entry = nullptr;
  std::vector<PendingLink> links;
  while (true) {
    int rc = archive_read_next_header(a, &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc < ARCHIVE_WARN) {
      return InvalidArgument("cannot read " + archive_path + ": " + archive_error_string(a));
    }
    std::string name = archive_entry_pathname(entry) ? archive_entry_pathname(entry) : "";
    Result<std::string> clean = CleanEntryPath(name);
    if (!clean) return InvalidArgument(archive_path + ": " + clean.error().message);
    if (clean->empty()) continue;
    fs::path target = fs::path(dest_dir) / *clean;
    std::error_code ec;
    mode_t type = archive_entry_filetype(entry);
    if (type == AE_IFDIR) {
      fs::create_directories(target, ec);
      if (ec) return Internal("cannot create " + target.string() + ": " + ec.message());
      continue;
    }
    const char* hardlink = archive_entry_hardlink(entry);
    if (hardlink != nullptr || type == AE_IFLNK) {
      bool is_symlink = hardlink == nullptr;
      const char* target_text = is_symlink ? archive_entry_symlink(entry) : hardlink;
      Result<std::string> resolved =
          ResolveLinkTarget(*clean, target_text ? target_text : "", is_symlink);
      if (!resolved) return InvalidArgument(archive_path + ": " + resolved.error().message);
      links.push_back({.path = *clean, .target = *resolved});
      continue;
    }
    if (type != AE_IFREG) {
      return InvalidArgument(archive_path + ": entry '" + name +
                             "' is not a regular file or directory");
    }
    fs::create_directories(target.parent_path(), ec);
    if (ec) return Internal("cannot create " + target.parent_path().string() + ": " + ec.message());
    if (fs::is_symlink(target.parent_path())) {
      return InvalidArgument(archive_path + ": entry '" + name + "' goes through a link");
    }
    std::ofstream out(target, std::ios::binary | std::ios::trunc);
    if (!out) return Internal("cannot write " + target.string());
    const void* block = nullptr;
    size_t size = 0;
    la_int64_t offset = 0;
    while ((rc = archive_read_data_block(a, &block, &size, &offset)) == ARCHIVE_OK) {
      out.seekp(static_cast<std::streamoff>(offset));
      out.write(static_cast<const char*>(block), static_cast<std::streamsize>(size));
    }
    if (rc != ARCHIVE_EOF) {
      return InvalidArgument("cannot read " + name + " in " + archive_path + ": " +
                             archive_error_string(a));
    }
    out.close();
    if (!out) return Internal("cannot write " + target.string());
  }
  for (const PendingLink& link : links) {
    fs::path from = fs::path(dest_dir) / link.target;
    fs::path to = fs::path(dest_dir) / link.path;
    std::error_code ec;
    if (!fs::is_regular_file(fs::symlink_status(from, ec))) {
      return InvalidArgument(archive_path + ": link '" + link.path +
                             "' does not point at a file of the archive");
    }
    fs::create_directories(to.parent_path(), ec);
    fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
    if (ec) return Internal("cannot copy " + from.string() + ": " + ec.message());
  }
  return Ok();
}

Result<std::string> UncompressedSha256(const std::string& path) {
  Result<ArchivePtr> opened = OpenRead(path, /*raw=*/true);
  if (!opened) return opened.error();
  archive* a = opened->get();
  archive_entry* entry = nullptr;
  Sha256 hash;
  int rc = archive_read_next_header(a, &entry);
  if (rc == ARCHIVE_EOF) return hash.Finish();  // An empty file.
  if (rc < ARCHIVE_WARN) {
    return InvalidArgument("cannot read " + path + ": " + archive_error_string(a));
  }
  char buffer[1 << 16];
  la_ssize_t n = 0;
  while ((n = archive_read_data(a, buffer, sizeof buffer)) > 0) {
    hash.Update(buffer, static_cast<size_t>(n));
  }
  if (n < 0) return InvalidArgument("cannot decompress " + path + ": " + archive_error_string(a));
  return hash.Finish();
}

}  // namespace barge::image
