#include "control/job_definition_service.h"

#include <gtest/gtest.h>

#include "control/control_test_fixture.h"

namespace barge::control {
namespace {

constexpr char kArnPrefix[] = "arn:aws:batch:us-east-1:123456789012:job-definition/";

class JobDefinitionServiceTest : public ControlServicesTest {
 protected:
  JobDefinition Register(const std::string& name) {
    auto registered = definitions_.Register(ContainerDefinition(name), 100);
    EXPECT_TRUE(registered) << registered.error().message;
    return registered.ok() ? registered.value() : JobDefinition{};
  }

  std::vector<std::string> Keys(const Result<std::vector<JobDefinition>>& described) {
    std::vector<std::string> keys;
    if (!described) return {"error: " + described.error().message};
    for (const JobDefinition& d : described.value()) {
      keys.push_back(d.name + ":" + std::to_string(d.revision) + ":" +
                     std::string(ToString(d.status)));
    }
    return keys;
  }
};

TEST_F(JobDefinitionServiceTest, RegisterNumbersRevisionsFromOne) {
  JobDefinition first = Register("jd");
  JobDefinition second = Register("jd");
  JobDefinition other = Register("other");

  EXPECT_EQ(first.revision, 1);
  EXPECT_EQ(first.arn, std::string(kArnPrefix) + "jd:1");
  EXPECT_EQ(first.status, JobDefinitionStatus::kActive);
  EXPECT_EQ(second.revision, 2);
  EXPECT_EQ(other.revision, 1);
}

TEST_F(JobDefinitionServiceTest, RevisionsKeepCountingPastDeregisteredOnes) {
  Register("jd");
  Register("jd");
  ASSERT_TRUE(definitions_.Deregister("jd:2"));

  JobDefinition third = Register("jd");

  EXPECT_EQ(third.revision, 3);
}

TEST_F(JobDefinitionServiceTest, RegisterRefusesOversizedRequestsAndInvalidDefinitions) {
  JobDefinition no_image = ContainerDefinition("jd");
  no_image.container_properties->image.clear();

  auto too_big = definitions_.Register(ContainerDefinition("jd"), 24 * 1024 + 1);
  auto invalid = definitions_.Register(no_image, 100);

  ASSERT_TRUE(FailsWith(too_big, ErrorCode::kInvalidArgument));
  EXPECT_EQ(too_big.error().message,
            "job definition size exceeds the 24 KiB limit (24577 bytes given)");
  ASSERT_TRUE(FailsWith(invalid, ErrorCode::kInvalidArgument));
  EXPECT_EQ(invalid.error().message, "containerProperties.image is required");
  EXPECT_TRUE(definitions_.Describe({})->empty());
  EXPECT_TRUE(definitions_.Register(ContainerDefinition("jd"), 24 * 1024));
}

TEST_F(JobDefinitionServiceTest, ReservedEnvironmentNameIsRefused) {
  JobDefinition spec = ContainerDefinition("jd");
  spec.container_properties->environment.push_back({.name = "AWS_BATCH_X", .value = "1"});

  auto refused = definitions_.Register(spec, 100);

  ASSERT_TRUE(FailsWith(refused, ErrorCode::kInvalidArgument));
  EXPECT_EQ(refused.error().message,
            "containerProperties.environment: invalid environment variable AWS_BATCH_X: names "
            "beginning with AWS_BATCH are reserved");
}

TEST_F(JobDefinitionServiceTest, DescribeByEntriesNameStatusOrNothing) {
  Register("a");
  Register("a");
  Register("a");
  Register("b");
  ASSERT_TRUE(definitions_.Deregister(std::string(kArnPrefix) + "a:2"));

  EXPECT_EQ(Keys(definitions_.Describe({})),
            (std::vector<std::string>{"a:1:ACTIVE", "a:2:INACTIVE", "a:3:ACTIVE", "b:1:ACTIVE"}));
  EXPECT_EQ(Keys(definitions_.Describe({.name = "a", .status = JobDefinitionStatus::kActive})),
            (std::vector<std::string>{"a:1:ACTIVE", "a:3:ACTIVE"}));
  EXPECT_EQ(Keys(definitions_.Describe({.status = JobDefinitionStatus::kInactive})),
            (std::vector<std::string>{"a:2:INACTIVE"}));
  EXPECT_EQ(Keys(definitions_.Describe(
                {.job_definitions = {"b:1", "a", "a:9", "zz", std::string(kArnPrefix) + "a:3"}})),
            (std::vector<std::string>{"a:1:ACTIVE", "a:2:INACTIVE", "a:3:ACTIVE", "b:1:ACTIVE"}));
}

TEST_F(JobDefinitionServiceTest, DescribeRejectsMalformedQueries) {
  EXPECT_TRUE(FailsWith(definitions_.Describe({.job_definitions = {"a"}, .name = "a"}),
                        ErrorCode::kInvalidArgument));
  EXPECT_TRUE(
      FailsWith(definitions_.Describe({.job_definitions = {"a:x"}}), ErrorCode::kInvalidArgument));
  EXPECT_TRUE(
      FailsWith(definitions_.Describe({.job_definitions = std::vector<std::string>(101, "a:1")}),
                ErrorCode::kInvalidArgument));
}

TEST_F(JobDefinitionServiceTest, DeregisterNeedsARevision) {
  Register("jd");

  auto bare = definitions_.Deregister("jd");
  auto missing = definitions_.Deregister("jd:7");

  ASSERT_TRUE(FailsWith(bare, ErrorCode::kInvalidArgument));
  EXPECT_EQ(bare.error().message,
            "jobDefinition 'jd' is invalid: it must be name:revision or a job definition ARN");
  ASSERT_TRUE(FailsWith(missing, ErrorCode::kNotFound));
  EXPECT_EQ(missing.error().message,
            std::string("job definition ") + kArnPrefix + "jd:7 does not exist");
  EXPECT_TRUE(definitions_.Deregister("jd:1"));
  EXPECT_TRUE(definitions_.Deregister("jd:1"));  // Again: nothing to do.
}

TEST_F(JobDefinitionServiceTest, ResolveFindsLatestActiveOrTheNamedRevision) {
  Register("jd");
  Register("jd");
  Register("jd");
  ASSERT_TRUE(definitions_.Deregister("jd:3"));

  auto latest = definitions_.Resolve("jd");
  auto first = definitions_.Resolve(std::string(kArnPrefix) + "jd:1");
  auto inactive = definitions_.Resolve("jd:3");
  auto missing = definitions_.Resolve("nope");

  ASSERT_TRUE(latest);
  EXPECT_EQ(latest->revision, 2);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->revision, 1);
  ASSERT_TRUE(FailsWith(inactive, ErrorCode::kFailedPrecondition));
  EXPECT_EQ(inactive.error().message,
            std::string("job definition ") + kArnPrefix + "jd:3 is INACTIVE");
  ASSERT_TRUE(FailsWith(missing, ErrorCode::kNotFound));
  EXPECT_EQ(missing.error().message, "job definition nope does not exist");
  EXPECT_TRUE(FailsWith(definitions_.Resolve("jd:0"), ErrorCode::kInvalidArgument));
}

TEST_F(JobDefinitionServiceTest, ResolveOfNameWithOnlyInactiveRevisionsFails) {
  Register("jd");
  ASSERT_TRUE(definitions_.Deregister("jd:1"));

  auto resolved = definitions_.Resolve("jd");

  ASSERT_TRUE(FailsWith(resolved, ErrorCode::kFailedPrecondition));
  EXPECT_EQ(resolved.error().message, "job definition jd has no ACTIVE revision");
}

}  // namespace
}  // namespace barge::control
