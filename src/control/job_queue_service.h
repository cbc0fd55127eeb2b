#pragma once
// Use cases for job queues: CreateJobQueue, DescribeJobQueues, UpdateJobQueue,
// DeleteJobQueue with AWS Batch semantics (at most 50 queues; at most 3 VALID
// compute environments with distinct orders; a scheduling policy can be
// replaced but never removed, and a FIFO queue cannot gain one; delete only
// when DISABLED).
//
// Runs on the control thread; one Store transaction per call.
#include <string>
#include <vector>

#include "core/arn.h"
#include "core/job_queue.h"
#include "core/result.h"
#include "store/store.h"

namespace barge::control {

class JobQueueService {
 public:
  static constexpr int kMaxJobQueues = 50;
  static constexpr int kMaxComputeEnvironmentsPerQueue = 3;

  JobQueueService(Store& store, const ArnFormatter& arns);  // Not owned.

  // `spec.compute_environment_order` may name environments by name or ARN; the
  // stored queue holds ARNs. Status starts CREATING.
  // kInvalidArgument, kAlreadyExists, kFailedPrecondition (limit, or an
  // environment that is not VALID), kNotFound (an environment or the
  // scheduling policy does not exist).
  Result<JobQueue> Create(JobQueue spec);
  // By name or ARN; empty = all; unknown ones are left out.
  Result<std::vector<JobQueue>> Describe(const std::vector<std::string>& names_or_arns);
  // kInvalidArgument, kNotFound, and the reference errors of Create. An empty
  // scheduling_policy_arn asks to remove the policy, which is refused.
  Result<JobQueue> Update(const JobQueueUpdate& update);
  Status Delete(const std::string& name_or_arn);  // kNotFound, kFailedPrecondition

 private:
  // Reads the queue `name_or_arn` names. kInvalidArgument when empty,
  // kNotFound ("job queue <arn> does not exist") when unknown.
  Result<JobQueue> Load(StoreTransaction& txn, const std::string& name_or_arn) const;
  // Turns computeEnvironmentOrder references into ARNs: each environment must
  // exist (kNotFound), be VALID (kFailedPrecondition) and appear once, and
  // FARGATE and EC2 environments do not mix (kInvalidArgument).
  Result<std::vector<ComputeEnvironmentOrder>> ResolveOrder(
      StoreTransaction& txn, const std::vector<ComputeEnvironmentOrder>& order) const;
  // The stored ARN of the scheduling policy `arn` names: kInvalidArgument when
  // it is not a scheduling-policy ARN, kNotFound when there is no such policy.
  Result<std::string> ResolvePolicy(StoreTransaction& txn, const std::string& arn) const;

  Store& store_;
  const ArnFormatter& arns_;
};

}  // namespace barge::control
