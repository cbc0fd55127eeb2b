#pragma once
// VirtualClock: the Clock of `barge simulate`. It moves only when the
// simulation's event loop sets it, so the controller, the dispatcher and the
// agent service run at virtual time: an hour of fleet behaviour passes in as
// long as its events take to process.
//
// Owned by the Simulation; one thread (the simulation's).
#include "core/clock.h"
#include "core/time.h"

namespace barge::sim {

class VirtualClock final : public Clock {
 public:
  explicit VirtualClock(Timestamp start) : now_(start) {}

  Timestamp Now() const override { return now_; }
  void Set(Timestamp to) { now_ = to; }

 private:
  Timestamp now_;
};

}  // namespace barge::sim
