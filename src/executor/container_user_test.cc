#include "executor/container_user.h"

#include <gtest/gtest.h>

namespace barge::executor {
namespace {

const std::string kPasswd =
    "# comment\n"
    "root:x:0:0:root:/root:/bin/sh\n"
    "app:x:1000:1001:App:/home/app:/bin/sh\n"
    "nohome:x:1002:1002:::/bin/sh\n"
    "short:x:9\n";
const std::string kGroup =
    "root:x:0:\n"
    "appgrp:x:1001:\n"
    "video:x:44:app,other\n"
    "audio:x:29:other,app\n"
    "staff:x:50:\n";

TEST(ContainerUserTest, EmptyMeansRootWithRootsHome) {
  Result<ContainerUser> user = ResolveContainerUser("", kPasswd, kGroup);

  ASSERT_TRUE(user) << user.error().message;
  EXPECT_EQ(user->uid, 0u);
  EXPECT_EQ(user->gid, 0u);
  EXPECT_EQ(user->home, "/root");
}

TEST(ContainerUserTest, NameTakesUidGidHomeAndMemberGroupsFromTheImagesFiles) {
  Result<ContainerUser> user = ResolveContainerUser("app", kPasswd, kGroup);

  ASSERT_TRUE(user) << user.error().message;
  EXPECT_EQ(user->uid, 1000u);
  EXPECT_EQ(user->gid, 1001u);
  EXPECT_EQ(user->home, "/home/app");
  EXPECT_EQ(user->additional_gids, (std::vector<uint32_t>{44, 29}));
}

TEST(ContainerUserTest, NumericUidInPasswdGetsItsGroup) {
  Result<ContainerUser> user = ResolveContainerUser("1000", kPasswd, kGroup);

  ASSERT_TRUE(user) << user.error().message;
  EXPECT_EQ(user->gid, 1001u);
  EXPECT_EQ(user->additional_gids, (std::vector<uint32_t>{44, 29}));
}

TEST(ContainerUserTest, NumericUidNotInPasswdIsAllowedWithGidZeroAndRootHome) {
  Result<ContainerUser> user = ResolveContainerUser("4242", kPasswd, kGroup);

  ASSERT_TRUE(user) << user.error().message;
  EXPECT_EQ(user->uid, 4242u);
  EXPECT_EQ(user->gid, 0u);
  EXPECT_EQ(user->home, "/");
  EXPECT_TRUE(user->additional_gids.empty());
}

TEST(ContainerUserTest, GroupPartByNumberOrName) {
  Result<ContainerUser> by_number = ResolveContainerUser("4242:77", kPasswd, kGroup);
  Result<ContainerUser> by_name = ResolveContainerUser("app:staff", kPasswd, kGroup);

  ASSERT_TRUE(by_number);
  EXPECT_EQ(by_number->gid, 77u);
  ASSERT_TRUE(by_name);
  EXPECT_EQ(by_name->uid, 1000u);
  EXPECT_EQ(by_name->gid, 50u);
}

TEST(ContainerUserTest, EmptyHomeBecomesRoot) {
  Result<ContainerUser> user = ResolveContainerUser("nohome", kPasswd, kGroup);

  ASSERT_TRUE(user);
  EXPECT_EQ(user->home, "/");
}

TEST(ContainerUserTest, UnknownNamesAndBadNumbersAreInvalidArguments) {
  Result<ContainerUser> user = ResolveContainerUser("ghost", kPasswd, kGroup);
  Result<ContainerUser> group = ResolveContainerUser("app:ghosts", kPasswd, kGroup);
  Result<ContainerUser> big = ResolveContainerUser("99999999999", kPasswd, kGroup);
  Result<ContainerUser> short_line = ResolveContainerUser("short", kPasswd, kGroup);
  Result<ContainerUser> no_files = ResolveContainerUser("app", "", "");

  ASSERT_FALSE(user);
  EXPECT_EQ(user.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(user.error().message, "user \"ghost\" is not in the image's /etc/passwd");
  ASSERT_FALSE(group);
  EXPECT_EQ(group.error().message, "group \"ghosts\" is not in the image's /etc/group");
  EXPECT_FALSE(big);
  EXPECT_FALSE(short_line);
  EXPECT_FALSE(no_files);
}

}  // namespace
}  // namespace barge::executor
