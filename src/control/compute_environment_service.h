#pragma once
// Use cases for compute environments: CreateComputeEnvironment,
// DescribeComputeEnvironments, UpdateComputeEnvironment and
// DeleteComputeEnvironment with AWS Batch semantics and limits (at most 50
// environments; delete only when DISABLED and no job queue uses it).
//
// Runs on the control thread. Every call is one Store transaction: a call that
// returns an error has changed nothing.
#include <string>
#include <vector>

#include "core/arn.h"
#include "core/compute_environment.h"
#include "core/result.h"
#include "store/store.h"

namespace barge::control {

class ComputeEnvironmentService {
 public:
  static constexpr int kMaxComputeEnvironments = 50;

  // Not owned; both outlive the service.
  ComputeEnvironmentService(Store& store, const ArnFormatter& arns);

  // Validates `spec` and stores it with its ARN and a fresh uuid in status
  // CREATING (ResourceStatusReconciler makes it VALID or INVALID). EC2 and
  // SPOT resources get AWS's defaults: minvCpus 0, desiredvCpus = minvCpus,
  // allocationStrategy BEST_FIT.
  // Without a `barge:executor` tag it gets barge:executor=container; a value
  // other than container or process is kInvalidArgument.
  // kInvalidArgument (bad name or fields), kAlreadyExists, kFailedPrecondition (limit).
  Result<ComputeEnvironment> Create(ComputeEnvironment spec);

  // By name or ARN; an empty list means all. Unknown ones are left out, as in AWS.
  Result<std::vector<ComputeEnvironment>> Describe(const std::vector<std::string>& names_or_arns);

  // Applies the members that are set (computeResources members merge into the
  // stored ones; new min/max bounds pull an unspecified desiredvCpus along)
  // and sets status UPDATING. BEST_FIT is not an update target, EC2/SPOT
  // cannot become Fargate or back, unmanagedvCpus is for UNMANAGED only.
  // kInvalidArgument, kNotFound (reported as a client error by api/).
  Result<ComputeEnvironment> Update(const ComputeEnvironmentUpdate& update);

  // kNotFound, kFailedPrecondition (ENABLED, or still in a job queue).
  Status Delete(const std::string& name_or_arn);

 private:
  // Reads the environment `name_or_arn` names. kInvalidArgument when empty,
  // kNotFound ("compute environment <arn> does not exist") when unknown.
  Result<ComputeEnvironment> Load(StoreTransaction& txn, const std::string& name_or_arn) const;

  Store& store_;
  const ArnFormatter& arns_;
};

}  // namespace barge::control
