#pragma once
// Finishes what Create/Update started: moves compute environments and job
// queues out of CREATING / UPDATING into VALID, or INVALID with a statusReason
// when barge cannot serve them (for example a MANAGED environment whose
// instance types are all of another CPU architecture than this server's, or a
// queue whose every compute environment is INVALID).
//
// Runs on the control thread. The composition root calls Tick() on a short
// timer and right after every request that changed a resource, so a client
// that creates an environment and then a queue sees VALID in between.
#include "core/result.h"
#include "store/store.h"

namespace barge::control {

class ResourceStatusReconciler {
 public:
  explicit ResourceStatusReconciler(Store& store);  // Not owned.

  // Returns how many resources changed status.
  Result<int> Tick();

 private:
  Store& store_;
};

}  // namespace barge::control
