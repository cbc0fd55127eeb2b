#pragma once
// Use cases for fair-share scheduling policies: Create, Describe (by ARN),
// List, Update and Delete (not while a job queue refers to it).
//
// Runs on the control thread; one Store transaction per call.
#include <string>
#include <vector>

#include "core/arn.h"
#include "core/result.h"
#include "core/scheduling_policy.h"
#include "store/store.h"

namespace barge::control {

class SchedulingPolicyService {
 public:
  static constexpr int kMaxSchedulingPolicies = 50;

  SchedulingPolicyService(Store& store, const ArnFormatter& arns);  // Not owned.

  // Validates the name, tags and fairsharePolicy (shareDecaySeconds 0..604800,
  // computeReservation 0..99, share identifiers that do not overlap,
  // weightFactor 0.0001..999.9999).
  // kInvalidArgument, kAlreadyExists, kFailedPrecondition (limit).
  Result<SchedulingPolicy> Create(SchedulingPolicy spec);
  // By ARN (1..100); unknown ones are left out. kInvalidArgument for an empty
  // or too long list, or an entry that is not a scheduling-policy ARN.
  Result<std::vector<SchedulingPolicy>> Describe(const std::vector<std::string>& arns);
  Result<std::vector<SchedulingPolicy>> List();  // Ordered by name.
  // Replaces fairsharePolicy when given. kInvalidArgument, kNotFound.
  Result<SchedulingPolicy> Update(const SchedulingPolicyUpdate& update);
  // kInvalidArgument (not a scheduling-policy ARN), kNotFound,
  // kFailedPrecondition (a job queue uses it).
  Status Delete(const std::string& arn);

 private:
  // kNotFound ("scheduling policy <arn> does not exist") when unknown.
  Result<SchedulingPolicy> Load(StoreTransaction& txn, const std::string& name) const;

  Store& store_;
  const ArnFormatter& arns_;
};

}  // namespace barge::control
