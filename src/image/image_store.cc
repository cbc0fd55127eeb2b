#include "image/image_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "image/archive_files.h"
#include "image/image_reference.h"
#include "image/layer_applier.h"
#include "image/oci_layout.h"
#include "image/sha256.h"
#include "util/uuid.h"

namespace barge::image {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

// Holds flock() on <store>/lock for its lifetime.
class StoreLock {
 public:
  static Result<StoreLock> Take(const std::string& dir, int operation) {
    std::string path = dir + "/lock";
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return Internal("cannot open " + path + ": " + std::strerror(errno));
    while (::flock(fd, operation) != 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return Internal("cannot lock " + path + ": " + std::strerror(err));
    }
    return StoreLock(fd);
  }
  StoreLock(StoreLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  StoreLock& operator=(StoreLock&&) = delete;
  ~StoreLock() {
    if (fd_ >= 0) ::close(fd_);  // Closing releases the lock.
  }

 private:
  explicit StoreLock(int fd) : fd_(fd) {}
  int fd_;
};

// A private directory under <store>/tmp, removed with its contents.
class ScratchDir {
 public:
  static Result<ScratchDir> Create(const std::string& store_dir, const std::string& prefix) {
    std::string pattern = store_dir + "/tmp/" + prefix + "XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
      return Internal("cannot create a directory in " + store_dir +
                      "/tmp: " + std::strerror(errno));
    }
    return ScratchDir(pattern);
  }
  ScratchDir(ScratchDir&& other) noexcept : path_(std::exchange(other.path_, "")) {}
  ScratchDir& operator=(ScratchDir&&) = delete;
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  void Release() { path_.clear(); }

