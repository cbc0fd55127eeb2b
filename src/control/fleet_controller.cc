#include "control/fleet_controller.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <utility>

#include "control/executor_choice.h"
#include "control/fleet_demand.h"
#include "fleet/spot_interruptions.h"
#include "scheduler/capacity_planner.h"
#include "scheduler/cluster_view.h"
#include "scheduler/planner.h"

namespace barge::control {
namespace {

Resources CapacityOf(const InstanceType& type) {
  return Resources{
      .millicpus = int64_t{type.vcpus} * 1000, .memory_mib = type.memory_mib, .gpus = type.gpus};
}

const std::vector<WaitingJob> kNoWaitingJobs;

std::string Seconds(Duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(d).count()) + " s";
}

}  // namespace

FleetController::FleetController(Store& store, const Clock& clock, AgentRegistry& registry,
                                 AgentService& agents, Dispatcher& dispatcher,
                                 const fleet::InstanceCatalog& catalog, Providers providers,
                                 FleetOptions options)
    : store_(store),
      clock_(clock),
      registry_(registry),
      agents_(agents),
      dispatcher_(dispatcher),
      catalog_(catalog),
      providers_(std::move(providers)),
      options_(std::move(options)),
      random_(options_.seed) {}

Status FleetController::Recover() {
  std::vector<Instance> stored;
  BARGE_RETURN_IF_ERROR(store_.Transact([&](StoreTransaction& txn) -> Status {
    Result<std::vector<Instance>> listed = txn.ListInstances({.live_only = true});
    if (!listed) return listed.error();
    stored = std::move(*listed);
    return Ok();
  }));
  live_.Clear();
  for (Instance& instance : stored) live_.Put(instance);
  FleetTickReport ignored;
  for (Instance& instance : stored) {
    fleet::Provider* provider = ProviderNamed(instance.provider);
    if (provider == nullptr) {
      BARGE_RETURN_IF_ERROR(
          Terminate(instance, "provider " + instance.provider + " is not configured on this server",
                    ignored));
    } else if (!provider->StillExists(instance)) {
      BARGE_RETURN_IF_ERROR(
          Terminate(instance, "instance no longer exists (found at server start)", ignored));
    }
  }
  recovered_ = true;
  return Ok();
}

