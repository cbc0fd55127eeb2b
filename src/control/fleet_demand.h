#pragma once
// Which waiting jobs each managed compute environment should make room for:
// the input of the fleet controller's capacity plans.
//
// A RUNNABLE job counts toward the first environment of its queue's
// computeEnvironmentOrder that the controller scales (`scaled`). Queues are
// taken highest priority first, each queue's jobs oldest first and at most
// `window` of them, so each environment's list is in the order its jobs are
// served. A queue that is not ENABLED and VALID adds nothing; nor do jobs
// whose request has no vCPUs (not placed yet by anyone).
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

std::map<std::string, std::vector<WaitingJob>> WaitingByEnvironment(
    const std::vector<JobQueue>& queues, const std::vector<ComputeEnvironment>& environments,
    const std::set<std::string>& scaled, const RunnableIndex& runnable, size_t window);

}  // namespace barge::control
