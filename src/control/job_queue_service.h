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
  // kInvalidArgument, kAlreadyExists, kFailedPrecondition (limit).
  Result<JobQueue> Create(JobQueue spec);
  // By name or ARN; empty = all; unknown ones are left out.
  Result<std::vector<JobQueue>> Describe(const std::vector<std::string>& names_or_arns);
  Result<JobQueue> Update(const JobQueueUpdate& update);  // kInvalidArgument, kNotFound
  Status Delete(const std::string& name_or_arn);          // kNotFound, kFailedPrecondition

 private:
  Store& store_;
  const ArnFormatter& arns_;
};

}  // namespace barge::control
