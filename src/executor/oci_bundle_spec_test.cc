#include "executor/oci_bundle_spec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

namespace barge::executor {
namespace {

using ::testing::ElementsAre;
using Json = nlohmann::json;

BundleSpecInput Base() {
  BundleSpecInput input;
  input.command = {"echo", "hi"};
  input.image.env = {"PATH=/bin"};
  input.image.cmd = {"/bin/sh"};
  input.etc_passwd =
      "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/nonexistent:/bin/false\n";
  input.etc_group = "root:x:0:\nnogroup:x:65534:\n";
  input.rootfs_path = "/store/rootfs/abc";
  return input;
}

Json Generate(const BundleSpecInput& input) {
  Result<Json> spec = GenerateBundleSpec(input);
  EXPECT_TRUE(spec) << spec.error().message;
  return spec ? spec.value() : Json{};
}

Error Fails(const BundleSpecInput& input) {
  Result<Json> spec = GenerateBundleSpec(input);
  EXPECT_FALSE(spec) << spec.value().dump();
  return spec ? Error{} : spec.error();
}

const Json* FindMount(const Json& spec, const std::string& destination) {
  for (const Json& m : spec["mounts"]) {
    if (m["destination"] == destination) return &m;
  }
  return nullptr;
}

std::vector<std::string> Destinations(const Json& spec) {
  std::vector<std::string> out;
  for (const Json& m : spec["mounts"]) out.push_back(m["destination"]);
  return out;
}

// --- args -------------------------------------------------------------------

TEST(OciBundleSpecTest, CommandReplacesTheImagesCmdAndFollowsItsEntrypoint) {
  BundleSpecInput input = Base();
  input.image.entrypoint = {"/entry.sh", "--flag"};

  Json spec = Generate(input);

  EXPECT_EQ(spec["process"]["args"], Json({"/entry.sh", "--flag", "echo", "hi"}));
}

TEST(OciBundleSpecTest, WithoutACommandTheImagesEntrypointAndCmdRun) {
  BundleSpecInput input = Base();
  input.command.clear();
  input.image.entrypoint = {"/entry.sh"};
  input.image.cmd = {"serve", "--port=1"};

  Json spec = Generate(input);

  EXPECT_EQ(spec["process"]["args"], Json({"/entry.sh", "serve", "--port=1"}));
}

TEST(OciBundleSpecTest, NoCommandAnywhereIsAnError) {
  BundleSpecInput input = Base();
  input.command.clear();
  input.image.cmd.clear();

  Error error = Fails(input);

  EXPECT_EQ(error.code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(error.message, ::testing::HasSubstr("no command"));
}

// --- environment ------------------------------------------------------------

TEST(OciBundleSpecTest, EnvironmentLayersLaterWinsInFirstSeenOrder) {
  BundleSpecInput input = Base();
  input.image.env = {"PATH=/usr/bin:/bin", "LANG=C", "A=image"};
  input.definition_environment = {{"A", "definition"}, {"B", "definition"}, {"C", "definition"}};
  input.override_environment = {{"B", "override"}};
  input.batch_environment = {{"AWS_BATCH_JOB_ID", "job-1"}, {"C", "batch"}};

  Json spec = Generate(input);

  EXPECT_EQ(spec["process"]["env"],
            Json({"PATH=/usr/bin:/bin", "LANG=C", "A=definition", "B=override", "C=batch",
                  "AWS_BATCH_JOB_ID=job-1", "HOME=/root"}));
}

TEST(OciBundleSpecTest, PathDefaultsToDockersWhenNobodySetsItAndCanBeOverridden) {
  BundleSpecInput no_path = Base();
  no_path.image.env.clear();
  BundleSpecInput overridden = Base();
  overridden.override_environment = {{"PATH", "/opt/bin"}};

  Json a = Generate(no_path);
  Json b = Generate(overridden);

  EXPECT_EQ(a["process"]["env"][0],
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  EXPECT_EQ(b["process"]["env"][0], "PATH=/opt/bin");
}

TEST(OciBundleSpecTest, HostnameAndHomeAreSetUnlessTheJobSetsThem) {
  BundleSpecInput input = Base();
  input.hostname = "job-1";
  input.definition_environment = {{"HOME", "/work"}};

  Json spec = Generate(input);

  EXPECT_EQ(spec["hostname"], "job-1");
  EXPECT_EQ(spec["process"]["env"], Json({"PATH=/bin", "HOME=/work", "HOSTNAME=job-1"}));
}

TEST(OciBundleSpecTest, VariableNameWithEqualsIsRefused) {
  BundleSpecInput input = Base();
  input.override_environment = {{"A=B", "x"}};

  EXPECT_EQ(Fails(input).code, ErrorCode::kInvalidArgument);
}

// --- working directory, user, root ----------------------------------------------

TEST(OciBundleSpecTest, WorkingDirectoryIsTheImagesOrRoot) {
  BundleSpecInput with_dir = Base();
  with_dir.image.working_dir = "/app";
  BundleSpecInput relative = Base();
  relative.image.working_dir = "app";

  EXPECT_EQ(Generate(Base())["process"]["cwd"], "/");
  EXPECT_EQ(Generate(with_dir)["process"]["cwd"], "/app");
  EXPECT_EQ(Fails(relative).code, ErrorCode::kInvalidArgument);
}

TEST(OciBundleSpecTest, UserIsResolvedInTheImageAndTheJobsUserWinsOverTheImages) {
  BundleSpecInput by_name = Base();
  by_name.user = "nobody";
  by_name.image.user = "0";
  BundleSpecInput image_user = Base();
  image_user.image.user = "1234:5678";
  BundleSpecInput unknown = Base();
  unknown.user = "ghost";

  Json a = Generate(by_name);
  Json b = Generate(image_user);

  EXPECT_EQ(a["process"]["user"], Json({{"uid", 65534}, {"gid", 65534}}));
  EXPECT_EQ(b["process"]["user"], Json({{"uid", 1234}, {"gid", 5678}}));
  EXPECT_EQ(Fails(unknown).message, "user \"ghost\" is not in the image's /etc/passwd");
}

TEST(OciBundleSpecTest, SupplementaryGroupsFromTheImagesGroupFile) {
  BundleSpecInput input = Base();
  input.user = "nobody";
  input.etc_group += "video:x:44:nobody\n";

  Json spec = Generate(input);

  EXPECT_EQ(spec["process"]["user"]["additionalGids"], Json({44}));
}

TEST(OciBundleSpecTest, RootIsThePathGivenAndReadOnlyAsAsked) {
  BundleSpecInput input = Base();
  input.readonly_root_filesystem = true;
  BundleSpecInput relative = Base();
  relative.rootfs_path = "rootfs";

  Json spec = Generate(input);

  EXPECT_EQ(spec["root"], Json({{"path", "/store/rootfs/abc"}, {"readonly", true}}));
  EXPECT_EQ(Generate(Base())["root"]["readonly"], false);
  EXPECT_EQ(Fails(relative).code, ErrorCode::kInvalidArgument);
}

// --- process basics ---------------------------------------------------------------

TEST(OciBundleSpecTest, ProcessHasNoTerminalAndNoNewPrivileges) {
  Json spec = Generate(Base());

  EXPECT_EQ(spec["ociVersion"], "1.0.2");
  EXPECT_EQ(spec["process"]["terminal"], false);
  EXPECT_EQ(spec["process"]["noNewPrivileges"], true);
  EXPECT_FALSE(spec.contains("hostname"));
  EXPECT_FALSE(spec["process"].contains("rlimits"));
}

TEST(OciBundleSpecTest, DockersDefaultCapabilitiesForRootAndOnlyTheBoundingSetForOthers) {
  BundleSpecInput other = Base();
  other.user = "nobody";

  Json root = Generate(Base());
  Json nobody = Generate(other);

  Json caps = kDefaultCapabilities;
  EXPECT_EQ(caps.size(), 14u);
  EXPECT_EQ(root["process"]["capabilities"],
            Json({{"bounding", caps}, {"effective", caps}, {"permitted", caps}}));
  EXPECT_EQ(nobody["process"]["capabilities"]["bounding"], caps);
  EXPECT_EQ(nobody["process"]["capabilities"]["effective"], Json::array());
  EXPECT_EQ(nobody["process"]["capabilities"]["permitted"], Json::array());
}

TEST(OciBundleSpecTest, CapabilitiesAreCutDownToTheHosts) {
  BundleSpecInput input = Base();
  input.privileged = true;
  input.host_capabilities = CapabilitiesFromMask(0x000001fffeffffffULL);

  Json spec = Generate(input);

  Json bounding = spec["process"]["capabilities"]["bounding"];
  EXPECT_EQ(bounding.size(), 40u);
  EXPECT_EQ(std::count(bounding.begin(), bounding.end(), "CAP_SYS_RESOURCE"), 0);
  EXPECT_EQ(std::count(bounding.begin(), bounding.end(), "CAP_SYS_ADMIN"), 1);
}

TEST(OciBundleSpecTest, CapabilitiesFromMaskNamesBitsInOrder) {
  EXPECT_THAT(CapabilitiesFromMask(0b100001), ElementsAre("CAP_CHOWN", "CAP_KILL"));
  EXPECT_EQ(CapabilitiesFromMask(~uint64_t{0}).size(), kAllCapabilities.size());
  EXPECT_EQ(kAllCapabilities[24], "CAP_SYS_RESOURCE");
  EXPECT_EQ(kAllCapabilities[40], "CAP_CHECKPOINT_RESTORE");
}

// --- ulimits ----------------------------------------------------------------------

TEST(OciBundleSpecTest, UlimitsBecomeRlimitsWithMinusOneUnlimited) {
  BundleSpecInput input = Base();
  input.ulimits = {{"nofile", 1024, 4096}, {"core", 0, -1}};

  Json spec = Generate(input);

  EXPECT_EQ(spec["process"]["rlimits"],
            Json::parse(R"([{"type":"RLIMIT_NOFILE","soft":1024,"hard":4096},
                            {"type":"RLIMIT_CORE","soft":0,"hard":18446744073709551615}])"));
}

TEST(OciBundleSpecTest, EveryAwsUlimitNameIsKnown) {
  BundleSpecInput input = Base();
  for (const char* name : {"core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice",
                           "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack"}) {
    input.ulimits.push_back({name, 1, 2});
  }

  Json spec = Generate(input);

  EXPECT_EQ(spec["process"]["rlimits"].size(), 15u);
  EXPECT_EQ(spec["process"]["rlimits"][14]["type"], "RLIMIT_STACK");
}

TEST(OciBundleSpecTest, BadUlimitsAreRefused) {
  BundleSpecInput unknown = Base();
  unknown.ulimits = {{"files", 1, 1}};
  BundleSpecInput inverted = Base();
  inverted.ulimits = {{"nofile", 10, 5}};
  BundleSpecInput twice = Base();
  twice.ulimits = {{"nofile", 1, 1}, {"nofile", 2, 2}};
  BundleSpecInput negative = Base();
  negative.ulimits = {{"nproc", -2, 5}};

  EXPECT_THAT(Fails(unknown).message, ::testing::HasSubstr("ulimit \"files\" is not a known"));
  EXPECT_EQ(Fails(inverted).message, "ulimit \"nofile\" has softLimit 10 above hardLimit 5");
  EXPECT_EQ(Fails(twice).code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(Fails(negative).code, ErrorCode::kInvalidArgument);
}

// --- mounts -----------------------------------------------------------------------

TEST(OciBundleSpecTest, StandardMountsAreThoseOfRuncSpec) {
  Json spec = Generate(Base());

  EXPECT_THAT(Destinations(spec), ElementsAre("/proc", "/dev", "/dev/pts", "/dev/shm",
                                              "/dev/mqueue", "/sys", "/sys/fs/cgroup"));
  EXPECT_EQ(*FindMount(spec, "/sys"),
            Json::parse(R"({"destination":"/sys","type":"sysfs","source":"sysfs",
                            "options":["nosuid","noexec","nodev","ro"]})"));
  EXPECT_EQ(FindMount(spec, "/dev/shm")->at("options").back(), "size=65536k");
}

TEST(OciBundleSpecTest, MountPointsBecomeBindMountsReadOnlyWhenAsked) {
  BundleSpecInput input = Base();
  input.volumes = {{.name = "data", .host_source_path = "/srv/data"}, {.name = "scratch"}};
  input.mount_points = {{.container_path = "/data", .read_only = true, .source_volume = "data"},
                        {.container_path = "/scratch/", .source_volume = "scratch"}};
  input.anonymous_volume_dirs = {{"scratch", "/agent/attempts/a1/volumes/scratch"}};

  Json spec = Generate(input);

  EXPECT_EQ(*FindMount(spec, "/data"),
            Json::parse(R"({"destination":"/data","type":"bind","source":"/srv/data",
                            "options":["rbind","ro"]})"));
  EXPECT_EQ(*FindMount(spec, "/scratch"), Json::parse(R"({"destination":"/scratch","type":"bind",
                            "source":"/agent/attempts/a1/volumes/scratch",
                            "options":["rbind","rw"]})"));
}

TEST(OciBundleSpecTest, AnonymousVolumesListsUsedVolumesWithoutAHostPath) {
  std::vector<Volume> volumes = {{.name = "a", .host_source_path = "/x"},
                                 {.name = "b"},
                                 {.name = "unused"},
                                 {.name = "efs", .aws_only = {{"efsVolumeConfiguration", "{}"}}}};
  std::vector<MountPoint> points = {{.container_path = "/a", .source_volume = "a"},
                                    {.container_path = "/b", .source_volume = "b"},
                                    {.container_path = "/e", .source_volume = "efs"}};

  EXPECT_THAT(AnonymousVolumes(volumes, points), ElementsAre("b"));
}

TEST(OciBundleSpecTest, BadMountPointsAreRefused) {
  BundleSpecInput unknown = Base();
  unknown.mount_points = {{.container_path = "/data", .source_volume = "nope"}};
  BundleSpecInput no_dir = Base();
  no_dir.volumes = {{.name = "v"}};
  no_dir.mount_points = {{.container_path = "/data", .source_volume = "v"}};
  BundleSpecInput twice = Base();
  twice.volumes = {{.name = "v", .host_source_path = "/srv"}};
  twice.mount_points = {{.container_path = "/data", .source_volume = "v"},
                        {.container_path = "/data/", .source_volume = "v"}};
  BundleSpecInput relative = Base();
  relative.volumes = {{.name = "v", .host_source_path = "/srv"}};
  relative.mount_points = {{.container_path = "data", .source_volume = "v"}};
  BundleSpecInput efs = Base();
  efs.volumes = {{.name = "v", .aws_only = {{"efsVolumeConfiguration", "{}"}}}};
  efs.mount_points = {{.container_path = "/data", .source_volume = "v"}};

  EXPECT_EQ(Fails(unknown).message,
            "mount point /data names sourceVolume \"nope\", which is not in volumes");
  EXPECT_EQ(Fails(no_dir).message,
            "volume \"v\" has no host.sourcePath and no per-attempt directory");
  EXPECT_EQ(Fails(twice).message, "two mounts have the containerPath /data");
  EXPECT_EQ(Fails(relative).code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(Fails(efs).code, ErrorCode::kFailedPrecondition);
}

TEST(OciBundleSpecTest, NestedMountsComeAfterTheirParents) {
  BundleSpecInput input = Base();
  input.volumes = {{.name = "v", .host_source_path = "/srv"}};
  input.mount_points = {{.container_path = "/data/inner", .source_volume = "v"},
                        {.container_path = "/data", .source_volume = "v"}};

  Json spec = Generate(input);

  std::vector<std::string> destinations = Destinations(spec);
  EXPECT_THAT(std::vector<std::string>(destinations.end() - 2, destinations.end()),
              ElementsAre("/data", "/data/inner"));
}

TEST(OciBundleSpecTest, TmpfsMountsHaveTheirSizeInMibAndTheirOptions) {
  BundleSpecInput input = Base();
  input.linux_parameters = LinuxParameters{
      .tmpfs = {{.container_path = "/run", .size = 64, .mount_options = {"noexec", "mode=1777"}}}};

  Json spec = Generate(input);

  EXPECT_EQ(*FindMount(spec, "/run"),
            Json::parse(R"({"destination":"/run","type":"tmpfs","source":"tmpfs",
                            "options":["noexec","mode=1777","size=64m"]})"));
}

TEST(OciBundleSpecTest, BadTmpfsIsRefused) {
  BundleSpecInput no_size = Base();
  no_size.linux_parameters = LinuxParameters{.tmpfs = {{.container_path = "/run"}}};
  BundleSpecInput bad_option = Base();
  bad_option.linux_parameters = LinuxParameters{
      .tmpfs = {{.container_path = "/run", .size = 1, .mount_options = {"size=9"}}}};
  BundleSpecInput empty_value = Base();
  empty_value.linux_parameters =
      LinuxParameters{.tmpfs = {{.container_path = "/run", .size = 1, .mount_options = {"mode="}}}};

  EXPECT_EQ(Fails(no_size).message, "tmpfs /run needs a positive size (MiB)");
  EXPECT_EQ(Fails(bad_option).message, "tmpfs /run: mount option \"size=9\" is not supported");
  EXPECT_EQ(Fails(empty_value).code, ErrorCode::kInvalidArgument);
}

TEST(OciBundleSpecTest, SharedMemorySizeSizesDevShm) {
  BundleSpecInput input = Base();
  input.linux_parameters = LinuxParameters{.shared_memory_size = 256};
  BundleSpecInput zero = Base();
  zero.linux_parameters = LinuxParameters{.shared_memory_size = 0};

  Json spec = Generate(input);

  EXPECT_EQ(FindMount(spec, "/dev/shm")->at("options").back(), "size=256m");
  EXPECT_EQ(Fails(zero).code, ErrorCode::kInvalidArgument);
}

// --- init -------------------------------------------------------------------------

TEST(OciBundleSpecTest, InitProcessMountsTheHostsInitAndRunsTheCommandUnderIt) {
  BundleSpecInput input = Base();
  input.linux_parameters = LinuxParameters{.init_process_enabled = true};
  input.init_binary_path = "/usr/bin/tini-static";

  Json spec = Generate(input);

  EXPECT_EQ(spec["process"]["args"], Json({"/sbin/docker-init", "--", "echo", "hi"}));
  EXPECT_EQ(*FindMount(spec, "/sbin/docker-init"),
            Json::parse(R"({"destination":"/sbin/docker-init","type":"bind",
                            "source":"/usr/bin/tini-static","options":["rbind","ro"]})"));
}

TEST(OciBundleSpecTest, InitProcessWithoutAnInitBinaryIsAFailedPrecondition) {
  BundleSpecInput input = Base();
  input.linux_parameters = LinuxParameters{.init_process_enabled = true};

  EXPECT_EQ(Fails(input).code, ErrorCode::kFailedPrecondition);
}

// --- privileged and devices -----------------------------------------------------

TEST(OciBundleSpecTest, UnprivilegedHasDockersMaskedAndReadonlyPathsAndNoDevices) {
  Json spec = Generate(Base());

  EXPECT_EQ(spec["linux"]["maskedPaths"].size(), 10u);
  EXPECT_EQ(spec["linux"]["readonlyPaths"],
            Json({"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}));
  EXPECT_EQ(spec["linux"]["resources"]["devices"],
            Json::parse(R"([{"allow":false,"access":"rwm"}])"));
  EXPECT_FALSE(spec["linux"].contains("devices"));
}

TEST(OciBundleSpecTest, PrivilegedGetsEveryCapabilityEveryDeviceAndNoMasks) {
  BundleSpecInput input = Base();
  input.privileged = true;

  Json spec = Generate(input);

  EXPECT_EQ(spec["process"]["capabilities"]["bounding"], Json(kAllCapabilities));
  EXPECT_EQ(spec["process"]["capabilities"]["effective"], Json(kAllCapabilities));
  EXPECT_EQ(spec["process"]["noNewPrivileges"], false);
  EXPECT_FALSE(spec["linux"].contains("maskedPaths"));
  EXPECT_FALSE(spec["linux"].contains("readonlyPaths"));
  EXPECT_EQ(spec["linux"]["resources"]["devices"],
            Json::parse(R"([{"allow":true,"access":"rwm"}])"));
  EXPECT_EQ(FindMount(spec, "/sys")->at("options").back(), "rw");
}

TEST(OciBundleSpecTest, DevicesAreCreatedAndAllowedWithTheirPermissions) {
  BundleSpecInput input = Base();
  input.linux_parameters =
      LinuxParameters{.devices = {{.host_path = "/dev/fuse", .permissions = {"READ", "WRITE"}},
                                  {.host_path = "/dev/sda", .container_path = "/dev/xvda"}}};
  input.host_devices = {
      {"/dev/fuse", {.type = 'c', .major = 10, .minor = 229}},
      {"/dev/sda", {.type = 'b', .major = 8, .minor = 0, .file_mode = 0660, .gid = 6}}};

  Json spec = Generate(input);

  EXPECT_EQ(spec["linux"]["devices"], Json::parse(R"([
      {"path":"/dev/fuse","type":"c","major":10,"minor":229,"fileMode":438,"uid":0,"gid":0},
      {"path":"/dev/xvda","type":"b","major":8,"minor":0,"fileMode":432,"uid":0,"gid":6}])"));
  EXPECT_EQ(spec["linux"]["resources"]["devices"], Json::parse(R"([
      {"allow":false,"access":"rwm"},
      {"allow":true,"type":"c","major":10,"minor":229,"access":"rw"},
      {"allow":true,"type":"b","major":8,"minor":0,"access":"rwm"}])"));
}

TEST(OciBundleSpecTest, BadDevicesAreRefused) {
  BundleSpecInput missing = Base();
  missing.linux_parameters = LinuxParameters{.devices = {{.host_path = "/dev/nope"}}};
  BundleSpecInput bad_permission = Base();
  bad_permission.linux_parameters =
      LinuxParameters{.devices = {{.host_path = "/dev/fuse", .permissions = {"EXECUTE"}}}};
  bad_permission.host_devices = {{"/dev/fuse", {}}};

  EXPECT_EQ(Fails(missing).message, "device /dev/nope is not a device node on this host");
  EXPECT_EQ(Fails(bad_permission).code, ErrorCode::kInvalidArgument);
}

// --- resources, cgroup, namespaces ------------------------------------------------

TEST(OciBundleSpecTest, MemoryCpuAndPidsLimits) {
  BundleSpecInput input = Base();
  input.memory_mib = 64;
  input.millicpus = 1500;
  input.pids_limit = 100;
  input.cgroups_path = "/barge/a1";

  Json spec = Generate(input);

  const Json& resources = spec["linux"]["resources"];
  EXPECT_EQ(resources["memory"], Json({{"limit", 67108864}, {"swap", 67108864}}));
  EXPECT_EQ(resources["cpu"], Json({{"period", 100000}, {"quota", 150000}, {"shares", 1536}}));
  EXPECT_EQ(resources["pids"], Json({{"limit", 100}}));
  EXPECT_EQ(spec["linux"]["cgroupsPath"], "/barge/a1");
}

TEST(OciBundleSpecTest, NoLimitsWhenNoneAreGiven) {
  Json spec = Generate(Base());

  const Json& resources = spec["linux"]["resources"];
  EXPECT_FALSE(resources.contains("memory"));
  EXPECT_FALSE(resources.contains("cpu"));
  EXPECT_FALSE(resources.contains("pids"));
  EXPECT_FALSE(spec["linux"].contains("cgroupsPath"));
}

TEST(OciBundleSpecTest, MaxSwapAndSwappinessShapeTheMemoryLimit) {
  BundleSpecInput input = Base();
  input.memory_mib = 64;
  input.linux_parameters = LinuxParameters{.max_swap = 32, .swappiness = 10};
  BundleSpecInput bad = Base();
  bad.linux_parameters = LinuxParameters{.swappiness = 101};

  Json spec = Generate(input);

  EXPECT_EQ(spec["linux"]["resources"]["memory"],
            Json({{"limit", 67108864}, {"swap", 100663296}, {"swappiness", 10}}));
  EXPECT_EQ(Fails(bad).code, ErrorCode::kInvalidArgument);
}

TEST(OciBundleSpecTest, HostNetworkByDefaultElseAnEmptyOrAGivenNamespace) {
  BundleSpecInput isolated = Base();
  isolated.network = NetworkMode::kIsolated;
  BundleSpecInput joined = Base();
  joined.network = NetworkMode::kNamespacePath;
  joined.netns_path = "/var/run/netns/h1";
  BundleSpecInput relative = Base();
  relative.network = NetworkMode::kNamespacePath;

  EXPECT_EQ(Generate(Base())["linux"]["namespaces"],
            Json::parse(R"([{"type":"pid"},{"type":"ipc"},{"type":"uts"},{"type":"mount"}])"));
  EXPECT_EQ(Generate(isolated)["linux"]["namespaces"].back(), Json({{"type", "network"}}));
  EXPECT_EQ(Generate(joined)["linux"]["namespaces"].back(),
            Json({{"type", "network"}, {"path", "/var/run/netns/h1"}}));
  EXPECT_EQ(Fails(relative).code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace barge::executor
