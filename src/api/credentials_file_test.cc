#include "api/credentials_file.h"

#include <gtest/gtest.h>

#include <fstream>

#include "testing/temp_dir.h"

namespace barge::api {
namespace {

TEST(CredentialsFileTest, ReadsEveryProfile) {
  Result<CredentialSet> parsed = ParseCredentials(
      "# comment\n"
      "[default]\n"
      "aws_access_key_id = AKIDBARGE\n"
      "aws_secret_access_key = s3cr3t/KEY\n"
      "\n"
      "[ci]\r\n"
      "region = us-east-1\r\n"
      "aws_access_key_id=AKIDCI\r\n"
      "aws_secret_access_key=other\r\n"
      "[region-only]\n"
      "region = eu-west-1\n");

  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(*parsed, (CredentialSet{{"AKIDBARGE", "s3cr3t/KEY"}, {"AKIDCI", "other"}}));
}

TEST(CredentialsFileTest, RejectsIncompleteOrConflictingProfiles) {
  EXPECT_FALSE(ParseCredentials(""));
  EXPECT_FALSE(ParseCredentials("[a]\naws_access_key_id = X\n"));
  EXPECT_FALSE(ParseCredentials("aws_access_key_id = X\n"));
  EXPECT_FALSE(ParseCredentials("[a\naws_access_key_id = X\n"));
  EXPECT_FALSE(ParseCredentials("[a]\nnot a pair\n"));
  EXPECT_FALSE(
      ParseCredentials("[a]\naws_access_key_id = X\naws_secret_access_key = 1\n"
                       "[b]\naws_access_key_id = X\naws_secret_access_key = 2\n"));
}

TEST(CredentialsFileTest, LoadsFromDisk) {
  Result<barge::testing::TempDir> dir = barge::testing::TempDir::Create();
  ASSERT_TRUE(dir);
  std::string path = dir->File("credentials");
  std::ofstream(path) << "[default]\naws_access_key_id = A\naws_secret_access_key = B\n";

  Result<CredentialSet> loaded = LoadCredentialsFile(path);
  Result<CredentialSet> missing = LoadCredentialsFile(dir->File("nope"));

  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->at("A"), "B");
  EXPECT_FALSE(missing);
}

}  // namespace
}  // namespace barge::api
