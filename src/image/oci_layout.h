#pragma once
// The OCI image-layout and docker-archive formats, read from a directory:
// the descriptors of index.json (following nested image indexes to the
// linux/amd64 manifest), image manifests, and the conversion of an
// extracted `docker save` archive into an OCI layout.
//
// Pure functions over files; any thread.
#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace barge::image {

inline constexpr char kOciManifestType[] = "application/vnd.oci.image.manifest.v1+json";
inline constexpr char kOciIndexType[] = "application/vnd.oci.image.index.v1+json";
inline constexpr char kOciConfigType[] = "application/vnd.oci.image.config.v1+json";
inline constexpr char kRefNameAnnotation[] = "org.opencontainers.image.ref.name";

struct Descriptor {
  std::string media_type{};
  std::string digest{};  // Validated "sha256:<hex>".
  int64_t size = 0;
};

// One image found in a layout: its manifest and the name it was given
// (empty when none).
struct LayoutImage {
  Descriptor manifest{};
  std::string name{};
};

struct Manifest {
  Descriptor config{};
  std::vector<Descriptor> layers{};
};

// The path of a blob in a layout (or in the store, which is one).
std::string BlobPath(const std::string& layout_dir, const std::string& digest);

// Reads `layout_dir`/index.json. Nested indexes (multi-platform images) are
// resolved to their linux/amd64 manifest (or their only one). The name comes
// from the `io.containerd.image.name` annotation, else
// org.opencontainers.image.ref.name. kInvalidArgument for a malformed index,
// kNotFound when there is no index.json.
Result<std::vector<LayoutImage>> ReadLayoutImages(const std::string& layout_dir);

// Parses an image manifest (OCI or Docker schema 2). kInvalidArgument when it
// is malformed or names a digest that is not sha256.
Result<Manifest> ParseManifest(const std::string& json_text);

// Turns the extracted docker-archive in `dir` (manifest.json, the config
// JSON files and layer tars) into an OCI layout in the same directory:
// blobs named by their sha256, an OCI manifest per image, index.json naming
// each image by its first RepoTag. A config file named <hex>.json must hash
// to <hex> (kInvalidArgument otherwise).
Status ConvertDockerArchive(const std::string& dir);

// Reads a whole small file (a manifest, a config, an index).
Result<std::string> ReadSmallFile(const std::string& path);

// Writes `content` to `path` atomically: a temporary file beside it, fsync,
// then rename.
Status WriteFileAtomically(const std::string& path, const std::string& content);

}  // namespace barge::image
