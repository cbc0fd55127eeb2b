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
//
// statusReason values: "ComputeEnvironment Healthy" and "JobQueue Healthy"
// (AWS's words) for VALID; "CLIENT_ERROR - ..." for an INVALID environment;
// "all compute environments of job queue <name> are INVALID or deleted" for
// an INVALID queue.
#include "control/instance_architecture.h"
#include "core/result.h"
#include "store/store.h"

namespace barge::control {

class ResourceStatusReconciler {
 public:
  // Judges instance types against the architecture this binary was built for.
  explicit ResourceStatusReconciler(Store& store);  // Not owned.
  // Judges them against `host` instead (kUnknown: every environment is VALID).
  ResourceStatusReconciler(Store& store, CpuArchitecture host);

  // Settles every CREATING / UPDATING environment, then every CREATING /
  // UPDATING queue, in one transaction. Returns how many resources changed
  // status. Errors are the store's.
  Result<int> Tick();

 private:
  Store& store_;
  CpuArchitecture host_;
};

}  // namespace barge::control
