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

  // kInvalidArgument, kAlreadyExists, kFailedPrecondition (limit).
  Result<SchedulingPolicy> Create(SchedulingPolicy spec);
  // By ARN (1..100); unknown ones are left out.
  Result<std::vector<SchedulingPolicy>> Describe(const std::vector<std::string>& arns);
  Result<std::vector<SchedulingPolicy>> List();  // Ordered by name.
  Result<SchedulingPolicy> Update(const SchedulingPolicyUpdate& update);  // kNotFound
  Status Delete(const std::string& arn);  // kNotFound, kFailedPrecondition (in use)

 private:
  Store& store_;
  const ArnFormatter& arns_;
};

}  // namespace barge::control
