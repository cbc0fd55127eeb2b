#pragma once
// Which waiting jobs each managed compute environment should make room for:
// the input of the fleet controller's capacity plans.
//
// A RUNNABLE job counts toward the first environment of its queue's
// computeEnvironmentOrder that the controller scales (a key of `budgets`).
// Queues are taken highest priority first, each queue's jobs oldest first, so
// each environment's list is in the order its jobs are served. A queue that
// is not ENABLED and VALID adds nothing; nor do jobs whose request has no
// vCPUs (not placed yet by anyone).
//
// How far down the queues to look: jobs beyond what the environment could
// start now (its free capacity) or launch capacity for (up to maxvCpus, plus
// the one instance BEST_FIT_PROGRESSIVE may add) change no decision of this
// tick, so each environment's list stops once the vCPUs it holds pass its
// DemandBudget, and has at most `window` jobs in any case. Jobs too large
// for every instance type do not count against the budget (they get a
// reason, not capacity). A backlog of a million jobs in front of a full
// fleet then costs a few entries per tick, not a million.
//
// Not spilling over to a queue's second scaled environment while the first
// is at maxvCpus is a simplification: AWS moves on once the first
// environment cannot take more.
//
// Pure function over its arguments; control thread (the index is the
// dispatcher's).
#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "control/runnable_index.h"
#include "core/compute_environment.h"
#include "core/job.h"
#include "core/job_queue.h"

namespace barge::control {

struct WaitingJob {
  std::string id{};
  Resources request{};
};

struct DemandBudget {
  int64_t millicpus = 0;  // Free now plus launchable.
  Resources largest{};    // Componentwise largest instance type: larger jobs fit none.
  size_t at_least = 64;   // Jobs listed whatever the budget (their reasons are judged).
};

std::map<std::string, std::vector<WaitingJob>> WaitingByEnvironment(
    const std::vector<JobQueue>& queues, const std::vector<ComputeEnvironment>& environments,
    const std::map<std::string, DemandBudget>& budgets, const RunnableIndex& runnable,
    size_t window);

}  // namespace barge::control
