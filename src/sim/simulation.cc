#include "sim/simulation.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <numeric>
#include <optional>
#include <set>
#include <string_view>
#include <utility>

#include "control/agent_registry.h"
#include "control/agent_service.h"
#include "control/dispatcher.h"
#include "control/fleet_controller.h"
#include "control/job_end_reporting_store.h"
#include "core/arn.h"
#include "fleet/spot_interruptions.h"
#include "scheduler/planner.h"
#include "sim/simulated_agents.h"
#include "sim/simulated_provider.h"
#include "sim/virtual_clock.h"
#include "store/memory_store.h"

namespace barge::sim {
namespace {

// 2024-01-01T00:00:00Z: a fixed start, so timestamps repeat between runs.
const Timestamp kStart = FromEpochMillis(1'704'067'200'000);
// Agents never lose their lease, and polls park until work comes.
constexpr Duration kForever = std::chrono::hours(24 * 365);
constexpr const char* kEnvironment = "sim";

// "job-0000001" for index 0: seven digits at least, more past 9,999,999.
std::string JobId(size_t index) {
  char digits[20];
  auto [end, unused] = std::to_chars(digits, digits + sizeof digits, index + 1);
  size_t count = static_cast<size_t>(end - digits);
  std::string id = "job-";
  if (count < 7) id.append(7 - count, '0');
  id.append(digits, count);
  return id;
}

// The workload index JobId(index) stands for, read back from the id itself
// (no map of 100,000 ids to look it up in); nullopt for any other id.
std::optional<size_t> IndexOf(std::string_view id, size_t jobs) {
  constexpr std::string_view kPrefix = "job-";
  if (!id.starts_with(kPrefix) || id.size() < kPrefix.size() + 7) return std::nullopt;
  size_t number = 0;
  for (char digit : id.substr(kPrefix.size())) {
    if (digit < '0' || digit > '9' || number > jobs) return std::nullopt;
    number = number * 10 + static_cast<size_t>(digit - '0');
  }
  // JobId pads to seven digits and no further.
  bool canonical = id.size() == kPrefix.size() + 7 || id[kPrefix.size()] != '0';
  if (number == 0 || number > jobs || !canonical) return std::nullopt;
  return number - 1;
}

RetryStrategy SimulatedRetry(int32_t attempts) {
  return {.attempts = attempts,
          .evaluate_on_exit = {{.on_status_reason = "Host EC2*", .action = "RETRY"},
                               {.on_reason = "*", .action = "EXIT"}}};
}

// One run's control plane, provider and agents, wired as the server wires them.
class World {
 public:
  World(const fleet::InstanceCatalog& catalog, const SimulationOptions& options,
        const Workload& workload)
      : options_(options),
        workload_(workload),
        store_(memory_),
        clock_(kStart),
        registry_(clock_,
                  control::AgentRegistryOptions{.lease = kForever, .max_poll_wait = kForever}),
        // Nothing but this run writes its store, so the dispatcher's rescan
        // (a safety net against writes it was not told of) stays off.
        dispatcher_(store_, clock_, registry_, planner_,
                    control::DispatcherOptions{.rescan_period = kForever}),
        // Simulated agents send no log lines, so no ended attempt's stream
        // needs remembering for lines that arrive after its exit. A store in
        // memory has no fsync for a pass inside each exit's transaction to
        // save: the tick after each instant plans all its exits together.
        agent_service_(
            store_, clock_, registry_, dispatcher_,
            control::AgentServiceOptions{.remembered_streams = 0, .pass_within_exits = false}),
        provider_(clock_, options.launch_delay),
        fleet_(store_, clock_, registry_, agent_service_, dispatcher_, catalog,
               control::FleetController::Providers{{SimulatedProvider::kName, &provider_}},
               control::FleetOptions{.scale_down_delay = options.scale_down_delay,
                                     // An instance still booting is not given up on too early.
                                     .launch_timeout = std::max<Duration>(std::chrono::minutes(5),
                                                                          2 * options.launch_delay),
                                     .seed = options.seed}),
        agents_(agent_service_, clock_, [this](const std::string& id) { return Lookup(id); }),
        ended_(workload.jobs.size(), false) {
    order_.resize(workload.jobs.size());
    std::iota(order_.begin(), order_.end(), size_t{0});
    std::ranges::stable_sort(order_, {}, [&](size_t i) { return workload.jobs[i].submit_at; });
    store_.SetListener([this](const std::vector<control::JobWrite>& writes) { Written(writes); });
  }

