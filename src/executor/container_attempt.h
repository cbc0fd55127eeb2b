#pragma once
// ContainerPreparer: lays out a container attempt on this host before its
// monitor is forked (the monitor then starts runc on it, executor/monitor.h).
//
//   - resolves the assignment's image in the local image store; an image
//     that is not there fails the attempt with CannotPullContainerError;
//   - unpacks it once per manifest digest (image/image_store.h) and keeps
//     its run configuration and /etc/passwd, /etc/group in memory;
//   - writes <attempt>/bundle/config.json (executor/oci_bundle_spec.h) whose
//     root is <attempt>/bundle/rootfs: an overlay of the shared, read-only
//     unpacked image and the attempt's own writable upper/ directory, even
//     for readonlyRootFilesystem (runc creates mount points in the root
//     before making it read-only, and those must not land in the image);
//   - creates the anonymous volumes' directories (<attempt>/volumes/NAME)
//     and looks up the devices the job asks for.
//
// The overlay is mounted by the monitor's child in a mount namespace of its
// own, so it disappears with the container and never needs unmounting.
// Limits are not in config.json: the attempt's cgroups (the parent of the
// group runc makes, linux.cgroupsPath = /<parent>/<attempt>/container) hold
// them, so that the executor reads the OOM outcome from a group runc does
// not delete.
//
// One thread (the executor's).
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "executor/oci_bundle_spec.h"
#include "image/image_config.h"
#include "image/image_store.h"
#include "protocol/messages.h"

namespace barge::executor {

// Reasons of an attempt that never ran, as AWS Batch words them.
inline constexpr std::string_view kReasonCannotPull = "CannotPullContainerError: ";

// The cgroup runc makes for the container, under the attempt's own groups.
inline constexpr std::string_view kRuntimeCgroupLeaf = "container";

struct ContainerOptions {
  std::string runc_path{};        // The runtime binary; empty: this host runs no containers.
  std::string image_store_dir{};  // The local image store (image/image_store.h).
  // A static init for linuxParameters.initProcessEnabled (tini-static,
  // docker-init); empty: such jobs fail to start, saying so.
  std::string init_binary_path{};
  NetworkMode network = NetworkMode::kHost;
  std::string netns_path{};  // For NetworkMode::kNamespacePath.
  // What the agent can grant privileged jobs (CapBnd); empty: every capability.
  std::vector<std::string> host_capabilities{};
};

// How the monitor's child starts the prepared container.
struct ContainerLaunch {
  std::vector<std::string> argv{};  // runc --root ... run --bundle ... ID
  std::string bundle_dir{};
  std::string overlay_target{};   // <attempt>/bundle/rootfs
  std::string overlay_options{};  // lowerdir=...,upperdir=...,workdir=...
  std::string pid_file{};         // Written by runc once the container started.
  std::string runtime_log{};      // runc's own log (JSON lines): why it failed.
};

class ContainerPreparer {
 public:
  // The image store is opened (and created when missing) by the first Find.
  static std::unique_ptr<ContainerPreparer> Create(ContainerOptions options);

  // The image `reference` (an assignment's `image`) names in the store. On
  // error the message is the attempt's whole reason: CannotPullContainerError
  // for an image that is not there, CannotStartContainerError for none at
  // all. When it is not `unpacked` yet — which can take long — the caller
  // unpacks it off its thread with UnpackInStore() before Prepare().
  Result<image::ImageSummary> Find(const std::string& reference);

  // Prepares attempt `a`, whose image Find() gave as `found`, in
  // `attempt_dir` (which exists). On error the message is the attempt's whole
  // reason, "CannotPullContainerError: ..." or "CannotStartContainerError:
  // ...", and what was made in attempt_dir stays for the caller to remove.
  Result<ContainerLaunch> Prepare(const protocol::Assignment& a, const image::ImageSummary& found,
                                  const std::filesystem::path& attempt_dir,
                                  const std::string& cgroup_parent);

  // Unpacks `digest` in the store at `store_dir` through a handle of its own:
  // any thread.
  static Status UnpackInStore(const std::string& store_dir, const std::string& digest);

  const ContainerOptions& options() const { return options_; }

 private:
  struct Image {
    std::string rootfs{};
    image::ImageConfig config{};
    std::string etc_passwd{};
    std::string etc_group{};
  };
  explicit ContainerPreparer(ContainerOptions options) : options_(std::move(options)) {}
  // The unpacked image `found` (named `reference`), from the cache or the store.
  Result<const Image*> Load(const image::ImageSummary& found, const std::string& reference);
  Status OpenStore();

  ContainerOptions options_;
  std::unique_ptr<image::ImageStore> store_{};
  std::map<std::string, Image, std::less<>> images_{};  // By manifest digest.
};

// Where runc writes the container's init pid (host pid namespace) for the
// attempt whose directory is `attempt_dir`.
std::string ContainerPidFile(const std::filesystem::path& attempt_dir);

// `path` escaped for an overlay mount option (backslash before \ , and :).
std::string EscapeOverlayPath(std::string_view path);

}  // namespace barge::executor
