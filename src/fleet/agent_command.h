#pragma once
// The `barge agent` arguments that make a new instance's agent join its
// compute environment as that instance: what every provider runs on the new
// host (the local provider on this machine, a command provider's launch
// program wherever it starts the host).
//
// Pure function; any thread.
#include <string>
#include <vector>

#include "fleet/provider.h"

namespace barge::fleet {

// The arguments after the executable: {"agent", "--server", URL,
// "--compute-environment", CE, "--instance-id", ID, "--instance-type", TYPE,
// "--vcpus", N, "--memory", MIB, "--gpus", G}. The capacity is the type's,
// so the agent offers what the controller planned with. The join token is
// not among them (a command line is visible to every user of the host): the
// agent reads it from the environment variable kAgentTokenVariable.
inline constexpr const char* kAgentTokenVariable = "BARGE_AGENT_TOKEN";
std::vector<std::string> AgentArguments(const LaunchRequest& request,
                                        const std::string& instance_id);

}  // namespace barge::fleet
