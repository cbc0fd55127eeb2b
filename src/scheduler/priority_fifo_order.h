#pragma once
// AWS Batch's default (FIFO) queue order: among queues that share a compute
// environment the higher `priority` is served first; within a queue, jobs go
// in createdAt order (ties broken by id, so a pass is deterministic).
//
// Jobs of different queues with the same priority interleave by createdAt:
// AWS does not define their order, and this keeps either queue from starving
// the other. Sorting one global list is enough, because jobs whose queues
// share no environment never compete for the same node.
#include "scheduler/policy.h"

namespace barge::scheduler {

class PriorityFifoOrder final : public QueueOrderPolicy {
 public:
  std::string_view name() const override { return "priority_fifo"; }
  void Sort(std::vector<PendingJob>& jobs) const override;
  bool KeepsQueueOrder() const override { return true; }
};

}  // namespace barge::scheduler
