#pragma once
// Cost attribution: what the instances of managed compute environments cost
// over a window of time, and which jobs that cost belongs to. A pure function
// of the instances, the attempts that ran on them and the window; any thread.
//
// The rules (docs/fleet.md repeats them for users):
//  - Every second of an instance's life inside the window [since, until) is
//    priced at the instance's own price (spot or on-demand, as launched). Its
//    life runs from launched_at to terminated_at, or to `until` while it is
//    alive.
//  - An attempt holds its vCPUs on its instance from held_from to held_until
//    (clipped to the instance's life and the window). At each moment the
//    instance's price is shared among the attempts holding it in proportion
//    to their vCPUs: an attempt holding v of the instance's C vCPUs pays v/C
//    of it. What no attempt holds is the instance's idle cost.
//  - Oversubscription: when the attempts on an instance hold more vCPUs than
//    it has (total T > C, which the scheduler does not do, but a resized
//    instance type or an agent reporting more capacity could), each pays
//    v/T instead during that time, so shares never exceed the price and idle
//    cost is never negative. An instance whose type has no vCPU count (0) is
//    shared the same way: whoever holds it pays all of it.
//  - The on-demand equivalent is the same seconds and shares priced at the
//    type's on-demand price; savings = on-demand equivalent - cost.
//  - Attempts on instances not in the list (unmanaged compute environments,
//    instances outside the window) cost nothing and do not appear.
//
// Filters: `compute_environment` keeps that environment's instances, their
// idle cost included, and the jobs' shares on them. `queue` keeps the shares
// of that queue's jobs only: an instance's idle cost belongs to no queue, so
// the totals' and environments' idle cost is then 0, and an environment's
// cost, on-demand cost and instance-seconds are the queue's shares of it. The
// instance rows always show an instance's whole cost and idle cost; under a
// queue filter they list the instances the queue's jobs ran on.
//
// Rows are ordered by cost, highest first, then by id (name).
#include <optional>
#include <string>
#include <vector>

#include "core/instance.h"
#include "core/time.h"

namespace barge::fleet {

// One attempt of a job on a managed instance, as cost attribution sees it.
struct CostAttempt {
  std::string job_id{};
  std::string job_name{};
  std::string queue{};  // Job queue name.
  std::string instance_id{};
  double vcpus = 0;  // vCPUs held (the job's millicpus / 1000).
  Timestamp held_from{};
  Timestamp held_until{};  // Exclusive; "now" for an attempt still running.
};

struct CostOptions {
  Timestamp since{};                                 // Inclusive.
  Timestamp until{};                                 // Exclusive.
  std::optional<std::string> queue{};                // Job queue name.
  std::optional<std::string> compute_environment{};  // Name.
};

struct CostTotals {
  double cost = 0;  // USD, jobs plus idle.
  double idle_cost = 0;
  double on_demand_cost = 0;  // The same work at on-demand prices.
  double savings = 0;         // on_demand_cost - cost.
};

struct InstanceCost {
  Instance instance{};
  double seconds = 0;  // Of its life inside the window.
  double cost = 0;
  double on_demand_cost = 0;
  double job_cost = 0;  // The attempts' shares.
  double idle_cost = 0;
};

struct EnvironmentCost {
  std::string name{};
  double cost = 0;  // Its instances' cost: jobs plus idle (the queue's shares when filtered).
  double idle_cost = 0;
  double on_demand_cost = 0;
  double instance_seconds = 0;  // Instance-seconds priced (shares of them when filtered).
};

struct QueueCost {
  std::string name{};
  double cost = 0;
  double on_demand_cost = 0;
  double vcpu_seconds = 0;
};

struct JobCost {
  std::string job_id{};
  std::string job_name{};
  std::string queue{};
  // The environment of its latest attempt in the report (a retried job may
  // have run in several).
  std::string compute_environment{};
  // vCPU-seconds it was charged for: vCPUs held x seconds held, scaled down
  // like its cost while its instance was oversubscribed.
  double vcpu_seconds = 0;
  double cost = 0;
  double on_demand_cost = 0;
};

struct CostReport {
  Timestamp since{};
  Timestamp until{};
  CostTotals totals{};
  std::vector<EnvironmentCost> environments{};
  std::vector<QueueCost> queues{};
  std::vector<JobCost> jobs{};
  std::vector<InstanceCost> instances{};
};

// The cost of `instances` over [options.since, options.until), attributed to
// `attempts` by the rules above. Instances whose life does not meet the
// window are left out. An empty or inverted window gives an empty report.
CostReport ComputeCost(const std::vector<Instance>& instances,
                       const std::vector<CostAttempt>& attempts, const CostOptions& options);

}  // namespace barge::fleet
