#pragma once
// FleetController: keeps each MANAGED compute environment's instances in step
// with the work waiting for it (issue 6), the way AWS Batch scales an
// environment between minvCpus and maxvCpus.
//
// Which environments: MANAGED ones with a provider, named by the tag
// `barge:provider` (a provider the server was configured with: "local", or a
// command provider's name) or, without the tag, the server's default
// provider. A MANAGED environment with neither is scaled by nobody: agents
// join it by name, as they join UNMANAGED ones.
//
// Each Tick, for each such environment:
//  1. Instances whose agent registered become RUNNING; instances that have
//     not joined within `launch_timeout`, or whose agent has been gone from
//     the registry (lease expired) that long, are terminated; instances the
//     provider lost are TERMINATED and their attempts end "Host EC2
//     (instance <id>) terminated." at once (AgentService::HostTerminated).
//  2. Spot (providers that model it, fleet/spot_interruptions.h): a RUNNING
//     SPOT instance whose time has come gets its interruption notice (it
//     turns DRAINING: no new jobs) and is reclaimed when the notice runs out;
//     its attempts then end as host lost, and standard `Host EC2*` retry
//     rules retry them.
//  3. The capacity plan (scheduler/capacity_planner.h) from the waiting jobs
//     (control/fleet_demand.h), the instances' free capacity and the
//     environment's bounds and allocation strategy; its launches are recorded
//     LAUNCHING (one commit) and handed to the provider; desiredvCpus is
//     written when it changed. A DISABLED environment does not scale out but
//     keeps minvCpus. Waiting jobs that no candidate instance type can hold
//     get AWS's MISCONFIGURATION reason through the dispatcher
//     (Dispatcher::SetFleetView), which otherwise leaves the jobs of scaled
//     environments without a placement reason while capacity comes. An
//     environment that holds maxvCpus can launch nothing whatever waits
//     (scheduler::MayLaunch): unless some waiting request fits no instance
//     type (scheduler::AllHoldable over the RunnableIndex's distinct
//     requests), its plan skips the waiting jobs and free capacity, which a
//     busy fleet with a backlog would otherwise re-read every tick.
//  4. Scale-in: a RUNNING instance that has run nothing for the scale-down
//     delay (computeResources.scalingPolicy.minScaleDownDelayMinutes, else
//     `scale_down_delay`) is terminated, as long as the environment keeps
//     minvCpus and nothing waiting would fit on it. Instances of an
//     environment that is deleted, or is no longer scaled, are terminated.
//
// A draining instance's agent gets no new jobs (AgentRegistry::SetDraining).
// Every instance change is one store transaction; the live instances are
// also kept in memory (rebuilt by Recover at startup, which asks each
// provider whether its instances still exist).
//
// Owned by the composition root; control thread only. Provider callbacks
// come back on the control thread.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "control/agent_registry.h"
#include "control/agent_service.h"
#include "control/dispatcher.h"
#include "control/fleet_demand.h"
#include "control/live_instances.h"
#include "core/clock.h"
#include "core/compute_environment.h"
#include "core/instance.h"
#include "core/result.h"
#include "fleet/instance_catalog.h"
#include "fleet/provider.h"
#include "store/store.h"

namespace barge::control {

inline constexpr std::string_view kProviderTag = "barge:provider";

struct FleetOptions {
  // Used when an environment's scalingPolicy sets no minScaleDownDelayMinutes.
  Duration scale_down_delay = std::chrono::minutes(5);
  // An instance whose agent has not registered this long after the launch
  // was asked for is terminated.
  Duration launch_timeout = std::chrono::minutes(5);
  // For MANAGED environments without a barge:provider tag; empty: none.
  std::string default_provider{};
  // Waiting jobs looked at per environment and tick, at most (see fleet_demand.h).
  size_t demand_window = 10000;
  // Seeds instance ids and spot interruption times, so runs can be repeated.
  uint64_t seed = 0;
  fleet::AgentJoin join{};  // server_url and token; executor is set per environment
};

// What one Tick did, for logs and tests.
struct FleetTickReport {
  int launched = 0;     // Instances asked of providers.
  int terminated = 0;   // Instances terminated (scale-in, timeout, reclaim, lost).
  int interrupted = 0;  // Spot notices given.
};

class FleetController {
 public:
  using Providers = std::map<std::string, fleet::Provider*>;  // By name; not owned.

  // All not owned.
  FleetController(Store& store, const Clock& clock, AgentRegistry& registry, AgentService& agents,
                  Dispatcher& dispatcher, const fleet::InstanceCatalog& catalog,
                  Providers providers, FleetOptions options);
  FleetController(const FleetController&) = delete;
  FleetController& operator=(const FleetController&) = delete;

