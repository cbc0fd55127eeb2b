#pragma once
// Best fit: prefers the node with the least left over after the placement, so
// that large holes stay free for large jobs and idle nodes can be scaled in
// (AWS's BEST_FIT allocation strategy, applied to placement on hosts).
//
// Leftover is measured per dimension as a fraction of the node's capacity and
// summed, so that a node nearly full in memory but empty in CPUs does not
// look as full as one that is nearly full in both. A dimension the node does
// not have (capacity 0) counts as nothing.
#include "scheduler/policy.h"

namespace barge::scheduler {

class BestFitScorer final : public NodeScorer {
 public:
  double Score(const PendingJob& job, const NodeView& node) const override;
};

}  // namespace barge::scheduler
