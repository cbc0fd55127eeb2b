#include "control/compute_environment_service.h"

#include <gtest/gtest.h>

#include "control/control_test_fixture.h"

namespace barge::control {
namespace {

class ComputeEnvironmentServiceTest : public ControlServicesTest {};

TEST_F(ComputeEnvironmentServiceTest, CreateStoresArnUuidDefaultsAndCreatingStatus) {
  auto created = environments_.Create(ManagedEc2("ce1"));

  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(created->arn, "arn:aws:batch:us-east-1:123456789012:compute-environment/ce1");
  EXPECT_EQ(created->uuid.size(), 36u);
  EXPECT_EQ(created->status, ResourceStatus::kCreating);
  EXPECT_EQ(created->state, ResourceState::kEnabled);
  EXPECT_EQ(created->compute_resources->min_vcpus, 0);
  EXPECT_EQ(created->compute_resources->desired_vcpus, 0);
  EXPECT_EQ(created->compute_resources->allocation_strategy, "BEST_FIT");
  EXPECT_EQ(created->version, 1);
}

TEST_F(ComputeEnvironmentServiceTest, CreateWithoutExecutorTagStampsContainer) {
  ComputeEnvironment spec = ManagedEc2("ce1");
  spec.tags = {{"team", "a"}};

  auto created = environments_.Create(spec);

  ASSERT_TRUE(created) << created.error().message;
  Tags expected{{"barge:executor", "container"}, {"team", "a"}};
  EXPECT_EQ(created->tags, expected);
  EXPECT_EQ(DescribeOne("ce1").tags, expected);
  EXPECT_EQ(ExecutorOf(DescribeOne("ce1")), ExecutorKind::kContainer);
}

TEST_F(ComputeEnvironmentServiceTest, CreateKeepsAGivenExecutorTag) {
  ComputeEnvironment spec = Unmanaged("host");
  spec.tags = {{"barge:executor", "process"}};

  auto created = environments_.Create(spec);

  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(DescribeOne("host").tags, (Tags{{"barge:executor", "process"}}));
  EXPECT_EQ(ExecutorOf(DescribeOne("host")), ExecutorKind::kProcess);
}

TEST_F(ComputeEnvironmentServiceTest, CreateWithAnUnknownExecutorIsRefusedAndStoresNothing) {
  ComputeEnvironment spec = ManagedEc2("ce1");
  spec.tags = {{"barge:executor", "docker"}};

  auto created = environments_.Create(spec);

  ASSERT_TRUE(FailsWith(created, ErrorCode::kInvalidArgument));
  EXPECT_EQ(created.error().message,
            "tag barge:executor 'docker' is invalid: it must be container (jobs run in a "
            "container from their image) or process (jobs run directly on the host)");
  EXPECT_TRUE(environments_.Describe({})->empty());
}

TEST_F(ComputeEnvironmentServiceTest, ExecutorTagDoesNotCountTowardFiftyTags) {
  ComputeEnvironment spec = Unmanaged("many");
  for (int i = 0; i < 50; ++i) spec.tags["k" + std::to_string(i)] = "v";

  auto created = environments_.Create(spec);

  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(DescribeOne("many").tags.size(), 51u);
}

TEST_F(ComputeEnvironmentServiceTest, CreateAcceptsUnmanagedWithUnmanagedVcpusAndFargate) {
  ComputeEnvironment unmanaged = Unmanaged("mine");
  unmanaged.unmanaged_vcpus = 8;

  EXPECT_TRUE(environments_.Create(unmanaged));
  auto fargate = environments_.Create(ManagedFargate("fg"));
  ASSERT_TRUE(fargate);
  EXPECT_FALSE(fargate->compute_resources->allocation_strategy.has_value());
}

TEST_F(ComputeEnvironmentServiceTest, DuplicateNameIsAlreadyExists) {
  ASSERT_TRUE(environments_.Create(ManagedEc2("ce1")));

  auto again = environments_.Create(Unmanaged("ce1"));

  ASSERT_TRUE(FailsWith(again, ErrorCode::kAlreadyExists));
  EXPECT_EQ(again.error().message, "compute environment ce1 already exists");
  EXPECT_EQ(DescribeOne("ce1").type, ComputeEnvironmentType::kManaged);
}

TEST_F(ComputeEnvironmentServiceTest, FiftyFirstEnvironmentIsRefused) {
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(environments_.Create(Unmanaged("ce" + std::to_string(i))));
  }

  auto extra = environments_.Create(Unmanaged("one-too-many"));

