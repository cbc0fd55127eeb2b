#pragma once
// Dispatcher: the scheduling loop. Implements JobEvents for JobService.
//
// A pass (Tick) snapshots what can run and where, asks the Planner, commits
// every placement (RUNNABLE -> STARTING with a new Attempt) in one Store
// transaction, and only then reserves the capacity in the AgentRegistry and
// queues the assignments, which wakes the agents' long-polls. Jobs the planner
// finds unplaceable get the AWS statusReason; the reason is cleared once they
// fit again. The store is written only when a reason changes.
//
// What the snapshot holds: queues that are ENABLED and VALID, their
// environments that are ENABLED and VALID (in computeEnvironmentOrder), and
// the registered agents of those environments that have the environment's
// executor (control/executor_choice.h). A queue whose environments have
// agents but none with the executor gets a reason on its jobs, like the
// planner's resource-requirement one; both are cleared once they no longer
// hold.
//
// Passes are cheap when little changed. Waiting jobs are kept in a
// RunnableIndex (loaded from the store at the first Tick, and rescanned a
// page per tick every `rescan_period` as a safety net), so a pass reads from
// the store only the queues, the environments and the jobs it places. JobRunnable adds the job
// to the index and records its id; the next pass looks at the recorded jobs
// alone: while no capacity was freed (no attempt ended, no agent joined, no
// queue or environment changed), every older RUNNABLE job that did not fit
// before still does not fit, so planning just the new jobs gives exactly what
// a full pass would. RequestFullPass marks capacity as changed. A full pass
// plans per queue at most a window of the oldest RUNNABLE jobs (2 per free
// vCPU, at least `min_window`): like AWS's FIFO queues, jobs far behind a
// blocked head wait. When the waiting jobs are all one queue's and none has
// or is owed a statusReason, the pass offers them to the planner oldest
// first and stops once no node has room for the least any of them asks for
// (the index keeps that per queue): the jobs it did not reach could not have
// started, so the result is the whole window's, and a pass after an exit
// costs the jobs up to the one that fills the freed slot. A job asking at
// least what one refused in the same pass asked is stepped over without
// asking the planner (free capacity only shrinks in a pass). What a pass
// makes of the queues and environments is kept while the store lists the
// same ones.
//
// Whoever moves a job back to RUNNABLE (a retry) calls JobRunnable, like
// JobService does for new jobs.
//
// Owned by the composition root; control thread only.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "control/agent_registry.h"
#include "control/job_events.h"
#include "control/runnable_index.h"
#include "core/clock.h"
#include "core/compute_environment.h"
#include "core/result.h"
#include "scheduler/planner.h"
#include "store/store.h"

namespace barge::control {

struct DispatcherOptions {
  Duration rescan_period = std::chrono::minutes(5);
  size_t rescan_page = 500;  // RUNNABLE jobs re-read per tick while rescanning.
  size_t min_window = 100;
  int64_t kill_grace_ms = 30000;  // SIGTERM, then SIGKILL after this long.
  // Asks the owner to call Tick() soon, for example by posting it to the
  // control io_context once (several calls before the tick may share it).
  std::function<void()> wake{};
};

class Dispatcher final : public JobEvents {
 public:
  // All not owned.
  Dispatcher(Store& store, const Clock& clock, AgentRegistry& registry,
             const scheduler::Planner& planner, DispatcherOptions options);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // JobEvents.
  void JobRunnable(const Job& job) override;
  // Queues a kill order to the attempt's agent. An assignment that never
  // left the mailbox is withdrawn and the job fails at once with the stop
  // reason. An attempt whose agent is not registered ends when its lease
  // (or the startup grace) runs out.
  void StopAttempt(const Job& job, const std::string& reason) override;

  // Capacity may have grown (an attempt ended, an agent joined, a queue or
  // environment changed): the next pass looks at every RUNNABLE job.
  void RequestFullPass();

  // Whether job `id` may start with `extra` more of its kind starting in the
  // same pass: barge's per-array maxConcurrency (ArrayTracker::MayStart).
  // A pass leaves out the jobs it refuses, without a reason, and looks
  // further down the queue instead; whoever frees a slot asks for a full
  // pass. Unset: every job may start.
  using StartFilter = std::function<bool(std::string_view job_id, int32_t extra)>;
  void SetStartFilter(StartFilter filter) { start_filter_ = std::move(filter); }

