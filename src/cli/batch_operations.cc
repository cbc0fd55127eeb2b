#include "cli/batch_operations.h"

#include <array>
#include <vector>

namespace barge::cli {
namespace {

using K = ParamKind;

// Shorthand shapes shared by several parameters. Only members that are not
// plain strings are listed (see shorthand.h); derived from the botocore model.
constexpr std::array kShapes = {
    NamedShape{.name = "Volume",
               .shape = "{efsVolumeConfiguration:{transitEncryptionPort:i},"
                        "s3filesVolumeConfiguration:{transitEncryptionPort:i}}"},
    NamedShape{.name = "LinuxParameters",
               .shape = "{devices:[{permissions:[s]}],initProcessEnabled:b,sharedMemorySize:i,"
                        "tmpfs:[{size:i,mountOptions:[s]}],maxSwap:i,swappiness:i}"},
    NamedShape{.name = "ContainerProperties",
               .shape = "{vcpus:i,memory:i,command:[s],volumes:[@Volume],environment:[{}],"
                        "mountPoints:[{readOnly:b}],readonlyRootFilesystem:b,privileged:b,"
                        "ulimits:[{hardLimit:i,softLimit:i}],resourceRequirements:[{}],"
                        "linuxParameters:@LinuxParameters,logConfiguration:{secretOptions:[{}]},"
                        "secrets:[{}],enableExecuteCommand:b,ephemeralStorage:{sizeInGiB:i}}"},
    NamedShape{.name = "EcsProperties",
               .shape = "{taskProperties:[{containers:[{command:[s],dependsOn:[{}],"
                        "environment:[{}],essential:b,linuxParameters:@LinuxParameters,"
                        "logConfiguration:{secretOptions:[{}]},mountPoints:[{readOnly:b}],"
                        "privileged:b,readonlyRootFilesystem:b,resourceRequirements:[{}],"
                        "secrets:[{}],ulimits:[{hardLimit:i,softLimit:i}],startTimeout:i,"
                        "stopTimeout:i}],ephemeralStorage:{sizeInGiB:i},volumes:[@Volume],"
                        "enableExecuteCommand:b}]}"},
    NamedShape{.name = "EksContainer",
               .shape = "{command:[s],args:[s],env:[{}],volumeMounts:[{readOnly:b}],"
                        "securityContext:{runAsUser:i,runAsGroup:i,privileged:b,"
                        "allowPrivilegeEscalation:b,readOnlyRootFilesystem:b,runAsNonRoot:b}}"},
    NamedShape{.name = "EksProperties",
               .shape = "{podProperties:{hostNetwork:b,imagePullSecrets:[{}],"
                        "containers:[@EksContainer],initContainers:[@EksContainer],"
                        "volumes:[{secret:{optional:b},persistentVolumeClaim:{readOnly:b}}],"
                        "shareProcessNamespace:b}}"},
    NamedShape{.name = "ConsumableResourceProperties",
               .shape = "{consumableResourceList:[{quantity:i}]}"},
    NamedShape{.name = "NodeProperties",
               .shape = "{numNodes:i,mainNode:i,nodeRangeProperties:[{"
                        "container:@ContainerProperties,instanceTypes:[s],"
                        "ecsProperties:@EcsProperties,eksProperties:@EksProperties,"
                        "consumableResourceProperties:@ConsumableResourceProperties}]}"},
    NamedShape{.name = "ComputeResource",
               .shape = "{minvCpus:i,maxvCpus:i,desiredvCpus:i,instanceTypes:[s],subnets:[s],"
                        "securityGroupIds:[s],bidPercentage:i,"
                        "launchTemplate:{overrides:[{targetInstanceTypes:[s]}]},"
                        "ec2Configuration:[{}],updateToLatestImageVersion:b,"
                        "scalingPolicy:{minScaleDownDelayMinutes:i}}"},
    NamedShape{.name = "FairsharePolicy",
               .shape = "{shareDecaySeconds:i,computeReservation:i,"
                        "shareDistribution:[{weightFactor:f}]}"},
};

// Parameters several operations share.
constexpr Param kMaxResults{.flag = "max-results", .member = "maxResults", .kind = K::kInteger};
constexpr Param kNextToken{.flag = "next-token", .member = "nextToken"};
constexpr Param kTags{.flag = "tags", .member = "tags", .kind = K::kStringMap};
constexpr Param kState{.flag = "state", .member = "state"};
constexpr Param kResourceArn{.flag = "resource-arn",
                             .member = "resourceArn",
                             .required = true,
                             .location = ParamLocation::kPath};

std::vector<Operation> MakeOperations() {
  std::vector<Operation> ops;

  // Compute environments.
  const std::vector<Column> ce_columns = {
      {.header = "NAME", .path = "computeEnvironmentName"},
      {.header = "TYPE", .path = "type"},
      {.header = "STATE", .path = "state"},
      {.header = "STATUS", .path = "status"},
      {.header = "MAXVCPUS", .path = "computeResources.maxvCpus"},
      {.header = "ARN", .path = "computeEnvironmentArn"},
  };
  ops.push_back({
      .verb = "create-compute-environment",
      .name = "CreateComputeEnvironment",
      .path = "/v1/createcomputeenvironment",
      .summary = "Creates a managed or unmanaged compute environment.",
      .params = {{.flag = "compute-environment-name",
                  .member = "computeEnvironmentName",
                  .required = true},
                 {.flag = "type", .member = "type", .required = true},
                 kState,
                 {.flag = "unmanagedv-cpus", .member = "unmanagedvCpus", .kind = K::kInteger},
                 {.flag = "compute-resources",
                  .member = "computeResources",
                  .kind = K::kStructure,
                  .shape = "@ComputeResource"},
                 {.flag = "service-role", .member = "serviceRole"},
                 kTags,
                 {.flag = "eks-configuration", .member = "eksConfiguration", .kind = K::kStructure},
                 {.flag = "context", .member = "context"}},
  });
  ops.push_back({
      .verb = "describe-compute-environments",
      .name = "DescribeComputeEnvironments",
      .path = "/v1/describecomputeenvironments",
      .summary = "Describes compute environments (all of them when none are named).",
      .params = {{.flag = "compute-environments",
                  .member = "computeEnvironments",
                  .kind = K::kStringList},
                 kMaxResults,
                 kNextToken},
      .paginated = true,
      .rows_key = "computeEnvironments",
      .columns = ce_columns,
  });
  ops.push_back({
      .verb = "update-compute-environment",
      .name = "UpdateComputeEnvironment",
      .path = "/v1/updatecomputeenvironment",
      .summary = "Updates a compute environment's state, capacity or settings.",
      .params = {{.flag = "compute-environment", .member = "computeEnvironment", .required = true},
                 kState,
                 {.flag = "unmanagedv-cpus", .member = "unmanagedvCpus", .kind = K::kInteger},
                 {.flag = "compute-resources",
                  .member = "computeResources",
                  .kind = K::kStructure,
                  .shape = "@ComputeResource"},
                 {.flag = "service-role", .member = "serviceRole"},
                 {.flag = "update-policy",
                  .member = "updatePolicy",
                  .kind = K::kStructure,
                  .shape = "{terminateJobsOnUpdate:b,jobExecutionTimeoutMinutes:i}"},
                 {.flag = "context", .member = "context"}},
  });
  ops.push_back({
      .verb = "delete-compute-environment",
      .name = "DeleteComputeEnvironment",
      .path = "/v1/deletecomputeenvironment",
      .summary = "Deletes a DISABLED compute environment that no job queue uses.",
      .params = {{.flag = "compute-environment", .member = "computeEnvironment", .required = true}},
  });

  // Job queues.
  const Param ce_order{.flag = "compute-environment-order",
                       .member = "computeEnvironmentOrder",
                       .kind = K::kStructureList,
                       .shape = "[{order:i}]"};
  const Param se_order{.flag = "service-environment-order",
                       .member = "serviceEnvironmentOrder",
                       .kind = K::kStructureList,
                       .shape = "[{order:i}]"};
  const Param time_limit_actions{.flag = "job-state-time-limit-actions",
                                 .member = "jobStateTimeLimitActions",
                                 .kind = K::kStructureList,
                                 .shape = "[{maxTimeSeconds:i}]"};
  const Param policy_arn{.flag = "scheduling-policy-arn", .member = "schedulingPolicyArn"};
  ops.push_back({
      .verb = "create-job-queue",
      .name = "CreateJobQueue",
      .path = "/v1/createjobqueue",
      .summary = "Creates a job queue served by up to three compute environments.",
      .params = {{.flag = "job-queue-name", .member = "jobQueueName", .required = true},
                 kState,
                 policy_arn,
                 {.flag = "priority", .member = "priority", .kind = K::kInteger, .required = true},
                 ce_order,
                 se_order,
                 {.flag = "job-queue-type", .member = "jobQueueType"},
                 kTags,
                 time_limit_actions},
  });
  ops.push_back({
      .verb = "describe-job-queues",
      .name = "DescribeJobQueues",
      .path = "/v1/describejobqueues",
      .summary = "Describes job queues (all of them when none are named).",
      .params = {{.flag = "job-queues", .member = "jobQueues", .kind = K::kStringList},
                 kMaxResults,
                 kNextToken},
      .paginated = true,
      .rows_key = "jobQueues",
      .columns = {{.header = "NAME", .path = "jobQueueName"},
                  {.header = "STATE", .path = "state"},
                  {.header = "STATUS", .path = "status"},
                  {.header = "PRIORITY", .path = "priority"},
                  {.header = "ENVIRONMENTS",
                   .path = "computeEnvironmentOrder",
                   .format = CellFormat::kComputeEnvironmentOrder}},
  });
  ops.push_back({
      .verb = "update-job-queue",
      .name = "UpdateJobQueue",
      .path = "/v1/updatejobqueue",
      .summary = "Updates a job queue's state, priority, environments or policy.",
      .params = {{.flag = "job-queue", .member = "jobQueue", .required = true},
                 kState,
                 policy_arn,
                 {.flag = "priority", .member = "priority", .kind = K::kInteger},
                 ce_order,
                 se_order,
                 time_limit_actions},
  });
  ops.push_back({
      .verb = "delete-job-queue",
      .name = "DeleteJobQueue",
      .path = "/v1/deletejobqueue",
      .summary = "Deletes a DISABLED job queue; its remaining jobs are terminated.",
      .params = {{.flag = "job-queue", .member = "jobQueue", .required = true}},
  });

  // Job definitions.
  ops.push_back({
      .verb = "register-job-definition",
      .name = "RegisterJobDefinition",
      .path = "/v1/registerjobdefinition",
      .summary = "Registers a new revision of a job definition.",
      .params = {{.flag = "job-definition-name", .member = "jobDefinitionName", .required = true},
                 {.flag = "type", .member = "type", .required = true},
                 {.flag = "parameters", .member = "parameters", .kind = K::kStringMap},
                 {.flag = "scheduling-priority",
                  .member = "schedulingPriority",
                  .kind = K::kInteger},
                 {.flag = "container-properties",
                  .member = "containerProperties",
                  .kind = K::kStructure,
                  .shape = "@ContainerProperties"},
                 {.flag = "node-properties",
                  .member = "nodeProperties",
                  .kind = K::kStructure,
                  .shape = "@NodeProperties"},
                 {.flag = "retry-strategy",
                  .member = "retryStrategy",
                  .kind = K::kStructure,
                  .shape = "{attempts:i,evaluateOnExit:[{}]}"},
                 {.flag = "propagate-tags", .member = "propagateTags", .kind = K::kBoolean},
                 {.flag = "timeout",
                  .member = "timeout",
                  .kind = K::kStructure,
                  .shape = "{attemptDurationSeconds:i}"},
                 kTags,
                 {.flag = "platform-capabilities",
                  .member = "platformCapabilities",
                  .kind = K::kStringList},
                 {.flag = "eks-properties",
                  .member = "eksProperties",
                  .kind = K::kStructure,
                  .shape = "@EksProperties"},
                 {.flag = "ecs-properties",
                  .member = "ecsProperties",
                  .kind = K::kStructure,
                  .shape = "@EcsProperties"},
                 {.flag = "consumable-resource-properties",
                  .member = "consumableResourceProperties",
                  .kind = K::kStructure,
                  .shape = "@ConsumableResourceProperties"}},
  });
  ops.push_back({
      .verb = "describe-job-definitions",
      .name = "DescribeJobDefinitions",
      .path = "/v1/describejobdefinitions",
      .summary = "Describes job definitions by name, ARN, name:revision or status.",
      .params = {{.flag = "job-definitions", .member = "jobDefinitions", .kind = K::kStringList},
                 kMaxResults,
                 {.flag = "job-definition-name", .member = "jobDefinitionName"},
                 {.flag = "status", .member = "status"},
                 kNextToken},
      .paginated = true,
      .rows_key = "jobDefinitions",
      .columns = {{.header = "NAME", .path = "jobDefinitionName"},
                  {.header = "REVISION", .path = "revision"},
                  {.header = "STATUS", .path = "status"},
                  {.header = "TYPE", .path = "type"},
                  {.header = "IMAGE", .path = "containerProperties.image"}},
  });
  ops.push_back({
      .verb = "deregister-job-definition",
      .name = "DeregisterJobDefinition",
      .path = "/v1/deregisterjobdefinition",
      .summary = "Marks a job definition revision INACTIVE.",
      .params = {{.flag = "job-definition", .member = "jobDefinition", .required = true}},
  });

  // Scheduling policies.
  const Param fairshare{.flag = "fairshare-policy",
                        .member = "fairsharePolicy",
                        .kind = K::kStructure,
                        .shape = "@FairsharePolicy"};
  const Param quota_share{
      .flag = "quota-share-policy", .member = "quotaSharePolicy", .kind = K::kStructure};
  const Param policy_arn_required{.flag = "arn", .member = "arn", .required = true};
  ops.push_back({
      .verb = "create-scheduling-policy",
      .name = "CreateSchedulingPolicy",
      .path = "/v1/createschedulingpolicy",
      .summary = "Creates a fair-share scheduling policy.",
      .params =
          {{.flag = "name", .member = "name", .required = true}, quota_share, fairshare, kTags},
  });
  ops.push_back({
      .verb = "describe-scheduling-policies",
      .name = "DescribeSchedulingPolicies",
      .path = "/v1/describeschedulingpolicies",
      .summary = "Describes scheduling policies by ARN.",
      .params = {{.flag = "arns", .member = "arns", .kind = K::kStringList, .required = true}},
      .rows_key = "schedulingPolicies",
      .columns = {{.header = "NAME", .path = "name"}, {.header = "ARN", .path = "arn"}},
  });
  ops.push_back({
      .verb = "list-scheduling-policies",
      .name = "ListSchedulingPolicies",
      .path = "/v1/listschedulingpolicies",
      .summary = "Lists the ARNs of all scheduling policies.",
      .params = {kMaxResults, kNextToken},
      .paginated = true,
      .rows_key = "schedulingPolicies",
      .columns = {{.header = "NAME", .path = "arn", .format = CellFormat::kArnResourceName},
                  {.header = "ARN", .path = "arn"}},
  });
  ops.push_back({
      .verb = "update-scheduling-policy",
      .name = "UpdateSchedulingPolicy",
      .path = "/v1/updateschedulingpolicy",
      .summary = "Replaces a scheduling policy's fair-share settings.",
      .params = {policy_arn_required, quota_share, fairshare},
  });
  ops.push_back({
      .verb = "delete-scheduling-policy",
      .name = "DeleteSchedulingPolicy",
      .path = "/v1/deleteschedulingpolicy",
      .summary = "Deletes a scheduling policy that no job queue uses.",
      .params = {policy_arn_required},
  });

  // Jobs.
  const std::vector<Column> job_columns = {
      {.header = "JOBID", .path = "jobId"},
      {.header = "NAME", .path = "jobName"},
      {.header = "STATUS", .path = "status"},
      {.header = "CREATED", .path = "createdAt"},
      {.header = "STARTED", .path = "startedAt"},
      {.header = "STOPPED", .path = "stoppedAt"},
      {.header = "EXIT", .path = "container.exitCode"},
  };
  const std::string_view container_overrides =
      "{vcpus:i,memory:i,command:[s],environment:[{}],resourceRequirements:[{}]}";
  ops.push_back({
      .verb = "submit-job",
      .name = "SubmitJob",
      .path = "/v1/submitjob",
      .summary = "Submits a job to a job queue from a job definition.",
      .params = {{.flag = "job-name", .member = "jobName", .required = true},
                 {.flag = "job-queue", .member = "jobQueue", .required = true},
                 {.flag = "share-identifier", .member = "shareIdentifier"},
                 {.flag = "scheduling-priority-override",
                  .member = "schedulingPriorityOverride",
                  .kind = K::kInteger},
                 {.flag = "array-properties",
                  .member = "arrayProperties",
                  .kind = K::kStructure,
                  .shape = "{size:i,maxConcurrency:i}"},
                 {.flag = "depends-on", .member = "dependsOn", .kind = K::kStructureList},
                 {.flag = "job-definition", .member = "jobDefinition", .required = true},
                 {.flag = "parameters", .member = "parameters", .kind = K::kStringMap},
                 {.flag = "container-overrides",
                  .member = "containerOverrides",
                  .kind = K::kStructure,
                  .shape = container_overrides},
                 {.flag = "node-overrides",
                  .member = "nodeOverrides",
                  .kind = K::kStructure,
                  .shape = "{numNodes:i,nodePropertyOverrides:[{containerOverrides:{vcpus:i,"
                           "memory:i,command:[s],environment:[{}],resourceRequirements:[{}]},"
                           "instanceTypes:[s]}]}"},
                 {.flag = "retry-strategy",
                  .member = "retryStrategy",
                  .kind = K::kStructure,
                  .shape = "{attempts:i,evaluateOnExit:[{}]}"},
                 {.flag = "propagate-tags", .member = "propagateTags", .kind = K::kBoolean},
                 {.flag = "timeout",
                  .member = "timeout",
                  .kind = K::kStructure,
                  .shape = "{attemptDurationSeconds:i}"},
                 kTags,
                 {.flag = "eks-properties-override",
                  .member = "eksPropertiesOverride",
                  .kind = K::kStructure},
                 {.flag = "ecs-properties-override",
                  .member = "ecsPropertiesOverride",
                  .kind = K::kStructure},
                 {.flag = "consumable-resource-properties-override",
                  .member = "consumableResourcePropertiesOverride",
                  .kind = K::kStructure,
                  .shape = "@ConsumableResourceProperties"}},
  });
  ops.push_back({
      .verb = "describe-jobs",
      .name = "DescribeJobs",
      .path = "/v1/describejobs",
      .summary = "Describes up to 100 jobs by id; unknown ids are left out.",
      .params = {{.flag = "jobs", .member = "jobs", .kind = K::kStringList, .required = true}},
      .rows_key = "jobs",
      .columns = job_columns,
  });
  ops.push_back({
      .verb = "list-jobs",
      .name = "ListJobs",
      .path = "/v1/listjobs",
      .summary = "Lists a queue's jobs in one status (RUNNING by default) or by filter.",
      .params = {{.flag = "job-queue", .member = "jobQueue"},
                 {.flag = "array-job-id", .member = "arrayJobId"},
                 {.flag = "multi-node-job-id", .member = "multiNodeJobId"},
                 {.flag = "job-status", .member = "jobStatus"},
                 kMaxResults,
                 kNextToken,
                 {.flag = "filters",
                  .member = "filters",
                  .kind = K::kStructureList,
                  .shape = "[{values:[s]}]"}},
      .paginated = true,
      .rows_key = "jobSummaryList",
      .columns = job_columns,
  });
  const Param job_id{.flag = "job-id", .member = "jobId", .required = true};
  const Param reason{.flag = "reason", .member = "reason", .required = true};
  ops.push_back({
      .verb = "cancel-job",
      .name = "CancelJob",
      .path = "/v1/canceljob",
      .summary = "Cancels a job that has not started (SUBMITTED, PENDING or RUNNABLE).",
      .params = {job_id, reason},
  });
  ops.push_back({
      .verb = "terminate-job",
      .name = "TerminateJob",
      .path = "/v1/terminatejob",
      .summary = "Terminates a job: a started one is stopped, a waiting one cancelled.",
      .params = {job_id, reason},
  });

  // Tags: REST paths with the ARN as one percent-encoded segment.
  ops.push_back({
      .verb = "tag-resource",
      .name = "TagResource",
      .path = "/v1/tags/{resourceArn}",
      .summary = "Adds or overwrites tags on a resource.",
      .params = {kResourceArn,
                 {.flag = "tags", .member = "tags", .kind = K::kStringMap, .required = true}},
  });
  ops.push_back({
      .verb = "untag-resource",
      .name = "UntagResource",
      .method = "DELETE",
      .path = "/v1/tags/{resourceArn}",
      .summary = "Removes tags from a resource.",
      .params = {kResourceArn,
                 {.flag = "tag-keys",
                  .member = "tagKeys",
                  .kind = K::kStringList,
                  .required = true,
                  .location = ParamLocation::kQuery}},
  });
  ops.push_back({
      .verb = "list-tags-for-resource",
      .name = "ListTagsForResource",
      .method = "GET",
      .path = "/v1/tags/{resourceArn}",
      .summary = "Lists the tags of a resource.",
      .params = {kResourceArn},
  });
  return ops;
}

}  // namespace

std::span<const Operation> BatchOperations() {
  static const std::vector<Operation> kOperations = MakeOperations();
  return kOperations;
}

const Operation* FindOperation(std::string_view verb) {
  for (const Operation& op : BatchOperations()) {
    if (op.verb == verb) return &op;
  }
  return nullptr;
}

ShapeLibrary BatchShapes() { return kShapes; }

}  // namespace barge::cli