  ASSERT_TRUE(FailsWith(extra, ErrorCode::kFailedPrecondition));
  EXPECT_EQ(extra.error().message,
            "cannot create compute environment one-too-many: the limit of 50 compute "
            "environments has been reached");
  EXPECT_EQ(environments_.Describe({})->size(), 50u);
}

TEST_F(ComputeEnvironmentServiceTest, CreateRejectsBadShapesAndStoresNothing) {
  auto bad_name = ManagedEc2("bad name");
  auto managed_without = ComputeEnvironment{.name = "m", .type = ComputeEnvironmentType::kManaged};
  auto unmanaged_with = ManagedEc2("u");
  unmanaged_with.type = ComputeEnvironmentType::kUnmanaged;
  auto managed_unmanaged_vcpus = ManagedEc2("v");
  managed_unmanaged_vcpus.unmanaged_vcpus = 4;
  auto bad_type = ManagedEc2("t");
  bad_type.compute_resources->type = "GPU";
  auto no_max = ManagedEc2("x");
  no_max.compute_resources->max_vcpus.reset();
  auto min_over_max = ManagedEc2("y");
  min_over_max.compute_resources->min_vcpus = 32;
  auto desired_over_max = ManagedEc2("z");
  desired_over_max.compute_resources->desired_vcpus = 17;
  auto negative_min = ManagedEc2("n");
  negative_min.compute_resources->min_vcpus = -1;
  auto bad_strategy = ManagedEc2("s");
  bad_strategy.compute_resources->allocation_strategy = "CHEAPEST";
  auto spot_strategy_on_ec2 = ManagedEc2("s2");
  spot_strategy_on_ec2.compute_resources->allocation_strategy = "SPOT_CAPACITY_OPTIMIZED";
  auto fargate_strategy = ManagedFargate("f");
  fargate_strategy.compute_resources->allocation_strategy = "BEST_FIT_PROGRESSIVE";
  auto bid_on_ec2 = ManagedEc2("b");
  bid_on_ec2.compute_resources->bid_percentage = 50;
  auto bid_too_high = ManagedEc2("b2");
  bid_too_high.compute_resources->type = "SPOT";
  bid_too_high.compute_resources->bid_percentage = 101;
  auto bad_tags = ManagedEc2("tg");
  bad_tags.tags["aws:x"] = "y";
  auto short_delay = ManagedEc2("d1");
  short_delay.compute_resources->aws_only["scalingPolicy"] = R"({"minScaleDownDelayMinutes":5})";
  auto long_delay = ManagedEc2("d2");
  long_delay.compute_resources->aws_only["scalingPolicy"] =
      R"({"minScaleDownDelayMinutes":9223372036854775807})";
  auto text_delay = ManagedEc2("d3");
  text_delay.compute_resources->aws_only["scalingPolicy"] = R"({"minScaleDownDelayMinutes":"20"})";
  auto policy_not_object = ManagedEc2("d4");
  policy_not_object.compute_resources->aws_only["scalingPolicy"] = "[20]";

  for (const ComputeEnvironment& spec :
       {bad_name, managed_without, unmanaged_with, managed_unmanaged_vcpus, bad_type, no_max,
        min_over_max, desired_over_max, negative_min, bad_strategy, spot_strategy_on_ec2,
        fargate_strategy, bid_on_ec2, bid_too_high, bad_tags, short_delay, long_delay, text_delay,
        policy_not_object}) {
    EXPECT_TRUE(FailsWith(environments_.Create(spec), ErrorCode::kInvalidArgument)) << spec.name;
  }
  EXPECT_TRUE(environments_.Describe({})->empty());
}

TEST_F(ComputeEnvironmentServiceTest, ScalingPolicyTakesAwsRangeOrZero) {
  for (const char* minutes : {"0", "20", "10080"}) {
    auto spec = ManagedEc2(std::string("ok") + minutes);
    spec.compute_resources->aws_only["scalingPolicy"] =
        std::string(R"({"minScaleDownDelayMinutes":)") + minutes + "}";
    EXPECT_TRUE(static_cast<bool>(environments_.Create(spec))) << minutes;
  }
  auto spec = ManagedEc2("bad");
  spec.compute_resources->aws_only["scalingPolicy"] = R"({"minScaleDownDelayMinutes":19})";
  Result<ComputeEnvironment> refused = environments_.Create(spec);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message,
            "computeResources.scalingPolicy.minScaleDownDelayMinutes 19 must be between 20 and "
            "10080, or 0 to unset it");
}

