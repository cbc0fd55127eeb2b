#include "control/runnable_index.h"

namespace barge::control {

Status RunnableIndex::Load(Store& store) {
  std::vector<Job> jobs;
  BARGE_RETURN_IF_ERROR(store.Transact([&](StoreTransaction& txn) -> Status {
    Result<std::vector<Job>> runnable = txn.ListJobs({.statuses = {JobStatus::kRunnable}});
    if (!runnable) return runnable.error();
    jobs = std::move(runnable).value();
    return Ok();
  }));
  entries_.clear();
  by_queue_.clear();
  for (const Job& job : jobs) Upsert(job);
  return Ok();
}

void RunnableIndex::Upsert(const Job& job) {
  Remove(job.id);
  by_queue_[job.queue].insert({job.created_at, job.id});
  entries_[job.id] = RunnableEntry{.id = job.id,
                                   .queue = job.queue,
                                   .created_at = job.created_at,
                                   .request = job.request,
                                   .scheduling_priority = job.scheduling_priority,
                                   .status_reason = job.status_reason};
}

void RunnableIndex::Remove(const std::string& id) {
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  auto queue = by_queue_.find(it->second.queue);
  if (queue != by_queue_.end()) {
    queue->second.erase({it->second.created_at, id});
    if (queue->second.empty()) by_queue_.erase(queue);
  }
  entries_.erase(it);
}

const RunnableEntry* RunnableIndex::Find(const std::string& id) const {
  auto it = entries_.find(id);
  return it == entries_.end() ? nullptr : &it->second;
}

void RunnableIndex::SetReason(const std::string& id, std::string reason) {
  if (auto it = entries_.find(id); it != entries_.end())
    it->second.status_reason = std::move(reason);
}

std::vector<const RunnableEntry*> RunnableIndex::Oldest(const std::string& queue,
                                                        size_t limit) const {
  std::vector<const RunnableEntry*> out;
  auto it = by_queue_.find(queue);
  if (it == by_queue_.end()) return out;
  for (const Key& key : it->second) {
    if (out.size() >= limit) break;
    out.push_back(&entries_.at(key.second));
  }
  return out;
}

}  // namespace barge::control
