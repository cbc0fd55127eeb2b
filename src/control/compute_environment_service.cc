#include "control/compute_environment_service.h"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <set>
#include <string_view>

#include "control/resource_ref.h"
#include "control/transact.h"
#include "core/validation.h"
#include "util/uuid.h"

namespace barge::control {
namespace {

constexpr size_t kMaxDescribe = 100;
constexpr std::array<std::string_view, 4> kResourceTypes{"EC2", "SPOT", "FARGATE", "FARGATE_SPOT"};
constexpr std::array<std::string_view, 4> kAllocationStrategies{
    "BEST_FIT", "BEST_FIT_PROGRESSIVE", "SPOT_CAPACITY_OPTIMIZED", "SPOT_PRICE_CAPACITY_OPTIMIZED"};

bool IsFargate(std::string_view type) { return type == "FARGATE" || type == "FARGATE_SPOT"; }

std::string Num(int32_t value) { return std::to_string(value); }

Status ValidateResourceType(std::string_view type) {
  if (std::ranges::find(kResourceTypes, type) == kResourceTypes.end()) {
    return InvalidArgument("computeResources.type '" + std::string(type) +
                           "' is invalid: it must be EC2, SPOT, FARGATE or FARGATE_SPOT");
  }
  return Ok();
}

Status ValidateVcpus(const ComputeResources& resources) {
  if (!resources.max_vcpus) return InvalidArgument("computeResources.maxvCpus is required");
  int32_t max = *resources.max_vcpus;
  if (max < 0) return InvalidArgument("computeResources.maxvCpus " + Num(max) + " must be >= 0");
  int32_t min = resources.min_vcpus.value_or(0);
  if (min < 0) return InvalidArgument("computeResources.minvCpus " + Num(min) + " must be >= 0");
  if (min > max) {
    return InvalidArgument("computeResources.minvCpus " + Num(min) +
                           " must not be greater than maxvCpus " + Num(max));
  }
  if (resources.desired_vcpus) {
    int32_t desired = *resources.desired_vcpus;
    if (desired < min || desired > max) {
      return InvalidArgument("computeResources.desiredvCpus " + Num(desired) +
                             " must be between minvCpus " + Num(min) + " and maxvCpus " + Num(max));
    }
  }
  return Ok();
}

// computeResources.scalingPolicy, kept as the JSON text the client sent. AWS
// takes minScaleDownDelayMinutes 20..10080, and 0 to unset it.
Status ValidateScalingPolicy(const std::string& text) {
  nlohmann::json policy = nlohmann::json::parse(text, nullptr, false);
  if (!policy.is_object()) {
    return InvalidArgument("computeResources.scalingPolicy must be an object");
  }
  auto delay = policy.find("minScaleDownDelayMinutes");
  if (delay == policy.end() || delay->is_null()) return Ok();
  if (!delay->is_number_integer()) {
    return InvalidArgument(
        "computeResources.scalingPolicy.minScaleDownDelayMinutes must be an integer");
  }
  int64_t minutes = delay->get<int64_t>();
  if (minutes != 0 &&
      (minutes < kMinScaleDownDelayMinutes || minutes > kMaxScaleDownDelayMinutes)) {
    return InvalidArgument("computeResources.scalingPolicy.minScaleDownDelayMinutes " +
                           std::to_string(minutes) + " must be between " +
                           std::to_string(kMinScaleDownDelayMinutes) + " and " +
                           std::to_string(kMaxScaleDownDelayMinutes) + ", or 0 to unset it");
  }
  return Ok();
}

// The whole computeResources of a MANAGED environment, defaults applied.
Status ValidateComputeResources(const ComputeResources& resources) {
  BARGE_RETURN_IF_ERROR(ValidateResourceType(resources.type));
  BARGE_RETURN_IF_ERROR(ValidateVcpus(resources));
  bool fargate = IsFargate(resources.type);
  if (fargate && resources.allocation_strategy) {
    return InvalidArgument("computeResources.allocationStrategy is not supported for " +
                           resources.type + " compute resources");
  }
  if (fargate && !resources.instance_types.empty()) {
    return InvalidArgument("computeResources.instanceTypes is not supported for " + resources.type +
                           " compute resources");
  }
  if (const auto& strategy = resources.allocation_strategy) {
    if (std::ranges::find(kAllocationStrategies, *strategy) == kAllocationStrategies.end()) {
      return InvalidArgument("computeResources.allocationStrategy '" + *strategy +
                             "' is invalid: it must be BEST_FIT, BEST_FIT_PROGRESSIVE, "
                             "SPOT_CAPACITY_OPTIMIZED or SPOT_PRICE_CAPACITY_OPTIMIZED");
    }
    if (strategy->starts_with("SPOT_") && resources.type != "SPOT") {
      return InvalidArgument("computeResources.allocationStrategy " + *strategy +
                             " is only valid for SPOT compute resources, not " + resources.type);
    }
  }
  if (resources.bid_percentage) {
    if (resources.type != "SPOT") {
      return InvalidArgument(
          "computeResources.bidPercentage is only valid for SPOT compute "
          "resources, not " +
          resources.type);
    }
    if (*resources.bid_percentage < 0 || *resources.bid_percentage > 100) {
      return InvalidArgument("computeResources.bidPercentage " + Num(*resources.bid_percentage) +
                             " must be between 0 and 100");
    }
  }
  if (auto policy = resources.aws_only.find("scalingPolicy"); policy != resources.aws_only.end()) {
    BARGE_RETURN_IF_ERROR(ValidateScalingPolicy(policy->second));
  }
  std::set<std::string_view> seen;
  for (const std::string& instance_type : resources.instance_types) {
    if (instance_type.empty()) {
      return InvalidArgument("computeResources.instanceTypes must not contain empty names");
    }
    if (!seen.insert(instance_type).second) {
      return InvalidArgument("computeResources.instanceTypes lists " + instance_type + " twice");
    }
  }
  return Ok();
}

// AWS fills these in on create; Describe shows them.
void ApplyCreateDefaults(ComputeResources& resources) {
  if (IsFargate(resources.type)) return;
  if (!resources.min_vcpus) resources.min_vcpus = 0;
  if (!resources.desired_vcpus) resources.desired_vcpus = resources.min_vcpus;
  if (!resources.allocation_strategy) resources.allocation_strategy = "BEST_FIT";
}

Status ValidateCreate(const ComputeEnvironment& spec) {
  BARGE_RETURN_IF_ERROR(ValidateResourceName("computeEnvironmentName", spec.name));
  // barge:executor is barge's own and does not count toward AWS's 50 tags.
  Tags counted = spec.tags;
  counted.erase(std::string(kExecutorTag));
  BARGE_RETURN_IF_ERROR(ValidateTags(counted));
  BARGE_RETURN_IF_ERROR(ValidateExecutorTag(spec.tags));
  if (spec.type == ComputeEnvironmentType::kManaged) {
    if (!spec.compute_resources) {
      return InvalidArgument(
          "computeResources must be specified for a MANAGED compute "
          "environment");
    }
    if (spec.unmanaged_vcpus) {
      return InvalidArgument(
          "unmanagedvCpus can only be specified for an UNMANAGED compute "
          "environment");
    }
    return ValidateComputeResources(*spec.compute_resources);
  }
  if (spec.compute_resources) {
    return InvalidArgument(
        "computeResources must not be specified for an UNMANAGED compute "
        "environment");
  }
  if (spec.unmanaged_vcpus && *spec.unmanaged_vcpus < 0) {
    return InvalidArgument("unmanagedvCpus " + Num(*spec.unmanaged_vcpus) + " must be >= 0");
  }
  return Ok();
}

void MergeAwsOnly(AwsOnlyFields& into, const AwsOnlyFields& from) {
  for (const auto& [key, value] : from) into[key] = value;
}

// Applies a ComputeResourceUpdate to the stored computeResources.
Status ApplyUpdate(ComputeResources& resources, const ComputeResourcesUpdate& update) {
  if (update.type && *update.type != resources.type) {
    BARGE_RETURN_IF_ERROR(ValidateResourceType(*update.type));
    if (IsFargate(*update.type) != IsFargate(resources.type)) {
      return InvalidArgument("computeResources.type cannot change from " + resources.type + " to " +
                             *update.type);
    }
    resources.type = *update.type;
    if (resources.type != "SPOT" && !update.bid_percentage) resources.bid_percentage.reset();
  }
  if (update.allocation_strategy) {
    if (*update.allocation_strategy == "BEST_FIT") {
      return InvalidArgument("computeResources.allocationStrategy cannot be updated to BEST_FIT");
    }
    resources.allocation_strategy = update.allocation_strategy;
  }
  if (update.min_vcpus) resources.min_vcpus = update.min_vcpus;
  if (update.max_vcpus) resources.max_vcpus = update.max_vcpus;
  if (update.desired_vcpus) {
    resources.desired_vcpus = update.desired_vcpus;
  } else if (resources.desired_vcpus && resources.max_vcpus) {
    // New bounds pull the current desired count along instead of failing.
    resources.desired_vcpus =
        std::clamp(*resources.desired_vcpus, resources.min_vcpus.value_or(0),
                   std::max(resources.min_vcpus.value_or(0), *resources.max_vcpus));
  }
  if (update.instance_types) resources.instance_types = *update.instance_types;
  if (update.bid_percentage) resources.bid_percentage = update.bid_percentage;
  MergeAwsOnly(resources.aws_only, update.aws_only);
  return ValidateComputeResources(resources);
}

}  // namespace

ComputeEnvironmentService::ComputeEnvironmentService(Store& store, const ArnFormatter& arns)
    : store_(store), arns_(arns) {}

Result<ComputeEnvironment> ComputeEnvironmentService::Create(ComputeEnvironment spec) {
  if (spec.compute_resources) ApplyCreateDefaults(*spec.compute_resources);
  BARGE_RETURN_IF_ERROR(ValidateCreate(spec));
  // The executor is always visible: an environment created without the tag
  // runs containers, as AWS does, and says so.
  spec.tags.try_emplace(std::string(kExecutorTag), ToString(ExecutorKind::kContainer));
  spec.arn = arns_.ComputeEnvironment(spec.name);
  spec.uuid = NewUuid();
  spec.status = ResourceStatus::kCreating;
  spec.status_reason.clear();
  spec.version = 0;

  ComputeEnvironment created;
  Status status = TransactWithRetry(store_, [&](StoreTransaction& txn) -> Status {
    if (txn.GetComputeEnvironment(spec.name).ok()) {
      return AlreadyExists("compute environment " + spec.name + " already exists");
    }
    auto existing = txn.ListComputeEnvironments();
    if (!existing) return existing.error();
    if (existing->size() >= static_cast<size_t>(kMaxComputeEnvironments)) {
      return FailedPrecondition("cannot create compute environment " + spec.name +
                                ": the limit of 50 compute environments has been reached");
    }
    BARGE_RETURN_IF_ERROR(txn.InsertComputeEnvironment(spec));
    auto stored = txn.GetComputeEnvironment(spec.name);
    if (!stored) return stored.error();
    created = std::move(stored).value();
    return Ok();
  });
  if (!status) return status.error();
  return created;
}

Result<std::vector<ComputeEnvironment>> ComputeEnvironmentService::Describe(
    const std::vector<std::string>& names_or_arns) {
  if (names_or_arns.size() > kMaxDescribe) {
    return InvalidArgument("computeEnvironments can hold at most 100 entries, got " +
                           std::to_string(names_or_arns.size()));
  }
  std::vector<ComputeEnvironment> found;
  Status status = TransactWithRetry(store_, [&](StoreTransaction& txn) -> Status {
    found.clear();
    if (names_or_arns.empty()) {
      auto all = txn.ListComputeEnvironments();
      if (!all) return all.error();
      found = std::move(all).value();
      return Ok();
    }
    std::set<std::string> seen;
    for (const std::string& reference : names_or_arns) {
      auto name = NameFromNameOrArn(reference, ResourceKind::kComputeEnvironment);
      if (!name || !seen.insert(*name).second) continue;
      auto ce = txn.GetComputeEnvironment(*name);
      if (ce) {
        found.push_back(std::move(ce).value());
      } else if (ce.error().code != ErrorCode::kNotFound) {
        return ce.error();
      }
    }
    return Ok();
  });
  if (!status) return status.error();
  return found;
}

Result<ComputeEnvironment> ComputeEnvironmentService::Update(
    const ComputeEnvironmentUpdate& update) {
  if (update.unmanaged_vcpus && *update.unmanaged_vcpus < 0) {
    return InvalidArgument("unmanagedvCpus " + Num(*update.unmanaged_vcpus) + " must be >= 0");
  }
  ComputeEnvironment updated;
  Status status = TransactWithRetry(store_, [&](StoreTransaction& txn) -> Status {
    auto loaded = Load(txn, update.compute_environment);
    if (!loaded) return loaded.error();
    ComputeEnvironment ce = std::move(loaded).value();
    if (update.state) ce.state = *update.state;
    if (update.unmanaged_vcpus) {
      if (ce.type != ComputeEnvironmentType::kUnmanaged) {
        return InvalidArgument(
            "unmanagedvCpus can only be specified for an UNMANAGED compute "
            "environment, and " +
            ce.name + " is MANAGED");
      }
      ce.unmanaged_vcpus = update.unmanaged_vcpus;
    }
    if (update.compute_resources) {
      if (!ce.compute_resources) {
        return InvalidArgument(
            "computeResources can only be updated for a MANAGED compute "
            "environment, and " +
            ce.name + " is UNMANAGED");
      }
      BARGE_RETURN_IF_ERROR(ApplyUpdate(*ce.compute_resources, *update.compute_resources));
    }
    if (update.service_role) ce.service_role = update.service_role;
    MergeAwsOnly(ce.aws_only, update.aws_only);
    ce.status = ResourceStatus::kUpdating;
    ce.status_reason.clear();
    BARGE_RETURN_IF_ERROR(txn.UpdateComputeEnvironment(ce));
    auto stored = txn.GetComputeEnvironment(ce.name);
    if (!stored) return stored.error();
    updated = std::move(stored).value();
    return Ok();
  });
  if (!status) return status.error();
  return updated;
}

Status ComputeEnvironmentService::Delete(const std::string& name_or_arn) {
  return TransactWithRetry(store_, [&](StoreTransaction& txn) -> Status {
    auto loaded = Load(txn, name_or_arn);
    if (!loaded) return loaded.error();
    const ComputeEnvironment& ce = loaded.value();
    auto queues = txn.ListJobQueues();
    if (!queues) return queues.error();
    for (const JobQueue& queue : queues.value()) {
      for (const ComputeEnvironmentOrder& entry : queue.compute_environment_order) {
        if (NameFromNameOrArn(entry.compute_environment, ResourceKind::kComputeEnvironment) ==
            ce.name) {
          return FailedPrecondition(
              "cannot delete, found existing JobQueue relationship: job "
              "queue " +
              queue.name + " uses compute environment " + ce.name);
        }
      }
    }
    if (ce.state != ResourceState::kDisabled) {
      return FailedPrecondition("compute environment " + ce.name +
                                " must be DISABLED before it can be deleted");
    }
    return txn.DeleteComputeEnvironment(ce.name);
  });
}

Result<ComputeEnvironment> ComputeEnvironmentService::Load(StoreTransaction& txn,
                                                           const std::string& name_or_arn) const {
  if (name_or_arn.empty()) return InvalidArgument("computeEnvironment is required");
  auto name = NameFromNameOrArn(name_or_arn, ResourceKind::kComputeEnvironment);
  if (name) {
    auto ce = txn.GetComputeEnvironment(*name);
    if (ce || ce.error().code != ErrorCode::kNotFound) return ce;
  }
  std::string arn = name ? arns_.ComputeEnvironment(*name) : name_or_arn;
  return NotFound("compute environment " + arn + " does not exist");
}

}  // namespace barge::control
