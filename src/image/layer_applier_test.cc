#include "image/layer_applier.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "image/test_image_builder.h"
#include "testing/temp_dir.h"

namespace barge::image {
namespace {

namespace fs = std::filesystem;
using namespace barge::image::testing;

class LayerApplierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    rootfs_ = temp_.File("rootfs");
    fs::create_directories(rootfs_);
  }

  Status Apply(const std::vector<TarEntry>& entries, bool gzip = true) {
    std::string layer = temp_.File("layer" + std::to_string(count_++) + ".tar");
    WriteTar(layer, entries, gzip);
    return ApplyLayer(layer, rootfs_);
  }

  std::string At(const std::string& relative) const { return rootfs_ + "/" + relative; }

  barge::testing::TempDir temp_ = std::move(barge::testing::TempDir::Create()).value();
  std::string rootfs_;
  int count_ = 0;
};

TEST_F(LayerApplierTest, FilesDirectoriesModesAndLinksAreKept) {
  Status status = Apply({Dir("bin"), File("bin/tool", "#!/bin/sh\n", 0755), Dir("etc", 0750),
                         File("etc/conf", "a=1"), Symlink("bin/sh", "tool"),
                         Symlink("etc/abs", "/etc/conf"), Hardlink("etc/conf2", "etc/conf")},
                        /*gzip=*/false);

  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_EQ(ReadFile(At("bin/tool")), "#!/bin/sh\n");
  EXPECT_EQ(fs::status(At("bin/tool")).permissions() & fs::perms::all,
            static_cast<fs::perms>(0755));
  EXPECT_EQ(fs::status(At("etc")).permissions() & fs::perms::all, static_cast<fs::perms>(0750));
  EXPECT_EQ(fs::read_symlink(At("bin/sh")), "tool");
  EXPECT_EQ(fs::read_symlink(At("etc/abs")), "/etc/conf");
  EXPECT_EQ(fs::hard_link_count(At("etc/conf")), 2u);
  EXPECT_EQ(ReadFile(At("etc/conf2")), "a=1");
}

TEST_F(LayerApplierTest, OwnershipIsKeptWhenRunningAsRoot) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to chown";
  TarEntry owned = File("owned", "x");
  owned.uid = 1234;
  owned.gid = 4321;

  ASSERT_TRUE(Apply({owned}).ok());

  struct stat st {};
  ASSERT_EQ(::lstat(At("owned").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 1234u);
  EXPECT_EQ(st.st_gid, 4321u);
}

TEST_F(LayerApplierTest, WhiteoutRemovesAFileOrATreeFromLowerLayers) {
  ASSERT_TRUE(Apply({Dir("a"), File("a/keep", "1"), File("a/gone", "2"), Dir("a/tree"),
                     File("a/tree/x", "3")})
                  .ok());

  Status status = Apply({File("a/.wh.gone", ""), File("a/.wh.tree", "")});

  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_TRUE(fs::exists(At("a/keep")));
  EXPECT_FALSE(fs::exists(At("a/gone")));
  EXPECT_FALSE(fs::exists(At("a/tree")));
  EXPECT_FALSE(fs::exists(At("a/.wh.gone")));
}

TEST_F(LayerApplierTest, OpaqueDirectoryHidesLowerContentButKeepsItsOwn) {
  ASSERT_TRUE(Apply({Dir("d"), File("d/old1", "1"), Dir("d/olddir"), File("d/olddir/f", "2"),
                     File("other", "3")})
                  .ok());

  // The marker comes after this layer's own entry: order must not matter.
  Status status = Apply({Dir("d"), File("d/new", "4"), File("d/.wh..wh..opq", "")});

  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_TRUE(fs::exists(At("d/new")));
  EXPECT_FALSE(fs::exists(At("d/old1")));
  EXPECT_FALSE(fs::exists(At("d/olddir")));
  EXPECT_FALSE(fs::exists(At("d/.wh..wh..opq")));
  EXPECT_TRUE(fs::exists(At("other")));
}

TEST_F(LayerApplierTest, UpperLayerReplacesAFileAndASymlink) {
  ASSERT_TRUE(Apply({File("f", "old"), Symlink("l", "f")}).ok());

  ASSERT_TRUE(Apply({File("f", "new"), File("l", "now a file")}).ok());

  EXPECT_EQ(ReadFile(At("f")), "new");
  EXPECT_FALSE(fs::is_symlink(At("l")));
  EXPECT_EQ(ReadFile(At("l")), "now a file");
}

TEST_F(LayerApplierTest, PathsEscapingTheRootAreRefused) {
  fs::create_directories(temp_.File("outside"));

  Status dotdot = Apply({File("../outside/evil", "x")});
  Status through_symlink = Apply({Symlink("esc", temp_.File("outside")), File("esc/evil", "x")});
  Status hardlink_out = Apply({Hardlink("h", "../outside/target")});

  EXPECT_FALSE(dotdot.ok());
  EXPECT_FALSE(through_symlink.ok());
  EXPECT_FALSE(hardlink_out.ok());
  EXPECT_EQ(through_symlink.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(fs::exists(temp_.File("outside/evil")));
}

TEST_F(LayerApplierTest, MissingLayerIsNotFoundAndGarbageIsInvalid) {
  WriteFile(temp_.File("garbage.tar"), std::string(1000, 'z'));

  Status missing = ApplyLayer(temp_.File("nope.tar"), rootfs_);
  Status garbage = ApplyLayer(temp_.File("garbage.tar"), rootfs_);

  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(garbage.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace barge::image
