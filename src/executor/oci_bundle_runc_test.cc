// Runs a bundle made by GenerateBundleSpec with the real runc, from the
// busybox test image unpacked by the image store. Only as root with runc
// installed (apt-get install runc); skipped otherwise.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

#include "executor/oci_bundle_spec.h"
#include "executor/test_shell.h"
#include "image/image_store.h"

namespace barge::executor {
namespace {

namespace fs = std::filesystem;

std::string Slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

uint64_t BoundingSet() {
  std::istringstream status(Slurp("/proc/self/status"));
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("CapBnd:", 0) == 0) return std::stoull(line.substr(7), nullptr, 16);
  }
  return 0;
}

// Removes the container, the cgroup parent runc leaves behind in every
// hierarchy (RUNTIME.md), and the scratch directory.
struct Cleanup {
  std::string runc;  // "runc --root DIR"
  std::string id;
  std::string cgroup_parent;
  fs::path dir;
  // The cgroup directories still there afterwards (none, when all went well).
  std::vector<fs::path> Run() const {
    (void)Shell(runc + " delete --force " + id);
    std::error_code ec;
    std::vector<fs::path> left;
    for (const fs::directory_entry& hierarchy : fs::directory_iterator("/sys/fs/cgroup", ec)) {
      fs::path parent = hierarchy.path() / cgroup_parent;
      if (fs::exists(parent, ec) && rmdir(parent.c_str()) != 0) left.push_back(parent);
    }
    fs::remove_all(dir, ec);
    return left;
  }
  ~Cleanup() { (void)Run(); }  // Again, for a test that stopped half way.
};

// Builds, imports and unpacks the busybox test image in a scratch directory.
class OciBundleRuncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "runc needs root";
    if (Shell("command -v runc").second != 0) GTEST_SKIP() << "runc is not installed";
    if (!fs::exists("/bin/busybox")) GTEST_SKIP() << "busybox-static is not installed";
    std::string dir_template = (fs::temp_directory_path() / "barge-runc-XXXXXX").string();
    ASSERT_NE(mkdtemp(dir_template.data()), nullptr);
    dir_ = dir_template;
    id_ = "barge-test-" + std::to_string(getpid());
    cleanup_ = std::make_unique<Cleanup>(Cleanup{.runc = "runc --root " + dir_template + "/state",
                                                 .id = id_,
                                                 .cgroup_parent = id_,
                                                 .dir = dir_});
    auto [made, made_rc] =
        Shell(std::string(BARGE_BUSYBOX_IMAGE_SCRIPT) + " " + (dir_ / "layout").string());
    ASSERT_EQ(made_rc, 0) << made;
    Result<std::unique_ptr<image::ImageStore>> store = image::ImageStore::Open(dir_ / "store");
    ASSERT_TRUE(store) << store.error().message;
    Result<std::vector<image::ImageSummary>> imported = (*store)->Import(dir_ / "layout");
    ASSERT_TRUE(imported) << imported.error().message;
    std::string digest = imported->at(0).digest;
    Result<std::string> rootfs = (*store)->Unpack(digest);
    ASSERT_TRUE(rootfs) << rootfs.error().message;
    Result<image::ImageConfig> config = (*store)->Config(digest);
    ASSERT_TRUE(config) << config.error().message;
    rootfs_ = rootfs.value();
    config_ = config.value();
  }

  // The input every test starts from: the image, its user files, the
  // agent's capabilities, a read-only root (never write into the shared
  // unpacked image) and a cgroup under a parent of the test's own.
  BundleSpecInput BaseInput() const {
    return BundleSpecInput{
        .image = config_,
        .etc_passwd = Slurp(fs::path(rootfs_) / "etc/passwd"),
        .etc_group = Slurp(fs::path(rootfs_) / "etc/group"),
        .readonly_root_filesystem = true,
        .cgroups_path = "/" + id_ + "/" + id_,
        .rootfs_path = rootfs_,
        .host_capabilities = CapabilitiesFromMask(BoundingSet()),
    };
  }

  // Writes the bundle and runs it in the foreground: output and exit code.
  std::pair<std::string, int> RunBundle(const BundleSpecInput& input) {
    Result<nlohmann::json> spec = GenerateBundleSpec(input);
    if (!spec) return {"spec: " + spec.error().message, -1};
    fs::create_directories(dir_ / "bundle");
    std::ofstream(dir_ / "bundle" / "config.json") << spec->dump(1);
    return Shell(cleanup_->runc + " run --bundle " + (dir_ / "bundle").string() + " " + id_);
  }

  void ExpectCleanedUp() {
    EXPECT_TRUE(cleanup_->Run().empty());
    EXPECT_FALSE(fs::exists(dir_));
  }

  fs::path dir_{};
  std::string id_{};
  std::unique_ptr<Cleanup> cleanup_{};  // Runs again at the end, for a test that stopped early.
  std::string rootfs_{};
  image::ImageConfig config_{};
};