Result<FleetTickReport> FleetController::Tick() {
  if (!recovered_) BARGE_RETURN_IF_ERROR(Recover());
  FleetTickReport report;
  BARGE_RETURN_IF_ERROR(JoinAndLose(report));
  BARGE_RETURN_IF_ERROR(Interruptions(report));

  BARGE_RETURN_IF_ERROR(store_.Transact([&](StoreTransaction& txn) -> Status {
    std::optional<uint64_t> version = txn.TopologyVersion();
    if (listed_ && version && listed_->version == version) return Ok();
    listed_.reset();
    Result<std::vector<ComputeEnvironment>> ces = txn.ListComputeEnvironments();
    if (!ces) return ces.error();
    Result<std::vector<JobQueue>> queues = txn.ListJobQueues();
    if (!queues) return queues.error();
    listed_ =
        Listed{.version = version, .environments = std::move(*ces), .queues = std::move(*queues)};
    return Ok();
  }));
  const std::vector<ComputeEnvironment>& environments = listed_->environments;
  const std::vector<JobQueue>& queues = listed_->queues;

  std::map<std::string, Scaled> scaled;
  for (const ComputeEnvironment& ce : environments) {
    if (ce.type != ComputeEnvironmentType::kManaged || !ce.compute_resources) continue;
    fleet::Provider* provider = ProviderOf(ce);
    if (provider == nullptr) continue;
    if (ce.status != ResourceStatus::kValid && ce.status != ResourceStatus::kUpdating) continue;
    const std::vector<std::string>& types = ce.compute_resources->instance_types;
    auto resolved = resolved_.find(types);
    if (resolved == resolved_.end()) {
      resolved = resolved_.emplace(types, catalog_.Resolve(types)).first;
    }
    const Result<std::vector<InstanceType>>& candidates = resolved->second;
    if (!candidates) {
      std::string& last = problems_[ce.name];
      if (last != candidates.error().message) {
        last = candidates.error().message;
        spdlog::warn("compute environment {} cannot scale: {}", ce.name, last);
      }
      continue;
    }
    problems_.erase(ce.name);
    scaled.emplace(ce.name, Scaled{.ce = ce, .provider = provider, .candidates = *candidates});
  }

  std::set<std::string> names;
  for (const auto& [environment, totals] : live_.by_environment()) {
    auto env = scaled.find(environment);
    if (env != scaled.end()) env->second.held.vcpus = totals.vcpus;
  }
  for (const auto& [name, env] : scaled) names.insert(name);

  // The free capacity and waiting jobs of every environment, worked out
  // together the first time a plan needs them, before this tick changed
  // anything (a plan reads them before it launches or terminates): one walk
  // over the launching instances and one over the agents with free vCPUs
  // (the only free capacity a waiting job, which wants vCPUs, can use).
  // Draining agents take no work.
  std::optional<std::map<std::string, std::vector<WaitingJob>>> waiting;
  auto work_out_waiting = [&] {
    for (const std::string& id : live_.launching()) {
      const Instance& instance = *live_.Find(id);
      auto env = scaled.find(instance.compute_environment);
      if (env != scaled.end()) env->second.held.free.push_back(CapacityOf(instance.type));
    }
    registry_.VisitNodesWithFreeCpu(
        [&](const std::string&, const AgentInfo& info, const Resources& free, bool accepting_work) {
          auto env = scaled.find(info.compute_environment);
          if (accepting_work && env != scaled.end()) env->second.held.free.push_back(free);
        });
    std::map<std::string, DemandBudget> budgets;
    for (const auto& [name, env] : scaled) budgets.emplace(name, BudgetOf(env));
    waiting = WaitingByEnvironment(queues, environments, budgets, dispatcher_.runnable(),
                                   options_.demand_window);
  };
  // Every distinct request waiting, from the index's per-queue summaries
  // (jobs without vCPUs wait for no capacity: WaitingByEnvironment).
  std::vector<Resources> requests;
  for (const JobQueue& queue : queues) {
    const RunnableIndex::QueueSummary* summary = dispatcher_.runnable().Summary(queue.name);
    if (summary == nullptr) continue;
    for (const auto& [shape, count] : summary->requests) {
      Resources request = RunnableIndex::QueueSummary::RequestOf(shape);
      if (request.millicpus <= 0 || std::ranges::find(requests, request) != requests.end())
        continue;
      requests.push_back(request);
    }
  }
  std::map<std::string, std::string> reasons;
  for (const auto& [name, env] : scaled) {
    auto waiting_of = [&, &name = name]() -> const std::vector<WaitingJob>& {
      if (!waiting) work_out_waiting();
      auto it = waiting->find(name);
      return it == waiting->end() ? kNoWaitingJobs : it->second;
    };
    BARGE_RETURN_IF_ERROR(Scale(env, requests, waiting_of, reasons, report));
  }
  dispatcher_.SetFleetView(std::move(names), std::move(reasons));

  std::vector<Instance> unscaled;
  if (std::ranges::any_of(live_.by_environment(),
                          [&](const auto& entry) { return !scaled.contains(entry.first); })) {
    for (const auto& [id, instance] : live_.all()) {
      if (!scaled.contains(instance.compute_environment)) unscaled.push_back(instance);
    }
  }
  for (Instance& instance : unscaled) {
    BARGE_RETURN_IF_ERROR(Terminate(instance,
                                    "compute environment " + instance.compute_environment +
                                        " is no longer scaled by this server",
                                    report));
  }
  return report;
}

