#include "core/compute_environment.h"

#include <gtest/gtest.h>

namespace barge {
namespace {

TEST(ComputeEnvironmentTest, ExecutorIsTheTagsValue) {
  ComputeEnvironment ce{.name = "ce", .tags = {{"barge:executor", "process"}}};

  EXPECT_EQ(ExecutorOf(ce), ExecutorKind::kProcess);

  ce.tags["barge:executor"] = "container";
  EXPECT_EQ(ExecutorOf(ce), ExecutorKind::kContainer);
}

TEST(ComputeEnvironmentTest, EnvironmentWithoutTheTagRunsContainers) {
  ComputeEnvironment older{.name = "ce", .tags = {{"team", "a"}}};

  EXPECT_EQ(ExecutorOf(older), ExecutorKind::kContainer);
}

TEST(ComputeEnvironmentTest, ExecutorKindsRoundTripTheirSpelling) {
  for (ExecutorKind kind : {ExecutorKind::kContainer, ExecutorKind::kProcess}) {
    EXPECT_EQ(ParseExecutorKind(ToString(kind)), kind);
  }
  EXPECT_EQ(ParseExecutorKind("Container"), std::nullopt);
  EXPECT_EQ(ParseExecutorKind(""), std::nullopt);
}

TEST(ComputeEnvironmentTest, ExecutorTagValidationNamesTheAllowedValues) {
  EXPECT_TRUE(ValidateExecutorTag({}));
  EXPECT_TRUE(ValidateExecutorTag({{"barge:executor", "process"}, {"x", "docker"}}));

  Status bad = ValidateExecutorTag({{"barge:executor", "docker"}});

  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.error().message,
            "tag barge:executor 'docker' is invalid: it must be container (jobs run in a "
            "container from their image) or process (jobs run directly on the host)");
}

}  // namespace
}  // namespace barge
