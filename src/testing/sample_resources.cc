#include "testing/sample_resources.h"

#include "core/arn.h"

namespace barge::testing {
namespace {

const ArnFormatter& Arns() {
  static const ArnFormatter arns("us-east-1", "123456789012");  // Immutable.
  return arns;
}

}  // namespace

ComputeEnvironment SampleComputeEnvironment(const std::string& name) {
  return ComputeEnvironment{
      .name = name,
      .arn = Arns().ComputeEnvironment(name),
      .uuid = "6f1c9b1e-2a3d-4c5e-8f70-1a2b3c4d5e6f",
      .type = ComputeEnvironmentType::kManaged,
      .state = ResourceState::kDisabled,
      .status = ResourceStatus::kValid,
      .status_reason = "ComputeEnvironment Healthy",
      .compute_resources =
          ComputeResources{
              .type = "SPOT",
              .min_vcpus = 2,
              .max_vcpus = 64,
              .desired_vcpus = 4,
              .instance_types = {"m5.large", "optimal"},
              .allocation_strategy = "SPOT_CAPACITY_OPTIMIZED",
              .bid_percentage = 60,
              .aws_only = {{"subnets", R"(["subnet-1","subnet-2"])"},
                           {"instanceRole", R"("ecsInstanceRole")"}},
          },
      .service_role = "arn:aws:iam::123456789012:role/AWSBatchServiceRole",
      .tags = {{"team", "data"}, {"cost-center", "42"}},
      .aws_only = {{"context", R"("ctx")"}, {"updatePolicy", R"({"terminateJobsOnUpdate":true})"}},
  };
}

JobQueue SampleJobQueue(const std::string& name) {
  return JobQueue{
      .name = name,
      .arn = Arns().JobQueue(name),
      .state = ResourceState::kEnabled,
      .status = ResourceStatus::kValid,
      .status_reason = "JobQueue Healthy",
      .priority = 10,
      .scheduling_policy_arn = Arns().SchedulingPolicy("fair"),
      .compute_environment_order = {{.order = 1, .compute_environment = Arns().ComputeEnvironment("a")},
                                    {.order = 2, .compute_environment = Arns().ComputeEnvironment("b")}},
      .job_state_time_limit_actions = {{.reason = "stuck",
                                        .state = "RUNNABLE",
                                        .max_time_seconds = 600,
                                        .action = "CANCEL"}},
      .tags = {{"team", "data"}},
      .aws_only = {{"jobQueueType", R"("ECS")"}},
  };
}

SchedulingPolicy SampleSchedulingPolicy(const std::string& name) {
  return SchedulingPolicy{
      .name = name,
      .arn = Arns().SchedulingPolicy(name),
      .fairshare_policy =
          FairsharePolicy{
              .share_decay_seconds = 3600,
              .compute_reservation = 25,
              .share_distribution = {{.share_identifier = "teamA", .weight_factor = 0.5},
                                     {.share_identifier = "team*", .weight_factor = 2.0}},
          },
      .tags = {{"team", "data"}},
      .aws_only = {{"quotaSharePolicy", R"({"idleResourceAssignmentStrategy":"FIFO"})"}},
  };
}

JobDefinition SampleJobDefinition(const std::string& name, int32_t revision) {
  return JobDefinition{
      .name = name,
      .revision = revision,
      .arn = Arns().JobDefinition(name, revision),
      .status = JobDefinitionStatus::kActive,
      .type = "container",
      .parameters = {{"input", "s3://bucket/in"}},
      .scheduling_priority = 5,
      .container_properties =
          ContainerProperties{
              .image = "busybox:latest",
              .command = {"echo", "Ref::input"},
              .environment = {{.name = "MODE", .value = "fast"}},
              .resource_requirements = {{.type = "VCPU", .value = "2"},
                                        {.type = "MEMORY", .value = "2048"}},
              .ulimits = {{.name = "nofile", .soft_limit = 1024, .hard_limit = 4096}},
              .user = "nobody",
              .aws_only = {{"jobRoleArn", R"("arn:aws:iam::123456789012:role/job")"}},
          },
      .retry_strategy =
          RetryStrategy{
              .attempts = 3,
              .evaluate_on_exit = {{.on_status_reason = "Host EC2*", .action = "RETRY"},
                                   {.on_exit_code = "1", .action = "EXIT"}},
          },
      .timeout = JobTimeout{.attempt_duration_seconds = 600},
      .propagate_tags = true,
      .platform_capabilities = {"EC2"},
      .tags = {{"team", "data"}},
      .aws_only = {{"consumableResourceProperties", R"({"consumableResourceList":[]})"}},
  };
}

}  // namespace barge::testing
