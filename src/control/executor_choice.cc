#include "control/executor_choice.h"

#include <algorithm>

#include "protocol/messages.h"
#include "scheduler/planner.h"

namespace barge::control {

std::string_view ProtocolExecutor(ExecutorKind executor) {
  return executor == ExecutorKind::kContainer ? protocol::kExecutorContainer
                                              : protocol::kExecutorProcess;
}

bool CanRun(const std::vector<std::string>& executors, ExecutorKind executor) {
  if (executors.empty()) return executor == ExecutorKind::kProcess;
  return std::ranges::find(executors, ProtocolExecutor(executor)) != executors.end();
}

std::string NoExecutorReason(const std::string& environment, ExecutorKind executor) {
  std::string reason(kNoExecutorReasonPrefix);
  reason += "no agent in compute environment " + environment;
  if (executor == ExecutorKind::kContainer) {
    reason +=
        " can run containers (runc not found on its host, or the agent does not run as root; "
        "or tag the environment barge:executor=process to run jobs directly on the host)";
  } else {
    reason += " can run jobs directly on the host (barge:executor=process)";
  }
  return reason;
}

bool IsPlacementReason(std::string_view reason) {
  return reason == scheduler::kJobResourceRequirementReason ||
         reason == kComputeEnvironmentMaxResourceReason ||
         reason.starts_with(kNoExecutorReasonPrefix);
}

}  // namespace barge::control
