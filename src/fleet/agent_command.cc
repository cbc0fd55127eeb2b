#include "fleet/agent_command.h"

namespace barge::fleet {

std::vector<std::string> AgentArguments(const LaunchRequest& request,
                                        const std::string& instance_id) {
  return {"agent",
          "--server",
          request.join.server_url,
          "--compute-environment",
          request.compute_environment,
          "--instance-id",
          instance_id,
          "--instance-type",
          request.type.name,
          "--vcpus",
          std::to_string(request.type.vcpus),
          "--memory",
          std::to_string(request.type.memory_mib),
          "--gpus",
          std::to_string(request.type.gpus)};
}

}  // namespace barge::fleet
