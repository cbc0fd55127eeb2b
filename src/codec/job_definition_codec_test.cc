#include <gtest/gtest.h>

#include "codec/codec.h"

namespace barge::codec {
namespace {

ContainerProperties FullContainer() {
  return ContainerProperties{
      .image = "busybox:1.36",
      .command = {"sh", "-c", "echo Ref::msg"},
      .environment = {{.name = "A", .value = "1"}, {.name = "B", .value = ""}},
      .resource_requirements = {{.type = "VCPU", .value = "2"}, {.type = "MEMORY", .value = "512"}},
      .vcpus = 2,
      .memory = 512,
      .volumes = {{.name = "data", .host_source_path = "/srv/data"},
                  {.name = "efs",
                   .aws_only = {{"efsVolumeConfiguration", R"({"fileSystemId":"fs-1"})"}}}},
      .mount_points = {{.container_path = "/data", .read_only = true, .source_volume = "data"}},
      .ulimits = {{.name = "nofile", .soft_limit = 1024, .hard_limit = 4096}},
      .user = "nobody",
      .readonly_root_filesystem = false,
      .privileged = true,
      .linux_parameters =
          LinuxParameters{
              .devices = {{.host_path = "/dev/fuse",
                           .container_path = "/dev/fuse",
                           .permissions = {"READ", "WRITE"}}},
              .init_process_enabled = true,
              .shared_memory_size = 64,
              .tmpfs = {{.container_path = "/scratch", .size = 128, .mount_options = {"rw"}}},
              .max_swap = 0,
              .swappiness = 60,
          },
      .log_configuration =
          LogConfiguration{
              .log_driver = "json-file",
              .options = {{"max-size", "10m"}},
              .aws_only = {{"secretOptions", R"([{"name":"s","valueFrom":"arn:s"}])"}},
          },
      .secrets = {{.name = "TOKEN", .value_from = "arn:aws:ssm:us-east-1:1:parameter/t"}},
      .instance_type = "m5.large",
      .aws_only = {{"jobRoleArn", R"("arn:aws:iam::1:role/job")"},
                   {"executionRoleArn", R"("arn:aws:iam::1:role/exec")"},
                   {"networkConfiguration", R"({"assignPublicIp":"ENABLED"})"},
                   {"fargatePlatformConfiguration", R"({"platformVersion":"LATEST"})"},
                   {"ephemeralStorage", R"({"sizeInGiB":30})"},
                   {"runtimePlatform", R"({"cpuArchitecture":"X86_64"})"},
                   {"repositoryCredentials", R"({"credentialsParameter":"arn:c"})"},
                   {"enableExecuteCommand", "false"}},
  };
}

JobDefinition FullContainerDefinition() {
  return JobDefinition{
      .name = "jd",
      .revision = 3,
      .arn = "arn:aws:batch:us-east-1:123456789012:job-definition/jd:3",
      .status = JobDefinitionStatus::kInactive,
      .type = "container",
      .parameters = {{"msg", "hello"}},
      .scheduling_priority = 9,
      .container_properties = FullContainer(),
      .retry_strategy =
          RetryStrategy{
              .attempts = 3,
              .evaluate_on_exit = {{.on_status_reason = "Host EC2*",
                                    .on_reason = "*",
                                    .on_exit_code = "1*",
                                    .action = "RETRY"},
                                   {.action = "exit"}},
          },
      .timeout = JobTimeout{.attempt_duration_seconds = 120},
      .propagate_tags = true,
      .platform_capabilities = {"EC2"},
      .tags = {{"team", "barge"}},
      .aws_only = {{"consumableResourceProperties",
                    R"({"consumableResourceList":[{"consumableResource":"lic","quantity":1}]})"}},
      .version = 11,
  };
}

JobDefinition MultinodeDefinition() {
  ContainerProperties node_container{.image = "mpi:1", .command = {"mpirun"}, .vcpus = 4};
  return JobDefinition{
      .name = "mnp",
      .revision = 1,
      .arn = "arn:aws:batch:us-east-1:123456789012:job-definition/mnp:1",
      .type = "multinode",
      .node_properties =
          NodeProperties{
              .num_nodes = 4,
              .main_node = 0,
              .node_range_properties = {{.target_nodes = "0:3",
                                         .container = node_container,
                                         .instance_types = {"c5.xlarge"},
                                         .aws_only = {{"ecsProperties",
                                                       R"({"taskProperties":[]})"}}},
                                        {.target_nodes = "3:"}},
          },
  };
}

std::string ErrorOf(const char* text) {
  Result<JobDefinition> definition = JobDefinitionFromJson(Json::parse(text));
  if (definition) return "";
  EXPECT_EQ(definition.error().code, ErrorCode::kInvalidArgument);
  return definition.error().message;
}

TEST(JobDefinitionCodecTest, EncodesEveryMemberInTheAwsShape) {
  Json json = ToJson(FullContainerDefinition());

  EXPECT_EQ(json, Json::parse(R"({
    "jobDefinitionName": "jd",
    "jobDefinitionArn": "arn:aws:batch:us-east-1:123456789012:job-definition/jd:3",
    "revision": 3,
    "status": "INACTIVE",
    "type": "container",
    "parameters": {"msg": "hello"},
    "schedulingPriority": 9,
    "containerProperties": {
      "image": "busybox:1.36",
      "command": ["sh", "-c", "echo Ref::msg"],
      "environment": [{"name": "A", "value": "1"}, {"name": "B", "value": ""}],
      "resourceRequirements": [{"type": "VCPU", "value": "2"}, {"type": "MEMORY", "value": "512"}],
      "vcpus": 2,
      "memory": 512,
      "volumes": [{"name": "data", "host": {"sourcePath": "/srv/data"}},
                  {"name": "efs", "efsVolumeConfiguration": {"fileSystemId": "fs-1"}}],
      "mountPoints": [{"containerPath": "/data", "readOnly": true, "sourceVolume": "data"}],
      "ulimits": [{"name": "nofile", "softLimit": 1024, "hardLimit": 4096}],
      "user": "nobody",
      "readonlyRootFilesystem": false,
      "privileged": true,
      "linuxParameters": {
        "devices": [{"hostPath": "/dev/fuse", "containerPath": "/dev/fuse",
                     "permissions": ["READ", "WRITE"]}],
        "initProcessEnabled": true,
        "sharedMemorySize": 64,
        "tmpfs": [{"containerPath": "/scratch", "size": 128, "mountOptions": ["rw"]}],
        "maxSwap": 0,
        "swappiness": 60
      },
      "logConfiguration": {"logDriver": "json-file", "options": {"max-size": "10m"},
                           "secretOptions": [{"name": "s", "valueFrom": "arn:s"}]},
      "secrets": [{"name": "TOKEN", "valueFrom": "arn:aws:ssm:us-east-1:1:parameter/t"}],
      "instanceType": "m5.large",
      "jobRoleArn": "arn:aws:iam::1:role/job",
      "executionRoleArn": "arn:aws:iam::1:role/exec",
      "networkConfiguration": {"assignPublicIp": "ENABLED"},
      "fargatePlatformConfiguration": {"platformVersion": "LATEST"},
      "ephemeralStorage": {"sizeInGiB": 30},
      "runtimePlatform": {"cpuArchitecture": "X86_64"},
      "repositoryCredentials": {"credentialsParameter": "arn:c"},
      "enableExecuteCommand": false
    },
    "retryStrategy": {"attempts": 3, "evaluateOnExit": [
      {"onStatusReason": "Host EC2*", "onReason": "*", "onExitCode": "1*", "action": "RETRY"},
      {"action": "exit"}]},
    "timeout": {"attemptDurationSeconds": 120},
    "propagateTags": true,
    "platformCapabilities": ["EC2"],
    "tags": {"team": "barge"},
    "consumableResourceProperties": {"consumableResourceList": [
      {"consumableResource": "lic", "quantity": 1}]},
    "containerOrchestrationType": "ECS"
  })"));
}

TEST(JobDefinitionCodecTest, ContainerDefinitionRoundTripIsLossless) {
  JobDefinition original = FullContainerDefinition();

  Result<JobDefinition> decoded = JobDefinitionFromJson(ToJson(original));

  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(ToJson(*decoded), ToJson(original));
  EXPECT_EQ(decoded->version, 0);
  EXPECT_EQ(decoded->status, JobDefinitionStatus::kInactive);
  EXPECT_EQ(decoded->aws_only, original.aws_only);
  const ContainerProperties& container = *decoded->container_properties;
  EXPECT_EQ(container.aws_only, original.container_properties->aws_only);
  EXPECT_EQ(container.volumes[1].aws_only, original.container_properties->volumes[1].aws_only);
  EXPECT_EQ(container.log_configuration->aws_only,
            original.container_properties->log_configuration->aws_only);
  EXPECT_EQ(container.linux_parameters->max_swap, 0);
  EXPECT_EQ(container.readonly_root_filesystem, false);
  EXPECT_EQ(decoded->retry_strategy->evaluate_on_exit[1].on_reason, std::nullopt);
}

TEST(JobDefinitionCodecTest, MultinodeDefinitionRoundTripIsLossless) {
  JobDefinition original = MultinodeDefinition();

  Json json = ToJson(original);
  Result<JobDefinition> decoded = JobDefinitionFromJson(json);

  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(ToJson(*decoded), json);
  EXPECT_EQ(json["nodeProperties"], Json::parse(R"({"numNodes": 4, "mainNode": 0,
    "nodeRangeProperties": [
      {"targetNodes": "0:3", "instanceTypes": ["c5.xlarge"], "ecsProperties": {"taskProperties": []},
       "container": {"image": "mpi:1", "command": ["mpirun"], "environment": [],
                     "resourceRequirements": [], "vcpus": 4, "volumes": [], "mountPoints": [],
                     "ulimits": [], "secrets": []}},
      {"targetNodes": "3:"}]})"));
  const NodeRangeProperty& range = decoded->node_properties->node_range_properties[0];
  EXPECT_EQ(range.aws_only, original.node_properties->node_range_properties[0].aws_only);
  EXPECT_FALSE(decoded->node_properties->node_range_properties[1].container.has_value());
  EXPECT_FALSE(decoded->container_properties.has_value());
}

TEST(JobDefinitionCodecTest, MinimalDefinitionCarriesIdentityAndParameters) {
  JobDefinition definition{.name = "d", .revision = 1, .arn = "arn:d:1", .type = "container"};

  EXPECT_EQ(ToJson(definition), Json::parse(R"({"jobDefinitionName": "d",
    "jobDefinitionArn": "arn:d:1", "revision": 1, "status": "ACTIVE", "type": "container",
    "parameters": {}, "containerOrchestrationType": "ECS"})"));
}

TEST(JobDefinitionCodecTest, EksPropertiesMakeTheOrchestrationTypeEks) {
  Result<JobDefinition> decoded = JobDefinitionFromJson(Json::parse(
      R"({"jobDefinitionName": "k", "type": "container",
          "eksProperties": {"podProperties": {"containers": [{"image": "x"}]}}})"));

  ASSERT_TRUE(decoded) << decoded.error().message;
  Json json = ToJson(*decoded);
  EXPECT_EQ(json["containerOrchestrationType"], "EKS");
  EXPECT_EQ(json["eksProperties"]["podProperties"]["containers"][0]["image"], "x");
}

TEST(JobDefinitionCodecTest, DecodesARegisterRequestAndIgnoresUnknownMembers) {
  Result<JobDefinition> decoded = JobDefinitionFromJson(Json::parse(R"({
    "jobDefinitionName": "hello", "type": "container",
    "containerProperties": {"image": "busybox", "command": ["true"],
      "resourceRequirements": [{"type": "VCPU", "value": "1"}], "notAMember": 1,
      "logConfiguration": {"logDriver": "awslogs"}},
    "retryStrategy": {"attempts": 2}, "timeout": {},
    "futureThing": [1, 2, 3]})"));

  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(decoded->name, "hello");
  EXPECT_EQ(decoded->revision, 0);
  EXPECT_EQ(decoded->status, JobDefinitionStatus::kActive);
  EXPECT_EQ(decoded->container_properties->image, "busybox");
  EXPECT_EQ(decoded->container_properties->resource_requirements[0].value, "1");
  EXPECT_EQ(decoded->container_properties->log_configuration->log_driver, "awslogs");
  EXPECT_TRUE(decoded->container_properties->aws_only.empty());
  EXPECT_EQ(decoded->retry_strategy->attempts, 2);
  ASSERT_TRUE(decoded->timeout.has_value());
  EXPECT_FALSE(decoded->timeout->attempt_duration_seconds.has_value());
  EXPECT_TRUE(decoded->aws_only.empty());
}

TEST(JobDefinitionCodecTest, RejectsWrongTypesWithFullPaths) {
  EXPECT_EQ(ErrorOf("null"), "request body must be a JSON object");
  EXPECT_EQ(ErrorOf(R"({"revision": "1"})"), "revision must be an integer");
  EXPECT_EQ(ErrorOf(R"({"status": "DELETED"})"), "status must be one of ACTIVE, INACTIVE");
  EXPECT_EQ(ErrorOf(R"({"parameters": {"a": 1}})"), "parameters.a must be a string");
  EXPECT_EQ(ErrorOf(R"({"containerProperties": {"environment": [
              {"name": "a", "value": "1"}, {"name": "b", "value": "2"}, {"name": 3}]}})"),
            "containerProperties.environment[2].name must be a string");
  EXPECT_EQ(ErrorOf(R"({"containerProperties": {"command": "echo"}})"),
            "containerProperties.command must be a list");
  EXPECT_EQ(ErrorOf(R"({"containerProperties": {"memory": 2147483648}})"),
            "containerProperties.memory must be a 32-bit integer");
  EXPECT_EQ(ErrorOf(R"({"containerProperties": {"volumes": [{"host": {"sourcePath": 1}}]}})"),
            "containerProperties.volumes[0].host.sourcePath must be a string");
  EXPECT_EQ(ErrorOf(R"({"containerProperties": {"volumes": [{"efsVolumeConfiguration": 1}]}})"),
            "containerProperties.volumes[0].efsVolumeConfiguration must be an object");
  EXPECT_EQ(ErrorOf(R"({"containerProperties": {"mountPoints": [{"readOnly": "no"}]}})"),
            "containerProperties.mountPoints[0].readOnly must be a boolean");
  EXPECT_EQ(ErrorOf(R"({"containerProperties": {"ulimits": [{"softLimit": 1.5}]}})"),
            "containerProperties.ulimits[0].softLimit must be an integer");
  EXPECT_EQ(ErrorOf(R"({"containerProperties": {"linuxParameters": {"devices": [
              {"hostPath": "/dev/x", "permissions": ["READ", 2]}]}}})"),
            "containerProperties.linuxParameters.devices[0].permissions[1] must be a string");
  EXPECT_EQ(ErrorOf(R"({"containerProperties": {"linuxParameters": {"tmpfs": [{"size": "1"}]}}})"),
            "containerProperties.linuxParameters.tmpfs[0].size must be an integer");
  EXPECT_EQ(ErrorOf(R"({"containerProperties": {"logConfiguration": {"secretOptions": {}}}})"),
            "containerProperties.logConfiguration.secretOptions must be a list");
  EXPECT_EQ(ErrorOf(R"({"containerProperties": {"logConfiguration": {"options": {"a": 1}}}})"),
            "containerProperties.logConfiguration.options.a must be a string");
  EXPECT_EQ(ErrorOf(R"({"containerProperties": {"secrets": [{"valueFrom": false}]}})"),
            "containerProperties.secrets[0].valueFrom must be a string");
  EXPECT_EQ(ErrorOf(R"({"containerProperties": {"jobRoleArn": {}}})"),
            "containerProperties.jobRoleArn must be a string");
  EXPECT_EQ(ErrorOf(R"({"containerProperties": {"enableExecuteCommand": 1}})"),
            "containerProperties.enableExecuteCommand must be a boolean");
  EXPECT_EQ(ErrorOf(R"({"nodeProperties": {"nodeRangeProperties": [
              {"targetNodes": "0:"}, {"container": {"vcpus": "4"}}]}})"),
            "nodeProperties.nodeRangeProperties[1].container.vcpus must be an integer");
  EXPECT_EQ(ErrorOf(R"({"nodeProperties": {"numNodes": -3000000000}})"),
            "nodeProperties.numNodes must be a 32-bit integer");
  EXPECT_EQ(ErrorOf(R"({"nodeProperties": {"nodeRangeProperties": [{"eksProperties": []}]}})"),
            "nodeProperties.nodeRangeProperties[0].eksProperties must be an object");
  EXPECT_EQ(ErrorOf(R"({"retryStrategy": {"evaluateOnExit": [{"action": 1}]}})"),
            "retryStrategy.evaluateOnExit[0].action must be a string");
  EXPECT_EQ(ErrorOf(R"({"timeout": {"attemptDurationSeconds": "60"}})"),
            "timeout.attemptDurationSeconds must be an integer");
  EXPECT_EQ(ErrorOf(R"({"propagateTags": "true"})"), "propagateTags must be a boolean");
  EXPECT_EQ(ErrorOf(R"({"platformCapabilities": "EC2"})"), "platformCapabilities must be a list");
  EXPECT_EQ(ErrorOf(R"({"ecsProperties": "x"})"), "ecsProperties must be an object");
}

