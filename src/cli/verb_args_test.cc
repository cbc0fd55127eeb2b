#include "cli/verb_args.h"

#include <gtest/gtest.h>

namespace barge::cli {
namespace {

const VerbSpec kSpec{.verb = "logs",
                     .value_flags = {"attempt"},
                     .switches = {"follow"},
                     .short_aliases = {{"f", "follow"}}};
const VerbSpec kRunSpec{.verb = "run", .value_flags = {"vcpus"}, .takes_command = true};

TEST(VerbArgsTest, FlagsSwitchesPositionalsAndGlobals) {
  Result<VerbArgs> args = ParseVerbArgs(
      kSpec, {"--endpoint", "http://h:1", "j1", "-f", "--attempt=2", "--region", "eu-west-1"});

  ASSERT_TRUE(args) << args.error().message;
  EXPECT_EQ(args->positional, (std::vector<std::string>{"j1"}));
  EXPECT_TRUE(args->switches.contains("follow"));
  EXPECT_EQ(args->Value("attempt"), "2");
  EXPECT_EQ(args->Value("endpoint-url"), "http://h:1");
  EXPECT_EQ(args->Value("region"), "eu-west-1");
}

TEST(VerbArgsTest, TheCommandStartsAfterDashDashOrAtTheFirstWord) {
  Result<VerbArgs> dashed = ParseVerbArgs(kRunSpec, {"--vcpus", "2", "--", "ls", "--all"});
  Result<VerbArgs> bare = ParseVerbArgs(kRunSpec, {"echo", "--vcpus", "3"});

  ASSERT_TRUE(dashed && bare);
  EXPECT_EQ(dashed->command, (std::vector<std::string>{"ls", "--all"}));
  EXPECT_EQ(dashed->Value("vcpus"), "2");
  EXPECT_EQ(bare->command, (std::vector<std::string>{"echo", "--vcpus", "3"}));
  EXPECT_FALSE(bare->Value("vcpus"));
}

TEST(VerbArgsTest, UnknownFlagsAndMissingValuesAreErrors) {
  EXPECT_FALSE(ParseVerbArgs(kSpec, {"--nope"}));
  EXPECT_FALSE(ParseVerbArgs(kSpec, {"-x"}));
  EXPECT_FALSE(ParseVerbArgs(kSpec, {"--attempt"}));
  EXPECT_FALSE(ParseVerbArgs(kSpec, {"--follow=yes"}));
  EXPECT_TRUE(ParseVerbArgs(kSpec, {"--help"})->help);
}

TEST(VerbArgsTest, IntegerFlagChecksTheRange) {
  EXPECT_EQ(*IntegerFlag("vcpus", "4", 1, 8), 4);
  EXPECT_FALSE(IntegerFlag("vcpus", "0", 1, 8));
  EXPECT_FALSE(IntegerFlag("vcpus", "4x", 1, 8));
  EXPECT_EQ(IntegerFlag("vcpus", "", 1, 8).error().message,
            "--vcpus must be a whole number from 1 to 8, not ''");
}

}  // namespace
}  // namespace barge::cli
