#include "control/resource_ref.h"

#include <gtest/gtest.h>

namespace barge::control {
namespace {

TEST(ResourceRefTest, NameOrArnGivesTheName) {
  EXPECT_EQ(NameFromNameOrArn("q1", ResourceKind::kJobQueue), "q1");
  EXPECT_EQ(NameFromNameOrArn("arn:aws:batch:eu-west-1:1:job-queue/q1", ResourceKind::kJobQueue),
            "q1");
  EXPECT_FALSE(NameFromNameOrArn("arn:aws:batch:eu-west-1:1:compute-environment/q1",
                                 ResourceKind::kJobQueue));
  EXPECT_FALSE(NameFromNameOrArn("arn:aws:sqs:eu-west-1:1:q1", ResourceKind::kJobQueue));
}

TEST(ResourceRefTest, ParsesJobDefinitionReferences) {
  auto bare = ParseJobDefinitionRef("jd");
  auto revision = ParseJobDefinitionRef("jd:4");
  auto arn = ParseJobDefinitionRef("arn:aws:batch:us-east-1:1:job-definition/jd:12");

  ASSERT_TRUE(bare && revision && arn);
  EXPECT_EQ(bare->name, "jd");
  EXPECT_FALSE(bare->revision);
  EXPECT_EQ(revision->revision, 4);
  EXPECT_EQ(arn->name, "jd");
  EXPECT_EQ(arn->revision, 12);
  EXPECT_FALSE(ParseJobDefinitionRef(""));
  EXPECT_FALSE(ParseJobDefinitionRef("jd:"));
  EXPECT_FALSE(ParseJobDefinitionRef("jd:0"));
  EXPECT_FALSE(ParseJobDefinitionRef(":3"));
  EXPECT_FALSE(ParseJobDefinitionRef("jd:1:2"));
  EXPECT_FALSE(ParseJobDefinitionRef("arn:aws:batch:us-east-1:1:job-definition/jd"));
  EXPECT_FALSE(ParseJobDefinitionRef("arn:aws:batch:us-east-1:1:job-queue/jd:1"));
}

}  // namespace
}  // namespace barge::control
