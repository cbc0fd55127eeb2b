#pragma once
// RunnableIndex: the RUNNABLE jobs, in memory, with just what planning needs
// (queue, createdAt, request, statusReason), ordered per queue by
// (createdAt, id). It lets a scheduling pass pick candidates without reading
// and decoding every waiting job from the store; the store stays the source
// of truth, and a pass re-reads each job it places.
//
// It may hold stale entries (a job cancelled since it was added): the pass
// that tries to place one finds it is no longer RUNNABLE and removes it.
// Load() builds it from the store at startup; a rolling rescan (StartRescan,
// then RescanStep per scheduling tick) re-reads the store as a safety net,
// one page of one queue per step, adding RUNNABLE jobs it lacks and dropping
// entries the store no longer holds RUNNABLE. Paging matters at large
// backlogs: re-reading 100,000 queued jobs at once would stall the control
// thread for seconds and briefly hold every decoded Job in memory.
//
// Owned by the Dispatcher; control thread only.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/node_hash_map.h"
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
  // Replaces the contents with the store's RUNNABLE jobs, read a page at a
  // time. Errors are the store's.
  Status Load(Store& store);

  // Starts a rescan unless one is running.
  void StartRescan();
  bool rescanning() const { return rescan_.has_value(); }
  // Reads the next page (at most `page` jobs of one queue, in (createdAt, id)
  // order) of the running rescan and reconciles the index with it. Returns
  // the number of RUNNABLE jobs that were missing from the index. Errors are
  // the store's; the step is retried on the next call.
  Result<size_t> RescanStep(Store& store, size_t page);

  // Adds or refreshes `job` (which should be RUNNABLE).
  void Upsert(const Job& job);
  void Remove(const std::string& id);
  const RunnableEntry* Find(const std::string& id) const;
  void SetReason(const std::string& id, std::string reason);

  // The `limit` oldest entries of `queue` that `accept` takes (all, when
  // unset), oldest first. Entries it refuses are stepped over, not counted.
  using Accept = std::function<bool(const RunnableEntry&)>;
  std::vector<const RunnableEntry*> Oldest(const std::string& queue, size_t limit,
                                           const Accept& accept = {}) const;
  // Calls `visit(request, entry)` on the entries of `queue`, oldest first,
  // until it returns false: for callers whose stopping point depends on what
  // they saw. The request comes from the queue's order itself: a visitor
  // that judges by it alone (a pass stepping over jobs too wide for the room
  // left) reads no entry.
  // A template: passes call it on every exit, and a std::function call per
  // entry cost as much as the rest of the visit.
  template <typename Visit>
  void VisitOldest(const std::string& queue, Visit&& visit) const {
    auto it = by_queue_.find(queue);
    if (it == by_queue_.end()) return;
    for (const auto& [key, ordered] : it->second.order) {
      if (!visit(ordered.request, *ordered.entry)) return;
    }
  }

  size_t size() const { return entries_.size(); }

  // What a queue's entries ask for as a whole, kept as entries come and go:
  // lets a pass prove that the entries it did not look at cannot start and
  // keep their reasons (control/dispatcher.cc).
  struct QueueSummary {
    // A request as a map key: (millicpus, memory MiB, GPUs).
    using Shape = std::tuple<int64_t, int64_t, int64_t>;
    static Shape ShapeOf(const Resources& request) {
      return {request.millicpus, request.memory_mib, request.gpus};
    }
    static Resources RequestOf(const Shape& shape) {
      return {.millicpus = std::get<0>(shape),
              .memory_mib = std::get<1>(shape),
              .gpus = std::get<2>(shape)};
    }
    std::map<Shape, size_t> requests{};  // Distinct -> count.
    size_t with_reason = 0;              // Entries with a statusReason.
  };
  // nullptr for a queue without entries.
  const QueueSummary* Summary(const std::string& queue) const;

 private:
  using Key = std::pair<Timestamp, std::string>;  // (createdAt, id)
  struct Rescan {
    // User-provided: clang judges a nested struct with default member
    // initializers not default-constructible inside its enclosing class,
    // which breaks std::optional<Rescan>::emplace().
    Rescan() {}
    std::optional<std::vector<std::string>> queues{};  // Read at the first step.
    size_t queue = 0;                                  // Index into `queues`.
    std::optional<Key> after{};                        // Last key seen in that queue.
  };
  struct Ordered {
    const RunnableEntry* entry = nullptr;
    Resources request{};
  };
  struct Queue {
    // In (createdAt, id) order, pointing into entries_ (whose elements stay
    // put until erased), so Oldest() needs no hash lookups. A B-tree: a pass
    // walks dozens of entries from the oldest on every exit, and a B-tree
    // keeps them a few to a node, where a red-black tree has a node each;
    // with each entry's request, so that the walk reads no entry it steps over.
    absl::btree_map<Key, Ordered> order{};
    QueueSummary summary{};
  };
  static void Count(QueueSummary& summary, const RunnableEntry& entry, int sign);
  // Takes `entry` out of its queue's order and summary (not out of entries_).
  void Unqueue(const RunnableEntry& entry);

  absl::node_hash_map<std::string, RunnableEntry> entries_;
  std::map<std::string, Queue, std::less<>> by_queue_;
  std::optional<Rescan> rescan_{};
};

}  // namespace barge::control
