#include <gtest/gtest.h>

#include "codec/codec.h"

namespace barge::codec {
namespace {

ComputeEnvironment FullComputeEnvironment() {
  return ComputeEnvironment{
      .name = "ce1",
      .arn = "arn:aws:batch:us-east-1:123456789012:compute-environment/ce1",
      .uuid = "8f2b",
      .type = ComputeEnvironmentType::kManaged,
      .state = ResourceState::kDisabled,
      .status = ResourceStatus::kValid,
      .status_reason = "ComputeEnvironment Healthy",
      .unmanaged_vcpus = 4,
      .compute_resources =
          ComputeResources{
              .type = "SPOT",
              .min_vcpus = 0,
              .max_vcpus = 16,
              .desired_vcpus = 2,
              .instance_types = {"m5.large", "optimal"},
              .allocation_strategy = "SPOT_CAPACITY_OPTIMIZED",
              .bid_percentage = 60,
              .aws_only = {{"subnets", R"(["subnet-1","subnet-2"])"},
                           {"launchTemplate", R"({"launchTemplateName":"lt","version":"$Latest"})"},
                           {"ec2Configuration", R"([{"imageType":"ECS_AL2"}])"},
                           {"tags", R"({"Name":"batch"})"},
                           {"instanceRole", R"("ecsInstanceRole")"}},
          },
      .service_role = "arn:aws:iam::123456789012:role/batch",
      .tags = {{"team", "barge"}},
      .aws_only = {{"updatePolicy",
                    R"({"jobExecutionTimeoutMinutes":30,"terminateJobsOnUpdate":false})"},
                   {"context", R"("ctx")"}},
      .version = 7,
  };
}

std::string ErrorOf(const Json& body) {
  Result<ComputeEnvironment> ce = ComputeEnvironmentFromJson(body);
  if (ce) return "";
  EXPECT_EQ(ce.error().code, ErrorCode::kInvalidArgument);
  return ce.error().message;
}

TEST(ComputeEnvironmentCodecTest, EncodesEveryMemberInTheAwsShape) {
  Json json = ToJson(FullComputeEnvironment());

  EXPECT_EQ(json, Json::parse(R"({
    "computeEnvironmentName": "ce1",
    "computeEnvironmentArn": "arn:aws:batch:us-east-1:123456789012:compute-environment/ce1",
    "ecsClusterArn": "arn:aws:ecs:us-east-1:123456789012:cluster/ce1_Batch_8f2b",
    "tags": {"team": "barge"},
    "type": "MANAGED",
    "state": "DISABLED",
    "status": "VALID",
    "statusReason": "ComputeEnvironment Healthy",
    "unmanagedvCpus": 4,
    "computeResources": {
      "type": "SPOT", "minvCpus": 0, "maxvCpus": 16, "desiredvCpus": 2,
      "instanceTypes": ["m5.large", "optimal"],
      "allocationStrategy": "SPOT_CAPACITY_OPTIMIZED", "bidPercentage": 60,
      "subnets": ["subnet-1", "subnet-2"],
      "launchTemplate": {"launchTemplateName": "lt", "version": "$Latest"},
      "ec2Configuration": [{"imageType": "ECS_AL2"}],
      "tags": {"Name": "batch"},
      "instanceRole": "ecsInstanceRole"
    },
    "serviceRole": "arn:aws:iam::123456789012:role/batch",
    "uuid": "8f2b",
    "updatePolicy": {"terminateJobsOnUpdate": false, "jobExecutionTimeoutMinutes": 30},
    "context": "ctx",
    "containerOrchestrationType": "ECS"
  })"));
}

TEST(ComputeEnvironmentCodecTest, RoundTripIsLosslessExceptVersion) {
  ComputeEnvironment original = FullComputeEnvironment();

  Result<ComputeEnvironment> decoded = ComputeEnvironmentFromJson(ToJson(original));

  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(ToJson(*decoded), ToJson(original));
  EXPECT_EQ(decoded->version, 0);
  EXPECT_EQ(decoded->uuid, "8f2b");
  EXPECT_EQ(decoded->state, ResourceState::kDisabled);
  EXPECT_EQ(decoded->status, ResourceStatus::kValid);
  EXPECT_EQ(decoded->aws_only, original.aws_only);
  ASSERT_TRUE(decoded->compute_resources.has_value());
  EXPECT_EQ(decoded->compute_resources->aws_only, original.compute_resources->aws_only);
  EXPECT_EQ(decoded->compute_resources->bid_percentage, 60);
}

TEST(ComputeEnvironmentCodecTest, DecodesTheCliCreateRequest) {
  Json body = Json::parse(R"({"computeEnvironmentName": "my-ce", "type": "MANAGED",
    "state": "ENABLED", "computeResources": {"type": "EC2", "minvCpus": 0, "maxvCpus": 8,
    "instanceTypes": ["optimal"], "subnets": ["subnet-0123456789abcdef0"],
    "securityGroupIds": ["sg-0123456789abcdef0"], "instanceRole": "ecsInstanceRole"},
    "tags": {"team": "barge"}})");

