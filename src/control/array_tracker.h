#pragma once
// ArrayTracker: what the control plane knows, in memory, of every array job
// that has not ended: each child's status (one byte per child), the
// parent's statusSummary (core/array_status.h) and when it last changed,
// and how many children are STARTING or RUNNING (for barge's maxConcurrency
// cap). It keeps the parent's own status in step with its children: when
// the children's statuses change the parent's (AWS's rules: PENDING while
// any child has not ended; SUCCEEDED when all succeeded; FAILED, "Array
// Child Job failed", once all ended and one failed), the parent is written.
//
// It learns of child writes from the store (JobEndReportingStore reports
// every write of an array child once committed), so every path that moves
// a child is seen, whichever it is. Arrays enter with Track, right after
// the commit that inserted them (reports about an array it does not track
// are ignored), and leave once their parent's end is written.
//
// After a restart, Rebuild reads the arrays that have not ended and their
// children, and writes parents whose children all ended meanwhile.
//
// Memory: per array ~100 bytes plus one byte per child; nothing for arrays
// that ended. Owned by the DependencyResolver; control thread only.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/array_status.h"
#include "core/clock.h"
#include "core/job.h"
#include "core/result.h"
#include "core/string_hash.h"
#include "store/store.h"

namespace barge::control {

struct ArraySnapshot {
  StatusSummary summary{};
  Timestamp updated_at{};
  int32_t active = 0;  // Children STARTING or RUNNING.
  std::optional<int32_t> max_concurrency{};
};

class ArrayTracker {
 public:
  // Not owned. `slot_freed` runs when a child of an array with a
  // maxConcurrency cap stops being STARTING or RUNNING, so that another
  // child may start (the dispatcher's full pass).
  ArrayTracker(Store& store, const Clock& clock, std::function<void()> slot_freed = {});
  ArrayTracker(const ArrayTracker&) = delete;
  ArrayTracker& operator=(const ArrayTracker&) = delete;

  // A newly stored array: `parent` and its children's statuses as committed
  // (children[i] is child i's). Its parent's status is whatever the children
  // make it; a parent stored with another status is queued to be written.
  void Track(const Job& parent, const std::vector<JobStatus>& children);

  // A committed write of array child `child_id` with `status`.
  void ChildWritten(std::string_view child_id, JobStatus status);

  // Writes the parents whose status the children changed (one transaction).
  // A failed write keeps them for the next call.
  Status ApplyPending();
  bool has_pending() const { return !pending_.empty(); }

  // At startup: tracks every array whose parent has not ended, from the
  // store, and writes what ended meanwhile. Calls `child_ended` for each
  // child already terminal, in index order per array (the dependency
  // graph's rebuild wants them).
  using ChildEnded = std::function<void(const std::string& child_id, JobStatus status)>;
  Status Rebuild(const ChildEnded& child_ended);
  // Tracks one array read from the store (Rebuild's step, for one parent).
  Status RebuildArray(StoreTransaction& txn, const Job& parent, const ChildEnded& child_ended);

  std::optional<ArraySnapshot> Find(std::string_view parent_id) const;
  // False when `child_id` is an array child whose array is at its
  // maxConcurrency cap counting `extra` children about to start.
  bool MayStart(std::string_view child_id, int32_t extra = 0) const;

  size_t tracked() const { return arrays_.size(); }

 private:
  struct Array {
    ArrayStatus status;
    std::vector<uint8_t> children{};  // JobStatus per child.
    Timestamp updated_at{};
    int32_t active = 0;
    std::optional<int32_t> max_concurrency{};
    JobStatus parent_stored = JobStatus::kSubmitted;  // As last written.
  };

  void NoteParent(const std::string& parent_id, const Array& array);

  Store& store_;
  const Clock& clock_;
  std::function<void()> slot_freed_;
  std::unordered_map<std::string, Array, StringHash, std::equal_to<>> arrays_;
  std::vector<std::string> pending_{};  // Parents to write, each once.
};

}  // namespace barge::control
