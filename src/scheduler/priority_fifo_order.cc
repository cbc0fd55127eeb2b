#include "scheduler/priority_fifo_order.h"

#include <algorithm>
#include <tuple>

namespace barge::scheduler {

void PriorityFifoOrder::Sort(std::vector<PendingJob>& jobs) const {
  std::stable_sort(jobs.begin(), jobs.end(), [](const PendingJob& a, const PendingJob& b) {
    return std::tie(b.queue_priority, a.runnable_since, a.id) <
           std::tie(a.queue_priority, b.runnable_since, b.id);
  });
}

}  // namespace barge::scheduler
