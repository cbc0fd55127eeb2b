#pragma once
// The standard node filters. A node must be accepting work (not draining) and
// have free capacity for the whole request: millicpus, memory and GPUs are
// reservations, and the planner never over-commits any of them.
#include "scheduler/policy.h"

namespace barge::scheduler {

class AcceptingWorkFilter final : public NodeFilter {
 public:
  bool Admits(const PendingJob&, const NodeView& node) const override {
    return node.accepting_work;
  }
};

class FreeCapacityFilter final : public NodeFilter {
 public:
  bool Admits(const PendingJob& job, const NodeView& node) const override {
    return Covers(node.free, job.request);
  }
};

}  // namespace barge::scheduler
