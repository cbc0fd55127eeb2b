#include "image/test_image_builder.h"

#include <archive.h>
#include <archive_entry.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/check.h"
#include "image/archive_files.h"
#include "image/sha256.h"

namespace barge::image::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

std::string BlobFile(const std::string& dir, const std::string& digest) {
  return dir + "/blobs/sha256/" + std::string(DigestHex(digest));
}

std::string AddBlob(const std::string& dir, const std::string& content) {
  std::string digest = Sha256Of(content);
  fs::create_directories(dir + "/blobs/sha256");
  WriteFile(BlobFile(dir, digest), content);
  return digest;
}

Json ConfigJson(const TestImage& image, const std::vector<std::string>& diff_ids) {
  Json config = {{"Env", image.env}, {"Cmd", image.cmd}};
  if (!image.working_dir.empty()) config["WorkingDir"] = image.working_dir;
  if (!image.user.empty()) config["User"] = image.user;
  return {{"architecture", "amd64"},
          {"os", "linux"},
          {"config", config},
          {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}}};
}

}  // namespace

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  BARGE_CHECK(static_cast<bool>(in), "test file must be readable");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  BARGE_CHECK(static_cast<bool>(out), "test file must be writable");
}

void WriteTar(const std::string& path, const std::vector<TarEntry>& entries, bool gzip) {
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  if (gzip) archive_write_add_filter_gzip(a);
  BARGE_CHECK(archive_write_open_filename(a, path.c_str()) == ARCHIVE_OK, "open test tar");
  for (const TarEntry& e : entries) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, e.path.c_str());
    archive_entry_set_uid(entry, e.uid);
    archive_entry_set_gid(entry, e.gid);
    archive_entry_set_mtime(entry, 0, 0);
    switch (e.type) {
      case TarEntry::Type::kFile:
        archive_entry_set_filetype(entry, AE_IFREG);
        archive_entry_set_size(entry, static_cast<la_int64_t>(e.content.size()));
        break;
      case TarEntry::Type::kDir:
        archive_entry_set_filetype(entry, AE_IFDIR);
        break;
      case TarEntry::Type::kSymlink:
        archive_entry_set_filetype(entry, AE_IFLNK);
        archive_entry_set_symlink(entry, e.content.c_str());
        break;
      case TarEntry::Type::kHardlink:
        archive_entry_set_filetype(entry, AE_IFREG);
        archive_entry_set_hardlink(entry, e.content.c_str());
        archive_entry_set_size(entry, 0);
        break;
    }
    archive_entry_set_perm(entry, static_cast<mode_t>(e.mode));
    BARGE_CHECK(archive_write_header(a, entry) == ARCHIVE_OK, "write test tar header");
    if (e.type == TarEntry::Type::kFile && !e.content.empty()) {
      archive_write_data(a, e.content.data(), e.content.size());
    }
    archive_entry_free(entry);
  }
  BARGE_CHECK(archive_write_close(a) == ARCHIVE_OK, "close test tar");
  archive_write_free(a);
}

void TarDirectory(const std::string& dir, const std::string& tar_path) {
  std::vector<TarEntry> entries;
  std::vector<fs::path> paths;
  for (const auto& item : fs::recursive_directory_iterator(dir)) paths.push_back(item.path());
  std::sort(paths.begin(), paths.end());
  for (const fs::path& p : paths) {
    std::string relative = fs::relative(p, dir).string();
    if (fs::is_directory(p)) {
      entries.push_back(Dir(relative));
    } else {
      entries.push_back(File(relative, ReadFile(p.string())));
    }
  }
  WriteTar(tar_path, entries, /*gzip=*/false);
}

BuiltImage AddToOciLayout(const std::string& dir, const TestImage& image) {
  fs::create_directories(dir + "/blobs/sha256");
  WriteFile(dir + "/oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
  BuiltImage built;
  Json layers = Json::array();
  std::vector<std::string> diff_ids;
  for (size_t i = 0; i < image.layers.size(); ++i) {
    std::string plain = dir + "/layer.tmp";
    WriteTar(plain, image.layers[i], /*gzip=*/false);
    diff_ids.push_back(Sha256Of(ReadFile(plain)));
    if (image.gzip) WriteTar(plain, image.layers[i], /*gzip=*/true);
    std::string content = ReadFile(plain);
    fs::remove(plain);
    std::string digest = AddBlob(dir, content);
    built.layer_digests.push_back(digest);
    layers.push_back({{"mediaType", image.gzip ? "application/vnd.oci.image.layer.v1.tar+gzip"
                                               : "application/vnd.oci.image.layer.v1.tar"},
                      {"digest", digest},
                      {"size", content.size()}});
  }
  std::string config = ConfigJson(image, diff_ids).dump();
  built.config_digest = AddBlob(dir, config);
  Json manifest = {{"schemaVersion", 2},
                   {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                   {"config",
                    {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                     {"digest", built.config_digest},
                     {"size", config.size()}}},
                   {"layers", layers}};
  std::string manifest_text = manifest.dump();
  built.manifest_digest = AddBlob(dir, manifest_text);
  Json index = {{"schemaVersion", 2}, {"manifests", Json::array()}};
  if (fs::exists(dir + "/index.json")) index = Json::parse(ReadFile(dir + "/index.json"));
  Json descriptor = {{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                     {"digest", built.manifest_digest},
                     {"size", manifest_text.size()}};
  if (!image.name.empty()) {
    descriptor["annotations"] = {{"org.opencontainers.image.ref.name", image.name}};
  }
  index["manifests"].push_back(descriptor);
  WriteFile(dir + "/index.json", index.dump());
  return built;
}

std::string WriteDockerArchive(const std::string& tar_path, const TestImage& image) {
  std::string staging = tar_path + ".d";
  fs::create_directories(staging);
  std::vector<std::string> diff_ids;
  Json layer_names = Json::array();
  for (size_t i = 0; i < image.layers.size(); ++i) {
    std::string plain = staging + "/layer.tmp";
    WriteTar(plain, image.layers[i], /*gzip=*/false);
    std::string digest = Sha256Of(ReadFile(plain));
    diff_ids.push_back(digest);
    std::string name = std::string(DigestHex(digest)) + "/layer.tar";
    fs::create_directories(staging + "/" + std::string(DigestHex(digest)));
    fs::rename(plain, staging + "/" + name);
    layer_names.push_back(name);
  }
  std::string config = ConfigJson(image, diff_ids).dump();
  std::string config_digest = Sha256Of(config);
  std::string config_name = std::string(DigestHex(config_digest)) + ".json";
  WriteFile(staging + "/" + config_name, config);
  Json entry = {{"Config", config_name}, {"Layers", layer_names}, {"RepoTags", Json::array()}};
  if (!image.name.empty()) entry["RepoTags"].push_back(image.name);
  WriteFile(staging + "/manifest.json", Json::array({entry}).dump());
  TarDirectory(staging, tar_path);
  fs::remove_all(staging);
  return config_digest;
}

}  // namespace barge::image::testing
