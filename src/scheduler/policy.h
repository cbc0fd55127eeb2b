#pragma once
// The planner's policy seams, a small plugin pipeline in the manner of Ray's
// and the Kubernetes scheduler's: one QueueOrderPolicy decides the order in
// which RUNNABLE jobs are offered capacity, every NodeFilter must admit a
// node, and one NodeScorer ranks the admitted nodes. Policies are pure and
// stateless (const methods, snapshot values only), so any thread may call
// them; the planner owns its policies.
#include <string_view>
#include <vector>

#include "scheduler/cluster_view.h"

namespace barge::scheduler {

// Decides the order in which runnable jobs are offered capacity.
class QueueOrderPolicy {
 public:
  virtual ~QueueOrderPolicy() = default;
  virtual std::string_view name() const = 0;
  virtual void Sort(std::vector<PendingJob>& jobs) const = 0;
  // Whether Sort keeps the jobs of one queue oldest first (runnable_since,
  // then id): then one queue's jobs can be offered in that order, a few at
  // a time, without sorting them all (scheduler/planner.h PlanSession).
  virtual bool KeepsQueueOrder() const { return false; }
};

// Rejects nodes a job must not run on (too little free capacity, draining).
class NodeFilter {
 public:
  virtual ~NodeFilter() = default;
  virtual bool Admits(const PendingJob& job, const NodeView& node) const = 0;
};

// Ranks the nodes that passed every filter. Higher score wins; ties go to the
// node listed first in the snapshot.
class NodeScorer {
 public:
  virtual ~NodeScorer() = default;
  virtual double Score(const PendingJob& job, const NodeView& node) const = 0;
};

}  // namespace barge::scheduler
