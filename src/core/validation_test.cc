#include "core/validation.h"

#include <gtest/gtest.h>

#include <string>

namespace barge {
namespace {

bool IsInvalid(const Status& status) {
  return !status.ok() && status.error().code == ErrorCode::kInvalidArgument;
}

TEST(ValidationTest, AcceptsNamesOfLettersDigitsHyphensAndUnderscores) {
  EXPECT_TRUE(ValidateResourceName("jobQueueName", "a"));
  EXPECT_TRUE(ValidateResourceName("jobQueueName", "Queue_1-high"));
  EXPECT_TRUE(ValidateResourceName("jobQueueName", "9lives"));
  EXPECT_TRUE(ValidateResourceName("jobQueueName", std::string(128, 'x')));
}

TEST(ValidationTest, RejectsEmptyLongOrBadlyStartedNames) {
  EXPECT_TRUE(IsInvalid(ValidateResourceName("jobQueueName", "")));
  EXPECT_TRUE(IsInvalid(ValidateResourceName("jobQueueName", std::string(129, 'x'))));
  EXPECT_TRUE(IsInvalid(ValidateResourceName("jobQueueName", "-queue")));
  EXPECT_TRUE(IsInvalid(ValidateResourceName("jobQueueName", "_queue")));
  EXPECT_TRUE(IsInvalid(ValidateResourceName("jobQueueName", "my queue")));
  EXPECT_TRUE(IsInvalid(ValidateResourceName("jobQueueName", "q.1")));
}

TEST(ValidationTest, NameErrorNamesTheFieldAndTheValue) {
  Status status = ValidateResourceName("computeEnvironmentName", "bad name");

  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().message,
            "computeEnvironmentName 'bad name' is invalid: it must be 1 to 128 letters, numbers, "
            "hyphens or underscores, and start with a letter or number");
  EXPECT_EQ(ValidateResourceName("jobName", "").error().message, "jobName is required");
}

TEST(ValidationTest, AcceptsFiftyTagsAndRejectsFiftyOne) {
  Tags tags;
  for (int i = 0; i < 50; ++i) tags["k" + std::to_string(i)] = "v";
  EXPECT_TRUE(ValidateTags(tags));

  tags["one-more"] = "v";

  Status status = ValidateTags(tags);
  ASSERT_TRUE(IsInvalid(status));
  EXPECT_EQ(status.error().message, "too many tags: 51 given, a resource can have at most 50");
}

TEST(ValidationTest, RejectsBadTagKeysAndValues) {
  EXPECT_TRUE(IsInvalid(ValidateTags({{"", "v"}})));
  EXPECT_TRUE(IsInvalid(ValidateTags({{std::string(129, 'k'), "v"}})));
  EXPECT_TRUE(IsInvalid(ValidateTags({{"k", std::string(257, 'v')}})));
  EXPECT_TRUE(ValidateTags({{std::string(128, 'k'), std::string(256, 'v')}}));
  EXPECT_TRUE(ValidateTags({{"k", ""}}));
}

TEST(ValidationTest, ReservesTheAwsTagPrefixInAnyCase) {
  EXPECT_EQ(ValidateTagKey("aws:owner").error().message,
            "tag key 'aws:owner' is invalid: the aws: prefix is reserved for AWS use");
  EXPECT_TRUE(IsInvalid(ValidateTagKey("AWS:owner")));
  EXPECT_TRUE(ValidateTagKey("awsome"));
}

TEST(ValidationTest, GlobIsExactUnlessItEndsInStar) {
  EXPECT_TRUE(MatchesGlob("Host EC2*", "Host EC2 (instance i-1) terminated."));
  EXPECT_TRUE(MatchesGlob("*", ""));
  EXPECT_TRUE(MatchesGlob("137", "137"));
  EXPECT_FALSE(MatchesGlob("137", "1370"));
  EXPECT_FALSE(MatchesGlob("Host*", "host"));
}

TEST(ValidationTest, ExitCodeGlobTakesDigitsAndATrailingStar) {
  EXPECT_TRUE(ValidateExitCodeGlob("1"));
  EXPECT_TRUE(ValidateExitCodeGlob("13*"));
  EXPECT_TRUE(ValidateExitCodeGlob("*"));
  EXPECT_TRUE(IsInvalid(ValidateExitCodeGlob("")));
  EXPECT_TRUE(IsInvalid(ValidateExitCodeGlob("1*3")));
  EXPECT_TRUE(IsInvalid(ValidateExitCodeGlob("-1")));
  EXPECT_TRUE(IsInvalid(ValidateExitCodeGlob(std::string(513, '1'))));
}

TEST(ValidationTest, ReasonGlobTakesLettersDigitsPeriodsColonsAndSpaces) {
  EXPECT_TRUE(ValidateReasonGlob("onStatusReason", "Host EC2*"));
  EXPECT_TRUE(ValidateReasonGlob("onReason", "CannotPullContainerError:*"));
  EXPECT_TRUE(ValidateReasonGlob("onReason", "Essential container in task exited"));
  EXPECT_TRUE(IsInvalid(ValidateReasonGlob("onReason", "a*b")));
  EXPECT_TRUE(IsInvalid(ValidateReasonGlob("onReason", "out-of-memory")));
  EXPECT_EQ(ValidateReasonGlob("onReason", "a(b)").error().message,
            "onReason 'a(b)' is invalid: it must be up to 512 letters, numbers, periods, colons "
            "and spaces, optionally ending in *");
}

TEST(ValidationTest, ShareIdentifiersAndPatterns) {
  EXPECT_TRUE(ValidateShareIdentifier("teamA"));
  EXPECT_TRUE(ValidateShareIdentifier("team-a_1.x"));
  EXPECT_TRUE(IsInvalid(ValidateShareIdentifier("")));
  EXPECT_TRUE(IsInvalid(ValidateShareIdentifier("team*")));
  EXPECT_TRUE(IsInvalid(ValidateShareIdentifier(std::string(256, 'a'))));
  EXPECT_TRUE(ValidateSharePattern("team*"));
  EXPECT_TRUE(ValidateSharePattern("*"));
  EXPECT_TRUE(ValidateSharePattern(std::string(255, 'a') + "*"));
  EXPECT_TRUE(IsInvalid(ValidateSharePattern("te*am")));
  EXPECT_TRUE(IsInvalid(ValidateSharePattern("")));
}

TEST(ValidationTest, SharePatternsOverlapWhenOneCoversTheOther) {
  EXPECT_TRUE(SharePatternsOverlap("A1", "A1"));
  EXPECT_TRUE(SharePatternsOverlap("A*", "A1"));
  EXPECT_TRUE(SharePatternsOverlap("A1", "A*"));
  EXPECT_TRUE(SharePatternsOverlap("A*", "AB*"));
  EXPECT_FALSE(SharePatternsOverlap("A1", "A2"));
  EXPECT_FALSE(SharePatternsOverlap("A*", "B*"));
  EXPECT_FALSE(SharePatternsOverlap("AB*", "A"));
}

TEST(ValidationTest, RetryStrategyAttemptsAreOneToTen) {
  EXPECT_TRUE(ValidateRetryStrategy("retryStrategy", RetryStrategy{.attempts = 1}));
  EXPECT_TRUE(ValidateRetryStrategy("retryStrategy", RetryStrategy{.attempts = 10}));
  EXPECT_TRUE(IsInvalid(ValidateRetryStrategy("retryStrategy", RetryStrategy{.attempts = 0})));

  Status status = ValidateRetryStrategy("retryStrategy", RetryStrategy{.attempts = 11});

  ASSERT_TRUE(IsInvalid(status));
  EXPECT_EQ(status.error().message,
            "retryStrategy.attempts 11 is invalid: it must be between 1 and 10");
}

TEST(ValidationTest, EvaluateOnExitHasAtMostFiveRulesWithKnownActions) {
  RetryStrategy strategy{.attempts = 3};
  strategy.evaluate_on_exit.push_back({.on_status_reason = "Host EC2*", .action = "retry"});
  strategy.evaluate_on_exit.push_back({.on_reason = "*", .action = "EXIT"});
  EXPECT_TRUE(ValidateRetryStrategy("retryStrategy", strategy));

  strategy.evaluate_on_exit.push_back({.on_exit_code = "1", .action = "ignore"});
  EXPECT_EQ(ValidateRetryStrategy("retryStrategy", strategy).error().message,
            "retryStrategy.evaluateOnExit.action 'ignore' is invalid: it must be RETRY or EXIT");

  strategy.evaluate_on_exit.back().action = "EXIT";
  strategy.evaluate_on_exit.back().on_exit_code = "x";
  EXPECT_TRUE(IsInvalid(ValidateRetryStrategy("retryStrategy", strategy)));

  strategy.evaluate_on_exit.back().on_exit_code = "1";
  strategy.evaluate_on_exit.resize(6, EvaluateOnExit{.action = "EXIT"});
  EXPECT_TRUE(IsInvalid(ValidateRetryStrategy("retryStrategy", strategy)));
}

TEST(ValidationTest, TimeoutIsAtLeastSixtySeconds) {
  EXPECT_TRUE(ValidateTimeout("timeout", JobTimeout{}));
  EXPECT_TRUE(ValidateTimeout("timeout", JobTimeout{.attempt_duration_seconds = 60}));
  EXPECT_EQ(ValidateTimeout("timeout", JobTimeout{.attempt_duration_seconds = 59}).error().message,
            "timeout.attemptDurationSeconds 59 is invalid: the minimum timeout is 60 seconds");
}

TEST(ValidationTest, EnvironmentNamesMustNotUseTheAwsBatchPrefix) {
  std::vector<KeyValuePair> env{{.name = "PATH", .value = "/bin"}};
  EXPECT_TRUE(ValidateEnvironment("containerProperties.environment", env));

  env.push_back({.name = "AWS_BATCH_X", .value = "1"});

  EXPECT_EQ(ValidateEnvironment("containerProperties.environment", env).error().message,
            "containerProperties.environment: invalid environment variable AWS_BATCH_X: names "
            "beginning with AWS_BATCH are reserved");
  EXPECT_TRUE(IsInvalid(ValidateEnvironment("environment", {{.name = "", .value = "1"}})));
  EXPECT_TRUE(IsInvalid(ValidateEnvironment("environment", {{.name = "A=B", .value = "1"}})));
}

TEST(ValidationTest, ResourceRequirementsArePositiveAndDistinct) {
  ResourceRequirementRules ec2{};
  EXPECT_TRUE(ValidateResourceRequirements("resourceRequirements",
                                           {{"VCPU", "2"}, {"MEMORY", "2048"}, {"GPU", "1"}}, ec2));
  EXPECT_TRUE(IsInvalid(ValidateResourceRequirements("r", {{"VCPU", "0"}}, ec2)));
  EXPECT_TRUE(IsInvalid(ValidateResourceRequirements("r", {{"VCPU", "0.5"}}, ec2)));
  EXPECT_TRUE(IsInvalid(ValidateResourceRequirements("r", {{"VCPU", "two"}}, ec2)));
  EXPECT_TRUE(IsInvalid(ValidateResourceRequirements("r", {{"MEMORY", "3"}}, ec2)));
  EXPECT_TRUE(IsInvalid(ValidateResourceRequirements("r", {{"GPU", "-1"}}, ec2)));
  EXPECT_TRUE(IsInvalid(ValidateResourceRequirements("r", {{"DISK", "1"}}, ec2)));
  EXPECT_EQ(ValidateResourceRequirements("r", {{"VCPU", "1"}, {"VCPU", "2"}}, ec2).error().message,
            "r lists type VCPU more than once");
}

TEST(ValidationTest, FargateTakesFractionalVcpusAndNoGpus) {
  ResourceRequirementRules fargate{.fargate = true};

  EXPECT_TRUE(ValidateResourceRequirements("r", {{"VCPU", "0.25"}, {"MEMORY", "512"}}, fargate));
  EXPECT_TRUE(IsInvalid(ValidateResourceRequirements("r", {{"VCPU", "0.0"}}, fargate)));
  EXPECT_TRUE(IsInvalid(ValidateResourceRequirements("r", {{"VCPU", "1."}}, fargate)));
  EXPECT_TRUE(IsInvalid(ValidateResourceRequirements("r", {{"GPU", "1"}}, fargate)));
}

}  // namespace
}  // namespace barge
