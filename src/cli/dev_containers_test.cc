#include "cli/dev_containers.h"
#include "util/executable_path.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "testing/temp_dir.h"

namespace barge::cli {
namespace {

namespace fs = std::filesystem;

class DevContainersTest : public ::testing::Test {
 protected:
  // Creates `dir/name` with `mode`, and returns its path.
  std::string MakeFile(const std::string& dir, const std::string& name, fs::perms mode) {
    fs::create_directories(temp_.path() / dir);
    fs::path path = temp_.path() / dir / name;
    std::ofstream(path) << "#!/bin/sh\n";
    fs::permissions(path, mode);
    return path.string();
  }
  std::string Dir(const std::string& dir) const { return (temp_.path() / dir).string(); }

  barge::testing::TempDir temp_ = std::move(barge::testing::TempDir::Create()).value();
};

TEST_F(DevContainersTest, FindsTheFirstExecutableOnPath) {
  MakeFile("a", "runc", fs::perms::owner_read);  // Not executable: skipped.
  std::string b = MakeFile("b", "runc", fs::perms::owner_all);
  MakeFile("c", "runc", fs::perms::owner_all);
  fs::create_directories(temp_.path() / "d" / "runc");  // A directory: skipped.

  std::string path =
      Dir("missing") + ":" + Dir("d") + ":" + Dir("a") + ":" + Dir("b") + ":" + Dir("c");

  EXPECT_EQ(FindExecutableInPath("runc", path), b);
  EXPECT_EQ(FindExecutableInPath("crun", path), "");
  EXPECT_EQ(FindExecutableInPath("runc", ""), "");
}

TEST_F(DevContainersTest, RuncOnPathAndRootMakeContainersAvailable) {
  std::string runc = MakeFile("bin", "runc", fs::perms::owner_all);

  DevContainerSupport support =
      ProbeDevContainers({.path_env = "/nonexistent:" + Dir("bin"), .is_root = true});

  EXPECT_TRUE(support.available());
  EXPECT_EQ(support.runc, runc);
  EXPECT_EQ(support.unavailable, "");
}

TEST_F(DevContainersTest, BargeRuncOverridesPath) {
  MakeFile("bin", "runc", fs::perms::owner_all);
  std::string mine = MakeFile("opt", "my-runc", fs::perms::owner_all);

  DevContainerSupport support =
      ProbeDevContainers({.path_env = Dir("bin"), .runc_env = mine, .is_root = true});

  EXPECT_EQ(support.runc, mine);
}

TEST_F(DevContainersTest, EachMissingPieceIsNamed) {
  std::string runc = MakeFile("bin", "runc", fs::perms::owner_all);

  DevContainerSupport no_runc = ProbeDevContainers({.path_env = Dir("empty"), .is_root = true});
  DevContainerSupport bad_override = ProbeDevContainers(
      {.path_env = Dir("bin"), .runc_env = Dir("bin") + "/nope", .is_root = true});
  DevContainerSupport not_root = ProbeDevContainers({.path_env = Dir("bin"), .is_root = false});

  EXPECT_FALSE(no_runc.available());
  EXPECT_EQ(no_runc.unavailable, "runc not found on PATH (install runc, or set BARGE_RUNC)");
  EXPECT_FALSE(bad_override.available());
  EXPECT_EQ(bad_override.unavailable,
            "BARGE_RUNC=" + Dir("bin") + "/nope is not an executable file");
  EXPECT_FALSE(not_root.available());
  EXPECT_EQ(not_root.unavailable, "barge dev is not running as root, which runc needs here");
}

}  // namespace
}  // namespace barge::cli
