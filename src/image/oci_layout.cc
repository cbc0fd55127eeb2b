#include "image/oci_layout.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "image/archive_files.h"
#include "image/sha256.h"
#include "util/uuid.h"

namespace barge::image {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

constexpr int64_t kMaxSmallFile = 16 << 20;

Result<Descriptor> DescriptorFrom(const Json& json) {
  if (!json.is_object() || !json.contains("digest") || !json["digest"].is_string()) {
    return InvalidArgument("descriptor without a digest");
  }
  Descriptor d{.media_type = json.value("mediaType", ""),
               .digest = json["digest"].get<std::string>(),
               .size = json.value("size", int64_t{0})};
  if (!IsSha256Digest(d.digest)) return InvalidArgument("unsupported digest '" + d.digest + "'");
  return d;
}

bool IsIndexType(const std::string& media_type) {
  return media_type == kOciIndexType ||
         media_type == "application/vnd.docker.distribution.manifest.list.v2+json";
}

std::string NameOf(const Json& descriptor) {
  if (!descriptor.contains("annotations") || !descriptor["annotations"].is_object()) return "";
  const Json& annotations = descriptor["annotations"];
  for (const char* key : {"io.containerd.image.name", kRefNameAnnotation}) {
    if (annotations.contains(key) && annotations[key].is_string()) {
      return annotations[key].get<std::string>();
    }
  }
  return "";
}

// Follows an image index to one manifest: linux/amd64, else the only one.
Result<Descriptor> PickFromIndex(const std::string& layout_dir, const Descriptor& index,
                                 int depth) {
  if (depth > 4) return InvalidArgument("image indexes nested too deeply");
  Result<std::string> text = ReadSmallFile(BlobPath(layout_dir, index.digest));
  if (!text) return text.error();
  if (Sha256Of(*text) != index.digest) {
    return InvalidArgument("index blob " + index.digest + " does not match its digest");
  }
  Json doc = Json::parse(*text);
  if (!doc.contains("manifests") || !doc["manifests"].is_array() || doc["manifests"].empty()) {
    return InvalidArgument("image index " + index.digest + " lists no manifests");
  }
  const Json* chosen = doc["manifests"].size() == 1 ? &doc["manifests"][0] : nullptr;
  for (const Json& m : doc["manifests"]) {
    if (chosen) break;
    const Json platform = m.value("platform", Json::object());
    if (platform.value("os", "") == "linux" && platform.value("architecture", "") == "amd64") {
      chosen = &m;
    }
  }
  if (!chosen) return NotFound("image index " + index.digest + " has no linux/amd64 manifest");
  Result<Descriptor> d = DescriptorFrom(*chosen);
  if (!d) return d.error();
  if (IsIndexType(d->media_type)) return PickFromIndex(layout_dir, *d, depth + 1);
  return d;
}

std::string MediaTypeOfLayer(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char magic[4] = {0, 0, 0, 0};
  in.read(reinterpret_cast<char*>(magic), 4);
  if (magic[0] == 0x1f && magic[1] == 0x8b) return "application/vnd.oci.image.layer.v1.tar+gzip";
  if (magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd) {
    return "application/vnd.oci.image.layer.v1.tar+zstd";
  }
  return "application/vnd.oci.image.layer.v1.tar";
}

// Moves `file` (inside `dir`) to blobs/sha256/<hex> and describes it.
Result<Descriptor> MoveToBlob(const std::string& dir, const std::string& file,
                              const std::string& media_type) {
  Result<std::string> clean_digest = FileSha256(file);
  if (!clean_digest) return clean_digest.error();
  std::error_code ec;
  int64_t size = static_cast<int64_t>(fs::file_size(file, ec));
  if (ec) return Internal("cannot stat " + file + ": " + ec.message());
  std::string target = BlobPath(dir, *clean_digest);
  fs::create_directories(fs::path(target).parent_path(), ec);
  if (!fs::exists(target)) fs::copy_file(file, target, ec);
  if (ec) return Internal("cannot copy " + file + ": " + ec.message());
  return Descriptor{.media_type = media_type, .digest = *clean_digest, .size = size};
}

// A file named in manifest.json, inside the archive.
Result<std::string> SafeName(const std::string& name) {
  Result<std::string> clean = CleanEntryPath(name);
  if (!clean || clean->empty()) {
    return InvalidArgument("docker-archive names a file outside the archive: '" + name + "'");
  }
  return clean;
}

Json ToJson(const Descriptor& d) {
  return Json{{"mediaType", d.media_type}, {"digest", d.digest}, {"size", d.size}};
}

}  // namespace

std::string BlobPath(const std::string& layout_dir, const std::string& digest) {
  return layout_dir + "/blobs/sha256/" + std::string(DigestHex(digest));
}

Result<std::string> ReadSmallFile(const std::string& path) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec) return NotFound("cannot read " + path + ": " + ec.message());
  if (static_cast<int64_t>(size) > kMaxSmallFile) return InvalidArgument(path + " is too large");
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) return Internal("cannot read " + path);
  return text.str();
}