Status FleetController::JoinAndLose(FleetTickReport& report) {
  Timestamp now = clock_.Now();
  for (const auto& [name, provider] : providers_) {
    for (const fleet::LostInstance& lost : provider->TakeLost()) {
      const Instance* instance = live_.Find(lost.instance_id);
      if (instance == nullptr) continue;
      BARGE_RETURN_IF_ERROR(Terminate(*instance, lost.reason, report));
    }
  }
  std::vector<Instance> changed;
  std::vector<Instance> timed_out;
  // Whether agents of RUNNING and DRAINING instances are still registered
  // changes only when agents leave; a DRAINING instance's agent that
  // registers anew must be told again that it drains.
  uint64_t membership = registry_.membership_version();
  uint64_t departures = registry_.departures_version();
  bool recheck_all = !departures_seen_ || *departures_seen_ != departures || !absent_since_.empty();
  bool recheck_agents = recheck_all || !membership_seen_ || *membership_seen_ != membership;
  for (const std::string& id : live_.launching()) {
    const Instance& instance = *live_.Find(id);
    if (const std::string* agent = registry_.FindByInstance(id)) {
      Instance joined = instance;
      joined.state = InstanceState::kRunning;
      joined.running_at = now;
      joined.agent_id = *agent;
      changed.push_back(std::move(joined));
    } else if (now - instance.launched_at >= options_.launch_timeout) {
      timed_out.push_back(instance);
    }
  }
  if (recheck_agents) {
    for (const auto& [id, instance] : live_.all()) {
      if (instance.state == InstanceState::kLaunching || instance.agent_id.empty()) continue;
      if (!recheck_all && instance.state != InstanceState::kDraining) continue;
      // An agent that left the registry (its lease ran out) and has not come
      // back within the launch timeout is taken for a dead host: providers
      // without process supervision (command) learn of lost hosts only so.
      if (!registry_.Contains(instance.agent_id)) {
        auto [absent, added] = absent_since_.try_emplace(id, now);
        if (now - absent->second >= options_.launch_timeout) timed_out.push_back(instance);
        continue;
      }
      absent_since_.erase(id);
      if (instance.state == InstanceState::kDraining) {
        registry_.SetDraining(instance.agent_id, true);  // Again, if its agent registered anew.
        if (instance.reclaim_at) {
          registry_.SetInstanceAction(
              instance.agent_id,
              {.action = "terminate", .time_ms = ToEpochMillis(*instance.reclaim_at)});
        }
      }
    }
  }
  for (Instance& instance : changed) {
    std::string id = instance.id;
    bool spot = instance.capacity == CapacityType::kSpot;
    Tags tags;
    BARGE_RETURN_IF_ERROR(Save(std::move(instance)));
    const Instance& saved = *live_.Find(id);
    fleet::Provider* provider = ProviderNamed(saved.provider);
    if (!spot || provider == nullptr || !provider->models_spot_interruptions()) continue;
    BARGE_RETURN_IF_ERROR(store_.Transact([&](StoreTransaction& txn) -> Status {
      Result<ComputeEnvironment> ce = txn.GetComputeEnvironment(saved.compute_environment);
      if (ce) tags = ce->tags;
      return Ok();
    }));
    Result<fleet::SpotInterruptionSettings> settings = fleet::SpotSettingsFor(tags, saved.type);
    if (!settings) {
      spdlog::warn("compute environment {}: {}", saved.compute_environment,
                   settings.error().message);
      continue;
    }
    if (std::optional<Duration> after = fleet::SampleTimeToInterruption(*settings, random_)) {
      interrupt_at_.Set(id, now + *after);
    }
  }
  for (Instance& instance : timed_out) {
    std::string reason =
        instance.state == InstanceState::kLaunching
            ? "its agent did not register within " + Seconds(options_.launch_timeout)
            : "its agent stopped reporting " + Seconds(options_.launch_timeout) + " ago";
    BARGE_RETURN_IF_ERROR(Terminate(instance, reason, report));
  }
  membership_seen_ = membership;
  departures_seen_ = departures;
  return Ok();
}

Status FleetController::Interruptions(FleetTickReport& report) {
  Timestamp now = clock_.Now();
  for (const std::string& id : interrupt_at_.Due(now)) {
    const Instance* running = live_.Find(id);
    if (running == nullptr || running->state != InstanceState::kRunning) {
      interrupt_at_.Erase(id);
      continue;
    }
    Instance noticed = *running;
    Tags tags;
    BARGE_RETURN_IF_ERROR(store_.Transact([&](StoreTransaction& txn) -> Status {
      Result<ComputeEnvironment> ce = txn.GetComputeEnvironment(noticed.compute_environment);
      if (ce) tags = ce->tags;
      return Ok();
    }));
    Duration notice = fleet::kDefaultSpotNotice;
    if (Result<fleet::SpotInterruptionSettings> settings =
            fleet::SpotSettingsFor(tags, noticed.type)) {
      notice = settings->notice;
    }
    noticed.state = InstanceState::kDraining;
    noticed.draining_at = now;
    noticed.interruption_notice_at = now;
    noticed.reclaim_at = now + notice;
    noticed.state_reason = "Spot instance interruption notice";
    if (!noticed.agent_id.empty()) {
      registry_.SetDraining(noticed.agent_id, true);
      registry_.SetInstanceAction(
          noticed.agent_id, {.action = "terminate", .time_ms = ToEpochMillis(*noticed.reclaim_at)});
    }
    BARGE_RETURN_IF_ERROR(Save(std::move(noticed)));
    interrupt_at_.Erase(id);
    ++report.interrupted;
  }
  for (const std::string& id : live_.ReclaimDue(now)) {
    if (const Instance* instance = live_.Find(id)) {
      BARGE_RETURN_IF_ERROR(Terminate(*instance, "Spot instance reclaimed", report));
    }
  }
  return Ok();
}

