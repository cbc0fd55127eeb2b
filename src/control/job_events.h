#pragma once
// What JobService tells the dispatching side (the scheduling loop and the
// agent registry) after it has committed a change, so that work moves within
// milliseconds instead of at the next timer tick.
//
// Called on the control thread, after the Store transaction committed.
#include <string>

#include "core/job.h"

namespace barge::control {

class JobEvents {
 public:
  virtual ~JobEvents() = default;
  // `job` is RUNNABLE (new, or back for another attempt): try to place it.
  virtual void JobRunnable(const Job& job) = 0;
  // TerminateJob on a STARTING or RUNNING job: stop its current attempt on its
  // agent (SIGTERM, SIGKILL after the grace period). The job becomes FAILED
  // when the agent reports the attempt's exit, or when the agent's lease expires.
  virtual void StopAttempt(const Job& job, const std::string& reason) = 0;
};

// For callers (and tests) that need no dispatching.
class NoJobEvents final : public JobEvents {
 public:
  void JobRunnable(const Job&) override {}
  void StopAttempt(const Job&, const std::string&) override {}
};

}  // namespace barge::control