  Result<ComputeEnvironment> ce = ComputeEnvironmentFromJson(body);

  ASSERT_TRUE(ce) << ce.error().message;
  EXPECT_EQ(ce->name, "my-ce");
  EXPECT_EQ(ce->type, ComputeEnvironmentType::kManaged);
  EXPECT_EQ(ce->state, ResourceState::kEnabled);
  EXPECT_EQ(ce->tags, (Tags{{"team", "barge"}}));
  ASSERT_TRUE(ce->compute_resources.has_value());
  EXPECT_EQ(ce->compute_resources->type, "EC2");
  EXPECT_EQ(ce->compute_resources->min_vcpus, 0);
  EXPECT_EQ(ce->compute_resources->max_vcpus, 8);
  EXPECT_EQ(ce->compute_resources->desired_vcpus, std::nullopt);
  EXPECT_EQ(ce->compute_resources->instance_types, (std::vector<std::string>{"optimal"}));
  EXPECT_EQ(ce->compute_resources->aws_only,
            (AwsOnlyFields{{"subnets", R"(["subnet-0123456789abcdef0"])"},
                           {"securityGroupIds", R"(["sg-0123456789abcdef0"])"},
                           {"instanceRole", R"("ecsInstanceRole")"}}));
}

TEST(ComputeEnvironmentCodecTest, MinimalUnmanagedEnvironmentOmitsUnsetMembers) {
  ComputeEnvironment ce{.name = "u",
                        .arn = "arn:aws:batch:us-east-1:1:compute-environment/u",
                        .type = ComputeEnvironmentType::kUnmanaged};

  Json json = ToJson(ce);

  EXPECT_EQ(json, Json::parse(R"({"computeEnvironmentName": "u",
    "computeEnvironmentArn": "arn:aws:batch:us-east-1:1:compute-environment/u",
    "type": "UNMANAGED", "state": "ENABLED", "status": "CREATING",
    "containerOrchestrationType": "ECS"})"));
}

TEST(ComputeEnvironmentCodecTest, EksEnvironmentReportsEksAndNoEcsCluster) {
  ComputeEnvironment ce = FullComputeEnvironment();
  ce.aws_only["eksConfiguration"] =
      R"({"eksClusterArn":"arn:aws:eks:x","kubernetesNamespace":"n"})";

  Json json = ToJson(ce);

  EXPECT_EQ(json["containerOrchestrationType"], "EKS");
  EXPECT_FALSE(json.contains("ecsClusterArn"));
  EXPECT_EQ(json["eksConfiguration"]["kubernetesNamespace"], "n");
}

TEST(ComputeEnvironmentCodecTest, UnknownMembersAndNullsAreIgnored) {
  Json body = Json::parse(R"({"computeEnvironmentName": "c", "someFutureMember": {"x": 1},
    "serviceRole": null, "computeResources": {"type": "EC2", "updateToLatestImageVersion": true,
    "notAws": 3}})");

  Result<ComputeEnvironment> ce = ComputeEnvironmentFromJson(body);

