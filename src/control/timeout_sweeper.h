#pragma once
// TimeoutSweeper: fails RUNNING attempts that outlived the job's
// attemptDurationSeconds (measured from the attempt's startedAt, as AWS
// does). The job becomes FAILED at once with statusReason
// "Job attempt duration exceeded timeout" and is never retried; a kill order
// goes to the agent. The attempt keeps its capacity reserved until the agent
// reports the exit, and that late report no longer changes the job.
//
// Best effort like AWS: a timeout fires at the first Tick after it is due.
// Owned by the composition root; control thread only.
#include "control/agent_registry.h"
#include "core/clock.h"
#include "core/result.h"
#include "store/store.h"

namespace barge::control {

class TimeoutSweeper {
 public:
  // All not owned. `kill_grace_ms`: SIGTERM, then SIGKILL after this long.
  TimeoutSweeper(Store& store, const Clock& clock, AgentRegistry& registry,
                 int64_t kill_grace_ms = 30000);

  // Returns how many attempts timed out. Errors are the store's.
  Result<int> Tick();

 private:
  Store& store_;
  const Clock& clock_;
  AgentRegistry& registry_;
  int64_t kill_grace_ms_;
};

}  // namespace barge::control
