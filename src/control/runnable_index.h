#pragma once
// RunnableIndex: the RUNNABLE jobs, in memory, with just what planning needs
// (queue, createdAt, request, statusReason), ordered per queue by
// (createdAt, id). It lets a scheduling pass pick candidates without reading
// and decoding every waiting job from the store; the store stays the source
// of truth, and a pass re-reads each job it places.
//
// It may hold stale entries (a job cancelled since it was added): the pass
// that tries to place one finds it is no longer RUNNABLE and removes it.
// Load() rebuilds it from the store (at startup, and now and then as a
// safety net).
//
// Owned by the Dispatcher; control thread only.
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/job.h"
#include "core/result.h"
#include "store/store.h"

namespace barge::control {

struct RunnableEntry {
  std::string id{};
  std::string queue{};
  Timestamp created_at{};
  Resources request{};
  int32_t scheduling_priority = 0;
  std::string status_reason{};
};

class RunnableIndex {
 public:
  // Replaces the contents with the store's RUNNABLE jobs. Errors are the store's.
  Status Load(Store& store);

  // Adds or refreshes `job` (which should be RUNNABLE).
  void Upsert(const Job& job);
  void Remove(const std::string& id);
  const RunnableEntry* Find(const std::string& id) const;
  void SetReason(const std::string& id, std::string reason);

  // The `limit` oldest entries of `queue`, oldest first.
  std::vector<const RunnableEntry*> Oldest(const std::string& queue, size_t limit) const;

  size_t size() const { return entries_.size(); }

 private:
  using Key = std::pair<Timestamp, std::string>;  // (createdAt, id)
  std::unordered_map<std::string, RunnableEntry> entries_;
  std::map<std::string, std::set<Key>, std::less<>> by_queue_;
};

}  // namespace barge::control