TEST(ContainerPropertiesCodecTest, PrefixesMessagesWithThePath) {
  Result<ContainerProperties> bad_member =
      ContainerPropertiesFromJson(Json::parse(R"({"command": [1]})"), "containerOverrides");
  Result<ContainerProperties> not_object =
      ContainerPropertiesFromJson(Json::parse("[]"), "containerOverrides");

  ASSERT_FALSE(bad_member);
  EXPECT_EQ(bad_member.error().message, "containerOverrides.command[0] must be a string");
  ASSERT_FALSE(not_object);
  EXPECT_EQ(not_object.error().message, "containerOverrides must be an object");
}

TEST(ContainerPropertiesCodecTest, RoundTripIsLossless) {
  ContainerProperties original = FullContainer();

  Result<ContainerProperties> decoded = ContainerPropertiesFromJson(ToJson(original), "c");

  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(ToJson(*decoded), ToJson(original));
  EXPECT_EQ(decoded->aws_only, original.aws_only);
}

TEST(ContainerPropertiesCodecTest, AlwaysEmitsContainerLists) {
  Json json = ToJson(ContainerProperties{.image = "x"});

  EXPECT_EQ(json, Json::parse(R"({"image": "x", "command": [], "environment": [],
    "resourceRequirements": [], "volumes": [], "mountPoints": [], "ulimits": [],
    "secrets": []})"));
}

