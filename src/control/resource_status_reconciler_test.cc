#include "control/resource_status_reconciler.h"

#include <gtest/gtest.h>

#include "control/control_test_fixture.h"

namespace barge::control {
namespace {

class ResourceStatusReconcilerTest : public ControlServicesTest {
 protected:
  ComputeEnvironment ManagedWithTypes(const std::string& name, std::vector<std::string> types) {
    ComputeEnvironment ce = ManagedEc2(name);
    ce.compute_resources->instance_types = std::move(types);
    return ce;
  }
};

TEST_F(ResourceStatusReconcilerTest, SettlesCreatingEnvironmentsAndQueuesToValid) {
  ASSERT_TRUE(environments_.Create(ManagedEc2("ce")));
  ASSERT_TRUE(environments_.Create(Unmanaged("own")));

  auto changed = reconciler_.Tick();

  ASSERT_TRUE(changed);
  EXPECT_EQ(changed.value(), 2);
  EXPECT_EQ(DescribeOne("ce").status, ResourceStatus::kValid);
  EXPECT_EQ(DescribeOne("ce").status_reason, "ComputeEnvironment Healthy");
  ASSERT_TRUE(queues_.Create(QueueOn("q", {"ce"})));
  EXPECT_EQ(reconciler_.Tick().value(), 1);
  EXPECT_EQ(DescribeQueue("q").status, ResourceStatus::kValid);
  EXPECT_EQ(DescribeQueue("q").status_reason, "JobQueue Healthy");
  EXPECT_EQ(reconciler_.Tick().value(), 0);
}

TEST_F(ResourceStatusReconcilerTest, UpdatingResourcesReturnToValid) {
  CreateValid(ManagedEc2("ce"));
  CreateQueue(QueueOn("q", {"ce"}));
  ASSERT_TRUE(
      environments_.Update({.compute_environment = "ce", .state = ResourceState::kDisabled}));
  ASSERT_TRUE(queues_.Update({.job_queue = "q", .priority = 3}));

  EXPECT_EQ(reconciler_.Tick().value(), 2);

  EXPECT_EQ(DescribeOne("ce").status, ResourceStatus::kValid);
  EXPECT_EQ(DescribeQueue("q").status, ResourceStatus::kValid);
}

TEST_F(ResourceStatusReconcilerTest, EnvironmentOfOnlyOtherArchitectureTypesIsInvalid) {
  ASSERT_TRUE(environments_.Create(ManagedWithTypes("graviton", {"m6g.large", "c7g"})));
  ASSERT_TRUE(environments_.Create(ManagedWithTypes("arm-default", {"default_arm64"})));
  ASSERT_TRUE(environments_.Create(ManagedWithTypes("mixed", {"m6g", "c5"})));
  ASSERT_TRUE(environments_.Create(ManagedWithTypes("local", {"small"})));

  ASSERT_EQ(reconciler_.Tick().value(), 4);

  ComputeEnvironment graviton = DescribeOne("graviton");
  EXPECT_EQ(graviton.status, ResourceStatus::kInvalid);
  EXPECT_EQ(graviton.status_reason,
            "CLIENT_ERROR - instance types m6g.large, c7g are arm64 but this barge server runs on "
            "x86_64");
  EXPECT_EQ(DescribeOne("arm-default").status, ResourceStatus::kInvalid);
  EXPECT_EQ(DescribeOne("mixed").status, ResourceStatus::kValid);
  EXPECT_EQ(DescribeOne("local").status, ResourceStatus::kValid);
}

TEST_F(ResourceStatusReconcilerTest, ArmHostRejectsX86OnlyEnvironments) {
  ResourceStatusReconciler arm_reconciler(store_, CpuArchitecture::kArm64);
  ASSERT_TRUE(environments_.Create(ManagedWithTypes("x86", {"c5.large", "optimal"})));
  ASSERT_TRUE(environments_.Create(ManagedWithTypes("arm", {"m7g"})));

  ASSERT_EQ(arm_reconciler.Tick().value(), 2);

  EXPECT_EQ(DescribeOne("x86").status, ResourceStatus::kInvalid);
  EXPECT_EQ(DescribeOne("arm").status, ResourceStatus::kValid);
}

TEST_F(ResourceStatusReconcilerTest, QueueWhoseEnvironmentsAreAllInvalidIsInvalid) {
  CreateValid(ManagedEc2("good"));
  CreateQueue(QueueOn("q", {"good"}));
  ASSERT_TRUE(environments_.Update(
      {.compute_environment = "good",
       .compute_resources = ComputeResourcesUpdate{.instance_types = {{"m6g"}}}}));
  ASSERT_TRUE(queues_.Update({.job_queue = "q", .priority = 2}));

  ASSERT_EQ(reconciler_.Tick().value(), 2);

  JobQueue queue = DescribeQueue("q");
  EXPECT_EQ(DescribeOne("good").status, ResourceStatus::kInvalid);
  EXPECT_EQ(queue.status, ResourceStatus::kInvalid);
  EXPECT_EQ(queue.status_reason, "all compute environments of job queue q are INVALID or deleted");
}

TEST_F(ResourceStatusReconcilerTest, HostArchitectureIsKnownOnCommonBuilds) {
#if defined(__x86_64__) || defined(__aarch64__)
  EXPECT_NE(HostArchitecture(), CpuArchitecture::kUnknown);
#endif
  EXPECT_EQ(InstanceTypeArchitecture("a1.medium"), CpuArchitecture::kArm64);
  EXPECT_EQ(InstanceTypeArchitecture("x2gd.xlarge"), CpuArchitecture::kArm64);
  EXPECT_EQ(InstanceTypeArchitecture("g5g.xlarge"), CpuArchitecture::kArm64);
  EXPECT_EQ(InstanceTypeArchitecture("g5.xlarge"), CpuArchitecture::kX86_64);
  EXPECT_EQ(InstanceTypeArchitecture("m7i-flex.large"), CpuArchitecture::kX86_64);
  EXPECT_EQ(InstanceTypeArchitecture("default_x86_64"), CpuArchitecture::kX86_64);
  EXPECT_EQ(InstanceTypeArchitecture("gpu-box"), CpuArchitecture::kUnknown);
}

}  // namespace
}  // namespace barge::control