Status WriteFileAtomically(const std::string& path, const std::string& content) {
  std::string temp = path + ".tmp-" + NewUuid();
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Internal("cannot create " + temp + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      ::unlink(temp.c_str());
      return Internal("cannot write " + temp + ": " + std::strerror(err));
    }
    done += static_cast<size_t>(n);
  }
  bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced || ::rename(temp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(temp.c_str());
    return Internal("cannot replace " + path + ": " + std::strerror(err));
  }
  return Ok();
}

Result<std::vector<LayoutImage>> ReadLayoutImages(const std::string& layout_dir) {
  Result<std::string> text = ReadSmallFile(layout_dir + "/index.json");
  if (!text) return NotFound(layout_dir + " is not an OCI layout: no index.json");
  try {
    Json doc = Json::parse(*text);
    if (!doc.is_object() || !doc.contains("manifests") || !doc["manifests"].is_array()) {
      return InvalidArgument(layout_dir + "/index.json has no manifests list");
    }
    std::vector<LayoutImage> images;
    for (const Json& m : doc["manifests"]) {
      Result<Descriptor> d = DescriptorFrom(m);
      if (!d) return InvalidArgument(layout_dir + "/index.json: " + d.error().message);
      if (IsIndexType(d->media_type)) {
        d = PickFromIndex(layout_dir, *d, 1);
        if (!d) return d.error();
      }
      images.push_back({.manifest = *d, .name = NameOf(m)});
    }
    return images;
  } catch (const Json::exception& e) {
    return InvalidArgument(layout_dir + "/index.json: " + e.what());
  }
}

Result<Manifest> ParseManifest(const std::string& json_text) {
  try {
    Json doc = Json::parse(json_text);
    if (!doc.is_object() || !doc.contains("config") || !doc.contains("layers") ||
        !doc["layers"].is_array()) {
      return InvalidArgument("not an image manifest (config and layers expected)");
    }
    Manifest manifest;
    Result<Descriptor> config = DescriptorFrom(doc["config"]);
    if (!config) return InvalidArgument("manifest config: " + config.error().message);
    manifest.config = *config;
    for (const Json& layer : doc["layers"]) {
      Result<Descriptor> d = DescriptorFrom(layer);
      if (!d) return InvalidArgument("manifest layer: " + d.error().message);
      manifest.layers.push_back(*d);
    }
    return manifest;
  } catch (const Json::exception& e) {
    return InvalidArgument(std::string("bad manifest: ") + e.what());
  }
}

Status ConvertDockerArchive(const std::string& dir) {
  Result<std::string> text = ReadSmallFile(dir + "/manifest.json");
  if (!text) return text.error();
  Json index = {{"schemaVersion", 2}, {"mediaType", kOciIndexType}, {"manifests", Json::array()}};
  try {
    Json doc = Json::parse(*text);
    if (!doc.is_array()) return InvalidArgument("docker-archive manifest.json is not a list");
    for (const Json& image : doc) {
      std::string config_name = image.value("Config", "");
      if (config_name.empty() || !image.contains("Layers") || !image["Layers"].is_array()) {
        return InvalidArgument("docker-archive manifest.json entry without Config or Layers");
      }
      Result<std::string> safe = SafeName(config_name);
      if (!safe) return safe.error();
      Result<Descriptor> config = MoveToBlob(dir, dir + "/" + *safe, kOciConfigType);
      if (!config) return config.error();
      std::string stem = fs::path(*safe).stem().string();
      if (IsSha256Digest("sha256:" + stem) && config->digest != "sha256:" + stem) {
        return InvalidArgument("docker-archive config " + config_name +
                               " does not match its digest (got " + config->digest + ")");
      }
      Json manifest = {{"schemaVersion", 2},
                       {"mediaType", kOciManifestType},
                       {"config", ToJson(*config)},
                       {"layers", Json::array()}};
      for (const Json& layer : image["Layers"]) {
        Result<std::string> layer_path = SafeName(layer.get<std::string>());
        if (!layer_path) return layer_path.error();
        std::string file = dir + "/" + *layer_path;
        Result<Descriptor> d = MoveToBlob(dir, file, MediaTypeOfLayer(file));
        if (!d) return d.error();
        manifest["layers"].push_back(ToJson(*d));
      }
      std::string manifest_text = manifest.dump();
      std::string digest = Sha256Of(manifest_text);
      BARGE_RETURN_IF_ERROR(WriteFileAtomically(BlobPath(dir, digest), manifest_text));
      Json descriptor = ToJson({.media_type = kOciManifestType,
                                .digest = digest,
                                .size = static_cast<int64_t>(manifest_text.size())});
      // One descriptor per tag, as the store's own index does.
      Json tags = image.value("RepoTags", Json::array());
      if (!tags.is_array() || tags.empty()) index["manifests"].push_back(descriptor);
      for (const Json& tag : tags) {
        if (!tag.is_string()) continue;
        descriptor["annotations"] = {{kRefNameAnnotation, tag}};
        index["manifests"].push_back(descriptor);
      }
    }
  } catch (const Json::exception& e) {
    return InvalidArgument(std::string("docker-archive manifest.json: ") + e.what());
  }
  return WriteFileAtomically(dir + "/index.json", index.dump());
}

}  // namespace barge::image