TEST(RetryStrategyCodecTest, DecodesWithPathAndRoundTrips) {
  Result<RetryStrategy> strategy = RetryStrategyFromJson(
      Json::parse(
          R"({"attempts": 2, "evaluateOnExit": [{"onExitCode": "137", "action": "EXIT"}]})"),
      "retryStrategy");
  Result<RetryStrategy> bad =
      RetryStrategyFromJson(Json::parse(R"({"attempts": 2.5})"), "retryStrategy");

  ASSERT_TRUE(strategy) << strategy.error().message;
  EXPECT_EQ(strategy->attempts, 2);
  EXPECT_EQ(strategy->evaluate_on_exit[0].on_exit_code, "137");
  EXPECT_EQ(ToJson(*strategy), Json::parse(R"({"attempts": 2,
    "evaluateOnExit": [{"onExitCode": "137", "action": "EXIT"}]})"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "retryStrategy.attempts must be an integer");
}

TEST(TagsCodecTest, DecodesStringMapWithPath) {
  Result<Tags> tags = TagsFromJson(Json::parse(R"({"a": "1", "b": ""})"), "tags");
  Result<Tags> bad_value = TagsFromJson(Json::parse(R"({"a": 1})"), "tags");
  Result<Tags> not_object = TagsFromJson(Json::parse(R"(["a"])"), "tags");

  ASSERT_TRUE(tags);
  EXPECT_EQ(*tags, (Tags{{"a", "1"}, {"b", ""}}));
  ASSERT_FALSE(bad_value);
  EXPECT_EQ(bad_value.error().message, "tags.a must be a string");
  ASSERT_FALSE(not_object);
  EXPECT_EQ(not_object.error().message, "tags must be an object");
}

}  // namespace
}  // namespace barge::codec