DemandBudget FleetController::BudgetOf(const Scaled& env) {
  DemandBudget budget;
  for (const InstanceType& type : env.candidates) {
    budget.largest.millicpus = std::max(budget.largest.millicpus, int64_t{type.vcpus} * 1000);
    budget.largest.memory_mib = std::max<int64_t>(budget.largest.memory_mib, type.memory_mib);
    budget.largest.gpus = std::max<int64_t>(budget.largest.gpus, type.gpus);
  }
  for (const Resources& free : env.held.free) {
    budget.millicpus += std::max<int64_t>(0, free.millicpus);
  }
  if (env.ce.state == ResourceState::kEnabled) {
    int32_t max_vcpus = env.ce.compute_resources->max_vcpus.value_or(0);
    // BEST_FIT_PROGRESSIVE may pass maxvCpus by one instance of any type.
    budget.millicpus +=
        int64_t{std::max(0, max_vcpus - env.held.vcpus)} * 1000 + budget.largest.millicpus;
  }
  return budget;
}

std::optional<Resources> FleetController::FreeOf(const Instance& instance) const {
  switch (instance.state) {
    case InstanceState::kLaunching:
      return CapacityOf(instance.type);
    case InstanceState::kRunning:
      if (registry_.IsDraining(instance.agent_id)) return std::nullopt;
      return registry_.FreeOf(instance.agent_id);
    case InstanceState::kDraining:
    case InstanceState::kTerminated:
      return std::nullopt;
  }
  return std::nullopt;
}

Status FleetController::Scale(const Scaled& env, const std::vector<Resources>& requests,
                              const WaitingOf& waiting_of,
                              std::map<std::string, std::string>& reasons,
                              FleetTickReport& report) {
  const ComputeResources& resources = *env.ce.compute_resources;
  scheduler::CapacityInput input{
      .candidates = env.candidates,
      .allocation_strategy = resources.allocation_strategy.value_or("BEST_FIT"),
      .capacity = resources.type == "SPOT" ? CapacityType::kSpot : CapacityType::kOnDemand,
      .bid_percentage = resources.bid_percentage.value_or(100),
      .min_vcpus = resources.min_vcpus.value_or(0),
      .max_vcpus = resources.max_vcpus.value_or(0),
      .scale_out = env.ce.state == ResourceState::kEnabled,
  };
  input.current_vcpus = env.held.vcpus;
  // Mostly not: a busy fleet with a backlog holds maxvCpus, and a drained
  // one waiting to scale in has nothing waiting.
  bool plan_from_demand = scheduler::NeedsPlan(input, requests);
  scheduler::CapacityPlan plan{.desired_vcpus = std::max(input.current_vcpus, input.min_vcpus)};
  const std::vector<WaitingJob>& waiting = plan_from_demand ? waiting_of() : kNoWaitingJobs;
  if (plan_from_demand) {
    input.waiting.reserve(waiting.size());
    for (const WaitingJob& job : waiting) input.waiting.push_back(job.request);
    input.free = env.held.free;
    plan = scheduler::PlanCapacity(input);
  }
  for (size_t index : plan.unfit) {
    const WaitingJob& job = waiting[index];
    reasons[job.id] = job.request.millicpus > int64_t{input.max_vcpus} * 1000
                          ? std::string(kComputeEnvironmentMaxResourceReason)
                          : std::string(scheduler::kJobResourceRequirementReason);
  }
  for (const scheduler::PlannedLaunch& launch : plan.launches) {
    BARGE_RETURN_IF_ERROR(Launch(env, launch.type, launch.capacity, launch.count));
    report.launched += launch.count;
  }
  int32_t desired = plan.desired_vcpus;
  if (plan.launches.empty()) {
    int before = report.terminated;
    int32_t live_vcpus_before = input.current_vcpus;
    BARGE_RETURN_IF_ERROR(ScaleIn(env, waiting_of, report));
    if (report.terminated != before) {
      int32_t live_vcpus = live_.VcpusOf(env.ce.name);
      desired = std::max(input.min_vcpus, desired - (live_vcpus_before - live_vcpus));
    }
  }
  if (resources.desired_vcpus != desired) BARGE_RETURN_IF_ERROR(WriteDesired(env.ce, desired));
  return Ok();
}

