#include "cli/image_command.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "image/test_image_builder.h"
#include "testing/temp_dir.h"

namespace barge::cli {
namespace {

using namespace barge::image::testing;

class ImageCommandTest : public ::testing::Test {
 protected:
  int Run(std::vector<std::string> args, bool terminal = false) {
    out_.str("");
    err_.str("");
    ProcessContext context{.env = {.stdout_is_terminal = terminal}};
    args.insert(args.begin(), "image");
    return RunImageCommand(args, context, temp_.File("store"), out_, err_);
  }

  barge::testing::TempDir temp_ = std::move(barge::testing::TempDir::Create()).value();
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(ImageCommandTest, ImportListAndRemoveThroughTheStoreFromTheEnvironment) {
  AddToOciLayout(temp_.File("layout"),
                 {.layers = {{Dir("bin"), File("bin/sh", "x", 0755)}}, .name = "busybox"});

  ASSERT_EQ(Run({"import", temp_.File("layout"), "--tag", "tools/bb:1"}), 0) << err_.str();
  ASSERT_EQ(Run({"ls"}, /*terminal=*/true), 0);
  std::string table = out_.str();
  ASSERT_EQ(Run({"ls", "--output", "json"}), 0);
  nlohmann::json listed = nlohmann::json::parse(out_.str());

  EXPECT_NE(table.find("REFERENCE"), std::string::npos) << table;
  EXPECT_NE(table.find("tools/bb:1"), std::string::npos) << table;
  ASSERT_EQ(listed["images"].size(), 1u);
  EXPECT_EQ(listed["images"][0]["references"][0], "docker.io/tools/bb:1");
  EXPECT_EQ(Run({"rm", "tools/bb:1"}, /*terminal=*/true), 0) << err_.str();
  EXPECT_NE(out_.str().find("deleted sha256:"), std::string::npos) << out_.str();
  EXPECT_EQ(Run({"rm", "tools/bb:1"}), 1);
  EXPECT_NE(err_.str().find("not in the store"), std::string::npos) << err_.str();
}

TEST_F(ImageCommandTest, StoreFlagWinsOverTheEnvironment) {
  AddToOciLayout(temp_.File("layout"), {.layers = {{File("a", "b")}}, .name = "a"});

  ASSERT_EQ(Run({"import", temp_.File("layout"), "--store", temp_.File("other")}), 0);

  EXPECT_TRUE(std::filesystem::exists(temp_.File("other/index.json")));
  ASSERT_EQ(Run({"ls", "--output", "json"}), 0);
  EXPECT_TRUE(nlohmann::json::parse(out_.str())["images"].empty());
}

TEST_F(ImageCommandTest, BadUsageIs252AndAFailedImportIs1) {
  EXPECT_EQ(Run({}), 252);
  EXPECT_EQ(Run({"frobnicate"}), 252);
  EXPECT_EQ(Run({"import"}), 252);
  EXPECT_EQ(Run({"ls", "--tag", "x"}), 252);
  EXPECT_EQ(Run({"import", temp_.File("layout"), "--tag", "Not:Valid"}), 252);
  EXPECT_EQ(Run({"import", temp_.File("missing.tar")}), 1);
  EXPECT_NE(err_.str().find("does not exist"), std::string::npos) << err_.str();
  EXPECT_EQ(Run({"--help"}), 0);
}

}  // namespace
}  // namespace barge::cli
