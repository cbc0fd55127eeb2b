// ComputeEnvironment, its computeResources, and the UpdateComputeEnvironment body.
#include "codec/codec.h"
#include "codec/codec_parts.h"
#include "codec/json_reader.h"
#include "codec/json_writer.h"
#include "core/arn.h"

namespace barge::codec {
namespace {

constexpr std::string_view kTypes = "MANAGED, UNMANAGED";

constexpr AwsOnlyMember kComputeResourcesAwsOnly[] = {
    {"subnets", JsonKind::kStringList},
    {"securityGroupIds", JsonKind::kStringList},
    {"ec2KeyPair", JsonKind::kString},
    {"instanceRole", JsonKind::kString},
    {"tags", JsonKind::kStringMap},
    {"placementGroup", JsonKind::kString},
    {"spotIamFleetRole", JsonKind::kString},
    {"launchTemplate", JsonKind::kObject},
    {"ec2Configuration", JsonKind::kObjectList},
    {"imageId", JsonKind::kString},
    {"scalingPolicy", JsonKind::kObject},
};
// ComputeResourceUpdate in the AWS model: no spotIamFleetRole, plus
// updateToLatestImageVersion.
constexpr AwsOnlyMember kComputeResourcesUpdateAwsOnly[] = {
    {"subnets", JsonKind::kStringList},
    {"securityGroupIds", JsonKind::kStringList},
    {"ec2KeyPair", JsonKind::kString},
    {"instanceRole", JsonKind::kString},
    {"tags", JsonKind::kStringMap},
    {"placementGroup", JsonKind::kString},
    {"launchTemplate", JsonKind::kObject},
    {"ec2Configuration", JsonKind::kObjectList},
    {"imageId", JsonKind::kString},
    {"scalingPolicy", JsonKind::kObject},
    {"updateToLatestImageVersion", JsonKind::kBool},
};
constexpr AwsOnlyMember kComputeEnvironmentAwsOnly[] = {
    {"eksConfiguration", JsonKind::kObject},
    {"context", JsonKind::kString},
    {"updatePolicy", JsonKind::kObject},
};
constexpr AwsOnlyMember kComputeEnvironmentUpdateAwsOnly[] = {
    {"updatePolicy", JsonKind::kObject},
    {"context", JsonKind::kString},
};

ComputeResources ReadComputeResources(JsonReader& r) {
  return ComputeResources{
      .type = r.String("type").value_or(""),
      .min_vcpus = r.Int32("minvCpus"),
      .max_vcpus = r.Int32("maxvCpus"),
      .desired_vcpus = r.Int32("desiredvCpus"),
      .instance_types = OrEmpty(r.StringList("instanceTypes")),
      .allocation_strategy = r.String("allocationStrategy"),
      .bid_percentage = r.Int32("bidPercentage"),
      .aws_only = r.AwsOnly(kComputeResourcesAwsOnly),
  };
}

ComputeResourcesUpdate ReadComputeResourcesUpdate(JsonReader& r) {
  return ComputeResourcesUpdate{
      .type = r.String("type"),
      .min_vcpus = r.Int32("minvCpus"),
      .max_vcpus = r.Int32("maxvCpus"),
      .desired_vcpus = r.Int32("desiredvCpus"),
      .instance_types = r.StringList("instanceTypes"),
      .allocation_strategy = r.String("allocationStrategy"),
      .bid_percentage = r.Int32("bidPercentage"),
      .aws_only = r.AwsOnly(kComputeResourcesUpdateAwsOnly),
  };
}

Json ComputeResourcesToJson(const ComputeResources& resources) {
  Json out = Json::object();
  out["type"] = resources.type;
  PutIfSet(out, "minvCpus", resources.min_vcpus);
  PutIfSet(out, "maxvCpus", resources.max_vcpus);
  PutIfSet(out, "desiredvCpus", resources.desired_vcpus);
  PutIfNotEmpty(out, "instanceTypes", resources.instance_types);
  PutIfSet(out, "allocationStrategy", resources.allocation_strategy);
  PutIfSet(out, "bidPercentage", resources.bid_percentage);
  PutAwsOnly(out, resources.aws_only);
  return out;
}

Json ComputeResourcesUpdateToJson(const ComputeResourcesUpdate& resources) {
  Json out = Json::object();
  PutIfSet(out, "type", resources.type);
  PutIfSet(out, "minvCpus", resources.min_vcpus);
  PutIfSet(out, "maxvCpus", resources.max_vcpus);
  PutIfSet(out, "desiredvCpus", resources.desired_vcpus);
  PutIfSet(out, "instanceTypes", resources.instance_types);
  PutIfSet(out, "allocationStrategy", resources.allocation_strategy);
  PutIfSet(out, "bidPercentage", resources.bid_percentage);
  PutAwsOnly(out, resources.aws_only);
  return out;
}

// AWS names the ECS cluster behind an environment "<name>_Batch_<uuid>".
// Derived, so it is never stored; empty when the ARN or uuid is missing.
std::string EcsClusterArn(const ComputeEnvironment& ce) {
  std::optional<ParsedArn> arn = ParseArn(ce.arn);
  if (!arn || ce.uuid.empty()) return "";
  return "arn:aws:ecs:" + arn->region + ":" + arn->account_id + ":cluster/" + ce.name + "_Batch_" +
         ce.uuid;
}

}  // namespace

Result<ComputeEnvironment> ComputeEnvironmentFromJson(const Json& json) {
  return DecodeObject(json, "", [](JsonReader& r) {
    return ComputeEnvironment{
        .name = r.String("computeEnvironmentName").value_or(""),
        .arn = r.String("computeEnvironmentArn").value_or(""),
        .uuid = r.String("uuid").value_or(""),
        .type = r.Enum("type", ParseComputeEnvironmentType, kTypes)
                    .value_or(ComputeEnvironmentType::kManaged),
        .state =
            r.Enum("state", ParseResourceState, kResourceStates).value_or(ResourceState::kEnabled),
        .status = r.Enum("status", ParseResourceStatus, kResourceStatuses)
                      .value_or(ResourceStatus::kCreating),
        .status_reason = r.String("statusReason").value_or(""),
        .unmanaged_vcpus = r.Int32("unmanagedvCpus"),
        .compute_resources = r.Object("computeResources", ReadComputeResources),
        .service_role = r.String("serviceRole"),
        .tags = OrEmpty(r.StringMap("tags")),
        .aws_only = r.AwsOnly(kComputeEnvironmentAwsOnly),
    };
  });
}

Json ToJson(const ComputeEnvironment& ce) {
  bool is_eks = ce.aws_only.contains("eksConfiguration");
  Json out = Json::object();
  out["computeEnvironmentName"] = ce.name;
  out["computeEnvironmentArn"] = ce.arn;
  if (!is_eks) PutIfNotEmpty(out, "ecsClusterArn", EcsClusterArn(ce));
  PutIfNotEmpty(out, "tags", ce.tags);
  out["type"] = ToString(ce.type);
  out["state"] = ToString(ce.state);
  out["status"] = ToString(ce.status);
  PutIfNotEmpty(out, "statusReason", ce.status_reason);
  PutIfSet(out, "unmanagedvCpus", ce.unmanaged_vcpus);
  if (ce.compute_resources) out["computeResources"] = ComputeResourcesToJson(*ce.compute_resources);
  PutIfSet(out, "serviceRole", ce.service_role);
  PutIfNotEmpty(out, "uuid", ce.uuid);
  PutAwsOnly(out, ce.aws_only);
  out["containerOrchestrationType"] = is_eks ? "EKS" : "ECS";
  return out;
}

Result<ComputeEnvironmentUpdate> ComputeEnvironmentUpdateFromJson(const Json& json) {
  return DecodeObject(json, "", [](JsonReader& r) {
    return ComputeEnvironmentUpdate{
        .compute_environment = r.String("computeEnvironment").value_or(""),
        .state = r.Enum("state", ParseResourceState, kResourceStates),
        .unmanaged_vcpus = r.Int32("unmanagedvCpus"),
        .compute_resources = r.Object("computeResources", ReadComputeResourcesUpdate),
        .service_role = r.String("serviceRole"),
        .aws_only = r.AwsOnly(kComputeEnvironmentUpdateAwsOnly),
    };
  });
}

Json ToJson(const ComputeEnvironmentUpdate& update) {
  Json out = Json::object();
  out["computeEnvironment"] = update.compute_environment;
  if (update.state) out["state"] = ToString(*update.state);
  PutIfSet(out, "unmanagedvCpus", update.unmanaged_vcpus);
  if (update.compute_resources) {
    out["computeResources"] = ComputeResourcesUpdateToJson(*update.compute_resources);
  }
  PutIfSet(out, "serviceRole", update.service_role);
  PutAwsOnly(out, update.aws_only);
  return out;
}

}  // namespace barge::codec