TEST_F(ComputeEnvironmentServiceTest, ValidationMessagesNameTheValue) {
  auto desired = ManagedEc2("z");
  desired.compute_resources->desired_vcpus = 17;
  auto unmanaged_with = ManagedEc2("u");
  unmanaged_with.type = ComputeEnvironmentType::kUnmanaged;

  EXPECT_EQ(environments_.Create(desired).error().message,
            "computeResources.desiredvCpus 17 must be between minvCpus 0 and maxvCpus 16");
  EXPECT_EQ(environments_.Create(unmanaged_with).error().message,
            "computeResources must not be specified for an UNMANAGED compute environment");
  EXPECT_EQ(environments_.Create({.name = "m"}).error().message,
            "computeResources must be specified for a MANAGED compute environment");
}

TEST_F(ComputeEnvironmentServiceTest, SpotAcceptsSpotStrategiesAndBid) {
  auto spot = ManagedEc2("spot");
  spot.compute_resources->type = "SPOT";
  spot.compute_resources->allocation_strategy = "SPOT_PRICE_CAPACITY_OPTIMIZED";
  spot.compute_resources->bid_percentage = 60;

  EXPECT_TRUE(environments_.Create(spot));
}

TEST_F(ComputeEnvironmentServiceTest, DescribeByNameOrArnLeavesUnknownOut) {
  ASSERT_TRUE(environments_.Create(ManagedEc2("a")));
  ASSERT_TRUE(environments_.Create(Unmanaged("b")));

  auto described =
      environments_.Describe({"arn:aws:batch:us-east-1:123456789012:compute-environment/b", "a",
                              "missing", "arn:aws:batch:us-east-1:123456789012:job-queue/a", "a"});

  ASSERT_TRUE(described);
  ASSERT_EQ(described->size(), 2u);
  EXPECT_EQ((*described)[0].name, "b");
  EXPECT_EQ((*described)[1].name, "a");
  EXPECT_EQ(environments_.Describe({})->size(), 2u);
}

TEST_F(ComputeEnvironmentServiceTest, UpdateChangesFieldsAndMarksUpdating) {
  CreateValid(ManagedEc2("ce"));
  ComputeEnvironmentUpdate update{
      .compute_environment = "arn:aws:batch:us-east-1:123456789012:compute-environment/ce",
      .state = ResourceState::kDisabled,
      .compute_resources = ComputeResourcesUpdate{.min_vcpus = 2,
                                                  .max_vcpus = 64,
                                                  .desired_vcpus = 4,
                                                  .instance_types = {{"c5", "m5"}},
                                                  .allocation_strategy = "BEST_FIT_PROGRESSIVE",
                                                  .aws_only = {{"subnets", "[\"s-1\"]"}}},
      .service_role = "arn:aws:iam::1:role/batch"};

  auto updated = environments_.Update(update);

  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_EQ(updated->state, ResourceState::kDisabled);
  EXPECT_EQ(updated->status, ResourceStatus::kUpdating);
  EXPECT_EQ(updated->compute_resources->max_vcpus, 64);
  EXPECT_EQ(updated->compute_resources->desired_vcpus, 4);
  EXPECT_EQ(updated->compute_resources->instance_types, (std::vector<std::string>{"c5", "m5"}));
  EXPECT_EQ(updated->compute_resources->allocation_strategy, "BEST_FIT_PROGRESSIVE");
  EXPECT_EQ(updated->compute_resources->aws_only.at("subnets"), "[\"s-1\"]");
  EXPECT_EQ(updated->service_role, "arn:aws:iam::1:role/batch");
  ASSERT_TRUE(reconciler_.Tick());
  EXPECT_EQ(DescribeOne("ce").status, ResourceStatus::kValid);
}

TEST_F(ComputeEnvironmentServiceTest, UpdateOfBoundsPullsDesiredAlong) {
  auto spec = ManagedEc2("ce");
  spec.compute_resources->desired_vcpus = 10;
  CreateValid(spec);

  auto updated = environments_.Update(
      {.compute_environment = "ce", .compute_resources = ComputeResourcesUpdate{.max_vcpus = 4}});

  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_EQ(updated->compute_resources->desired_vcpus, 4);
}

