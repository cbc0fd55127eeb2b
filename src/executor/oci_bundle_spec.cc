#include "executor/oci_bundle_spec.h"

#include <algorithm>
#include <set>
#include <string_view>
#include <utility>

#include "executor/container_user.h"
#include "executor/oci_bundle_mounts.h"

namespace barge::executor {

using Json = nlohmann::json;

const std::vector<std::string> kDefaultCapabilities = {
    "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
    "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
    "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
    "CAP_KILL",    "CAP_AUDIT_WRITE",
};

// Indexed by capability number.
const std::vector<std::string> kAllCapabilities = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};

namespace {

constexpr std::string_view kDefaultPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
constexpr std::string_view kInitPath = "/sbin/docker-init";
constexpr int64_t kMib = 1024 * 1024;
constexpr int64_t kCpuPeriodUs = 100000;
constexpr uint64_t kRlimitInfinity = ~uint64_t{0};

// Docker's defaults for an unprivileged container.
const std::vector<std::string> kMaskedPaths = {
    "/proc/acpi",          "/proc/asound",     "/proc/kcore",       "/proc/keys",
    "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
    "/sys/firmware",       "/proc/scsi",
};
const std::vector<std::string> kReadonlyPaths = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

// AWS ulimit names (Docker's) to runtime-spec rlimit types.
const std::map<std::string, std::string, std::less<>> kUlimitNames = {
    {"core", "RLIMIT_CORE"},         {"cpu", "RLIMIT_CPU"},
    {"data", "RLIMIT_DATA"},         {"fsize", "RLIMIT_FSIZE"},
    {"locks", "RLIMIT_LOCKS"},       {"memlock", "RLIMIT_MEMLOCK"},
    {"msgqueue", "RLIMIT_MSGQUEUE"}, {"nice", "RLIMIT_NICE"},
    {"nofile", "RLIMIT_NOFILE"},     {"nproc", "RLIMIT_NPROC"},
    {"rss", "RLIMIT_RSS"},           {"rtprio", "RLIMIT_RTPRIO"},
    {"rttime", "RLIMIT_RTTIME"},     {"sigpending", "RLIMIT_SIGPENDING"},
    {"stack", "RLIMIT_STACK"},
};

// --- Process ---------------------------------------------------------------

Result<std::vector<std::string>> Args(const BundleSpecInput& input, bool with_init) {
  std::vector<std::string> args = input.image.entrypoint;
  const std::vector<std::string>& rest = input.command.empty() ? input.image.cmd : input.command;
  args.insert(args.end(), rest.begin(), rest.end());
  if (args.empty()) {
    return InvalidArgument(
        "no command to run: the job has none and the image has no "
        "Entrypoint or Cmd");
  }
  if (with_init) args.insert(args.begin(), {std::string(kInitPath), "--"});
  return args;
}

// Image Env, then each layer; a later value wins but a variable keeps the
// place it first appeared in.
class EnvBuilder {
 public:
  void Set(std::string name, std::string value) {
    auto [it, inserted] = index_.try_emplace(name, entries_.size());
    if (inserted) {
      entries_.emplace_back(std::move(name), std::move(value));
    } else {
      entries_[it->second].second = std::move(value);
    }
  }
  void SetIfMissing(std::string name, std::string value) {
    if (!index_.contains(name)) Set(std::move(name), std::move(value));
  }
  std::vector<std::string> Build() const {
    std::vector<std::string> out;
    out.reserve(entries_.size());
    for (const auto& [name, value] : entries_) out.push_back(name + "=" + value);
    return out;
  }

