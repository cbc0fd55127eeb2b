#pragma once
// JobEndReportingStore: a Store that wraps another and, after each
// transaction that committed, tells a listener which jobs it wrote with a
// terminal status (SUCCEEDED or FAILED), and every write of an array child
// whatever its status (the ArrayTracker counts the children's statuses).
//
// Why a Store: a job ends on many paths (an agent's exit report, host loss,
// a withdrawn assignment, a timeout, CancelJob, a failed dependency), each
// writing the job in its own transaction. Watching the writes is the one
// place that sees every end, whichever path wrote it and whichever path is
// added later, and only once the end is durable. The DependencyResolver is
// the listener: it resolves the jobs that wait on the ended ones.
//
// What is reported: every InsertJob / UpdateJob that succeeded inside the
// committed transaction and wrote a terminal status or an array child, in
// write order. A job
// written again while already terminal (tags, say) is reported again, so a
// listener must treat repeats as harmless. Nothing is reported for a
// transaction that rolled back or whose commit failed.
//
// The listener runs after the wrapped Transact returned, so it may itself
// call Transact (on this store: its own terminal writes are then reported
// to it in turn, re-entrantly).
//
// Control thread only, like every Store.
#include <functional>
#include <string>
#include <vector>

#include "core/job.h"
#include "store/store.h"

namespace barge::control {

struct JobWrite {
  std::string job_id{};
  JobStatus status = JobStatus::kFailed;  // Terminal, unless an array child's.
  bool array_parent = false;              // The parent of an array job.
  bool array_child = false;
};

using JobWritesListener = std::function<void(const std::vector<JobWrite>&)>;

class JobEndReportingStore final : public Store {
 public:
  explicit JobEndReportingStore(Store& inner);  // Not owned.
  JobEndReportingStore(const JobEndReportingStore&) = delete;
  JobEndReportingStore& operator=(const JobEndReportingStore&) = delete;

  // Replaces the listener; unset, nothing is reported.
  void SetListener(JobWritesListener listener) { listener_ = std::move(listener); }

  Status Transact(const Work& work) override;

 private:
  Store& inner_;
  JobWritesListener listener_{};
};

}  // namespace barge::control
