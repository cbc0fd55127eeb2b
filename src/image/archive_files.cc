#include "image/archive_files.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <memory>

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
    return InvalidArgument("cannot open " + path + " as a tar archive: " +
                           archive_error_string(a.get()));
  }
  return a;
}

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
    if (type != AE_IFREG || archive_entry_hardlink(entry) != nullptr) {
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