  // The RUNNABLE jobs as the dispatcher knows them (what waits, per queue):
  // the fleet controller sizes managed environments from it.
  const RunnableIndex& runnable() const { return index_; }

  // The environments the fleet controller scales, and the statusReason it
  // wants on waiting jobs it cannot launch capacity for (job id -> reason).
  // Jobs of a queue with a scaled environment get that reason or none: the
  // planner's resource-requirement reason judges the agents there now, not
  // the instance types the controller may still launch. A change asks for a
  // full pass, which writes the reasons that changed.
  void SetFleetView(std::set<std::string> scaled_environments,
                    std::map<std::string, std::string> reasons);

  // Runs a pass when one is due. Returns the number of jobs placed; errors
  // are the store's (the pass is retried on the next tick).
  Result<int> Tick();

  // What a pass decided and wrote, to publish once its transaction committed.
  struct PassResult {
    uint64_t requests_seen = 0;  // RequestFullPass calls made when it was planned.
    bool full = false;
    // A job placed: its attempt as the registry tracks it, and the
    // assignment its agent is sent, both taken from the job as stored.
    struct Placed {
      PlacedAttempt attempt{};
      protocol::SharedAssignment assignment{};
    };
    std::vector<Placed> placed{};
    std::vector<std::string> stale{};
    std::vector<std::pair<std::string, std::string>> reasons{};  // (job id, new statusReason)
    // The new RUNNABLE jobs a full pass covered: those known when it was
    // planned, not the ones JobRunnable added before Publish.
    std::set<std::string> covered{};
  };
  // A full pass inside the caller's transaction, planned as if `released`
  // (resources per agent id: attempts whose exit the caller records in the
  // same transaction) were free already. AgentService::Events uses it so that
  // an exit and the placement it makes room for share one commit. nullopt
  // when no pass can run here yet (the index is not loaded; the caller then
  // asks for a full pass). Errors are the store's.
  Result<std::optional<PassResult>> FullPassWithin(
      StoreTransaction& txn, const std::map<std::string, Resources>& released);
  // After the transaction committed (and the released attempts were removed
  // from the registry): updates the index, reserves the capacity and queues
  // the assignments, then writes changed reasons. Returns the number placed.
  Result<int> Publish(PassResult result);

 private:
  Result<int> Pass(bool full);
  // `released`: resources per agent id to count as free already (FullPassWithin).
  Status PlanAndPlace(StoreTransaction& txn, bool full, const std::set<std::string>& wanted,
                      const std::map<std::string, Resources>& released, PassResult& result);
  // What the nodes of a pass depend on that changes only when agents
  // register or leave, or environments change executor.
  struct Membership {
    bool valid = false;
    uint64_t version = 0;  // AgentRegistry::membership_version() it was built at.
    std::map<std::string, ExecutorKind> executor_of{};
    std::set<std::string> environments_with_nodes{};
    std::set<std::string> environments_without_executor{};
    // The first agent (in id order) of each environment and capacity that can
    // run the environment's executor: the planner tells "too large for every
    // node" from "wait" with them, so a pass needs no full nodes but these.
    std::set<std::string, std::less<>> one_per_capacity{};
    // Every registered agent can run its environment's executor (mostly so):
    // a pass then need not look at the agents' executors one by one.
    bool every_node_can_run = true;
  };
  void RefreshMembership(const std::map<std::string, ExecutorKind>& executor_of);
  // Writes `reason` as the statusReason of RUNNABLE job `id` if it differs.
  Status SetReason(const std::string& id, const std::string& reason);
  void Wake();

  Store& store_;
  const Clock& clock_;
  AgentRegistry& registry_;
  const scheduler::Planner& planner_;
  DispatcherOptions options_;
  RunnableIndex index_;
  bool full_pass_due_ = true;
  uint64_t full_pass_requests_ = 0;
  std::optional<Timestamp> loaded_at_{};  // When index_ was loaded or its last rescan began.
  std::set<std::string> new_runnable_{};
  StartFilter start_filter_{};
  std::set<std::string> scaled_environments_{};
  std::map<std::string, std::string> fleet_reasons_{};
  Membership membership_{};
  // The environments and queues the last pass listed, and what it made of
  // them: a pass that lists the same reuses it (dispatcher.cc).
  struct Topology;
  std::unique_ptr<Topology> topology_;
  Status ReadTopology(StoreTransaction& txn);
};

}  // namespace barge::control