  ASSERT_TRUE(ce) << ce.error().message;
  EXPECT_EQ(ce->service_role, std::nullopt);
  EXPECT_TRUE(ce->aws_only.empty());
  EXPECT_TRUE(ce->compute_resources->aws_only.empty());
}

TEST(ComputeEnvironmentCodecTest, RejectsWrongTypes) {
  EXPECT_EQ(ErrorOf(Json::array()), "request body must be a JSON object");
  EXPECT_EQ(ErrorOf(Json::parse(R"({"computeEnvironmentName": 5})")),
            "computeEnvironmentName must be a string");
  EXPECT_EQ(ErrorOf(Json::parse(R"({"computeResources": {"maxvCpus": "8"}})")),
            "computeResources.maxvCpus must be an integer");
  EXPECT_EQ(ErrorOf(Json::parse(R"({"computeResources": {"maxvCpus": 8.5}})")),
            "computeResources.maxvCpus must be an integer");
  EXPECT_EQ(ErrorOf(Json::parse(R"({"computeResources": {"maxvCpus": 4294967296}})")),
            "computeResources.maxvCpus must be a 32-bit integer");
  EXPECT_EQ(ErrorOf(Json::parse(R"({"computeResources": []})")),
            "computeResources must be an object");
  EXPECT_EQ(ErrorOf(Json::parse(R"({"computeResources": {"instanceTypes": ["a", 1]}})")),
            "computeResources.instanceTypes[1] must be a string");
  EXPECT_EQ(ErrorOf(Json::parse(R"({"computeResources": {"launchTemplate": "lt"}})")),
            "computeResources.launchTemplate must be an object");
  EXPECT_EQ(ErrorOf(Json::parse(R"({"computeResources": {"subnets": "subnet-1"}})")),
            "computeResources.subnets must be a list");
  EXPECT_EQ(ErrorOf(Json::parse(R"({"computeResources": {"tags": {"a": 1}}})")),
            "computeResources.tags.a must be a string");
  EXPECT_EQ(ErrorOf(Json::parse(R"({"tags": {"a": true}})")), "tags.a must be a string");
  EXPECT_EQ(ErrorOf(Json::parse(R"({"eksConfiguration": "x"})")),
            "eksConfiguration must be an object");
  EXPECT_EQ(ErrorOf(Json::parse(R"({"unmanagedvCpus": true})")),
            "unmanagedvCpus must be an integer");
}

TEST(ComputeEnvironmentCodecTest, RejectsUnknownEnumValues) {
  EXPECT_EQ(ErrorOf(Json::parse(R"({"type": "managed"})")),
            "type must be one of MANAGED, UNMANAGED");
  EXPECT_EQ(ErrorOf(Json::parse(R"({"state": "ON"})")), "state must be one of ENABLED, DISABLED");
  EXPECT_EQ(ErrorOf(Json::parse(R"({"status": "READY"})")),
            "status must be one of CREATING, UPDATING, DELETING, DELETED, VALID, INVALID");
}

TEST(ComputeEnvironmentCodecTest, KeepsComputeResourceTypeAndStrategyAsGiven) {
  Json body =
      Json::parse(R"({"computeResources": {"type": "QUANTUM", "allocationStrategy": "WHATEVER"}})");

  Result<ComputeEnvironment> ce = ComputeEnvironmentFromJson(body);

  ASSERT_TRUE(ce) << ce.error().message;
  EXPECT_EQ(ce->compute_resources->type, "QUANTUM");
  EXPECT_EQ(ce->compute_resources->allocation_strategy, "WHATEVER");
}