TEST_F(ComputeEnvironmentServiceTest, UpdateRejectsBadChangesAndChangesNothing) {
  CreateValid(ManagedEc2("ce"));
  CreateValid(Unmanaged("um"));
  std::vector<ComputeEnvironmentUpdate> bad{
      {.compute_environment = "ce",
       .compute_resources = ComputeResourcesUpdate{.allocation_strategy = "BEST_FIT"}},
      {.compute_environment = "ce", .unmanaged_vcpus = 4},
      {.compute_environment = "um", .compute_resources = ComputeResourcesUpdate{.max_vcpus = 1}},
      {.compute_environment = "ce", .compute_resources = ComputeResourcesUpdate{.type = "FARGATE"}},
      {.compute_environment = "ce",
       .state = ResourceState::kDisabled,
       .compute_resources = ComputeResourcesUpdate{.min_vcpus = 20}},
      {.compute_environment = "ce",
       .compute_resources = ComputeResourcesUpdate{.bid_percentage = 5}},
      {.compute_environment = "ce",
       .compute_resources =
           ComputeResourcesUpdate{
               .aws_only = {{"scalingPolicy", R"({"minScaleDownDelayMinutes":10081})"}}}},
  };

  for (const auto& update : bad) {
    EXPECT_TRUE(FailsWith(environments_.Update(update), ErrorCode::kInvalidArgument));
  }
  ComputeEnvironment after = DescribeOne("ce");
  EXPECT_EQ(after.status, ResourceStatus::kValid);
  EXPECT_EQ(after.state, ResourceState::kEnabled);
  EXPECT_EQ(after.compute_resources->min_vcpus, 0);
  EXPECT_EQ(
      environments_
          .Update({.compute_environment = "ce",
                   .compute_resources = ComputeResourcesUpdate{.allocation_strategy = "BEST_FIT"}})
          .error()
          .message,
      "computeResources.allocationStrategy cannot be updated to BEST_FIT");
}

TEST_F(ComputeEnvironmentServiceTest, UpdateSwitchesEc2ToSpotAndUnmanagedVcpus) {
  CreateValid(ManagedEc2("ce"));
  CreateValid(Unmanaged("um"));

  auto spot = environments_.Update(
      {.compute_environment = "ce",
       .compute_resources = ComputeResourcesUpdate{.type = "SPOT",
                                                   .allocation_strategy = "SPOT_CAPACITY_OPTIMIZED",
                                                   .bid_percentage = 40}});
  auto unmanaged = environments_.Update({.compute_environment = "um", .unmanaged_vcpus = 12});

  ASSERT_TRUE(spot) << spot.error().message;
  EXPECT_EQ(spot->compute_resources->type, "SPOT");
  ASSERT_TRUE(unmanaged);
  EXPECT_EQ(unmanaged->unmanaged_vcpus, 12);
}

TEST_F(ComputeEnvironmentServiceTest, UpdateOfUnknownEnvironmentIsNotFound) {
  auto missing = environments_.Update({.compute_environment = "nope"});

  ASSERT_TRUE(FailsWith(missing, ErrorCode::kNotFound));
  EXPECT_EQ(missing.error().message,
            "compute environment arn:aws:batch:us-east-1:123456789012:compute-environment/nope "
            "does not exist");
}

TEST_F(ComputeEnvironmentServiceTest, DeleteNeedsDisabledAndNoQueue) {
  CreateValid(ManagedEc2("ce"));
  CreateQueue(QueueOn("q", {"ce"}));

  auto enabled = environments_.Delete("ce");
  ASSERT_TRUE(
      environments_.Update({.compute_environment = "ce", .state = ResourceState::kDisabled}));
  auto in_queue = environments_.Delete("ce");
  ASSERT_TRUE(queues_.Update({.job_queue = "q", .state = ResourceState::kDisabled}));
  ASSERT_TRUE(queues_.Delete("q"));
  auto deleted = environments_.Delete("ce");

  ASSERT_TRUE(FailsWith(enabled, ErrorCode::kFailedPrecondition));
  EXPECT_EQ(enabled.error().message,
            "cannot delete, found existing JobQueue relationship: job queue q uses compute "
            "environment ce");
  ASSERT_TRUE(FailsWith(in_queue, ErrorCode::kFailedPrecondition));
  EXPECT_TRUE(deleted) << deleted.error().message;
  EXPECT_TRUE(environments_.Describe({"ce"})->empty());
}

TEST_F(ComputeEnvironmentServiceTest, DeleteOfEnabledEnvironmentIsRefused) {
  CreateValid(Unmanaged("ce"));

  auto refused = environments_.Delete("ce");

  ASSERT_TRUE(FailsWith(refused, ErrorCode::kFailedPrecondition));
  EXPECT_EQ(refused.error().message,
            "compute environment ce must be DISABLED before it can be "
            "deleted");
  EXPECT_EQ(environments_.Describe({"ce"})->size(), 1u);
  EXPECT_TRUE(FailsWith(environments_.Delete("ghost"), ErrorCode::kNotFound));
}

}  // namespace
}  // namespace barge::control
