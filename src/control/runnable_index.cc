#include "control/runnable_index.h"

#include <algorithm>
#include <set>

namespace barge::control {

namespace {
constexpr size_t kLoadPage = 1000;
}  // namespace

Status RunnableIndex::Load(Store& store) {
  entries_.clear();
  by_queue_.clear();
  rescan_.reset();
  StartRescan();
  while (rescanning()) {
    Result<size_t> step = RescanStep(store, kLoadPage);
    if (!step) {
      rescan_.reset();
      return step.error();
    }
  }
  return Ok();
}

void RunnableIndex::StartRescan() {
  if (!rescan_) rescan_.emplace();
}

Result<size_t> RunnableIndex::RescanStep(Store& store, size_t page) {
  if (!rescan_) return size_t{0};
  Rescan& scan = *rescan_;
  std::vector<Job> jobs;
  BARGE_RETURN_IF_ERROR(store.Transact([&](StoreTransaction& txn) -> Status {
    jobs.clear();
    if (!scan.queues) {
      Result<std::vector<JobQueue>> queues = txn.ListJobQueues();
      if (!queues) return queues.error();
      scan.queues.emplace();
      for (const JobQueue& queue : *queues) scan.queues->push_back(queue.name);
    }
    if (scan.queue >= scan.queues->size()) return Ok();
    JobListFilter filter{
        .queue = (*scan.queues)[scan.queue], .statuses = {JobStatus::kRunnable}, .limit = page};
    if (scan.after) filter.start_after = JobListCursor{scan.after->first, scan.after->second};
    Result<std::vector<Job>> listed = txn.ListJobs(filter);
    if (!listed) return listed.error();
    jobs = std::move(listed).value();
    return Ok();
  }));
  if (scan.queue >= scan.queues->size()) {
    rescan_.reset();
    return size_t{0};
  }
  const std::string& queue = (*scan.queues)[scan.queue];
  bool last_page = jobs.size() < page;
  // Entries of this queue in the range the page covers that the store does
  // not list as RUNNABLE any more are stale.
  std::set<std::string> listed;
  for (const Job& job : jobs) listed.insert(job.id);
  std::vector<std::string> stale;
  if (auto it = by_queue_.find(queue); it != by_queue_.end()) {
    const auto& order = it->second.order;
    auto key = scan.after ? order.upper_bound(*scan.after) : order.begin();
    for (; key != order.end(); ++key) {
      if (!last_page && !jobs.empty() && key->first > Key{jobs.back().created_at, jobs.back().id}) {
        break;
      }
      if (!listed.contains(key->first.second)) stale.push_back(key->first.second);
    }
  }
  for (const std::string& id : stale) Remove(id);
  size_t missing = 0;
  for (const Job& job : jobs) {
    if (!entries_.contains(job.id)) ++missing;
    Upsert(job);
  }
  if (last_page) {
    ++scan.queue;
    scan.after.reset();
  } else {
    scan.after = Key{jobs.back().created_at, jobs.back().id};
  }
  return missing;
}

void RunnableIndex::Upsert(const Job& job) {
  // One lookup: a new job (mostly) gets its entry, a known one leaves its
  // queue's order before it is rewritten.
  auto [it, added] = entries_.try_emplace(job.id);
  if (!added) Unqueue(it->second);
  const RunnableEntry& entry = it->second =
      RunnableEntry{.id = job.id,
                    .queue = job.queue,
                    .created_at = job.created_at,
                    .request = job.request,
                    .scheduling_priority = job.scheduling_priority,
                    .status_reason = job.status_reason};
  Queue& queue = by_queue_[job.queue];
  // Hinted at the end: a job mostly becomes RUNNABLE as the newest.
  queue.order.emplace_hint(queue.order.end(), Key{job.created_at, job.id},
                           Ordered{.entry = &entry, .request = entry.request});
  Count(queue.summary, entry, +1);
}

void RunnableIndex::Remove(const std::string& id) {
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  Unqueue(it->second);
  entries_.erase(it);
}

void RunnableIndex::Unqueue(const RunnableEntry& entry) {
  auto queue = by_queue_.find(entry.queue);
  if (queue == by_queue_.end()) return;
  queue->second.order.erase(Key{entry.created_at, entry.id});
  Count(queue->second.summary, entry, -1);
  if (queue->second.order.empty()) by_queue_.erase(queue);
}

const RunnableEntry* RunnableIndex::Find(const std::string& id) const {
  auto it = entries_.find(id);
  return it == entries_.end() ? nullptr : &it->second;
}

void RunnableIndex::SetReason(const std::string& id, std::string reason) {
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  auto queue = by_queue_.find(it->second.queue);
  if (queue != by_queue_.end()) Count(queue->second.summary, it->second, -1);
  it->second.status_reason = std::move(reason);
  if (queue != by_queue_.end()) Count(queue->second.summary, it->second, +1);
}

void RunnableIndex::Count(QueueSummary& summary, const RunnableEntry& entry, int sign) {
  QueueSummary::Shape key = QueueSummary::ShapeOf(entry.request);
  if (sign > 0) {
    ++summary.requests[key];
  } else if (auto it = summary.requests.find(key);
             it != summary.requests.end() && --it->second == 0) {
    summary.requests.erase(it);
  }
  if (entry.status_reason.empty()) return;
  if (sign > 0) {
    ++summary.with_reason;
  } else {
    --summary.with_reason;
  }
}

const RunnableIndex::QueueSummary* RunnableIndex::Summary(const std::string& queue) const {
  auto it = by_queue_.find(queue);
  return it == by_queue_.end() ? nullptr : &it->second.summary;
}

std::vector<const RunnableEntry*> RunnableIndex::Oldest(const std::string& queue, size_t limit,
                                                        const Accept& accept) const {
  std::vector<const RunnableEntry*> out;
  auto it = by_queue_.find(queue);
  if (it == by_queue_.end()) return out;
  out.reserve(std::min(limit, it->second.order.size()));
  for (const auto& [key, ordered] : it->second.order) {
    if (out.size() >= limit) break;
    if (!accept || accept(*ordered.entry)) out.push_back(ordered.entry);
  }
  return out;
}

}  // namespace barge::control
