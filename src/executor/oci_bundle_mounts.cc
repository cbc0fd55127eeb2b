#include "executor/oci_bundle_mounts.h"

#include <algorithm>
#include <set>
#include <string_view>
#include <utility>

namespace barge::executor {

using Json = nlohmann::json;

bool IsAbsolutePath(std::string_view path) { return !path.empty() && path.front() == '/'; }

namespace {

// The tmpfs mount options AWS accepts; those in kTmpfsValued take "=VALUE".
const std::set<std::string, std::less<>> kTmpfsFlags = {
    "defaults",   "ro",          "rw",         "suid",        "nosuid",        "dev",     "nodev",
    "exec",       "noexec",      "sync",       "async",       "dirsync",       "remount", "mand",
    "nomand",     "atime",       "noatime",    "diratime",    "nodiratime",    "bind",    "rbind",
    "unbindable", "runbindable", "private",    "rprivate",    "shared",        "rshared", "slave",
    "rslave",     "relatime",    "norelatime", "strictatime", "nostrictatime",
};
const std::set<std::string, std::less<>> kTmpfsValued = {"mode",      "uid",       "gid",
                                                         "nr_inodes", "nr_blocks", "mpol"};

// "/data/" -> "/data"; "/" stays.
std::string CleanPath(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

size_t Depth(std::string_view path) { return std::count(path.begin(), path.end(), '/'); }

// --- Mounts ----------------------------------------------------------------

Json Mount(std::string destination, std::string type, std::string source,
           std::vector<std::string> options) {
  Json m{{"destination", std::move(destination)},
         {"type", std::move(type)},
         {"source", std::move(source)}};
  if (!options.empty()) m["options"] = std::move(options);
  return m;
}

// What `runc spec` generates; /dev/shm sized by sharedMemorySize, /sys and
// the cgroup tree writable for a privileged job (as Docker does).
Result<Json> StandardMounts(const BundleSpecInput& input) {
  std::string shm_size = "size=65536k";
  if (input.linux_parameters && input.linux_parameters->shared_memory_size) {
    int32_t mib = *input.linux_parameters->shared_memory_size;
    if (mib <= 0) {
      return InvalidArgument("linuxParameters.sharedMemorySize must be positive, got " +
                             std::to_string(mib));
    }
    shm_size = "size=" + std::to_string(mib) + "m";
  }
  std::string sys_mode = input.privileged ? "rw" : "ro";
  return Json::array({
      Mount("/proc", "proc", "proc", {}),
      Mount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
      Mount("/dev/pts", "devpts", "devpts",
            {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}),
      Mount("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", shm_size}),
      Mount("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
      Mount("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", sys_mode}),
      Mount("/sys/fs/cgroup", "cgroup", "cgroup",
            {"nosuid", "noexec", "nodev", "relatime", sys_mode}),
  });
}

Status CheckTmpfsOption(const std::string& path, const std::string& option) {
  size_t eq = option.find('=');
  bool ok =
      eq == std::string::npos
          ? kTmpfsFlags.contains(option)
          : kTmpfsValued.contains(std::string_view(option).substr(0, eq)) && eq + 1 < option.size();
  if (ok) return Ok();
  return InvalidArgument("tmpfs " + path + ": mount option \"" + option + "\" is not supported");
}

// tmpfs and volume mounts, in an order where a parent comes before what is
// mounted inside it (Docker sorts the same way).
Result<std::vector<Json>> UserMounts(const BundleSpecInput& input) {
  std::vector<std::pair<std::string, Json>> mounts;  // (destination, mount)
  std::set<std::string> destinations;
  auto claim = [&](const std::string& raw, std::string_view what) -> Result<std::string> {
    std::string path = CleanPath(raw);
    if (!IsAbsolutePath(path)) {
      return InvalidArgument(std::string(what) + " containerPath \"" + raw + "\" is not absolute");
    }
    if (path == "/") return InvalidArgument(std::string(what) + " cannot be mounted at /");
    if (!destinations.insert(path).second) {
      return InvalidArgument("two mounts have the containerPath " + path);
    }
    return path;
  };

  if (input.linux_parameters) {
    for (const Tmpfs& tmpfs : input.linux_parameters->tmpfs) {
      Result<std::string> path = claim(tmpfs.container_path, "tmpfs");
      if (!path) return path.error();
      if (tmpfs.size <= 0) {
        return InvalidArgument("tmpfs " + path.value() + " needs a positive size (MiB)");
      }
      std::vector<std::string> options;
      for (const std::string& option : tmpfs.mount_options) {
        BARGE_RETURN_IF_ERROR(CheckTmpfsOption(path.value(), option));
        options.push_back(option);
      }
      options.push_back("size=" + std::to_string(tmpfs.size) + "m");
      mounts.emplace_back(path.value(), Mount(path.value(), "tmpfs", "tmpfs", options));
    }
  }

  for (const MountPoint& point : input.mount_points) {
    Result<std::string> path = claim(point.container_path, "mount point");
    if (!path) return path.error();
    auto volume = std::find_if(input.volumes.begin(), input.volumes.end(),
                               [&](const Volume& v) { return v.name == point.source_volume; });
    if (volume == input.volumes.end()) {
      return InvalidArgument("mount point " + path.value() + " names sourceVolume \"" +
                             point.source_volume + "\", which is not in volumes");
    }
    std::string source;
    if (volume->host_source_path) {
      source = *volume->host_source_path;
      if (!IsAbsolutePath(source)) {
        return InvalidArgument("volume \"" + volume->name + "\" host.sourcePath \"" + source +
                               "\" is not absolute");
      }
    } else if (volume->aws_only.contains("efsVolumeConfiguration")) {
      return FailedPrecondition("volume \"" + volume->name +
                                "\" is an EFS volume, which barge cannot mount");
    } else {
      auto dir = input.anonymous_volume_dirs.find(volume->name);
      if (dir == input.anonymous_volume_dirs.end()) {
        return InvalidArgument("volume \"" + volume->name +
                               "\" has no host.sourcePath and no per-attempt directory");
      }
      source = dir->second;
    }
    bool read_only = point.read_only.value_or(false);
    mounts.emplace_back(path.value(),
                        Mount(path.value(), "bind", source, {"rbind", read_only ? "ro" : "rw"}));
  }

  std::stable_sort(mounts.begin(), mounts.end(),
                   [](const auto& a, const auto& b) { return Depth(a.first) < Depth(b.first); });
  std::vector<Json> out;
  for (auto& [path, mount] : mounts) out.push_back(std::move(mount));
  return out;
}

// --- Devices ---------------------------------------------------------------

}  // namespace

Result<BundleDevices> BundleDeviceRules(const BundleSpecInput& input) {
  BundleDevices rules;
  rules.cgroup.push_back(Json{{"allow", input.privileged}, {"access", "rwm"}});
  if (!input.linux_parameters) return rules;
  for (const Device& device : input.linux_parameters->devices) {
    if (!IsAbsolutePath(device.host_path)) {
      return InvalidArgument("device hostPath \"" + device.host_path + "\" is not absolute");
    }
    std::string container_path =
        device.container_path.empty() ? device.host_path : device.container_path;
    if (!IsAbsolutePath(container_path)) {
      return InvalidArgument("device containerPath \"" + container_path + "\" is not absolute");
    }
    auto host = input.host_devices.find(device.host_path);
    if (host == input.host_devices.end()) {
      return InvalidArgument("device " + device.host_path + " is not a device node on this host");
    }
    std::string access;
    for (const std::string& permission : device.permissions) {
      if (permission == "READ") {
        access += 'r';
      } else if (permission == "WRITE") {
        access += 'w';
      } else if (permission == "MKNOD") {
        access += 'm';
      } else {
        return InvalidArgument("device " + device.host_path + ": permission \"" + permission +
                               "\" is not READ, WRITE or MKNOD");
      }
    }
    if (access.empty()) access = "rwm";
    const HostDevice& node = host->second;
    std::string type(1, node.type);
    rules.nodes.push_back(Json{{"path", container_path},
                               {"type", type},
                               {"major", node.major},
                               {"minor", node.minor},
                               {"fileMode", node.file_mode},
                               {"uid", node.uid},
                               {"gid", node.gid}});
    rules.cgroup.push_back(Json{{"allow", true},
                                {"type", type},
                                {"major", node.major},
                                {"minor", node.minor},
                                {"access", access}});
  }
  return rules;
}

Result<Json> BundleMounts(const BundleSpecInput& input, const std::string& init_path) {
  Result<Json> mounts = StandardMounts(input);
  if (!mounts) return mounts.error();
  Json all = std::move(mounts).value();
  if (!init_path.empty()) {
    all.push_back(Mount(init_path, "bind", input.init_binary_path, {"rbind", "ro"}));
  }
  Result<std::vector<Json>> user_mounts = UserMounts(input);
  if (!user_mounts) return user_mounts.error();
  for (Json& mount : std::move(user_mounts).value()) all.push_back(std::move(mount));
  return all;
}

}  // namespace barge::executor
