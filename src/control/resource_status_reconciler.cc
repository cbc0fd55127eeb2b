#include "control/resource_status_reconciler.h"

#include <map>
#include <string>
#include <vector>

#include "control/resource_ref.h"
#include "control/transact.h"

namespace barge::control {
namespace {

bool IsSettling(ResourceStatus status) {
  return status == ResourceStatus::kCreating || status == ResourceStatus::kUpdating;
}

// The statusReason that makes `ce` INVALID on `host`, or "" when it is fine:
// every instance type it asks for is known to be of another architecture.
std::string ArchitectureProblem(const ComputeEnvironment& ce, CpuArchitecture host) {
  if (host == CpuArchitecture::kUnknown || !ce.compute_resources) return "";
  const std::vector<std::string>& types = ce.compute_resources->instance_types;
  if (types.empty()) return "";
  std::string listed;
  CpuArchitecture other = CpuArchitecture::kUnknown;
  for (const std::string& type : types) {
    CpuArchitecture arch = InstanceTypeArchitecture(type);
    if (arch == CpuArchitecture::kUnknown || arch == host) return "";
    other = arch;
    listed += (listed.empty() ? "" : ", ") + type;
  }
  return "CLIENT_ERROR - instance types " + listed + " are " + std::string(ToString(other)) +
         " but this barge server runs on " + std::string(ToString(host));
}

}  // namespace

ResourceStatusReconciler::ResourceStatusReconciler(Store& store)
    : ResourceStatusReconciler(store, HostArchitecture()) {}

ResourceStatusReconciler::ResourceStatusReconciler(Store& store, CpuArchitecture host)
    : store_(store), host_(host) {}

Result<int> ResourceStatusReconciler::Tick() {
  int changed = 0;
  Status status = TransactWithRetry(store_, [&](StoreTransaction& txn) -> Status {
    changed = 0;
    auto environments = txn.ListComputeEnvironments();
    if (!environments) return environments.error();
    std::map<std::string, ResourceStatus> status_by_name;
    for (ComputeEnvironment& ce : environments.value()) {
      if (IsSettling(ce.status)) {
        std::string problem = ArchitectureProblem(ce, host_);
        ce.status = problem.empty() ? ResourceStatus::kValid : ResourceStatus::kInvalid;
        ce.status_reason = problem.empty() ? "ComputeEnvironment Healthy" : problem;
        BARGE_RETURN_IF_ERROR(txn.UpdateComputeEnvironment(ce));
        ++changed;
      }
      status_by_name[ce.name] = ce.status;
    }

    auto queues = txn.ListJobQueues();
    if (!queues) return queues.error();
    for (JobQueue& queue : queues.value()) {
      if (!IsSettling(queue.status)) continue;
      bool any_usable = queue.compute_environment_order.empty();
      for (const ComputeEnvironmentOrder& entry : queue.compute_environment_order) {
        auto name = NameFromNameOrArn(entry.compute_environment, ResourceKind::kComputeEnvironment);
        auto found = name ? status_by_name.find(*name) : status_by_name.end();
        if (found != status_by_name.end() && found->second != ResourceStatus::kInvalid) {
          any_usable = true;
        }
      }
      queue.status = any_usable ? ResourceStatus::kValid : ResourceStatus::kInvalid;
      queue.status_reason = any_usable ? "JobQueue Healthy"
                                       : "all compute environments of job queue " + queue.name +
                                             " are INVALID or deleted";
      BARGE_RETURN_IF_ERROR(txn.UpdateJobQueue(queue));
      ++changed;
    }
    return Ok();
  });
  if (!status) return status.error();
  return changed;
}

}  // namespace barge::control