  Status Setup();
  Result<SimulationReport> Run();

 private:
  const WorkloadJob* Lookup(const std::string& job_id) const {
    std::optional<size_t> index = IndexOf(job_id, workload_.jobs.size());
    return index ? &workload_.jobs[*index] : nullptr;
  }
  void Written(const std::vector<control::JobWrite>& writes) {
    for (const control::JobWrite& write : writes) {
      if (!IsTerminal(write.status)) continue;
      std::optional<size_t> index = IndexOf(write.job_id, workload_.jobs.size());
      if (!index || ended_[*index]) continue;
      ended_[*index] = true;
      ++ended_count_;
      last_end_ = clock_.Now();
    }
  }
  Status Submit(Timestamp now);
  // The first fleet tick at or after `at`.
  Timestamp TickAtOrAfter(Timestamp at) const {
    Duration since = at - kStart;
    int64_t periods =
        (since.count() + options_.fleet_period.count() - 1) / options_.fleet_period.count();
    return kStart + periods * options_.fleet_period;
  }

  const SimulationOptions& options_;
  const Workload& workload_;
  MemoryStore memory_;
  control::JobEndReportingStore store_;
  VirtualClock clock_;
  ArnFormatter arns_{"us-east-1", "000000000000"};
  scheduler::Planner planner_ = scheduler::Planner::Standard();
  control::AgentRegistry registry_;
  control::Dispatcher dispatcher_;
  control::AgentService agent_service_;
  SimulatedProvider provider_;
  control::FleetController fleet_;
  SimulatedAgents agents_;
  // What every job has in common; Submit fills in the rest for each job.
  Job scratch_{.job_definition_arn = arns_.JobDefinition("sim", 1),
               .job_definition_name = "sim",
               .status = JobStatus::kRunnable,
               .container = ContainerProperties{.image = "sim", .command = {"sim"}},
               .retry_strategy = SimulatedRetry(options_.attempts)};
  std::vector<size_t> order_{};  // Workload indices by submission.
  size_t submitted_ = 0;         // Into order_.
  std::vector<bool> ended_;
  size_t ended_count_ = 0;
  Timestamp last_end_ = kStart;
};

Status World::Setup() {
  const EnvironmentSpec& spec = options_.environment;
  bool spot = spec.capacity == CapacityType::kSpot;
  std::string strategy = spec.allocation_strategy;
  if (strategy.empty()) strategy = spot ? "SPOT_PRICE_CAPACITY_OPTIMIZED" : "BEST_FIT_PROGRESSIVE";
  ComputeEnvironment ce{
      .name = kEnvironment,
      .arn = arns_.ComputeEnvironment(kEnvironment),
      .type = ComputeEnvironmentType::kManaged,
      .state = ResourceState::kEnabled,
      .status = ResourceStatus::kValid,
      .compute_resources = ComputeResources{.type = spot ? "SPOT" : "EC2",
                                            .min_vcpus = spec.min_vcpus,
                                            .max_vcpus = spec.max_vcpus,
                                            .desired_vcpus = spec.min_vcpus,
                                            .instance_types = spec.instance_types,
                                            .allocation_strategy = strategy,
                                            .bid_percentage = spec.bid_percentage},
      .tags = {{std::string(kExecutorTag), std::string(protocol::kExecutorProcess)},
               {std::string(control::kProviderTag), SimulatedProvider::kName}}};
  if (spec.spot_interruptions_per_hour) {
    ce.tags[std::string(fleet::kSpotRateTag)] =
        nlohmann::json(*spec.spot_interruptions_per_hour).dump();
  }
  if (spec.spot_notice_seconds) {
    ce.tags[std::string(fleet::kSpotNoticeTag)] = std::to_string(*spec.spot_notice_seconds);
  }
  std::set<std::string> queues;
  for (const WorkloadJob& job : workload_.jobs) queues.insert(job.queue);
  return store_.Transact([&](StoreTransaction& txn) -> Status {
    BARGE_RETURN_IF_ERROR(txn.InsertComputeEnvironment(ce));
    for (const std::string& name : queues) {
      BARGE_RETURN_IF_ERROR(txn.InsertJobQueue(
          {.name = name,
           .arn = arns_.JobQueue(name),
           .state = ResourceState::kEnabled,
           .status = ResourceStatus::kValid,
           .priority = 1,
           .compute_environment_order = {{.order = 1, .compute_environment = ce.arn}}}));
    }
    return Ok();
  });
}

Status World::Submit(Timestamp now) {
  size_t due = submitted_;
  while (due < order_.size() && kStart + workload_.jobs[order_[due]].submit_at <= now) ++due;
  if (due == submitted_) return Ok();
  // One job object, filled in for each job in turn: the store copies what
  // it inserts, and the dispatcher what it indexes.
  auto fill = [&](size_t index) -> const Job& {
    const WorkloadJob& spec = workload_.jobs[index];
    scratch_.id = JobId(index);
    scratch_.name = scratch_.id;
    scratch_.queue = spec.queue;
    scratch_.created_at = kStart + spec.submit_at;
    scratch_.request = spec.request;
    return scratch_;
  };
  Status inserted = store_.Transact([&](StoreTransaction& txn) -> Status {
    for (size_t i = submitted_; i < due; ++i) BARGE_RETURN_IF_ERROR(txn.InsertJob(fill(order_[i])));
    return Ok();
  });
  if (!inserted) return inserted;
  for (; submitted_ < due; ++submitted_) dispatcher_.JobRunnable(fill(order_[submitted_]));
  return Ok();
}

Result<SimulationReport> World::Run() {
  BARGE_RETURN_IF_ERROR(Setup());
  const Timestamp deadline = kStart + options_.max_virtual_time;
  const int32_t min_vcpus = options_.environment.min_vcpus;
  Timestamp next_tick = kStart;
  while (true) {
    std::optional<Timestamp> next_event = provider_.NextJoin();
    auto earliest = [&](std::optional<Timestamp> at) {
      if (at && (!next_event || *at < *next_event)) next_event = at;
    };
    earliest(agents_.NextExit());
    if (submitted_ < order_.size()) earliest(kStart + workload_.jobs[order_[submitted_]].submit_at);
    bool active = !fleet_.live().empty() || dispatcher_.runnable().size() > 0 ||
                  agents_.running() > 0 || min_vcpus > 0;
    if (!active) {
      if (!next_event) break;  // Nothing waits, runs or is due: done.
      next_tick = std::max(next_tick, TickAtOrAfter(*next_event));
    }
    Timestamp now = next_event ? std::min(*next_event, next_tick) : next_tick;
    if (now > deadline) break;
    clock_.Set(now);

    BARGE_RETURN_IF_ERROR(Submit(now));
    for (const PendingJoin& join : provider_.TakeJoinsDue(now)) {
      BARGE_RETURN_IF_ERROR(agents_.Join(join));
    }
    BARGE_RETURN_IF_ERROR(agents_.ReportExitsDue(now));
    bool ticked = now == next_tick;
    bool launched = false;
    if (ticked) {
      Result<control::FleetTickReport> tick = fleet_.Tick();
      if (!tick) return tick.error();
      launched = tick->launched > 0;
      for (const std::string& id : provider_.TakeTerminated()) agents_.Lost(id);
      next_tick += options_.fleet_period;
    }
    Result<int> placed = dispatcher_.Tick();
    if (!placed) return placed.error();
    BARGE_RETURN_IF_ERROR(agents_.StartAssigned());

    if (ended_count_ == ended_.size()) {
      if (fleet_.live().empty() && min_vcpus == 0) break;
      if (now >= last_end_ + options_.scale_down_delay + 2 * options_.fleet_period) break;
    } else if (ticked && !launched && fleet_.live().empty() && !provider_.NextJoin() &&
               !agents_.NextExit() && submitted_ == order_.size()) {
      break;  // Stalled: jobs wait that no instance is launched for.
    }
  }
  return BuildReport(memory_, options_.environment.capacity, kStart, clock_.Now());
}

}  // namespace

Simulation::Simulation(const fleet::InstanceCatalog& catalog, SimulationOptions options)
    : catalog_(catalog), options_(std::move(options)) {}

Status Simulation::Validate(const Workload& workload) const {
  const EnvironmentSpec& spec = options_.environment;
  if (spec.max_vcpus < 1) return InvalidArgument("maxvCpus must be at least 1");
  if (spec.min_vcpus < 0 || spec.min_vcpus > spec.max_vcpus) {
    return InvalidArgument("minvCpus must be between 0 and maxvCpus");
  }
  if (spec.bid_percentage < 1 || spec.bid_percentage > 100) {
    return InvalidArgument("bid percentage must be between 1 and 100");
  }
  if (spec.spot_interruptions_per_hour && *spec.spot_interruptions_per_hour < 0) {
    return InvalidArgument("spot interruptions per hour must not be negative");
  }
  if (spec.spot_notice_seconds && *spec.spot_notice_seconds < 0) {
    return InvalidArgument("spot notice must not be negative");
  }
  if (options_.launch_delay < Duration::zero()) {
    return InvalidArgument("launch delay must not be negative");
  }
  if (options_.fleet_period <= Duration::zero()) {
    return InvalidArgument("fleet period must be positive");
  }
  if (options_.attempts < 1 || options_.attempts > 10) {
    return InvalidArgument("attempts must be between 1 and 10");
  }
  Result<std::vector<InstanceType>> candidates = catalog_.Resolve(spec.instance_types);
  if (!candidates) return candidates.error();
  for (const WorkloadJob& job : workload.jobs) {
    bool fits = job.request.millicpus <= int64_t{spec.max_vcpus} * 1000 &&
                std::ranges::any_of(*candidates, [&](const InstanceType& type) {
                  return job.request.millicpus <= int64_t{type.vcpus} * 1000 &&
                         job.request.memory_mib <= type.memory_mib;
                });
    if (!fits) {
      char vcpus[32];
      std::snprintf(vcpus, sizeof vcpus, "%g", static_cast<double>(job.request.millicpus) / 1000);
      return InvalidArgument("workload line " + std::to_string(job.line) + ": a job of " + vcpus +
                             " vCPUs and " + std::to_string(job.request.memory_mib) +
                             " MiB fits no instance type of the environment within maxvCpus " +
                             std::to_string(spec.max_vcpus));
    }
  }
  return Ok();
}

Result<SimulationReport> Simulation::Run(const Workload& workload) const {
  BARGE_RETURN_IF_ERROR(Validate(workload));
  auto world = std::make_unique<World>(catalog_, options_, workload);
  return world->Run();
}

Result<SimulationReport> Simulation::RunThenExit(const Workload& workload) const {
  BARGE_RETURN_IF_ERROR(Validate(workload));
  // Never freed: the process exits with them (see the header).
  static auto* const left_for_exit = new std::vector<std::unique_ptr<World>>();
  World& world =
      *left_for_exit->emplace_back(std::make_unique<World>(catalog_, options_, workload));
  return world.Run();
}

}  // namespace barge::sim
