#include "core/arn.h"

#include <gtest/gtest.h>

namespace barge {
namespace {

TEST(ArnTest, FormatsEveryResourceKindWithRegionAndAccount) {
  ArnFormatter arns("eu-west-1", "123456789012");

  EXPECT_EQ(arns.ComputeEnvironment("ce1"),
            "arn:aws:batch:eu-west-1:123456789012:compute-environment/ce1");
  EXPECT_EQ(arns.JobDefinition("jd", 3), "arn:aws:batch:eu-west-1:123456789012:job-definition/jd:3");
  EXPECT_EQ(arns.Job("abc"), "arn:aws:batch:eu-west-1:123456789012:job/abc");
}

TEST(ArnTest, ParsesJobDefinitionArnWithRevision) {
  auto parsed = ParseArn("arn:aws:batch:us-east-1:000000000000:job-definition/my-jd:7");

  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->kind, ResourceKind::kJobDefinition);
  EXPECT_EQ(parsed->id, "my-jd:7");
  EXPECT_EQ(parsed->region, "us-east-1");
}

TEST(ArnTest, RejectsNonBatchAndMalformedArns) {
  EXPECT_FALSE(ParseArn("arn:aws:s3:::bucket/key").has_value());
  EXPECT_FALSE(ParseArn("my-queue").has_value());
  EXPECT_FALSE(ParseArn("arn:aws:batch:us-east-1:0:job-queue/").has_value());
  EXPECT_FALSE(ParseArn("arn:aws:batch:us-east-1:0:widget/x").has_value());
}

}  // namespace
}  // namespace barge
