#include "cli/command_line.h"

#include <gtest/gtest.h>

namespace barge::cli {
namespace {

Invocation MustParse(const std::vector<std::string>& args, const Environment& env = {}) {
  Result<Invocation> invocation = ParseCommandLine(args, env);
  EXPECT_TRUE(invocation) << (invocation ? "" : invocation.error().message);
  return invocation ? *invocation : Invocation{};
}

std::string ErrorOf(const std::vector<std::string>& args) {
  Result<Invocation> invocation = ParseCommandLine(args, Environment{});
  EXPECT_FALSE(invocation);
  return invocation ? "" : invocation.error().message;
}

TEST(CommandLineTest, GlobalOptionsMayComeBeforeOrAfterTheVerb) {
  Invocation invocation = MustParse({"--endpoint-url", "http://h:1", "describe-job-queues",
                                     "--region=eu-west-1", "--output", "table", "--debug"});

  ASSERT_NE(invocation.op, nullptr);
  EXPECT_EQ(invocation.op->name, "DescribeJobQueues");
  EXPECT_EQ(invocation.globals.endpoint, "http://h:1");
  EXPECT_EQ(invocation.globals.region, "eu-west-1");
  EXPECT_EQ(invocation.globals.output, OutputFormat::kTable);
  EXPECT_TRUE(invocation.globals.debug);
  EXPECT_TRUE(invocation.words.empty());
}

TEST(CommandLineTest, DefaultsComeFromTheEnvironment) {
  Environment env{.endpoint = "http://env:9", .region = "ap-south-1", .stdout_is_terminal = true};

  Invocation invocation = MustParse({"list-scheduling-policies"}, env);

  EXPECT_EQ(invocation.globals.endpoint, "http://env:9");
  EXPECT_EQ(invocation.globals.region, "ap-south-1");
  EXPECT_EQ(invocation.globals.output, OutputFormat::kTable);
}

TEST(CommandLineTest, OutputIsJsonWhenStdoutIsNotATerminal) {
  Invocation invocation = MustParse({"list-scheduling-policies"});

  EXPECT_EQ(invocation.globals.endpoint, "http://127.0.0.1:8000");
  EXPECT_EQ(invocation.globals.region, "us-east-1");
  EXPECT_EQ(invocation.globals.output, OutputFormat::kJson);
}

TEST(CommandLineTest, BargeOutputOverridesTheTerminalDefault) {
  Environment env{.output = "json", .stdout_is_terminal = true};

  EXPECT_EQ(MustParse({"list-scheduling-policies"}, env).globals.output, OutputFormat::kJson);
}

TEST(CommandLineTest, ListFlagsTakeWordsUpToTheNextFlag) {
  Invocation invocation = MustParse(
      {"describe-compute-environments", "--compute-environments", "a", "b", "--max-results", "2"});

  EXPECT_EQ(invocation.words.at("compute-environments"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(invocation.words.at("max-results"), (std::vector<std::string>{"2"}));
}

TEST(CommandLineTest, BooleanFlagsHaveANegativeForm) {
  EXPECT_EQ(MustParse({"register-job-definition", "--propagate-tags"}).words.at("propagate-tags"),
            (std::vector<std::string>{"true"}));
  EXPECT_EQ(
      MustParse({"register-job-definition", "--no-propagate-tags"}).words.at("propagate-tags"),
      (std::vector<std::string>{"false"}));
}

TEST(CommandLineTest, PagingFlagsAreReadApartFromTheBody) {
  Invocation invocation = MustParse(
      {"describe-job-queues", "--page-size", "2", "--max-items", "5", "--starting-token", "t"});

  EXPECT_EQ(invocation.paging.page_size, 2);
  EXPECT_EQ(invocation.paging.max_items, 5);
  EXPECT_EQ(invocation.paging.starting_token, "t");
  EXPECT_TRUE(invocation.globals.paginate);
  EXPECT_TRUE(invocation.words.empty());
}

TEST(CommandLineTest, ExplicitNextTokenOrNoPaginateAsksForOnePage) {
  EXPECT_FALSE(MustParse({"describe-job-queues", "--next-token", "t"}).globals.paginate);
  EXPECT_FALSE(MustParse({"describe-job-queues", "--no-paginate"}).globals.paginate);
}

TEST(CommandLineTest, NoPaginateWithPagingFlagsIsAnError) {
  EXPECT_EQ(ErrorOf({"describe-job-queues", "--no-paginate", "--page-size", "2"}),
            "Cannot specify --no-paginate along with pagination arguments: --page-size");
}

TEST(CommandLineTest, PagingFlagsExistOnlyForPaginatedVerbs) {
  EXPECT_EQ(ErrorOf({"delete-job-queue", "--job-queue", "q", "--page-size", "2"}),
            "Unknown options: --page-size, 2");
}

TEST(CommandLineTest, UnknownVerbAndFlagsAreRejected) {
  EXPECT_EQ(ErrorOf({"describe-everything"}),
            "argument command: Invalid choice: 'describe-everything' (see `barge help` for the "
            "commands)");
  EXPECT_EQ(ErrorOf({"delete-job-queue", "--job-queue", "q", "--bogus"}),
            "Unknown options: --bogus");
  EXPECT_EQ(ErrorOf({}), "the following arguments are required: command");
}

TEST(CommandLineTest, FlagWithoutItsValueIsAnError) {
  EXPECT_EQ(ErrorOf({"delete-job-queue", "--job-queue"}),
            "argument --job-queue: expected one argument");
  EXPECT_EQ(ErrorOf({"describe-job-queues", "--job-queues", "--debug"}),
            "argument --job-queues: expected at least one argument");
}

TEST(CommandLineTest, BadOutputIsAnError) {
  EXPECT_EQ(ErrorOf({"list-scheduling-policies", "--output", "yaml"}),
            "argument --output: Invalid choice: 'yaml' (choose from 'json', 'table')");
}

TEST(CommandLineTest, HelpAtEitherLevel) {
  for (const auto& args : std::vector<std::vector<std::string>>{{"help"}, {"--help"}, {"-h"}}) {
    Invocation invocation = MustParse(args);
    ASSERT_TRUE(invocation.help.has_value());
    EXPECT_NE(invocation.help->find("create-compute-environment"), std::string::npos);
  }
  for (const auto& args : std::vector<std::vector<std::string>>{{"create-job-queue", "--help"},
                                                                {"create-job-queue", "help"}}) {
    Invocation invocation = MustParse(args);
    ASSERT_TRUE(invocation.help.has_value());
    EXPECT_NE(invocation.help->find("--compute-environment-order"), std::string::npos);
    EXPECT_NE(invocation.help->find("--priority <integer>"), std::string::npos);
  }
}

}  // namespace
}  // namespace barge::cli