Status FleetController::ScaleIn(const Scaled& env, const WaitingOf& waiting_of,
                                FleetTickReport& report) {
  Timestamp now = clock_.Now();
  Duration delay = ScaleDownDelay(env.ce);
  int32_t min_vcpus = env.ce.compute_resources->min_vcpus.value_or(0);
  int32_t live_vcpus = env.held.vcpus;
  // Idle agents are few on a busy fleet: start from them, not the instances.
  std::vector<Instance> idle;
  registry_.VisitIdle(
      [&](const std::string& agent_id, const AgentInfo& info, Timestamp idle_since) {
        if (info.compute_environment != env.ce.name || info.instance_id.empty()) return;
        // Idle for less than the delay: too soon, whatever its instance.
        if (now - idle_since < delay) return;
        const Instance* live = live_.Find(info.instance_id);
        if (live == nullptr) return;
        const Instance& instance = *live;
        if (instance.state != InstanceState::kRunning || instance.agent_id != agent_id) return;
        Timestamp since = std::max(idle_since, instance.running_at.value_or(now));
        if (now - since >= delay) idle.push_back(instance);
      });
  // The newest go first, so long-lived instances (and their warm caches) stay.
  std::ranges::sort(idle, [](const Instance& a, const Instance& b) {
    return std::tie(b.launched_at, b.id) < std::tie(a.launched_at, a.id);
  });
  for (Instance& instance : idle) {
    if (live_vcpus - instance.type.vcpus < min_vcpus) continue;
    std::optional<Resources> free = FreeOf(instance);
    bool wanted = free && std::ranges::any_of(waiting_of(), [&](const WaitingJob& job) {
                    return scheduler::Covers(*free, job.request);
                  });
    if (wanted) continue;
    int32_t vcpus = instance.type.vcpus;
    BARGE_RETURN_IF_ERROR(
        Terminate(instance, "scaled in: idle for " + Seconds(delay) + " or more", report));
    live_vcpus -= vcpus;
  }
  return Ok();
}

Status FleetController::Launch(const Scaled& env, const InstanceType& type, CapacityType capacity,
                               int32_t count) {
  Timestamp now = clock_.Now();
  fleet::LaunchRequest request{.compute_environment = env.ce.name,
                               .type = type,
                               .capacity = capacity,
                               .join = options_.join};
  request.join.executor = std::string(ProtocolExecutor(ExecutorOf(env.ce)));
  std::vector<Instance> instances;
  for (int32_t i = 0; i < count; ++i) {
    instances.push_back(Instance{.id = NewInstanceId(),
                                 .compute_environment = env.ce.name,
                                 .type = type,
                                 .capacity = capacity,
                                 .state = InstanceState::kLaunching,
                                 .provider = env.provider->name(),
                                 .launched_at = now});
    request.instance_ids.push_back(instances.back().id);
  }
  Status inserted = store_.Transact([&](StoreTransaction& txn) -> Status {
    for (const Instance& instance : instances) {
      BARGE_RETURN_IF_ERROR(txn.InsertInstance(instance));
    }
    return Ok();
  });
  if (!inserted) return inserted;
  for (Instance& instance : instances) {
    instance.version = 1;
    live_.Put(std::move(instance));
  }
  spdlog::info("compute environment {}: launching {} {} {} instance(s) through {}", env.ce.name,
               count, ToString(capacity), type.name, env.provider->name());
  env.provider->Launch(
      request, [this](std::vector<fleet::LaunchResult> results) { Launched(std::move(results)); });
  return Ok();
}

void FleetController::Launched(std::vector<fleet::LaunchResult> results) {
  FleetTickReport ignored;
  for (fleet::LaunchResult& result : results) {
    const Instance* live = live_.Find(result.instance_id);
    if (live == nullptr) continue;
    Instance instance = *live;
    Status saved = Ok();
    if (!result.status) {
      spdlog::warn("instance {} of {} did not launch: {}", instance.id,
                   instance.compute_environment, result.status.error().message);
      saved = Terminate(instance, "launch failed: " + result.status.error().message, ignored);
    } else if (!result.provider_data.empty() && instance.provider_data != result.provider_data) {
      instance.provider_data = std::move(result.provider_data);
      saved = Save(std::move(instance));
    }
    if (!saved) {
      spdlog::warn("instance {}: {}", result.instance_id, saved.error().message);
    }
  }
}