 private:
  std::vector<std::pair<std::string, std::string>> entries_{};
  std::map<std::string, size_t, std::less<>> index_{};
};

Result<std::vector<std::string>> Environment(const BundleSpecInput& input,
                                             const ContainerUser& user) {
  EnvBuilder env;
  for (const std::string& entry : input.image.env) {
    size_t eq = entry.find('=');
    if (eq == 0) continue;  // "=x" names nothing; Docker drops it too.
    if (eq == std::string::npos) {
      env.Set(entry, "");
    } else {
      env.Set(entry.substr(0, eq), entry.substr(eq + 1));
    }
  }
  auto add_layer = [&](const std::vector<KeyValuePair>& layer) -> Status {
    for (const KeyValuePair& pair : layer) {
      if (pair.name.empty() || pair.name.find('=') != std::string::npos) {
        return InvalidArgument("environment variable name \"" + pair.name + "\" is not valid");
      }
      env.Set(pair.name, pair.value);
    }
    return Ok();
  };
  BARGE_RETURN_IF_ERROR(add_layer(input.definition_environment));
  BARGE_RETURN_IF_ERROR(add_layer(input.override_environment));
  for (const auto& [name, value] : input.batch_environment) env.Set(name, value);
  env.SetIfMissing("PATH", std::string(kDefaultPath));
  if (!input.hostname.empty()) env.SetIfMissing("HOSTNAME", input.hostname);
  env.SetIfMissing("HOME", user.home);
  return env.Build();
}

std::vector<std::string> Intersect(const std::vector<std::string>& wanted,
                                   const std::vector<std::string>& host) {
  if (host.empty()) return wanted;
  std::vector<std::string> out;
  for (const std::string& cap : wanted) {
    if (std::find(host.begin(), host.end(), cap) != host.end()) out.push_back(cap);
  }
  return out;
}

Json Capabilities(const BundleSpecInput& input, uint32_t uid) {
  std::vector<std::string> caps = Intersect(
      input.privileged ? kAllCapabilities : kDefaultCapabilities, input.host_capabilities);
  // As Docker since CVE-2022-24769: a non-root user gets the bounding set
  // only, so it gains capabilities through setuid/file caps, never for free.
  std::vector<std::string> active = uid == 0 ? caps : std::vector<std::string>{};
  return Json{{"bounding", caps}, {"effective", active}, {"permitted", active}};
}

Result<Json> Rlimits(const std::vector<Ulimit>& ulimits) {
  Json out = Json::array();
  std::set<std::string, std::less<>> seen;
  auto value = [](int32_t v) -> std::optional<uint64_t> {
    if (v == -1) return kRlimitInfinity;  // Docker's "unlimited".
    if (v < 0) return std::nullopt;
    return static_cast<uint64_t>(v);
  };
  for (const Ulimit& ulimit : ulimits) {
    auto it = kUlimitNames.find(ulimit.name);
    if (it == kUlimitNames.end()) {
      return InvalidArgument("ulimit \"" + ulimit.name +
                             "\" is not a known limit (core, cpu, "
                             "data, fsize, locks, memlock, msgqueue, nice, nofile, nproc, rss, "
                             "rtprio, rttime, sigpending, stack)");
    }
    if (!seen.insert(ulimit.name).second) {
      return InvalidArgument("ulimit \"" + ulimit.name + "\" is given twice");
    }
    std::optional<uint64_t> soft = value(ulimit.soft_limit);
    std::optional<uint64_t> hard = value(ulimit.hard_limit);
    if (!soft || !hard) {
      return InvalidArgument("ulimit \"" + ulimit.name +
                             "\" has a negative limit (-1 means "
                             "unlimited)");
    }
    if (*soft > *hard) {
      return InvalidArgument("ulimit \"" + ulimit.name + "\" has softLimit " +
                             std::to_string(ulimit.soft_limit) + " above hardLimit " +
                             std::to_string(ulimit.hard_limit));
    }
    out.push_back(Json{{"type", it->second}, {"hard", *hard}, {"soft", *soft}});
  }
  return out;
}

// --- Resources and namespaces -----------------------------------------------

Result<Json> Resources(const BundleSpecInput& input, Json device_rules) {
  Json resources{{"devices", std::move(device_rules)}};
  if (input.memory_mib > 0) {
    int64_t limit = input.memory_mib * kMib;
    int64_t swap = limit;
    if (input.linux_parameters) {
      const LinuxParameters& params = *input.linux_parameters;
      if (params.max_swap && *params.max_swap > 0) swap += int64_t{*params.max_swap} * kMib;
    }
    resources["memory"] = Json{{"limit", limit}, {"swap", swap}};
  }
  if (input.linux_parameters && input.linux_parameters->swappiness) {
    int32_t swappiness = *input.linux_parameters->swappiness;
    if (swappiness < 0 || swappiness > 100) {
      return InvalidArgument("linuxParameters.swappiness must be 0 to 100, got " +
                             std::to_string(swappiness));
    }
    resources["memory"]["swappiness"] = swappiness;
  }
  if (input.millicpus > 0) {
    resources["cpu"] = Json{{"period", kCpuPeriodUs},
                            {"quota", input.millicpus * kCpuPeriodUs / 1000},
                            {"shares", std::max<int64_t>(2, input.millicpus * 1024 / 1000)}};
  }
  if (input.pids_limit > 0) resources["pids"] = Json{{"limit", input.pids_limit}};
  return resources;
}

Result<Json> Namespaces(const BundleSpecInput& input) {
  Json namespaces = Json::array({Json{{"type", "pid"}}, Json{{"type", "ipc"}},
                                 Json{{"type", "uts"}}, Json{{"type", "mount"}}});
  switch (input.network) {
    case NetworkMode::kHost:
      break;
    case NetworkMode::kIsolated:
      namespaces.push_back(Json{{"type", "network"}});
      break;
    case NetworkMode::kNamespacePath:
      if (!IsAbsolutePath(input.netns_path)) {
        return InvalidArgument("network namespace path \"" + input.netns_path +
                               "\" is not absolute");
      }
      namespaces.push_back(Json{{"type", "network"}, {"path", input.netns_path}});
      break;
  }
  return namespaces;
}

}  // namespace

