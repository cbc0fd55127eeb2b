#pragma once
// CostService: what managed compute environments cost over a period and which
// jobs, queues and environments that cost belongs to (barge's GetCostReport
// extension), and the managed instances themselves (ListInstances).
//
// A report reads, in one Store transaction, the instances alive at some point
// since `since` and the jobs that can have held one of them in the period:
// those that ended since `since` and those STARTING, RUNNING or RUNNABLE now
// (a RUNNABLE job may have run an attempt before a retry), array children
// included. The arithmetic and its rules are fleet/cost.h's ComputeCost.
//
// An attempt holds its job's vCPUs from its startedAt to its stoppedAt (now
// while it runs). Attempts record no time for their placement (STARTING), so
// the few seconds between placement and start count as the instance's idle
// time, and an attempt that never started (withdrawn, or its host lost while
// STARTING) holds nothing.
//
// Runs on the control thread. Reports read every job of the period, so they
// cost time in proportion to it; they are meant for people and dashboards,
// not for every scheduling pass.
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/instance.h"
#include "core/result.h"
#include "core/time.h"
#include "fleet/cost.h"
#include "store/store.h"

namespace barge::control {

struct CostQuery {
  std::optional<Timestamp> since{};  // Inclusive; default kDefaultCostPeriod before now.
  // Exclusive; default now. A time after now is taken as now: cost that has
  // not been spent is not reported.
  std::optional<Timestamp> until{};
  std::optional<std::string> queue{};                // Job queue name or ARN.
  std::optional<std::string> compute_environment{};  // Compute environment name or ARN.
};

struct InstanceQuery {
  std::optional<std::string> compute_environment{};  // Name or ARN.
  std::vector<InstanceState> states{};               // Any of these; empty = all.
};

inline constexpr Duration kDefaultCostPeriod = std::chrono::hours(24);

class CostService {
 public:
  CostService(Store& store, const Clock& clock);  // Neither owned.

  // The report of fleet/cost.h over [since, until). Unknown queue or
  // environment names give an empty report (their jobs and instances may
  // outlive them). kInvalidArgument when `since` is not before `until`
  // (after `until` is clamped to now), or when a queue or environment
  // reference is an ARN of another kind; the store's errors otherwise.
  Result<fleet::CostReport> Report(const CostQuery& query);

  // Managed instances ordered by (launched_at, id), terminated ones included
  // unless `states` leaves them out. kInvalidArgument for an ARN of another
  // kind; the store's errors.
  Result<std::vector<Instance>> Instances(const InstanceQuery& query);

 private:
  Store& store_;
  const Clock& clock_;
};

}  // namespace barge::control