Status FleetController::Save(Instance instance) {
  BARGE_RETURN_IF_ERROR(
      store_.Transact([&](StoreTransaction& txn) { return txn.UpdateInstance(instance); }));
  ++instance.version;
  live_.Put(std::move(instance));
  return Ok();
}

Status FleetController::Terminate(Instance instance, const std::string& reason,
                                  FleetTickReport& report) {
  Timestamp now = clock_.Now();
  std::string agent_id = instance.agent_id;
  if (!agent_id.empty()) registry_.SetDraining(agent_id, true);
  instance.state = InstanceState::kTerminated;
  instance.terminated_at = now;
  instance.state_reason = reason;
  Instance terminated = instance;
  BARGE_RETURN_IF_ERROR(Save(std::move(instance)));
  interrupt_at_.Erase(terminated.id);
  absent_since_.erase(terminated.id);
  ++report.terminated;
  spdlog::info("instance {} of {} terminated: {}", terminated.id, terminated.compute_environment,
               reason);
  if (fleet::Provider* provider = ProviderNamed(terminated.provider)) {
    std::string id = terminated.id;
    provider->Terminate({terminated}, [id](Status done) {
      if (!done) spdlog::warn("terminating instance {}: {}", id, done.error().message);
    });
  }
  if (!agent_id.empty()) {
    // The agent of an instance no longer live leaves: nothing for
    // JoinAndLose to recheck, unless other agents left meanwhile.
    bool up_to_date = departures_seen_ == registry_.departures_version();
    Result<int> ended = agents_.HostTerminated(agent_id);
    if (!ended) spdlog::warn("instance {}: {}", terminated.id, ended.error().message);
    if (up_to_date) departures_seen_ = registry_.departures_version();
  }
  return Ok();
}

Status FleetController::TerminateAllOf(const std::string& provider, const std::string& reason) {
  std::vector<Instance> doomed;
  for (const auto& [id, instance] : live_.all()) {
    if (instance.provider == provider) doomed.push_back(instance);
  }
  FleetTickReport ignored;
  for (Instance& instance : doomed) BARGE_RETURN_IF_ERROR(Terminate(instance, reason, ignored));
  return Ok();
}

Status FleetController::WriteDesired(const ComputeEnvironment& ce, int32_t desired) {
  return store_.Transact([&](StoreTransaction& txn) -> Status {
    Result<ComputeEnvironment> current = txn.GetComputeEnvironment(ce.name);
    if (!current) return current.error();
    if (!current->compute_resources) return Ok();
    current->compute_resources->desired_vcpus = desired;
    return txn.UpdateComputeEnvironment(*current);
  });
}

fleet::Provider* FleetController::ProviderNamed(const std::string& name) const {
  auto it = providers_.find(name);
  return it == providers_.end() ? nullptr : it->second;
}

fleet::Provider* FleetController::ProviderOf(const ComputeEnvironment& ce) const {
  auto tag = ce.tags.find(std::string(kProviderTag));
  return ProviderNamed(tag != ce.tags.end() ? tag->second : options_.default_provider);
}

Duration FleetController::ScaleDownDelay(const ComputeEnvironment& ce) const {
  const AwsOnlyFields& fields = ce.compute_resources->aws_only;
  auto policy = fields.find("scalingPolicy");
  if (policy == fields.end()) return options_.scale_down_delay;
  nlohmann::json json = nlohmann::json::parse(policy->second, nullptr, false);
  if (json.is_object() && json.contains("minScaleDownDelayMinutes") &&
      json["minScaleDownDelayMinutes"].is_number_integer()) {
    // 0 unsets it; the range is checked on create and update, and checked
    // again here for environments stored before that check existed.
    int64_t minutes = json["minScaleDownDelayMinutes"].get<int64_t>();
    if (minutes >= kMinScaleDownDelayMinutes && minutes <= kMaxScaleDownDelayMinutes) {
      return std::chrono::minutes(minutes);
    }
  }
  return options_.scale_down_delay;
}

std::string FleetController::NewInstanceId() {
  char id[20];
  while (true) {
    std::snprintf(
        id, sizeof id, "i-%017llx",
        static_cast<unsigned long long>(random_() & 0xfffffffffffffffULL) | 0x0100000000000000ULL);
    if (!live_.Contains(id)) return id;
  }
}

}  // namespace barge::control