  // Loads the live instances from the store; those whose provider is unknown
  // or says they no longer exist are TERMINATED. Errors are the store's.
  Status Recover();

  // One round of the steps above. Errors are the store's; what a failed
  // round did not do is done by the next one.
  Result<FleetTickReport> Tick();

  // Terminates every live instance of provider `provider` with `reason`
  // (server shutdown in `barge dev`, whose local instances stop with it).
  // Errors are the store's.
  Status TerminateAllOf(const std::string& provider, const std::string& reason);

  // Live instances in memory, by id (for tests, the API and cost reports).
  const std::map<std::string, Instance>& live() const { return live_.all(); }

 private:
  // What an environment's live instances hold.
  struct Held {
    int32_t vcpus = 0;              // Of every live instance, launching and draining too.
    std::vector<Resources> free{};  // Of those that may take work.
  };
  // An environment this tick scales; `ce` and `candidates` are listed_'s
  // and resolved_'s, which stay put for the tick.
  struct Scaled {
    const ComputeEnvironment& ce;
    fleet::Provider* provider = nullptr;
    const std::vector<InstanceType>& candidates;
    Held held{};
  };
  // How much waiting work can matter to this tick's plan of `env`.
  static DemandBudget BudgetOf(const Scaled& env);

  // Writes `instance` (its version as read) and keeps the new version in
  // live_ (or drops it once TERMINATED).
  Status Save(Instance instance);
  Status Terminate(Instance instance, const std::string& reason, FleetTickReport& report);
  Status JoinAndLose(FleetTickReport& report);
  Status Interruptions(FleetTickReport& report);
  // The jobs waiting for `env` (and env.held.free), worked out on first use:
  // a tick that can launch nothing for an environment mostly needs neither.
  using WaitingOf = std::function<const std::vector<WaitingJob>&()>;
  // Adds the reasons of the waiting jobs no instance type can hold to
  // `reasons` (job id -> statusReason). `requests`: every distinct request
  // with vCPUs of the RUNNABLE jobs, whichever queue.
  Status Scale(const Scaled& env, const std::vector<Resources>& requests, const WaitingOf& waiting,
               std::map<std::string, std::string>& reasons, FleetTickReport& report);
  Status ScaleIn(const Scaled& env, const WaitingOf& waiting, FleetTickReport& report);
  Status Launch(const Scaled& env, const InstanceType& type, CapacityType capacity, int32_t count);
  void Launched(std::vector<fleet::LaunchResult> results);
  Status WriteDesired(const ComputeEnvironment& ce, int32_t desired);
  fleet::Provider* ProviderOf(const ComputeEnvironment& ce) const;
  fleet::Provider* ProviderNamed(const std::string& name) const;
  Duration ScaleDownDelay(const ComputeEnvironment& ce) const;
  std::string NewInstanceId();
  // Free capacity of a live instance as the planner should count it.
  std::optional<Resources> FreeOf(const Instance& instance) const;

  Store& store_;
  const Clock& clock_;
  AgentRegistry& registry_;
  AgentService& agents_;
  Dispatcher& dispatcher_;
  const fleet::InstanceCatalog& catalog_;
  Providers providers_;
  FleetOptions options_;
  std::mt19937_64 random_;
  bool recovered_ = false;
  LiveInstances live_{};
  // AgentRegistry::membership_version() when JoinAndLose last checked every
  // instance's agent.
  std::optional<uint64_t> membership_seen_{};
  // AgentRegistry::departures_version() then.
  std::optional<uint64_t> departures_seen_{};
  // Since when each RUNNING or DRAINING instance's agent is missing from the
  // registry.
  std::map<std::string, Timestamp> absent_since_{};
  // When each spot instance is to get its interruption notice.
  DueTimes interrupt_at_{};
  // Reasons given per environment last (a bad instanceTypes list, ...), so a
  // problem is logged once.
  std::map<std::string, std::string> problems_{};
  // The environments and queues as last listed, kept while the store's
  // TopologyVersion stays the same (a quiet tick lists nothing).
  struct Listed {
    std::optional<uint64_t> version{};
    std::vector<ComputeEnvironment> environments{};
    std::vector<JobQueue> queues{};
  };
  std::optional<Listed> listed_{};
  // The catalog's resolution of each instanceTypes list met (the catalog
  // never changes).
  std::map<std::vector<std::string>, Result<std::vector<InstanceType>>> resolved_{};
};

}  // namespace barge::control
