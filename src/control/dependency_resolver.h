#pragma once
// DependencyResolver: job dependencies (SubmitJob's dependsOn) for plain,
// non-array jobs, on top of core/dependency_graph.h. It owns the graph of the
// unresolved dependencies and keeps the store in step with it:
//
//  - SubmitJob (Admit): a new job with dependencies is added to the graph
//    just before the transaction that inserts it, and gets its first status
//    from the answer: PENDING while something is unresolved, RUNNABLE when
//    every dependency is already satisfied, FAILED (statusReason from the
//    graph, "Dependent Job failed: <id>") when one already broke it. So the
//    status and the graph change are committed together; a job that is then
//    not inserted is taken out again (Withdraw).
//  - Ends (JobsWritten): JobEndReportingStore reports every job a committed
//    transaction wrote SUCCEEDED or FAILED; the graph resolves its dependents
//    at once, cascades included, and the resolver writes them: PENDING ->
//    RUNNABLE (then JobEvents::JobRunnable, like a new job) or PENDING ->
//    FAILED. The writes of one burst of ends share one transaction; with
//    `schedule_apply` set they run in a handler of their own, soon after.
//    Cost: the edges that change and one read and write per changed job.
//  - CancelJob of a PENDING job: AWS cancels it only once its dependencies
//    finish. JobService marks the job (is_cancelled, stop_reason) and leaves
//    it PENDING; when the graph resolves it, either way, the resolver fails
//    it with the cancel reason instead, and that end fails its dependents.
//  - Restart (Rebuild): the PENDING jobs are added again in submission
//    order, looking up the status of what they depend on; what resolved
//    while the server was down is written at once.
//
// The store is the truth and the graph follows it: a write that fails stays
// queued and is tried again by Tick (and a restart rebuilds the graph from
// the store anyway), so a dependency's end is never lost.
//
// Dependency types (`type` of a dependsOn entry): absent (AWS, afterok),
// and barge's opt-in AFTER_OK, AFTER_ANY and AFTER_NOT_OK; for array jobs
// also SEQUENTIAL (no jobId) and N_TO_N (an array of the same size).
//
// Array jobs: every array is admitted (with or without dependsOn), so the
// graph holds it until its last child ends, and the answer gives each child
// its first status. The resolver also owns the ArrayTracker, which keeps
// each array parent's status and statusSummary in step with its children;
// both learn of child writes from the same reports.
//
// Owned by the composition root; control thread only.
#include <cstddef>
#include <functional>
#include <unordered_map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "control/array_tracker.h"
#include "control/job_end_reporting_store.h"
#include "control/job_events.h"
#include "core/clock.h"
#include "core/dependency_graph.h"
#include "core/job.h"
#include "core/result.h"
#include "store/store.h"

namespace barge::control {

// AWS's limit on dependsOn entries per job.
inline constexpr size_t kDefaultMaxDependencies = 20;

// SubmitJob's rules for dependsOn, checked before anything is read:
// at most `max_dependencies` entries, each with a jobId, none named twice,
// and a type barge knows for a plain job. kInvalidArgument naming the entry.
// For an array job (`array_job`), SEQUENTIAL (without a jobId, at most once)
// and N_TO_N are allowed too.
Status ValidateDependsOn(const std::vector<JobDependency>& depends_on, size_t max_dependencies,
                         bool array_job = false);

// What Admit decided for one job.
struct Admission {
  std::optional<Error> refused{};  // Nothing was added for the job.
  // An array job: each child's first status (PENDING, RUNNABLE or FAILED)
  // and, for the FAILED ones, their statusReason.
  std::vector<JobStatus> children{};
  std::unordered_map<int32_t, std::string> child_reasons{};
};

struct DependencyResolverOptions {
  // Asks the owner to call ApplyPending() soon (the server posts it to the
  // control io_context), once per burst of ends. Unset: the writes happen
  // inside JobsWritten.
  std::function<void()> schedule_apply{};
  // A child of an array with a maxConcurrency cap stopped running: another
  // may start (the server asks the dispatcher for a full pass).
  std::function<void()> array_slot_freed{};
};

class DependencyResolver {
 public:
  // None owned. `store` should be the JobEndReportingStore whose listener is
  // JobsWritten (the resolver's own FAILED writes must be reported too).
  DependencyResolver(Store& store, const Clock& clock, JobEvents& events,
                     DependencyResolverOptions options = {});
  DependencyResolver(const DependencyResolver&) = delete;
  DependencyResolver& operator=(const DependencyResolver&) = delete;

  // At startup, before any request: adds every PENDING job of the store to
  // the graph (arrays too, then the ends of their children), rebuilds the
  // ArrayTracker, and writes what resolved meanwhile. Reads the PENDING jobs
  // a page at a time and each dependency once; terminal jobs only by id.
  // Errors are the store's.
  Status Rebuild();

  // For each job of `jobs` (SUBMITTED, not yet stored, with dependsOn that
  // passed ValidateDependsOn, or an array parent): reads what its
  // dependencies are now, adds it to the graph and moves it to PENDING,
  // RUNNABLE or FAILED (an array parent: to what its children's first
  // statuses make it). Returns, per job, why it was refused (nothing was
  // added for it): kInvalidArgument "dependsOn: job <id> does not exist",
  // an N_TO_N on a job that is not an array of the same size, or the
  // store's error. Every job admitted must be inserted by the caller's next
  // transaction (an array with its children), or withdrawn.
  std::vector<Admission> Admit(std::span<Job* const> jobs);
  // Takes back an admitted job that was not stored after all.
  void Withdraw(const Job& job);
  // An array and its children were stored: the tracker follows it from now.
  void ArrayStored(const Job& parent, const std::vector<JobStatus>& children) {
    arrays_.Track(parent, children);
  }

  // JobEndReportingStore's listener: resolves the dependents of the jobs
  // that ended and writes them (now, or via schedule_apply); child writes
  // go to the ArrayTracker, whose parent writes are made the same way.
  void JobsWritten(const std::vector<JobWrite>& written);

  // Writes the resolved jobs not yet written, raising JobRunnable for those
  // that became RUNNABLE. A failed write keeps them for the next call.
  Status ApplyPending();
  // Tries the writes a failed ApplyPending left (a timer calls it).
  Status Tick() { return ApplyPending(); }

  size_t unapplied() const { return changes_.size() + (arrays_.has_pending() ? 1 : 0); }
  const DependencyGraph& graph() const { return graph_; }
  const ArrayTracker& arrays() const { return arrays_; }

 private:
  // A job the graph resolved: ready (to RUNNABLE) or failed with `reason`.
  struct Change {
    std::string job_id{};
    bool ready = false;
    std::string reason{};
  };

  class Rebuilder;

  void Queue(DependencyChanges changes);
  void RequestApply();

  Store& store_;
  const Clock& clock_;
  JobEvents& events_;
  DependencyResolverOptions options_;
  DependencyGraph graph_;
  ArrayTracker arrays_;
  std::vector<Change> changes_{};  // Resolved, not yet written.
  bool applying_ = false;
  bool apply_scheduled_ = false;
};

}  // namespace barge::control