 private:
  explicit ScratchDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// One descriptor of the store's index.json: an image and one of its names.
struct IndexEntry {
  Descriptor manifest{};
  std::string reference{};  // Normalised; empty for an untagged image.
};

Result<std::vector<IndexEntry>> ReadIndex(const std::string& dir) {
  if (!fs::exists(dir + "/index.json")) return std::vector<IndexEntry>{};
  Result<std::vector<LayoutImage>> images = ReadLayoutImages(dir);
  if (!images) return images.error();
  std::vector<IndexEntry> entries;
  for (LayoutImage& image : *images) {
    entries.push_back({.manifest = std::move(image.manifest), .reference = std::move(image.name)});
  }
  return entries;
}

Status WriteIndex(const std::string& dir, const std::vector<IndexEntry>& entries) {
  Json manifests = Json::array();
  for (const IndexEntry& e : entries) {
    Json d = {{"mediaType", e.manifest.media_type},
              {"digest", e.manifest.digest},
              {"size", e.manifest.size}};
    if (!e.reference.empty()) d["annotations"] = {{kRefNameAnnotation, e.reference}};
    manifests.push_back(std::move(d));
  }
  Json index = {{"schemaVersion", 2}, {"mediaType", kOciIndexType}, {"manifests", manifests}};
  return WriteFileAtomically(dir + "/index.json", index.dump(2) + "\n");
}

std::string RootfsPath(const std::string& dir, const std::string& digest) {
  return dir + "/rootfs/" + std::string(DigestHex(digest));
}

// Copies the blob `d` from the layout at `from` into the store at `to`,
// hashing as it goes; refuses a blob whose content does not match.
Status CopyBlob(const std::string& from, const std::string& to, const Descriptor& d,
                const std::string& what) {
  std::string target = BlobPath(to, d.digest);
  if (fs::exists(target)) return Ok();  // Verified when it was stored.
  std::string source = BlobPath(from, d.digest);
  std::ifstream in(source, std::ios::binary);
  if (!in) return InvalidArgument(what + " " + d.digest + " is missing from " + from);
  std::string temp = to + "/blobs/sha256/.tmp-" + NewUuid();
  std::ofstream out(temp, std::ios::binary | std::ios::trunc);
  if (!out) return Internal("cannot create " + temp);
  Sha256 hash;
  char buffer[1 << 16];
  int64_t size = 0;
  while (in) {
    in.read(buffer, sizeof buffer);
    hash.Update(buffer, static_cast<size_t>(in.gcount()));
    out.write(buffer, in.gcount());
    size += in.gcount();
  }
  out.close();
  std::string actual = hash.Finish();
  std::error_code ec;
  if (in.bad() || !out) {
    fs::remove(temp, ec);
    return Internal("cannot copy " + source + " into the store");
  }
  if (actual != d.digest) {
    fs::remove(temp, ec);
    return InvalidArgument(what + " " + d.digest +
                           " does not match its digest: the content hashes to " + actual);
  }
  if (d.size != 0 && size != d.size) {
    fs::remove(temp, ec);
    return InvalidArgument(what + " " + d.digest + " has " + std::to_string(size) +
                           " bytes, its descriptor says " + std::to_string(d.size));
  }
  fs::rename(temp, target, ec);
  if (ec) return Internal("cannot store blob " + d.digest + ": " + ec.message());
  return Ok();
}

Result<Manifest> ReadManifest(const std::string& dir, const std::string& digest) {
  Result<std::string> text = ReadSmallFile(BlobPath(dir, digest));
  if (!text) return NotFound("manifest " + digest + " is not in the store");
  return ParseManifest(*text);
}

// The normalised name an imported image gets, or "" for none.
Result<std::string> NameFor(const std::string& name) {
  if (name.empty()) return std::string();
  Result<ImageReference> ref = ParseImageReference(name);
  if (!ref) return ref.error();
  if (!ref->digest.empty()) {
    return InvalidArgument("cannot name an image '" + name + "': a name must not hold a digest");
  }
  return ref->String();
}

// Deletes blobs no image uses any more, the rootfs of deleted images, and
// leftovers of interrupted imports and unpacks. Caller holds the exclusive
// lock, so nothing is in progress.
void CollectGarbage(const std::string& dir, const std::vector<IndexEntry>& entries) {
  std::set<std::string> live;
  std::set<std::string> live_rootfs;
  for (const IndexEntry& e : entries) {
    live.insert(std::string(DigestHex(e.manifest.digest)));
    live_rootfs.insert(std::string(DigestHex(e.manifest.digest)));
    Result<Manifest> manifest = ReadManifest(dir, e.manifest.digest);
    if (!manifest) continue;
    live.insert(std::string(DigestHex(manifest->config.digest)));
    for (const Descriptor& layer : manifest->layers)
      live.insert(std::string(DigestHex(layer.digest)));
  }
  std::error_code ec;
  for (const auto& blob : fs::directory_iterator(dir + "/blobs/sha256", ec)) {
    if (!live.contains(blob.path().filename().string())) fs::remove(blob.path(), ec);
  }
  for (const auto& rootfs : fs::directory_iterator(dir + "/rootfs", ec)) {
    if (!live_rootfs.contains(rootfs.path().filename().string())) fs::remove_all(rootfs.path(), ec);
  }
  for (const auto& scratch : fs::directory_iterator(dir + "/tmp", ec)) {
    fs::remove_all(scratch.path(), ec);
  }
}

std::vector<ImageSummary> Summarise(const std::string& dir,
                                    const std::vector<IndexEntry>& entries) {
  std::map<std::string, ImageSummary> by_digest;
  std::vector<std::string> order;
  for (const IndexEntry& e : entries) {
    auto [it, inserted] = by_digest.try_emplace(e.manifest.digest);
    ImageSummary& s = it->second;
    if (inserted) {
      order.push_back(e.manifest.digest);
      s.digest = e.manifest.digest;
      if (Result<Manifest> m = ReadManifest(dir, s.digest)) {
        s.size = m->config.size;
        for (const Descriptor& layer : m->layers) s.size += layer.size;
      }
      s.unpacked = fs::is_directory(RootfsPath(dir, s.digest));
    }
    if (!e.reference.empty()) s.references.push_back(e.reference);
  }
  std::vector<ImageSummary> out;
  for (const std::string& digest : order) {
    ImageSummary s = std::move(by_digest[digest]);
    std::sort(s.references.begin(), s.references.end());
    out.push_back(std::move(s));
  }
  std::stable_sort(out.begin(), out.end(), [](const ImageSummary& a, const ImageSummary& b) {
    if (a.references.empty() != b.references.empty()) return b.references.empty();
    return !a.references.empty() && a.references.front() < b.references.front();
  });
  return out;
}

// The layout directory of `path`: itself, or an archive extracted into `scratch`.
Result<std::string> LayoutOf(const std::string& path, const std::string& scratch) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return path;
  if (!fs::exists(path, ec)) return NotFound(path + " does not exist");
  BARGE_RETURN_IF_ERROR(ExtractArchive(path, scratch));
  if (fs::exists(scratch + "/index.json")) return scratch;
  if (fs::exists(scratch + "/manifest.json")) {
    BARGE_RETURN_IF_ERROR(ConvertDockerArchive(scratch));
    return scratch;
  }
  return InvalidArgument(path +
                         " is neither an OCI archive (no index.json) nor a docker-archive "
                         "(no manifest.json)");
}

// Copies one image's blobs into the store, verifying each.
Status ImportImage(const std::string& layout, const std::string& store, const Descriptor& d) {
  BARGE_RETURN_IF_ERROR(CopyBlob(layout, store, d, "manifest"));
  Result<Manifest> manifest = ReadManifest(store, d.digest);
  if (!manifest) return manifest.error();
  BARGE_RETURN_IF_ERROR(CopyBlob(layout, store, manifest->config, "config"));
  Result<std::string> config_text = ReadSmallFile(BlobPath(store, manifest->config.digest));
  if (!config_text) return config_text.error();
  Result<ImageConfig> config = ParseImageConfig(*config_text);
  if (!config) return config.error();
  if (config->diff_ids.size() != manifest->layers.size()) {
    return InvalidArgument("image " + d.digest + " has " + std::to_string(manifest->layers.size()) +
                           " layers but " + std::to_string(config->diff_ids.size()) +
                           " diff_ids in its config");
  }
  for (size_t i = 0; i < manifest->layers.size(); ++i) {
    const Descriptor& layer = manifest->layers[i];
    BARGE_RETURN_IF_ERROR(CopyBlob(layout, store, layer, "layer"));
    Result<std::string> diff_id = UncompressedSha256(BlobPath(store, layer.digest));
    if (!diff_id) return diff_id.error();
    if (*diff_id != config->diff_ids[i]) {
      std::error_code ec;
      fs::remove(BlobPath(store, layer.digest), ec);
      return InvalidArgument("layer " + layer.digest + " does not match diff_id " +
                             config->diff_ids[i] + " of its config (uncompressed it hashes to " +
                             *diff_id + ")");
    }
  }
  return Ok();
}

}  // namespace

