// Runs a bundle made by GenerateBundleSpec with the real runc, from the
// busybox test image unpacked by the image store. Only as root with runc
// installed (apt-get install runc); skipped otherwise.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "executor/oci_bundle_spec.h"
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

// Runs `command` through the shell; its stdout and stderr, and its exit code.
std::pair<std::string, int> Shell(const std::string& command) {
  std::string output;
  FILE* pipe = popen((command + " </dev/null 2>&1").c_str(), "r");
  if (pipe == nullptr) return {"popen failed", -1};
  std::array<char, 4096> buffer{};
  while (size_t n = fread(buffer.data(), 1, buffer.size(), pipe)) output.append(buffer.data(), n);
  int status = pclose(pipe);
  return {output, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
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

TEST(OciBundleRuncTest, BusyboxRunsWithTheGeneratedSpec) {
  if (geteuid() != 0) GTEST_SKIP() << "runc needs root";
  if (Shell("command -v runc").second != 0) GTEST_SKIP() << "runc is not installed";
  if (!fs::exists("/bin/busybox")) GTEST_SKIP() << "busybox-static is not installed";
  std::string dir_template = (fs::temp_directory_path() / "barge-runc-XXXXXX").string();
  ASSERT_NE(mkdtemp(dir_template.data()), nullptr);
  std::string id = "barge-test-" + std::to_string(getpid());
  Cleanup cleanup{.runc = "runc --root " + dir_template + "/state",
                  .id = id,
                  .cgroup_parent = id,
                  .dir = dir_template};
  fs::path dir = dir_template;
  auto [made, made_rc] =
      Shell(std::string(BARGE_BUSYBOX_IMAGE_SCRIPT) + " " + (dir / "layout").string());
  ASSERT_EQ(made_rc, 0) << made;
  Result<std::unique_ptr<image::ImageStore>> store = image::ImageStore::Open(dir / "store");
  ASSERT_TRUE(store) << store.error().message;
  Result<std::vector<image::ImageSummary>> imported = (*store)->Import(dir / "layout");
  ASSERT_TRUE(imported) << imported.error().message;
  std::string digest = imported->at(0).digest;
  Result<std::string> rootfs = (*store)->Unpack(digest);
  ASSERT_TRUE(rootfs) << rootfs.error().message;
  Result<image::ImageConfig> config = (*store)->Config(digest);
  ASSERT_TRUE(config) << config.error().message;

  BundleSpecInput input{
      .command = {"sh", "-c", "echo $AWS_BATCH_JOB_ID; id -u; ulimit -n; touch /x || exit 7"},
      .image = config.value(),
      .batch_environment = {{"AWS_BATCH_JOB_ID", "job-123"}},
      .user = "nobody",
      .etc_passwd = Slurp(fs::path(rootfs.value()) / "etc/passwd"),
      .etc_group = Slurp(fs::path(rootfs.value()) / "etc/group"),
      .ulimits = {{.name = "nofile", .soft_limit = 1234, .hard_limit = 1500}},
      .readonly_root_filesystem = true,
      .memory_mib = 64,
      .millicpus = 500,
      .pids_limit = 64,
      .cgroups_path = "/" + id + "/" + id,
      .rootfs_path = rootfs.value(),
      .host_capabilities = CapabilitiesFromMask(BoundingSet()),
      .hostname = "job-123",
  };
  Result<nlohmann::json> spec = GenerateBundleSpec(input);
  ASSERT_TRUE(spec) << spec.error().message;
  fs::create_directories(dir / "bundle");
  std::ofstream(dir / "bundle" / "config.json") << spec->dump(1);

  auto [output, rc] = Shell(cleanup.runc + " run --bundle " + (dir / "bundle").string() + " " + id);

  // The read-only root refuses `touch /x`, so the shell exits 7.
  EXPECT_EQ(rc, 7) << output;
  EXPECT_EQ(output.substr(0, output.find("touch")), "job-123\n65534\n1234\n") << output;
  EXPECT_TRUE(cleanup.Run().empty());
  EXPECT_FALSE(fs::exists(dir));
}

}  // namespace
}  // namespace barge::executor