TEST_F(OciBundleRuncTest, BusyboxRunsWithTheGeneratedSpec) {
  BundleSpecInput input = BaseInput();
  input.command = {"sh", "-c", "echo $AWS_BATCH_JOB_ID; id -u; ulimit -n; touch /x || exit 7"};
  input.batch_environment = {{"AWS_BATCH_JOB_ID", "job-123"}};
  input.user = "nobody";
  input.ulimits = {{.name = "nofile", .soft_limit = 1234, .hard_limit = 1500}};
  input.memory_mib = 64;
  input.millicpus = 500;
  input.pids_limit = 64;
  input.hostname = "job-123";

  auto [output, rc] = RunBundle(input);

  // The read-only root refuses `touch /x`, so the shell exits 7.
  EXPECT_EQ(rc, 7) << output;
  // runc hands the container's stdout and stderr over as they are, read from
  // two pipes: on a loaded machine the refusal (stderr) has come out ahead
  // of the lines and between them. The stdout lines, without it, in order.
  const std::string refusal = "touch: /x: Read-only file system\n";
  size_t at = output.find(refusal);
  ASSERT_NE(at, std::string::npos) << output;
  std::string stdout_lines = output;
  stdout_lines.erase(at, refusal.size());
  EXPECT_NE(stdout_lines.find("job-123\n65534\n1234\n"), std::string::npos) << output;
  ExpectCleanedUp();
}

TEST_F(OciBundleRuncTest, VolumesTmpfsDevicesAndAnIsolatedNetworkWork) {
  fs::create_directories(dir_ / "host" / "data");
  fs::create_directories(dir_ / "host" / "scratch");
  std::ofstream(dir_ / "host" / "data" / "in.txt") << "from-host\n";
  struct stat null_stat {};
  ASSERT_EQ(stat("/dev/null", &null_stat), 0);
  BundleSpecInput input = BaseInput();
  input.command = {"sh", "-c",
                   "cat /data/in.txt; touch /data/x 2>/dev/null || echo data-ro; "
                   "touch /scratch/x && echo scratch-rw; touch /run/x && echo run-rw; "
                   "df -m /dev/shm | tail -1 | awk '{print $2}'; ls /sys/class/net; "
                   "echo x > /dev/mynull && echo dev-ok; ulimit -c; hostname"};
  input.volumes = {{.name = "data", .host_source_path = (dir_ / "host" / "data").string()},
                   {.name = "scratch"}};
  input.mount_points = {{.container_path = "/data", .read_only = true, .source_volume = "data"},
                        {.container_path = "/scratch", .source_volume = "scratch"}};
  input.anonymous_volume_dirs = {{"scratch", (dir_ / "host" / "scratch").string()}};
  input.ulimits = {{.name = "core", .soft_limit = -1, .hard_limit = -1}};
  input.linux_parameters = LinuxParameters{
      .devices = {{.host_path = "/dev/null",
                   .container_path = "/dev/mynull",
                   .permissions = {"READ", "WRITE"}}},
      .shared_memory_size = 16,
      .tmpfs = {{.container_path = "/run", .size = 8, .mount_options = {"nosuid"}}}};
  input.host_devices = {
      {"/dev/null", HostDevice{.type = 'c',
                               .major = static_cast<int64_t>(major(null_stat.st_rdev)),
                               .minor = static_cast<int64_t>(minor(null_stat.st_rdev))}}};
  input.network = NetworkMode::kIsolated;
  input.hostname = "isolated-1";

  auto [output, rc] = RunBundle(input);

  EXPECT_EQ(rc, 0) << output;
  EXPECT_EQ(output,
            "from-host\ndata-ro\nscratch-rw\nrun-rw\n16\nlo\ndev-ok\nunlimited\nisolated-1\n");
  EXPECT_TRUE(fs::exists(dir_ / "host" / "scratch" / "x"));
  ExpectCleanedUp();
}

TEST_F(OciBundleRuncTest, PrivilegedGetsEveryCapabilityTheAgentHas) {
  BundleSpecInput input = BaseInput();
  input.command = {"sh", "-c",
                   "grep CapEff /proc/self/status; mount -t tmpfs t /tmp && echo mounted"};
  input.privileged = true;
  std::array<char, 32> mask{};
  std::snprintf(mask.data(), mask.size(), "%016llx",
                static_cast<unsigned long long>(BoundingSet()));

  auto [output, rc] = RunBundle(input);

  EXPECT_EQ(rc, 0) << output;
  EXPECT_EQ(output, "CapEff:\t" + std::string(mask.data()) + "\nmounted\n");
  ExpectCleanedUp();
}

}  // namespace
}  // namespace barge::executor