Result<std::unique_ptr<ImageStore>> ImageStore::Open(const std::string& dir) {
  std::error_code ec;
  for (const char* sub : {"/blobs/sha256", "/rootfs", "/tmp"}) {
    fs::create_directories(dir + sub, ec);
    if (ec) return Internal("cannot create image store " + dir + ": " + ec.message());
  }
  std::string layout = dir + "/oci-layout";
  if (!fs::exists(layout)) {
    BARGE_RETURN_IF_ERROR(WriteFileAtomically(layout, "{\"imageLayoutVersion\":\"1.0.0\"}"));
  }
  std::string absolute = fs::absolute(dir, ec).lexically_normal().string();
  if (absolute.size() > 1 && absolute.ends_with('/')) absolute.pop_back();
  return std::unique_ptr<ImageStore>(new ImageStore(ec ? dir : absolute));
}

Result<std::vector<ImageSummary>> ImageStore::Import(const std::string& path,
                                                     const ImportOptions& options) {
  Result<std::string> tag = NameFor(options.tag);
  if (!tag) return tag.error();
  Result<StoreLock> lock = StoreLock::Take(dir_, LOCK_EX);
  if (!lock) return lock.error();
  Result<ScratchDir> scratch = ScratchDir::Create(dir_, "import-");
  if (!scratch) return scratch.error();
  Result<std::string> layout = LayoutOf(path, scratch->path());
  if (!layout) return layout.error();
  Result<std::vector<LayoutImage>> images = ReadLayoutImages(*layout);
  if (!images) return images.error();
  if (images->empty()) return InvalidArgument(path + " holds no image");
  if (!tag->empty() && images->size() != 1) {
    return InvalidArgument(path + " holds " + std::to_string(images->size()) +
                           " images; --tag needs exactly one");
  }
  Result<std::vector<IndexEntry>> entries = ReadIndex(dir_);
  if (!entries) return entries.error();

  std::vector<IndexEntry> added;
  for (const LayoutImage& image : *images) {
    Result<std::string> name = tag->empty() ? NameFor(image.name) : *tag;
    if (!name) {
      return InvalidArgument(path + ": " + name.error().message + "; name it with --tag");
    }
    Status imported = ImportImage(*layout, dir_, image.manifest);
    if (!imported) {
      CollectGarbage(dir_, *entries);
      return imported.error();
    }
    Descriptor manifest = image.manifest;
    if (manifest.media_type.empty()) manifest.media_type = kOciManifestType;
    added.push_back({.manifest = manifest, .reference = *name});
  }
  for (const IndexEntry& a : added) {
    std::erase_if(*entries, [&a](const IndexEntry& e) {
      // A name moves to the new image; an untagged entry of the same image goes.
      return (!a.reference.empty() && e.reference == a.reference) ||
             (e.reference.empty() && e.manifest.digest == a.manifest.digest);
    });
    bool known = std::any_of(entries->begin(), entries->end(), [&a](const IndexEntry& e) {
      return e.manifest.digest == a.manifest.digest;
    });
    if (!a.reference.empty() || !known) entries->push_back(a);
  }
  BARGE_RETURN_IF_ERROR(WriteIndex(dir_, *entries));
  // Images that lost their last name to this import are gone.
  CollectGarbage(dir_, *entries);
  std::vector<ImageSummary> all = Summarise(dir_, *entries);
  std::vector<ImageSummary> out;
  for (const ImageSummary& s : all) {
    if (std::any_of(added.begin(), added.end(),
                    [&s](const IndexEntry& a) { return a.manifest.digest == s.digest; })) {
      out.push_back(s);
    }
  }
  return out;
}

