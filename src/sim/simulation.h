#pragma once
// Simulation: `barge simulate`. Runs a workload through the production
// control plane at virtual time: the FleetController (capacity plans,
// launches, scale-in, the spot interruption model), the Dispatcher (the
// Planner's placements), the AgentService and AgentRegistry (the agent
// protocol), all on a MemoryStore (store/memory_store.h: SqliteStore's
// semantics, objects in memory) and a VirtualClock, with a
// SimulatedProvider (a launch delay, then the instance's agent joins) and
// SimulatedAgents (each job runs its workload duration and exits with its
// code). Hours of fleet behaviour take seconds.
//
// One run: one MANAGED compute environment "sim" (EnvironmentSpec), one job
// queue per queue name of the workload (all at priority 1, all on "sim").
// Jobs are inserted RUNNABLE at their submission time, straight into the
// store, and handed to the Dispatcher (JobRunnable), as the dispatch tests
// do: JobService would give them random UUIDs (the planner orders jobs
// submitted in the same millisecond by id, so runs would not repeat) and
// would add job-definition resolution and validation that play no part in
// fleet behaviour. Each job has retryStrategy {attempts: `attempts`,
// evaluateOnExit: [{onStatusReason: "Host EC2*", action: RETRY},
// {onReason: "*", action: EXIT}]}: spot reclaims are retried, the
// workload's own failures are not.
//
// The event loop. Virtual time moves from one instant to the next at which
// something happens: a submission, an agent joining, an attempt exiting, or
// a fleet tick (every `fleet_period` while the environment has instances or
// work, like the server's 200 ms timer; skipped while it is idle). At each
// instant, in this order: submissions are inserted; due agents register;
// due exits are reported (one Events request per agent, whose commit runs
// the scheduling pass the exits make due, as in the server); the fleet
// ticks if due; the dispatcher ticks; agents take their assignments and
// report them started. The run ends once every job ended and the
// environment scaled in (at most scale-down delay + 2 fleet periods after
// the last end), when nothing can change any more (stalled: jobs wait that
// no instance is launched for), or at `max_virtual_time`.
//
// Determinism: the same workload and options give the same report. Instance
// ids and spot interruption times come from the controller's engine seeded
// with `seed`; the clock is virtual; attempt ids (random UUIDs) order
// nothing that reaches the report (see sim/simulated_agents.h).
//
// Thread-compatible; Run builds everything it uses and may be called again.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/instance_type.h"
#include "core/result.h"
#include "core/time.h"
#include "fleet/instance_catalog.h"
#include "sim/report.h"
#include "sim/workload.h"

namespace barge::sim {

// The compute environment's computeResources, and the spot model's tags.
struct EnvironmentSpec {
  CapacityType capacity = CapacityType::kOnDemand;  // EC2 or SPOT.
  int32_t min_vcpus = 0;
  int32_t max_vcpus = 256;
  std::vector<std::string> instance_types = {"optimal"};
  // Empty: BEST_FIT_PROGRESSIVE on demand, SPOT_PRICE_CAPACITY_OPTIMIZED on spot.
  std::string allocation_strategy{};
  int32_t bid_percentage = 100;
  // barge:spot-interruptions-per-hour and barge:spot-notice-seconds
  // (fleet/spot_interruptions.h); unset: the pool's Spot Advisor band, 120 s.
  std::optional<double> spot_interruptions_per_hour{};
  std::optional<int64_t> spot_notice_seconds{};
};

struct SimulationOptions {
  EnvironmentSpec environment{};
  // From the launch request to the instance's agent registering.
  Duration launch_delay = std::chrono::seconds(60);
  Duration scale_down_delay = std::chrono::minutes(5);
  Duration fleet_period = std::chrono::seconds(1);
  uint64_t seed = 1;
  int32_t attempts = 3;  // retryStrategy.attempts of every job.
  Duration max_virtual_time = std::chrono::hours(24 * 30);
};

class Simulation {
 public:
  // The catalog is not owned.
  Simulation(const fleet::InstanceCatalog& catalog, SimulationOptions options);

  // kInvalidArgument for inconsistent options (an instance type the catalog
  // lacks, min above max, ...) or a workload job no candidate instance type
  // can hold (naming its line). Other errors are the control plane's and
  // mean a bug.
  Result<SimulationReport> Run(const Workload& workload) const;

  // Run, for a process that exits once it has the report (`barge simulate`,
  // sim_bench): the run's objects (the store's jobs, the fleet, the agents)
  // are left to the process's exit, which takes their memory back at once,
  // instead of being freed one by one, which on a 100,000-job run takes
  // about a tenth as long as the run itself. They stay reachable, so leak
  // checkers do not report them.
  Result<SimulationReport> RunThenExit(const Workload& workload) const;

  const SimulationOptions& options() const { return options_; }

 private:
  Status Validate(const Workload& workload) const;

  const fleet::InstanceCatalog& catalog_;
  SimulationOptions options_;
};

}  // namespace barge::sim
