#include "control/tag_service.h"

#include <gtest/gtest.h>

#include "control/control_test_fixture.h"

namespace barge::control {
namespace {

class TagServiceTest : public ControlServicesTest {
 protected:
  void SetUp() override {
    ComputeEnvironment ce = Unmanaged("ce");
    ce.tags = {{"team", "a"}};
    ce_arn_ = CreateValid(ce).arn;
    auto definition = definitions_.Register(ContainerDefinition("jd"), 100);
    ASSERT_TRUE(definition);
    jd_arn_ = definition->arn;
  }

  std::string ce_arn_;
  std::string jd_arn_;
};

TEST_F(TagServiceTest, TagMergesAndListShowsTags) {
  auto tagged = tags_.Tag(ce_arn_, {{"team", "b"}, {"env", "prod"}});

  ASSERT_TRUE(tagged) << tagged.error().message;
  Tags expected{{"barge:executor", "container"}, {"env", "prod"}, {"team", "b"}};
  EXPECT_EQ(tags_.List(ce_arn_).value(), expected);
  EXPECT_EQ(DescribeOne("ce").tags, expected);
}

TEST_F(TagServiceTest, UntagRemovesKeysAndIgnoresUnknownOnes) {
  auto untagged = tags_.Untag(ce_arn_, {"team", "never-there"});

  ASSERT_TRUE(untagged) << untagged.error().message;
  EXPECT_EQ(tags_.List(ce_arn_).value(), (Tags{{"barge:executor", "container"}}));
}

TEST_F(TagServiceTest, WorksOnEveryTaggableKind) {
  CreateValid(ManagedEc2("ec2"));
  JobQueue queue = CreateQueue(QueueOn("q", {"ec2"}));
  auto policy = policies_.Create(FairsharePolicyNamed("fair"));
  ASSERT_TRUE(policy);

  for (const std::string& arn : {queue.arn, policy->arn, jd_arn_}) {
    ASSERT_TRUE(tags_.Tag(arn, {{"k", "v"}})) << arn;
    EXPECT_EQ(tags_.List(arn).value(), (Tags{{"k", "v"}})) << arn;
    ASSERT_TRUE(tags_.Untag(arn, {"k"})) << arn;
    EXPECT_TRUE(tags_.List(arn)->empty()) << arn;
  }
  EXPECT_EQ(definitions_.Describe({.job_definitions = {"jd:1"}})->front().tags, Tags{});
}

TEST_F(TagServiceTest, MalformedArnsAreInvalidAndUnknownResourcesNotFound) {
  EXPECT_TRUE(FailsWith(tags_.List("ce"), ErrorCode::kInvalidArgument));
  EXPECT_TRUE(FailsWith(tags_.List("arn:aws:s3:::bucket"), ErrorCode::kInvalidArgument));
  EXPECT_TRUE(FailsWith(tags_.List("arn:aws:batch:us-east-1:123456789012:job-definition/jd"),
                        ErrorCode::kInvalidArgument));
  auto missing = tags_.Tag("arn:aws:batch:us-east-1:123456789012:job-queue/none", {{"k", "v"}});
  ASSERT_TRUE(FailsWith(missing, ErrorCode::kNotFound));
  EXPECT_EQ(missing.error().message,
            "resource arn:aws:batch:us-east-1:123456789012:job-queue/none does not exist");
  EXPECT_EQ(tags_.List("ce").error().message, "'ce' is not a valid AWS Batch resource ARN");
}

TEST_F(TagServiceTest, TagLimitsApplyAfterTheMergeAndFailuresChangeNothing) {
  Tags many;
  for (int i = 0; i < 49; ++i) many["k" + std::to_string(i)] = "v";
  // 49 + "team" = 50; barge:executor is not counted.
  ASSERT_TRUE(tags_.Tag(ce_arn_, many));

  auto over = tags_.Tag(ce_arn_, {{"one-more", "v"}});
  auto reserved = tags_.Tag(ce_arn_, {{"aws:owner", "me"}, {"fine", "v"}});
  auto empty = tags_.Tag(ce_arn_, {});

  ASSERT_TRUE(FailsWith(over, ErrorCode::kInvalidArgument));
  EXPECT_EQ(over.error().message,
            "resource " + ce_arn_ + " would have 51 tags: a resource can have at most 50");
  EXPECT_TRUE(FailsWith(reserved, ErrorCode::kInvalidArgument));
  EXPECT_TRUE(FailsWith(empty, ErrorCode::kInvalidArgument));
  EXPECT_EQ(tags_.List(ce_arn_)->size(), 51u);
  EXPECT_FALSE(tags_.List(ce_arn_)->contains("fine"));
}

TEST_F(TagServiceTest, ExecutorTagOfAnEnvironmentCanChangeToAnAllowedValue) {
  auto to_process = tags_.Tag(ce_arn_, {{"barge:executor", "process"}});
  auto to_docker = tags_.Tag(ce_arn_, {{"barge:executor", "docker"}, {"other", "x"}});

  ASSERT_TRUE(to_process) << to_process.error().message;
  ASSERT_TRUE(FailsWith(to_docker, ErrorCode::kInvalidArgument));
  EXPECT_EQ(to_docker.error().message,
            "tag barge:executor 'docker' is invalid: it must be container (jobs run in a "
            "container from their image) or process (jobs run directly on the host)");
  EXPECT_EQ(DescribeOne("ce").tags, (Tags{{"barge:executor", "process"}, {"team", "a"}}));
}

TEST_F(TagServiceTest, ExecutorTagCannotBeRemovedFromAnEnvironment) {
  auto untagged = tags_.Untag(ce_arn_, {"team", "barge:executor"});

  ASSERT_TRUE(FailsWith(untagged, ErrorCode::kInvalidArgument));
  EXPECT_EQ(untagged.error().message,
            "tag barge:executor cannot be removed from compute environment ce: it chooses how "
            "the environment's jobs run; set it to container or process with TagResource "
            "instead");
  EXPECT_EQ(DescribeOne("ce").tags, (Tags{{"barge:executor", "container"}, {"team", "a"}}));
}

TEST_F(TagServiceTest, ExecutorTagMeansNothingOnOtherResources) {
  ASSERT_TRUE(tags_.Tag(jd_arn_, {{"barge:executor", "anything"}}));
  ASSERT_TRUE(tags_.Untag(jd_arn_, {"barge:executor"}));

  EXPECT_TRUE(tags_.List(jd_arn_)->empty());
}

}  // namespace
}  // namespace barge::control
