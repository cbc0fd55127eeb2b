#include "image/layer_applier.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include <filesystem>
#include <memory>
#include <set>
#include <vector>

#include "image/archive_files.h"

namespace barge::image {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kOpaque = ".wh..wh..opq";

struct ReadCloser {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct WriteCloser {
  void operator()(archive* a) const { archive_write_free(a); }
};

// Refuses a path whose parent directories include a symlink: writing
// through it could land outside the root.
Status CheckNoSymlinkParents(const std::string& rootfs, const std::string& clean) {
  fs::path current = rootfs;
  size_t start = 0;
  while (true) {
    size_t end = clean.find('/', start);
    if (end == std::string::npos) return Ok();
    current /= clean.substr(start, end - start);
    std::error_code ec;
    if (fs::is_symlink(fs::symlink_status(current, ec))) {
      return InvalidArgument("layer entry '" + clean + "' passes through the symlink '" +
                             clean.substr(0, end) + "'");
    }
    start = end + 1;
  }
}

std::string Parent(const std::string& clean) {
  size_t slash = clean.rfind('/');
  return slash == std::string::npos ? "" : clean.substr(0, slash);
}

std::string Base(const std::string& clean) {
  size_t slash = clean.rfind('/');
  return slash == std::string::npos ? clean : clean.substr(slash + 1);
}

// Whether `path` was written by this layer or is an ancestor of something
// that was: `written` holds every path and its ancestors.
bool KeepForOpaque(const std::set<std::string>& written, const std::string& path) {
  return written.contains(path);
}

// Removes what the lower layers put in `dir` (relative), keeping this
// layer's entries.
Status ApplyOpaque(const std::string& rootfs, const std::string& dir,
                   const std::set<std::string>& written) {
  fs::path absolute = dir.empty() ? fs::path(rootfs) : fs::path(rootfs) / dir;
  std::error_code ec;
  if (!fs::is_directory(fs::symlink_status(absolute, ec))) return Ok();
  std::vector<fs::path> doomed;
  for (const fs::directory_entry& child : fs::directory_iterator(absolute, ec)) {
    std::string relative = (dir.empty() ? "" : dir + "/") + child.path().filename().string();
    if (!KeepForOpaque(written, relative)) doomed.push_back(child.path());
  }
  if (ec) return Internal("cannot list " + absolute.string() + ": " + ec.message());
  for (const fs::path& path : doomed) {
    fs::remove_all(path, ec);
    if (ec) return Internal("cannot remove " + path.string() + ": " + ec.message());
  }
  return Ok();
}

void MarkWritten(std::set<std::string>& written, const std::string& clean) {
  for (std::string path = clean; !path.empty(); path = Parent(path)) {
    if (!written.insert(path).second) break;
  }
}

}  // namespace

Status ApplyLayer(const std::string& layer_path, const std::string& rootfs) {
  if (!fs::exists(layer_path)) return NotFound("layer " + layer_path + " does not exist");
  std::unique_ptr<archive, ReadCloser> in(archive_read_new());
  archive_read_support_filter_all(in.get());
  archive_read_support_format_tar(in.get());
  archive_read_support_format_gnutar(in.get());
  if (archive_read_open_filename(in.get(), layer_path.c_str(), 1 << 16) != ARCHIVE_OK) {
    return InvalidArgument("cannot open layer " + layer_path + ": " +
                           archive_error_string(in.get()));
  }
  std::unique_ptr<archive, WriteCloser> out(archive_write_disk_new());
  archive_write_disk_set_options(out.get(), ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM |
                                                ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_XATTR |
                                                ARCHIVE_EXTRACT_UNLINK |
                                                ARCHIVE_EXTRACT_SECURE_NODOTDOT);
  archive_write_disk_set_standard_lookup(out.get());

  std::set<std::string> written;
  std::vector<std::string> opaque_dirs;
  archive_entry* entry = nullptr;
  while (true) {
    int rc = archive_read_next_header(in.get(), &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc < ARCHIVE_WARN) {
      return InvalidArgument("cannot read layer " + layer_path + ": " +
                             archive_error_string(in.get()));
    }
    const char* raw_name = archive_entry_pathname(entry);
    Result<std::string> clean = CleanEntryPath(raw_name ? raw_name : "");
    if (!clean) return InvalidArgument("layer " + layer_path + ": " + clean.error().message);
    if (clean->empty()) continue;  // The root itself: keep the directory as it is.
    BARGE_RETURN_IF_ERROR(CheckNoSymlinkParents(rootfs, *clean));
    std::string base = Base(*clean);
    std::string parent = Parent(*clean);
    if (base == kOpaque) {
      opaque_dirs.push_back(parent);
      continue;
    }
    if (base.starts_with(kWhiteoutPrefix)) {
      std::string hidden =
          (parent.empty() ? "" : parent + "/") + base.substr(kWhiteoutPrefix.size());
      std::error_code ec;
      fs::remove_all(fs::path(rootfs) / hidden, ec);
      if (ec) return Internal("cannot apply whiteout of " + hidden + ": " + ec.message());
      continue;
    }
    if (const char* link = archive_entry_hardlink(entry)) {
      Result<std::string> target = CleanEntryPath(link);
      if (!target || target->empty()) {
        return InvalidArgument("layer " + layer_path + ": hardlink '" + *clean +
                               "' points outside the root");
      }
      BARGE_RETURN_IF_ERROR(CheckNoSymlinkParents(rootfs, *target));
      if (fs::is_symlink(fs::symlink_status(fs::path(rootfs) / *target))) {
        return InvalidArgument("layer " + layer_path + ": hardlink '" + *clean +
                               "' points to a symlink");
      }
      archive_entry_set_hardlink(entry, (rootfs + "/" + *target).c_str());
    }
    archive_entry_set_pathname(entry, (rootfs + "/" + *clean).c_str());
    MarkWritten(written, *clean);
    rc = archive_write_header(out.get(), entry);
    if (rc < ARCHIVE_WARN) {
      return Internal("cannot write " + *clean + ": " + archive_error_string(out.get()));
    }
    if (archive_entry_size(entry) > 0 && archive_entry_hardlink(entry) == nullptr) {
      const void* block = nullptr;
      size_t size = 0;
      la_int64_t offset = 0;
      while ((rc = archive_read_data_block(in.get(), &block, &size, &offset)) == ARCHIVE_OK) {
        if (archive_write_data_block(out.get(), block, size, offset) < ARCHIVE_WARN) {
          return Internal("cannot write " + *clean + ": " + archive_error_string(out.get()));
        }
      }
      if (rc != ARCHIVE_EOF) {
        return InvalidArgument("cannot read " + *clean + " in layer " + layer_path + ": " +
                               archive_error_string(in.get()));
      }
    }
    if (archive_write_finish_entry(out.get()) < ARCHIVE_WARN) {
      return Internal("cannot finish " + *clean + ": " + archive_error_string(out.get()));
    }
  }
  for (const std::string& dir : opaque_dirs) {
    BARGE_RETURN_IF_ERROR(ApplyOpaque(rootfs, dir, written));
  }
  // Directory modes and times are set here, after their contents.
  if (archive_write_close(out.get()) < ARCHIVE_WARN) {
    return Internal("cannot finish layer " + layer_path + ": " + archive_error_string(out.get()));
  }
  return Ok();
}

}  // namespace barge::image
