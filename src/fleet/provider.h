#pragma once
// Provider: what launches and terminates the instances of MANAGED compute
// environments. barge's own are `local` (an instance is a `barge agent`
// process on this machine, fleet/local_provider.h) and `command` (the user's
// launch and terminate programs, fleet/command_provider.h); tests and
// `barge simulate` use their own. The fleet controller
// (control/fleet_controller.h) decides what to launch and when; a provider
// only carries it out.
//
// An instance joins by its agent: the provider starts `barge agent` on the
// new host with the join details below, the agent registers with the
// instance id it was given, and the controller sees it RUNNING.
//
// Callbacks run on the control thread: a provider that blocks (runs a
// program, calls a cloud) does so on a pool and posts the result back. A
// callback may run inside the call that started the work.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/instance.h"
#include "core/instance_type.h"
#include "core/result.h"

namespace barge::fleet {

// What a new instance's agent needs to join the server.
struct AgentJoin {
  std::string server_url{};
  std::string token{};
  // The environment's `barge:executor`: "process" or "container".
  std::string executor{};
};

struct LaunchRequest {
  std::string compute_environment{};
  InstanceType type{};
  CapacityType capacity = CapacityType::kOnDemand;
  std::vector<std::string> instance_ids{};  // One per instance to launch; chosen by the controller.
  AgentJoin join{};
};

struct LaunchResult {
  std::string instance_id{};
  Status status{};              // Not OK: the instance never started (it is TERMINATED).
  std::string provider_data{};  // Kept with the instance and given back to Terminate.
};

// An instance the provider found gone without being asked (its process
// died, the machine vanished).
struct LostInstance {
  std::string instance_id{};
  std::string reason{};
};

class Provider {
 public:
  using LaunchDone = std::function<void(std::vector<LaunchResult>)>;
  using TerminateDone = std::function<void(Status)>;

  virtual ~Provider() = default;

  // "local", or the name a command provider was configured with (the value
  // of an environment's barge:provider tag): stored with each instance.
  virtual std::string name() const = 0;
  // Whether the controller should model spot interruptions for this
  // provider's SPOT instances (notice, then reclaim). A real cloud interrupts
  // its instances itself; the local and simulated providers need the model.
  virtual bool models_spot_interruptions() const = 0;

  // Starts one instance per id in `request`. `done` gets one result per id.
  virtual void Launch(const LaunchRequest& request, LaunchDone done) = 0;
  // Stops `instances` and whatever runs on them. Terminating an instance
  // that is already gone is OK.
  virtual void Terminate(const std::vector<Instance>& instances, TerminateDone done) = 0;
  // Whether `instance` (launched by this provider, maybe by an earlier server
  // process) still exists; asked once per live instance at startup.
  virtual bool StillExists(const Instance& instance) = 0;
  // Instances found gone since the last call.
  virtual std::vector<LostInstance> TakeLost() = 0;
};

}  // namespace barge::fleet