Result<std::vector<ImageSummary>> ImageStore::List() const {
  Result<std::vector<IndexEntry>> entries = ReadIndex(dir_);
  if (!entries) return entries.error();
  return Summarise(dir_, *entries);
}

Result<ImageSummary> ImageStore::Resolve(const std::string& reference) const {
  Result<std::vector<ImageSummary>> images = List();
  if (!images) return images.error();
  std::string digest;
  std::string name;
  if (IsSha256Digest(reference)) {
    digest = reference;
  } else {
    Result<ImageReference> ref = ParseImageReference(reference);
    if (!ref) return ref.error();
    digest = ref->digest;
    name = ref->String();
  }
  for (const ImageSummary& image : *images) {
    if (!digest.empty() ? image.digest == digest
                        : std::find(image.references.begin(), image.references.end(), name) !=
                              image.references.end()) {
      return image;
    }
  }
  return NotFound("image " + reference + " is not in the store " + dir_);
}

Result<RemoveOutcome> ImageStore::Remove(const std::string& reference) {
  Result<StoreLock> lock = StoreLock::Take(dir_, LOCK_EX);
  if (!lock) return lock.error();
  Result<ImageSummary> image = Resolve(reference);
  if (!image) return image.error();
  bool whole_image = IsSha256Digest(reference) || reference.find('@') != std::string::npos;
  std::string name;
  if (!whole_image) name = ParseImageReference(reference)->String();

  Result<std::vector<IndexEntry>> entries = ReadIndex(dir_);
  if (!entries) return entries.error();
  RemoveOutcome outcome;
  std::erase_if(*entries, [&](const IndexEntry& e) {
    bool match = whole_image ? e.manifest.digest == image->digest : e.reference == name;
    if (match && !e.reference.empty()) outcome.untagged.push_back(e.reference);
    return match;
  });
  bool still_there = std::any_of(entries->begin(), entries->end(), [&](const IndexEntry& e) {
    return e.manifest.digest == image->digest;
  });
  if (!still_there) outcome.deleted.push_back(image->digest);
  BARGE_RETURN_IF_ERROR(WriteIndex(dir_, *entries));
  CollectGarbage(dir_, *entries);
  return outcome;
}

Result<std::string> ImageStore::Unpack(const std::string& digest) {
  std::string target = RootfsPath(dir_, digest);
  if (!IsSha256Digest(digest)) return InvalidArgument("'" + digest + "' is not a sha256 digest");
  if (fs::is_directory(target)) return target;
  // Shared: unpacks run side by side, but not while an import or a removal
  // collects garbage.
  Result<StoreLock> lock = StoreLock::Take(dir_, LOCK_SH);
  if (!lock) return lock.error();
  if (fs::is_directory(target)) return target;
  Result<ImageSummary> image = Resolve(digest);
  if (!image) return image.error();
  Result<Manifest> manifest = ReadManifest(dir_, digest);
  if (!manifest) return manifest.error();
  Result<ScratchDir> scratch = ScratchDir::Create(dir_, "rootfs-");
  if (!scratch) return scratch.error();
  if (::chmod(scratch->path().c_str(), 0755) != 0) {
    return Internal("cannot chmod " + scratch->path() + ": " + std::strerror(errno));
  }
  for (const Descriptor& layer : manifest->layers) {
    Status applied = ApplyLayer(BlobPath(dir_, layer.digest), scratch->path());
    if (!applied) {
      return Error{applied.error().code,
                   "cannot unpack image " + digest + ": " + applied.error().message};
    }
  }
  if (::rename(scratch->path().c_str(), target.c_str()) != 0) {
    // Another process unpacked it first: theirs is as good as ours.
    if ((errno == EEXIST || errno == ENOTEMPTY) && fs::is_directory(target)) return target;
    return Internal("cannot move the unpacked image to " + target + ": " + std::strerror(errno));
  }
  scratch->Release();
  return target;
}

Result<ImageConfig> ImageStore::Config(const std::string& digest) const {
  if (!IsSha256Digest(digest)) return InvalidArgument("'" + digest + "' is not a sha256 digest");
  Result<Manifest> manifest = ReadManifest(dir_, digest);
  if (!manifest) return manifest.error();
  Result<std::string> text = ReadSmallFile(BlobPath(dir_, manifest->config.digest));
  if (!text) return text.error();
  return ParseImageConfig(*text);
}

}  // namespace barge::image