TEST(ComputeEnvironmentUpdateCodecTest, DecodesEveryMember) {
  Json body = Json::parse(R"({"computeEnvironment": "ce1", "state": "DISABLED",
    "unmanagedvCpus": 2, "serviceRole": "role",
    "computeResources": {"type": "EC2", "minvCpus": 1, "maxvCpus": 9, "desiredvCpus": 3,
      "instanceTypes": [], "allocationStrategy": "BEST_FIT_PROGRESSIVE", "bidPercentage": 50,
      "subnets": ["s"], "updateToLatestImageVersion": true, "spotIamFleetRole": "ignored"},
    "updatePolicy": {"terminateJobsOnUpdate": true}, "context": "c"})");

  Result<ComputeEnvironmentUpdate> update = ComputeEnvironmentUpdateFromJson(body);

  ASSERT_TRUE(update) << update.error().message;
  EXPECT_EQ(update->compute_environment, "ce1");
  EXPECT_EQ(update->state, ResourceState::kDisabled);
  EXPECT_EQ(update->unmanaged_vcpus, 2);
  EXPECT_EQ(update->service_role, "role");
  ASSERT_TRUE(update->compute_resources.has_value());
  const ComputeResourcesUpdate& resources = *update->compute_resources;
  EXPECT_EQ(resources.type, "EC2");
  EXPECT_EQ(resources.min_vcpus, 1);
  EXPECT_EQ(resources.max_vcpus, 9);
  EXPECT_EQ(resources.desired_vcpus, 3);
  EXPECT_EQ(resources.instance_types, std::vector<std::string>{});
  EXPECT_EQ(resources.allocation_strategy, "BEST_FIT_PROGRESSIVE");
  EXPECT_EQ(resources.bid_percentage, 50);
  EXPECT_EQ(resources.aws_only,
            (AwsOnlyFields{{"subnets", R"(["s"])"}, {"updateToLatestImageVersion", "true"}}));
  EXPECT_EQ(update->aws_only, (AwsOnlyFields{{"updatePolicy", R"({"terminateJobsOnUpdate":true})"},
                                             {"context", R"("c")"}}));
  EXPECT_EQ(ToJson(*update)["computeResources"].size(), 9u);
}

TEST(ComputeEnvironmentUpdateCodecTest, UnsetMembersStayUnset) {
  Result<ComputeEnvironmentUpdate> update =
      ComputeEnvironmentUpdateFromJson(Json::parse(R"({"computeEnvironment": "ce1"})"));

  ASSERT_TRUE(update) << update.error().message;
  EXPECT_EQ(update->state, std::nullopt);
  EXPECT_EQ(update->compute_resources.has_value(), false);
  EXPECT_EQ(ToJson(*update), Json::parse(R"({"computeEnvironment": "ce1"})"));
}

TEST(ComputeEnvironmentUpdateCodecTest, RoundTripsThroughToJson) {
  ComputeEnvironmentUpdate update{
      .compute_environment = "ce1",
      .state = ResourceState::kEnabled,
      .compute_resources = ComputeResourcesUpdate{.max_vcpus = 4, .instance_types = {{"c5"}}},
      .aws_only = {{"updatePolicy", R"({"jobExecutionTimeoutMinutes":10})"}},
  };

  Result<ComputeEnvironmentUpdate> decoded = ComputeEnvironmentUpdateFromJson(ToJson(update));

  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(ToJson(*decoded), ToJson(update));
  EXPECT_EQ(decoded->compute_resources->instance_types, (std::vector<std::string>{"c5"}));
}

TEST(ComputeEnvironmentUpdateCodecTest, RejectsWrongTypes) {
  auto error = [](const char* text) {
    Result<ComputeEnvironmentUpdate> update = ComputeEnvironmentUpdateFromJson(Json::parse(text));
    return update ? std::string() : update.error().message;
  };

  EXPECT_EQ(error(R"({"state": "OFF"})"), "state must be one of ENABLED, DISABLED");
  EXPECT_EQ(error(R"({"computeResources": {"minvCpus": -2147483649}})"),
            "computeResources.minvCpus must be a 32-bit integer");
  EXPECT_EQ(error(R"({"computeResources": {"updateToLatestImageVersion": "yes"}})"),
            "computeResources.updateToLatestImageVersion must be a boolean");
  EXPECT_EQ(error(R"({"updatePolicy": []})"), "updatePolicy must be an object");
  EXPECT_EQ(error("42"), "request body must be a JSON object");
}

}  // namespace
}  // namespace barge::codec
