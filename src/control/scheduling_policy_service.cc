#include "control/scheduling_policy_service.h"

#include <set>

#include "control/resource_ref.h"
#include "control/transact.h"
#include "core/validation.h"

namespace barge::control {
namespace {

constexpr size_t kMaxDescribe = 100;
constexpr int32_t kMaxShareDecaySeconds = 604800;
constexpr int32_t kMaxComputeReservation = 99;
constexpr double kMinWeightFactor = 0.0001;
constexpr double kMaxWeightFactor = 999.9999;

Status ValidateFairshare(const FairsharePolicy& policy) {
  if (policy.share_decay_seconds &&
      (*policy.share_decay_seconds < 0 || *policy.share_decay_seconds > kMaxShareDecaySeconds)) {
    return InvalidArgument("fairsharePolicy.shareDecaySeconds " +
                           std::to_string(*policy.share_decay_seconds) +
                           " is invalid: it must be between 0 and 604800");
  }
  if (policy.compute_reservation &&
      (*policy.compute_reservation < 0 || *policy.compute_reservation > kMaxComputeReservation)) {
    return InvalidArgument("fairsharePolicy.computeReservation " +
                           std::to_string(*policy.compute_reservation) +
                           " is invalid: it must be between 0 and 99");
  }
  const auto& shares = policy.share_distribution;
  for (size_t i = 0; i < shares.size(); ++i) {
    const ShareAttributes& share = shares[i];
    BARGE_RETURN_IF_ERROR(ValidateSharePattern(share.share_identifier));
    if (share.weight_factor &&
        !(*share.weight_factor >= kMinWeightFactor && *share.weight_factor <= kMaxWeightFactor)) {
      return InvalidArgument("fairsharePolicy.shareDistribution weightFactor " +
                             std::to_string(*share.weight_factor) + " of shareIdentifier " +
                             share.share_identifier +
                             " is invalid: it must be between 0.0001 and 999.9999");
    }
    for (size_t j = 0; j < i; ++j) {
      if (SharePatternsOverlap(shares[j].share_identifier, share.share_identifier)) {
        return InvalidArgument("fairsharePolicy.shareDistribution shareIdentifier " +
                               share.share_identifier + " overlaps " + shares[j].share_identifier);
      }
    }
  }
  return Ok();
}

// The policy name in `arn`, or the error a malformed ARN gets.
Result<std::string> PolicyName(const std::string& arn) {
  if (arn.empty()) return InvalidArgument("arn is required");
  auto name = NameFromArn(arn, ResourceKind::kSchedulingPolicy);
  if (!name) return InvalidArgument("'" + arn + "' is not a scheduling policy ARN");
  return *name;
}

}  // namespace

SchedulingPolicyService::SchedulingPolicyService(Store& store, const ArnFormatter& arns)
    : store_(store), arns_(arns) {}

Result<SchedulingPolicy> SchedulingPolicyService::Create(SchedulingPolicy spec) {
  BARGE_RETURN_IF_ERROR(ValidateResourceName("name", spec.name));
  BARGE_RETURN_IF_ERROR(ValidateTags(spec.tags));
  if (spec.fairshare_policy) BARGE_RETURN_IF_ERROR(ValidateFairshare(*spec.fairshare_policy));
  spec.arn = arns_.SchedulingPolicy(spec.name);
  spec.version = 0;

  SchedulingPolicy created;
  Status status = TransactWithRetry(store_, [&](StoreTransaction& txn) -> Status {
    if (txn.GetSchedulingPolicy(spec.name).ok()) {
      return AlreadyExists("scheduling policy " + spec.name + " already exists");
    }
    auto existing = txn.ListSchedulingPolicies();
    if (!existing) return existing.error();
    if (existing->size() >= static_cast<size_t>(kMaxSchedulingPolicies)) {
      return FailedPrecondition("cannot create scheduling policy " + spec.name +
                                ": the limit of 50 scheduling policies has been reached");
    }
    BARGE_RETURN_IF_ERROR(txn.InsertSchedulingPolicy(spec));
    auto stored = txn.GetSchedulingPolicy(spec.name);
    if (!stored) return stored.error();
    created = std::move(stored).value();
    return Ok();
  });
  if (!status) return status.error();
  return created;
}

Result<std::vector<SchedulingPolicy>> SchedulingPolicyService::Describe(
    const std::vector<std::string>& arns) {
  if (arns.empty() || arns.size() > kMaxDescribe) {
    return InvalidArgument("arns must hold between 1 and 100 scheduling policy ARNs, got " +
                           std::to_string(arns.size()));
  }
  std::vector<std::string> names;
  for (const std::string& arn : arns) {
    auto name = PolicyName(arn);
    if (!name) return name.error();
    names.push_back(std::move(name).value());
  }
  std::vector<SchedulingPolicy> found;
  Status status = TransactWithRetry(store_, [&](StoreTransaction& txn) -> Status {
    found.clear();
    std::set<std::string> seen;
    for (const std::string& name : names) {
      if (!seen.insert(name).second) continue;
      auto policy = txn.GetSchedulingPolicy(name);
      if (policy) {
        found.push_back(std::move(policy).value());
      } else if (policy.error().code != ErrorCode::kNotFound) {
        return policy.error();
      }
    }
    return Ok();
  });
  if (!status) return status.error();
  return found;
}

Result<std::vector<SchedulingPolicy>> SchedulingPolicyService::List() {
  std::vector<SchedulingPolicy> all;
  Status status = TransactWithRetry(store_, [&](StoreTransaction& txn) -> Status {
    auto listed = txn.ListSchedulingPolicies();
    if (!listed) return listed.error();
    all = std::move(listed).value();
    return Ok();
  });
  if (!status) return status.error();
  return all;
}

Result<SchedulingPolicy> SchedulingPolicyService::Update(const SchedulingPolicyUpdate& update) {
  auto name = PolicyName(update.arn);
  if (!name) return name.error();
  if (update.fairshare_policy) BARGE_RETURN_IF_ERROR(ValidateFairshare(*update.fairshare_policy));
  SchedulingPolicy updated;
  Status status = TransactWithRetry(store_, [&](StoreTransaction& txn) -> Status {
    auto loaded = Load(txn, name.value());
    if (!loaded) return loaded.error();
    SchedulingPolicy policy = std::move(loaded).value();
    if (update.fairshare_policy) policy.fairshare_policy = update.fairshare_policy;
    for (const auto& [key, value] : update.aws_only) policy.aws_only[key] = value;
    BARGE_RETURN_IF_ERROR(txn.UpdateSchedulingPolicy(policy));
    auto stored = txn.GetSchedulingPolicy(policy.name);
    if (!stored) return stored.error();
    updated = std::move(stored).value();
    return Ok();
  });
  if (!status) return status.error();
  return updated;
}

Status SchedulingPolicyService::Delete(const std::string& arn) {
  auto name = PolicyName(arn);
  if (!name) return name.error();
  return TransactWithRetry(store_, [&](StoreTransaction& txn) -> Status {
    auto policy = Load(txn, name.value());
    if (!policy) return policy.error();
    auto queues = txn.ListJobQueues();
    if (!queues) return queues.error();
    for (const JobQueue& queue : queues.value()) {
      if (queue.scheduling_policy_arn &&
          NameFromArn(*queue.scheduling_policy_arn, ResourceKind::kSchedulingPolicy) ==
              policy->name) {
        return FailedPrecondition("cannot delete scheduling policy " + policy->arn +
                                  ": it is used by job queue " + queue.name);
      }
    }
    return txn.DeleteSchedulingPolicy(policy->name);
  });
}

Result<SchedulingPolicy> SchedulingPolicyService::Load(StoreTransaction& txn,
                                                       const std::string& name) const {
  auto policy = txn.GetSchedulingPolicy(name);
  if (policy || policy.error().code != ErrorCode::kNotFound) return policy;
  return NotFound("scheduling policy " + arns_.SchedulingPolicy(name) + " does not exist");
}

}  // namespace barge::control
