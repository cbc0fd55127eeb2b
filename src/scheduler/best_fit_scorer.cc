#include "scheduler/best_fit_scorer.h"

namespace barge::scheduler {
namespace {

double LeftoverFraction(int64_t free, int64_t request, int64_t capacity) {
  if (capacity <= 0) return 0;
  return static_cast<double>(free - request) / static_cast<double>(capacity);
}

}  // namespace

double BestFitScorer::Score(const PendingJob& job, const NodeView& node) const {
  double leftover =
      LeftoverFraction(node.free.millicpus, job.request.millicpus, node.capacity.millicpus) +
      LeftoverFraction(node.free.memory_mib, job.request.memory_mib, node.capacity.memory_mib) +
      LeftoverFraction(node.free.gpus, job.request.gpus, node.capacity.gpus);
  return -leftover;
}

}  // namespace barge::scheduler