Result<Json> GenerateBundleSpec(const BundleSpecInput& input) {
  if (!IsAbsolutePath(input.rootfs_path)) {
    return InvalidArgument("rootfs path \"" + input.rootfs_path + "\" is not absolute");
  }
  bool with_init =
      input.linux_parameters && input.linux_parameters->init_process_enabled.value_or(false);
  if (with_init && input.init_binary_path.empty()) {
    return FailedPrecondition(
        "linuxParameters.initProcessEnabled needs an init binary (tini or "
        "catatonit) on this host, and none is configured");
  }
  Result<std::vector<std::string>> args = Args(input, with_init);
  if (!args) return args.error();
  std::string cwd = input.image.working_dir.empty() ? "/" : input.image.working_dir;
  if (!IsAbsolutePath(cwd)) {
    return InvalidArgument("the image's WorkingDir \"" + cwd + "\" is not absolute");
  }

  std::string user_spec = input.user.value_or("");
  if (user_spec.empty()) user_spec = input.image.user;
  Result<ContainerUser> user = ResolveContainerUser(user_spec, input.etc_passwd, input.etc_group);
  if (!user) return user.error();
  Result<std::vector<std::string>> env = Environment(input, user.value());
  if (!env) return env.error();
  Result<Json> rlimits = Rlimits(input.ulimits);
  if (!rlimits) return rlimits.error();

  Json process{{"terminal", false},
               {"user", Json{{"uid", user->uid}, {"gid", user->gid}}},
               {"args", args.value()},
               {"env", env.value()},
               {"cwd", cwd},
               {"capabilities", Capabilities(input, user->uid)},
               {"noNewPrivileges", input.no_new_privileges && !input.privileged}};
  if (!user->additional_gids.empty()) process["user"]["additionalGids"] = user->additional_gids;
  if (!rlimits->empty()) process["rlimits"] = rlimits.value();

  Result<Json> mounts = BundleMounts(input, with_init ? std::string(kInitPath) : std::string());
  if (!mounts) return mounts.error();

  Result<BundleDevices> devices = BundleDeviceRules(input);
  if (!devices) return devices.error();
  Result<Json> resources = Resources(input, devices->cgroup);
  if (!resources) return resources.error();
  Result<Json> namespaces = Namespaces(input);
  if (!namespaces) return namespaces.error();

  Json linux{{"resources", resources.value()}, {"namespaces", namespaces.value()}};
  if (!devices->nodes.empty()) linux["devices"] = devices->nodes;
  if (!input.cgroups_path.empty()) linux["cgroupsPath"] = input.cgroups_path;
  if (!input.privileged) {
    linux["maskedPaths"] = kMaskedPaths;
    linux["readonlyPaths"] = kReadonlyPaths;
  }

  Json spec{
      {"ociVersion", "1.0.2"},
      {"process", std::move(process)},
      {"root", Json{{"path", input.rootfs_path}, {"readonly", input.readonly_root_filesystem}}},
      {"mounts", std::move(mounts).value()},
      {"linux", std::move(linux)}};
  if (!input.hostname.empty()) spec["hostname"] = input.hostname;
  return spec;
}

std::vector<std::string> AnonymousVolumes(const std::vector<Volume>& volumes,
                                          const std::vector<MountPoint>& mount_points) {
  std::vector<std::string> out;
  for (const Volume& volume : volumes) {
    if (volume.host_source_path || volume.aws_only.contains("efsVolumeConfiguration")) continue;
    bool used = std::any_of(mount_points.begin(), mount_points.end(),
                            [&](const MountPoint& m) { return m.source_volume == volume.name; });
    if (used) out.push_back(volume.name);
  }
  return out;
}

std::vector<std::string> CapabilitiesFromMask(uint64_t mask) {
  std::vector<std::string> out;
  for (size_t bit = 0; bit < kAllCapabilities.size(); ++bit) {
    if (mask & (uint64_t{1} << bit)) out.push_back(kAllCapabilities[bit]);
  }
  return out;
}

}  // namespace barge::executor
