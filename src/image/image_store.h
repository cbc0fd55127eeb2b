#pragma once
// ImageStore: the local, content-addressed image store of one host. No
// registry is involved: images come in from files (`barge image import`).
//
// On disk (see docs/images.md) the store is itself an OCI image layout:
//
//   <dir>/oci-layout                {"imageLayoutVersion":"1.0.0"}
//   <dir>/index.json                one descriptor per reference; the
//                                   org.opencontainers.image.ref.name
//                                   annotation holds the full normalised
//                                   name (docker.io/library/busybox:latest)
//   <dir>/blobs/sha256/<hex>        manifests, configs and layers
//   <dir>/rootfs/<hex>/             an image unpacked, per manifest digest
//   <dir>/tmp/                      imports and unpacks in progress
//   <dir>/lock                      flock: exclusive for import and remove,
//                                   shared for unpack
//
// Every blob is checked against its sha256 digest when imported, and every
// layer against the config's diff_ids. index.json is replaced atomically
// (temp file + rename), so readers never need the lock, and concurrent
// imports in several processes are serialised by the lock file.
//
// Thread-safe across processes and threads: the state is the directory.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "image/image_config.h"

namespace barge::image {

struct ImageSummary {
  std::string digest{};                   // The manifest digest, "sha256:...".
  std::vector<std::string> references{};  // Normalised names; empty if untagged.
  int64_t size = 0;                       // Config and layers, as stored (compressed).
  bool unpacked = false;                  // rootfs/<hex> exists.
};

struct ImportOptions {
  // Sets the name of the imported image, replacing the names in the file.
  // Only valid when the file holds one image.
  std::string tag{};
};

struct RemoveOutcome {
  std::vector<std::string> untagged{};  // References removed.
  std::vector<std::string> deleted{};   // Manifest digests no longer in the store.
};

class ImageStore {
 public:
  // Opens the store in `dir`, creating it when missing. kInternal when it
  // cannot be created.
  static Result<std::unique_ptr<ImageStore>> Open(const std::string& dir);

  // Imports every image of `path`: an OCI layout directory, an OCI archive
  // (a tar of a layout, compressed or not) or a docker-archive tarball. A
  // name the image already had moves to the new image. Returns the images
  // imported. kNotFound: `path` is missing; kInvalidArgument: not one of the
  // formats, a blob does not match its digest, a reference is invalid, or
  // --tag with several images.
  Result<std::vector<ImageSummary>> Import(const std::string& path,
                                           const ImportOptions& options = {});

  // Every image, sorted by first reference (untagged ones last).
  Result<std::vector<ImageSummary>> List() const;

  // The image `reference` names: a name (normalised), NAME@sha256:..., or a
  // bare manifest digest sha256:.... kNotFound when it is not in the store;
  // kInvalidArgument for an invalid reference.
  Result<ImageSummary> Resolve(const std::string& reference) const;

  // Removes a reference; when `reference` is a digest, every reference of
  // that image. An image left with no reference is deleted with its rootfs,
  // and then every blob no remaining image uses. kNotFound as Resolve.
  Result<RemoveOutcome> Remove(const std::string& reference);

  // The unpacked root filesystem of the image with manifest `digest`: layers
  // applied in order into rootfs/<hex>, once; later calls return the same
  // path. Unpacking happens in a temporary directory renamed into place, so
  // a reader never sees a half-unpacked tree. kNotFound for an unknown
  // digest; the errors of ApplyLayer.
  Result<std::string> Unpack(const std::string& digest);

  // The run configuration (Env, Cmd, Entrypoint, WorkingDir, User) of the
  // image with manifest `digest`.
  Result<ImageConfig> Config(const std::string& digest) const;

  const std::string& dir() const { return dir_; }

 private:
  explicit ImageStore(std::string dir) : dir_(std::move(dir)) {}

  std::string dir_;
};

}  // namespace barge::image
