#include "scheduler/priority_fifo_order.h"

#include <algorithm>
#include <tuple>

namespace barge::scheduler {

void PriorityFifoOrder::Sort(std::vector<PendingJob>& jobs) const {
  auto before = [](const PendingJob& a, const PendingJob& b) {
    return std::tie(b.queue_priority, a.runnable_since, a.id) <
           std::tie(a.queue_priority, b.runnable_since, b.id);
  };
  // The dispatcher hands over each queue's jobs oldest first, so with one
  // queue they are in order already: checking costs no moves of jobs.
  if (std::is_sorted(jobs.begin(), jobs.end(), before)) return;
  std::stable_sort(jobs.begin(), jobs.end(), before);
}

}  // namespace barge::scheduler
