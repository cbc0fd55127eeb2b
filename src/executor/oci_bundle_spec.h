#pragma once
// The OCI runtime-spec `config.json` (runtime-spec 1.0.2, as runc 1.1 reads
// it) of one container attempt, generated from the job's container
// properties, the image's run configuration and what the executor prepared
// on the host. A pure function: no I/O, no clock. Whatever needs the host
// (the unpacked or overlaid rootfs, directories for anonymous volumes, the
// type and numbers of device nodes, the image's /etc/passwd, the agent's
// capability bounding set) is read by the caller and passed in.
//
// The mapping of every AWS field, and what is ignored and why, is in
// docs/containers.md ("Bundle generation"). Any thread.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/job_definition.h"
#include "core/result.h"
#include "image/image_config.h"

namespace barge::executor {

enum class NetworkMode {
  kHost,           // No network namespace: the job sees the host's interfaces (the default).
  kIsolated,       // A new, empty network namespace (loopback only, down).
  kNamespacePath,  // Join the namespace at `netns_path` (e.g. /var/run/netns/NAME).
};

// A device node on the host, as stat(2) gave it: what linux.devices needs.
struct HostDevice {
  char type = 'c';  // 'c' or 'b'.
  int64_t major = 0;
  int64_t minor = 0;
  uint32_t file_mode = 0666;  // Permission bits only.
  uint32_t uid = 0;
  uint32_t gid = 0;
};

struct BundleSpecInput {
  // --- What runs ----------------------------------------------------------
  // The job's command after Ref:: substitution. Docker's rule: the image's
  // Entrypoint, then this command, or the image's Cmd when this is empty.
  std::vector<std::string> command{};
  image::ImageConfig image{};  // Env, Entrypoint, Cmd, WorkingDir, User.
  // Environment layers; a later layer wins over an earlier one and over the
  // image's Env: the job definition's, then the submit overrides', then the
  // AWS_BATCH_* variables the agent sets.
  std::vector<KeyValuePair> definition_environment{};
  std::vector<KeyValuePair> override_environment{};
  std::map<std::string, std::string> batch_environment{};
  // containerProperties.user: "name", "uid", "uid:gid", "name:group". Empty:
  // the image's User, else root.
  std::optional<std::string> user{};
  std::string etc_passwd{};  // The image's /etc/passwd content ("" when it has none).
  std::string etc_group{};   // The image's /etc/group content.

  // --- The AWS container properties it honours ----------------------------
  std::vector<Volume> volumes{};
  std::vector<MountPoint> mount_points{};
  std::vector<Ulimit> ulimits{};
  bool readonly_root_filesystem = false;
  bool privileged = false;
  std::optional<LinuxParameters> linux_parameters{};

  // --- Resources ----------------------------------------------------------
  int64_t memory_mib = 0;      // 0: no limit.
  int64_t millicpus = 0;       // 1000 per vCPU; 0: no quota.
  int64_t pids_limit = 0;      // 0: no limit.
  std::string cgroups_path{};  // linux.cgroupsPath, "/barge/<attempt>"; empty: runc's default.

  // --- Prepared by the caller on the host ---------------------------------
  // Absolute path of the root filesystem: the shared read-only unpacked
  // image when readonly_root_filesystem, else the attempt's writable overlay.
  std::string rootfs_path{};
  // For each volume without host.sourcePath: an empty per-attempt directory.
  std::map<std::string, std::string> anonymous_volume_dirs{};
  // For each linuxParameters.devices[].hostPath: what the host has there.
  std::map<std::string, HostDevice> host_devices{};
  // A static init (tini, catatonit, docker-init) on the host, needed for
  // initProcessEnabled: it is bind-mounted read-only at /sbin/docker-init
  // and runs the command as `/sbin/docker-init -- ARGS...`, as Docker does.
  std::string init_binary_path{};
  // The capabilities the agent can grant (its bounding set, as names like
  // "CAP_CHOWN"). Every capability set is cut down to these, so that a
  // privileged job does not ask runc for one the host lacks. Empty: every
  // capability the kernel knows (kAllCapabilities).
  std::vector<std::string> host_capabilities{};

  // --- Isolation ----------------------------------------------------------
  NetworkMode network = NetworkMode::kHost;
  std::string netns_path{};       // For kNamespacePath.
  std::string hostname{};         // Empty: the UTS namespace keeps the host's name.
  bool no_new_privileges = true;  // Ignored (false) for privileged jobs.
};

// Docker's default capability set for an unprivileged container.
extern const std::vector<std::string> kDefaultCapabilities;
// Every capability of Linux 5.9+ (CAP_CHOWN .. CAP_CHECKPOINT_RESTORE).
extern const std::vector<std::string> kAllCapabilities;

// The config.json. kInvalidArgument, naming the field, when the input cannot
// be honoured: no command and no image Entrypoint/Cmd; a user not in the
// image's /etc/passwd (or group not in /etc/group); a relative path; an
// unknown sourceVolume, a volume with neither a host path nor a directory,
// a mount point declared twice; an unknown ulimit name, soft above hard; a
// device with no HostDevice, a bad permission; a tmpfs without a size or
// with an unknown mount option; a non-positive sharedMemorySize.
// kFailedPrecondition when initProcessEnabled is set but no init binary is
// configured, or an EFS volume is used.
Result<nlohmann::json> GenerateBundleSpec(const BundleSpecInput& input);

// The names of the volumes that mount points use and that have no host
// path: the caller creates one empty directory per attempt for each.
std::vector<std::string> AnonymousVolumes(const std::vector<Volume>& volumes,
                                          const std::vector<MountPoint>& mount_points);

// Capability names for a bounding-set mask as /proc/self/status CapBnd
// shows it (hex, e.g. "000001fffeffffff").
std::vector<std::string> CapabilitiesFromMask(uint64_t mask);

}  // namespace barge::executor
