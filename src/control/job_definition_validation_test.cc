#include "control/job_definition_validation.h"

#include <gtest/gtest.h>

#include "control/control_test_fixture.h"

namespace barge::control {
namespace {

JobDefinition Multinode(int32_t num_nodes, std::vector<std::string> ranges) {
  JobDefinition definition{.name = "mnp", .type = "multinode"};
  definition.node_properties = NodeProperties{.num_nodes = num_nodes, .main_node = 0};
  for (std::string& range : ranges) {
    definition.node_properties->node_range_properties.push_back(
        {.target_nodes = std::move(range), .container = ContainerProperties{.image = "busybox"}});
  }
  return definition;
}

std::string MessageOf(const JobDefinition& definition) {
  Status status = ValidateJobDefinition(definition);
  return status ? "ok" : status.error().message;
}

TEST(JobDefinitionValidationTest, AcceptsMinimalContainerDefinition) {
  EXPECT_TRUE(ValidateJobDefinition(ContainerDefinition("jd")));
}

TEST(JobDefinitionValidationTest, TypeDecidesWhichPropertiesAreNeeded) {
  JobDefinition bad_type = ContainerDefinition("jd");
  bad_type.type = "lambda";
  JobDefinition no_container{.name = "jd", .type = "container"};
  JobDefinition container_with_nodes = ContainerDefinition("jd");
  container_with_nodes.node_properties = Multinode(1, {"0"}).node_properties;
  JobDefinition multinode_with_container = Multinode(1, {"0"});
  multinode_with_container.container_properties = ContainerProperties{.image = "x"};
  JobDefinition multinode_without{.name = "jd", .type = "multinode"};
  JobDefinition eks{.name = "jd", .type = "container", .aws_only = {{"eksProperties", "{}"}}};

  EXPECT_EQ(MessageOf(bad_type), "type 'lambda' is invalid: it must be container or multinode");
  EXPECT_EQ(MessageOf(no_container),
            "containerProperties is required for a container job definition");
  EXPECT_EQ(MessageOf(container_with_nodes),
            "nodeProperties can only be given for a multinode job definition");
  EXPECT_NE(MessageOf(multinode_with_container), "ok");
  EXPECT_EQ(MessageOf(multinode_without),
            "nodeProperties is required for a multinode job definition");
  EXPECT_EQ(MessageOf(eks), "ok");
}

TEST(JobDefinitionValidationTest, ResourceRequirementsAndLegacyValues) {
  JobDefinition zero_vcpu = ContainerDefinition("jd");
  zero_vcpu.container_properties->resource_requirements[0].value = "0";
  JobDefinition fractional = ContainerDefinition("jd");
  fractional.container_properties->resource_requirements[0].value = "0.5";
  JobDefinition fargate = fractional;
  fargate.platform_capabilities = {"FARGATE"};
  JobDefinition tiny_memory = ContainerDefinition("jd");
  tiny_memory.container_properties->resource_requirements[1].value = "3";
  JobDefinition legacy = ContainerDefinition("jd");
  legacy.container_properties->resource_requirements.clear();
  legacy.container_properties->vcpus = 0;
  JobDefinition legacy_memory = ContainerDefinition("jd");
  legacy_memory.container_properties->memory = 2;

  EXPECT_NE(MessageOf(zero_vcpu), "ok");
  EXPECT_NE(MessageOf(fractional), "ok");
  EXPECT_EQ(MessageOf(fargate), "ok");
  EXPECT_EQ(MessageOf(tiny_memory),
            "containerProperties.resourceRequirements MEMORY value '3' is invalid: a job needs at "
            "least 4 MiB of memory");
  EXPECT_EQ(MessageOf(legacy), "containerProperties.vcpus 0 is invalid: it must be at least 1");
  EXPECT_NE(MessageOf(legacy_memory), "ok");
}

TEST(JobDefinitionValidationTest, MountPointsMustNameAVolume) {
  JobDefinition definition = ContainerDefinition("jd");
  definition.container_properties->volumes.push_back({.name = "data", .host_source_path = "/d"});
  definition.container_properties->mount_points.push_back(
      {.container_path = "/data", .source_volume = "data"});
  EXPECT_EQ(MessageOf(definition), "ok");

  definition.container_properties->mount_points.push_back(
      {.container_path = "/x", .source_volume = "scratch"});

  EXPECT_EQ(MessageOf(definition),
            "containerProperties.mountPoints sourceVolume 'scratch' does not name a volume in "
            "containerProperties.volumes");
}

TEST(JobDefinitionValidationTest, UlimitsUseDockerNamesWithSoftAtMostHard) {
  JobDefinition definition = ContainerDefinition("jd");
  definition.container_properties->ulimits.push_back(
      {.name = "nofile", .soft_limit = 1024, .hard_limit = 4096});
  definition.container_properties->ulimits.push_back(
      {.name = "memlock", .soft_limit = -1, .hard_limit = -1});
  EXPECT_EQ(MessageOf(definition), "ok");

  JobDefinition unknown = ContainerDefinition("jd");
  unknown.container_properties->ulimits.push_back({.name = "files", .hard_limit = 1});
  JobDefinition inverted = ContainerDefinition("jd");
  inverted.container_properties->ulimits.push_back(
      {.name = "nproc", .soft_limit = 10, .hard_limit = 5});

  EXPECT_NE(MessageOf(unknown), "ok");
  EXPECT_EQ(MessageOf(inverted),
            "containerProperties.ulimits nproc: softLimit 10 must not exceed hardLimit 5");
}

TEST(JobDefinitionValidationTest, RetryTimeoutPriorityAndPlatformRules) {
  JobDefinition retry = ContainerDefinition("jd");
  retry.retry_strategy = RetryStrategy{.attempts = 11};
  JobDefinition timeout = ContainerDefinition("jd");
  timeout.timeout = JobTimeout{.attempt_duration_seconds = 30};
  JobDefinition priority = ContainerDefinition("jd");
  priority.scheduling_priority = 10000;
  JobDefinition platform = ContainerDefinition("jd");
  platform.platform_capabilities = {"LAMBDA"};
  JobDefinition tags = ContainerDefinition("jd");
  tags.tags["aws:x"] = "1";

  EXPECT_EQ(MessageOf(retry), "retryStrategy.attempts 11 is invalid: it must be between 1 and 10");
  EXPECT_EQ(MessageOf(timeout),
            "timeout.attemptDurationSeconds 30 is invalid: the minimum timeout is 60 seconds");
  EXPECT_EQ(MessageOf(priority),
            "schedulingPriority 10000 is invalid: it must be between 0 and 9999");
  EXPECT_NE(MessageOf(platform), "ok");
  EXPECT_NE(MessageOf(tags), "ok");
}

TEST(JobDefinitionValidationTest, ParsesEveryTargetNodesForm) {
  auto both = ParseTargetNodes("1:3", 8);
  auto open_start = ParseTargetNodes(":3", 8);
  auto open_end = ParseTargetNodes("2:", 8);
  auto single = ParseTargetNodes("5", 8);

  ASSERT_TRUE(both && open_start && open_end && single);
  EXPECT_EQ(both->first, 1);
  EXPECT_EQ(both->last, 3);
  EXPECT_EQ(open_start->first, 0);
  EXPECT_EQ(open_end->last, 7);
  EXPECT_EQ(single->first, 5);
  EXPECT_EQ(single->last, 5);
  EXPECT_FALSE(ParseTargetNodes(":", 8));
  EXPECT_FALSE(ParseTargetNodes("3:1", 8));
  EXPECT_FALSE(ParseTargetNodes("a", 8));
  EXPECT_FALSE(ParseTargetNodes("-1", 8));
}

TEST(JobDefinitionValidationTest, NodeRangesMustStayInsideAndCoverEveryNode) {
  EXPECT_EQ(MessageOf(Multinode(4, {"0:3"})), "ok");
  EXPECT_EQ(MessageOf(Multinode(4, {"0", "1:"})), "ok");
  EXPECT_EQ(MessageOf(Multinode(4, {":3", "1:2"})), "ok");  // Nested ranges override.
  EXPECT_EQ(MessageOf(Multinode(4, {"0:1"})),
            "nodeProperties.nodeRangeProperties do not cover node 2 (numNodes is 4)");
  EXPECT_EQ(MessageOf(Multinode(4, {"0:4"})),
            "nodeProperties.nodeRangeProperties targetNodes '0:4' is outside 0:3 (numNodes is 4)");
  EXPECT_NE(MessageOf(Multinode(4, {"0", "2:3"})), "ok");
  EXPECT_NE(MessageOf(Multinode(0, {"0"})), "ok");
  EXPECT_NE(MessageOf(Multinode(2, {})), "ok");
}

TEST(JobDefinitionValidationTest, MainNodeMustBeANode) {
  JobDefinition definition = Multinode(2, {"0:1"});
  definition.node_properties->main_node = 2;

  EXPECT_EQ(MessageOf(definition),
            "nodeProperties.mainNode 2 is invalid: it must be between 0 and numNodes - 1 (1)");
}

TEST(JobDefinitionValidationTest, MultinodeIsNotForFargate) {
  JobDefinition definition = Multinode(2, {"0:1"});
  definition.platform_capabilities = {"FARGATE"};

  EXPECT_EQ(MessageOf(definition), "multinode job definitions are not supported on FARGATE");
}

TEST(JobDefinitionValidationTest, NodeRangeContainersNeedAnImage) {
  JobDefinition definition = Multinode(2, {"0:1"});
  definition.node_properties->node_range_properties[0].container->image.clear();

  EXPECT_EQ(MessageOf(definition),
            "nodeProperties.nodeRangeProperties[0:1].container.image is "
            "required");
}

}  // namespace
}  // namespace barge::control
