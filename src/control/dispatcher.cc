#include "control/dispatcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <optional>
#include <string_view>
#include <tuple>
#include <unordered_set>
#include <utility>

#include "control/assignment_builder.h"
#include "control/attempt_transitions.h"
#include "control/executor_choice.h"
#include "control/job_mutation.h"
#include "core/arn.h"
#include "core/check.h"
#include "util/uuid.h"

namespace barge::control {
namespace {

struct QueueView {
  int32_t priority = 0;
  std::vector<std::string> environments{};  // Usable ones, in order.
};

// What one pass reads from the store.
struct PassInput {
  std::map<std::string, QueueView> queues{};
  std::set<std::string> usable_environments{};
  std::map<std::string, ExecutorKind> executor_of{};  // By environment name, usable ones.
};

bool Usable(ResourceState state, ResourceStatus status) {
  return state == ResourceState::kEnabled && status == ResourceStatus::kValid;
}

// What a pass makes of the environments and queues as listed.
void BuildTopology(const std::vector<ComputeEnvironment>& environments,
                   const std::vector<JobQueue>& queues, PassInput& input) {
  std::map<std::string_view, const std::string*> name_of_arn;
  for (const ComputeEnvironment& ce : environments) {
    name_of_arn[ce.arn] = &ce.name;
    if (Usable(ce.state, ce.status)) {
      input.usable_environments.insert(ce.name);
      input.executor_of.emplace(ce.name, ExecutorOf(ce));
    }
  }
  for (const JobQueue& queue : queues) {
    if (!Usable(queue.state, queue.status)) continue;
    std::vector<ComputeEnvironmentOrder> order = queue.compute_environment_order;
    std::ranges::stable_sort(order, {}, &ComputeEnvironmentOrder::order);
    QueueView view{.priority = queue.priority};
    for (const ComputeEnvironmentOrder& entry : order) {
      auto known = name_of_arn.find(entry.compute_environment);
      const std::string& name =
          known != name_of_arn.end() ? *known->second : entry.compute_environment;  // A bare name.
      if (input.usable_environments.contains(name)) view.environments.push_back(name);
    }
    input.queues.emplace(queue.name, std::move(view));
  }
}

bool HasFreeCapacity(const AgentRegistry& registry) {
  bool found = false;
  registry.VisitNodesWithFreeCpu(
      [&](const std::string&, const AgentInfo&, const Resources& free, bool accepting_work) {
        found = found || (accepting_work && free.memory_mib > 0);
      });
  return found;
}

// A new attempt on the placement's agent, and the job moved to STARTING.
Status Place(Job& job, const scheduler::Placement& placement, const AgentInfo& agent,
             Timestamp now) {
  Attempt attempt{.id = NewUuid(),
                  .number = static_cast<int32_t>(job.attempts.size()) + 1,
                  .agent_id = placement.agent_id,
                  .instance_id = agent.instance_id,
                  .compute_environment = placement.compute_environment};
  BARGE_RETURN_IF_ERROR(Transition(job, JobStatus::kStarting, now));
  if (IsPlacementReason(job.status_reason)) job.status_reason.clear();
  job.attempts.push_back(std::move(attempt));
  return Ok();
}

// A registered agent that can run its environment's executor, as a pass sees it.
struct UsableNode {
  const std::string* agent_id = nullptr;  // The registry's, alive for the pass.
  const AgentInfo* info = nullptr;
  Resources free{};
  bool accepting_work = false;
};

}  // namespace

struct Dispatcher::Topology {
  std::optional<uint64_t> version{};  // The store's TopologyVersion when listed.
  std::vector<ComputeEnvironment> environments{};
  std::vector<JobQueue> queues{};
  PassInput input{};
};

Dispatcher::~Dispatcher() = default;

// topology_ from the store's environments and queues: not listed again while
// the store's TopologyVersion stays the same, and built again only when the
// listing differs from the last pass's (most passes follow an exit and see
// the same ones).
Status Dispatcher::ReadTopology(StoreTransaction& txn) {
  std::optional<uint64_t> version = txn.TopologyVersion();
  if (topology_ && version && topology_->version == version) return Ok();
  Result<std::vector<ComputeEnvironment>> environments = txn.ListComputeEnvironments();
  if (!environments) return environments.error();
  Result<std::vector<JobQueue>> queues = txn.ListJobQueues();
  if (!queues) return queues.error();
  if (!topology_ || topology_->environments != *environments || topology_->queues != *queues) {
    auto built = std::make_unique<Topology>(
        Topology{.environments = std::move(*environments), .queues = std::move(*queues)});
    BuildTopology(built->environments, built->queues, built->input);
    topology_ = std::move(built);
  }
  topology_->version = version;
  return Ok();
}

Dispatcher::Dispatcher(Store& store, const Clock& clock, AgentRegistry& registry,
                       const scheduler::Planner& planner, DispatcherOptions options)
    : store_(store),
      clock_(clock),
      registry_(registry),
      planner_(planner),
      options_(std::move(options)) {}

void Dispatcher::JobRunnable(const Job& job) {
  index_.Upsert(job);
  new_runnable_.insert(job.id);
  Wake();
}

void Dispatcher::StopAttempt(const Job& job, const std::string& reason) {
  const Attempt* attempt = job.current_attempt();
  if (attempt == nullptr) return;
  const PlacedAttempt* placed = registry_.FindAttempt(attempt->id);
  if (placed == nullptr) return;  // Its agent is gone: the lease sweep ends it.
  if (!registry_.IsUndelivered(attempt->id)) {
    registry_.QueueKill(
        {.attempt_id = attempt->id, .reason = reason, .grace_ms = options_.kill_grace_ms});
    return;
  }
  // No agent has seen it: withdraw it instead of asking an agent to kill it.
  std::string attempt_id = attempt->id;
  registry_.RemoveAttempt(attempt_id);
  Timestamp now = clock_.Now();
  auto withdrawn = MutateJob(store_, job.id,
                             [&](Job& fresh) { return RecordWithdrawn(fresh, attempt_id, now); });
  if (!withdrawn) {
    spdlog::error("job {}: cannot record the withdrawn attempt {}: {}", job.id, attempt_id,
                  withdrawn.error().message);
  }
  RequestFullPass();
}

void Dispatcher::RequestFullPass() {
  full_pass_due_ = true;
  ++full_pass_requests_;
  Wake();
}

void Dispatcher::Wake() {
  if (options_.wake) options_.wake();
}

Result<int> Dispatcher::Tick() {
  Timestamp now = clock_.Now();
  if (!loaded_at_) {
    BARGE_RETURN_IF_ERROR(index_.Load(store_));
    loaded_at_ = now;
    full_pass_due_ = true;
  } else if (now - *loaded_at_ >= options_.rescan_period) {
    index_.StartRescan();
    loaded_at_ = now;
  }
  if (index_.rescanning()) {
    // One page per tick, so a large backlog never stalls the control thread.
    Result<size_t> missing = index_.RescanStep(store_, options_.rescan_page);
    if (!missing) return missing.error();
    if (*missing > 0) full_pass_due_ = true;
  }
  bool full = std::exchange(full_pass_due_, false);
  if (!full && new_runnable_.empty()) return 0;
  Result<int> placed = Pass(full);
  if (!placed) full_pass_due_ = true;
  return placed;
}

Result<int> Dispatcher::Pass(bool full) {
  std::set<std::string> wanted = std::exchange(new_runnable_, {});
  // Nothing new can start, and the full pass that runs once capacity frees
  // sees these jobs.
  if (!full && !HasFreeCapacity(registry_)) return 0;
  PassResult result;
  BARGE_RETURN_IF_ERROR(store_.Transact([&](StoreTransaction& txn) -> Status {
    result = PassResult{.requests_seen = full_pass_requests_};
    return PlanAndPlace(txn, full, wanted, {}, result);
  }));
  return Publish(std::move(result));
}

Result<std::optional<Dispatcher::PassResult>> Dispatcher::FullPassWithin(
    StoreTransaction& txn, const std::map<std::string, Resources>& released) {
  if (!loaded_at_) return std::optional<PassResult>();  // The next Tick loads the index first.
  PassResult result;
  result.full = true;
  result.requests_seen = full_pass_requests_;
  result.covered = new_runnable_;
  BARGE_RETURN_IF_ERROR(PlanAndPlace(txn, /*full=*/true, {}, released, result));
  return std::optional<PassResult>(std::move(result));
}

Status Dispatcher::PlanAndPlace(StoreTransaction& txn, bool full,
                                const std::set<std::string>& wanted,
                                const std::map<std::string, Resources>& released,
                                PassResult& result) {
  BARGE_RETURN_IF_ERROR(ReadTopology(txn));
  const PassInput& input = topology_->input;

  // The planner sees only the nodes that can run their environment's
  // executor. Environments whose agents all lack it give their queues' jobs
  // a reason instead (no_executor_reason), once per queue. Which
  // environments have such nodes, and one node per environment and capacity
  // (see below), depend only on who is registered: kept between passes.
  RefreshMembership(input.executor_of);
  const std::set<std::string>& environments_with_nodes = membership_.environments_with_nodes;
  const std::set<std::string>& environments_without_executor =
      membership_.environments_without_executor;
  std::vector<UsableNode> usable;  // In agent id order: the planner's.
  usable.reserve(registry_.nodes_with_free_cpu() + released.size() +
                 membership_.one_per_capacity.size());
  // Whether an agent can run its environment's executor, worked out again
  // only when the environment or executors differ from the last agent's
  // (agents mostly share both). The registry does not change during a pass.
  const std::string* last_environment = nullptr;
  const std::vector<std::string>* last_executors = nullptr;
  bool last_can_run = false;
  auto can_run = [&](const AgentInfo& info) {
    if (membership_.every_node_can_run) return true;
    if (last_environment == nullptr || *last_environment != info.compute_environment ||
        *last_executors != info.executors) {
      auto executor = input.executor_of.find(info.compute_environment);
      last_environment = &info.compute_environment;
      last_executors = &info.executors;
      last_can_run =
          executor != input.executor_of.end() && CanRun(info.executors, executor->second);
    }
    return last_can_run;
  };
  // Where agent `id` is or would go in `usable` (kept in id order).
  auto position_of = [&](std::string_view id) {
    return std::ranges::lower_bound(
        usable, id, {}, [](const UsableNode& n) { return std::string_view(*n.agent_id); });
  };
  auto consider = [&](const std::string& id, const AgentInfo& info, const Resources& free,
                      bool accepting_work) {
    if (!can_run(info)) return;
    UsableNode node{.agent_id = &id, .info = &info, .free = free, .accepting_work = accepting_work};
    // Visits come in id order, so a node mostly goes at the end; one
    // considered before keeps its first entry.
    if (usable.empty() || *usable.back().agent_id < id) {
      usable.push_back(node);
      return;
    }
    auto at = position_of(id);
    if (at == usable.end() || *at->agent_id != id) usable.insert(at, node);
  };
  auto consider_id = [&](const std::string& id) { registry_.VisitNode(id, consider); };
  // The nodes with free vCPUs (and those this pass frees) are the only ones
  // a job that wants a vCPU can go to. The first visit fills the empty list
  // in id order.
  registry_.VisitNodesWithFreeCpu([&](const std::string& id, const AgentInfo& info,
                                      const Resources& free, bool accepting_work) {
    if (can_run(info)) {
      usable.push_back(
          {.agent_id = &id, .info = &info, .free = free, .accepting_work = accepting_work});
    }
  });
  for (const auto& [id, freed] : released) {
    consider_id(id);
    auto at = position_of(id);
    if (at == usable.end() || *at->agent_id != id) continue;
    at->free.millicpus += freed.millicpus;
    at->free.memory_mib += freed.memory_mib;
    at->free.gpus += freed.gpus;
  }
  int64_t free_millicpus = 0;
  for (const UsableNode& node : usable) free_millicpus += std::max<int64_t>(0, node.free.millicpus);
  // What a pass needs of each queue, decided once per queue rather than per
  // waiting job: the view, whether any environment has usable nodes, whether
  // the fleet controller scales one, and (without nodes) why.
  struct QueueContext {
    const QueueView* view = nullptr;
    bool has_nodes = false;
    bool scaled = false;
    std::string no_executor_reason{};
  };
  std::map<std::string_view, QueueContext> contexts;  // By queue name.
  for (const auto& [name, queue] : input.queues) {
    QueueContext context{.view = &queue};
    for (const std::string& environment : queue.environments) {
      context.has_nodes = context.has_nodes || environments_with_nodes.contains(environment);
      context.scaled = context.scaled || scaled_environments_.contains(environment);
    }
    if (!context.has_nodes) {
      for (const std::string& environment : queue.environments) {
        if (!environments_without_executor.contains(environment)) continue;
        context.no_executor_reason =
            NoExecutorReason(environment, input.executor_of.at(environment));
        break;
      }
    }
    contexts.emplace(name, std::move(context));
  }

  // Candidates point into the index, which changes only in Publish. A job of
  // a queue that has no usable node at all cannot be placed and the planner
  // would give it no reason, so it is not planned: it gets the queue's
  // no-executor reason, or loses a stale placement reason (below).
  struct Candidate {
    const RunnableEntry* entry = nullptr;
    const QueueContext* queue = nullptr;
  };
  std::vector<Candidate> candidates;
  std::vector<Candidate> without_nodes;
  auto add = [&](const RunnableEntry* entry, const QueueContext& queue) {
    (queue.has_nodes ? candidates : without_nodes).push_back({entry, &queue});
  };
  // Per array, the children taken into this pass: under a maxConcurrency
  // cap they count as starting.
  std::map<std::string, int32_t, std::less<>> taken;
  RunnableIndex::Accept may_start;
  if (start_filter_) {
    may_start = [&](const RunnableEntry& entry) {
      size_t colon = entry.id.rfind(':');
      if (colon == std::string::npos) return true;
      int32_t& extra = taken[entry.id.substr(0, colon)];
      if (!start_filter_(entry.id, extra)) return false;
      ++extra;
      return true;
    };
  }
  size_t window =
      std::max<size_t>(options_.min_window, 2 * static_cast<size_t>(free_millicpus / 1000));
  // A full pass whose waiting jobs are all one queue's may walk them only as
  // far as it must (below): that queue, and the least any of its jobs asks
  // for (the index keeps what its jobs ask for).
  const std::string* walk_queue = nullptr;
  const QueueContext* walk_context = nullptr;
  const RunnableIndex::QueueSummary* walk_summary = nullptr;
  if (full && planner_.KeepsQueueOrder()) {
    for (const auto& [name, queue] : input.queues) {
      const RunnableIndex::QueueSummary* summary = index_.Summary(name);
      if (summary == nullptr) continue;
      if (walk_summary != nullptr) {  // A second queue: the planner merges them.
        walk_summary = nullptr;
        break;
      }
      walk_queue = &name;
      walk_context = &contexts.at(name);
      walk_summary = summary;
    }
    // Jobs with reasons, or fleet reasons to give, need the whole window.
    bool reasons = walk_summary == nullptr || walk_summary->with_reason > 0 ||
                   (walk_context->scaled && !fleet_reasons_.empty());
    if (reasons || !walk_context->has_nodes) walk_summary = nullptr;
  }
  auto collect = [&] {
    if (full) {
      for (const auto& [name, queue] : input.queues) {
        const QueueContext& context = contexts.at(name);
        for (const RunnableEntry* entry : index_.Oldest(name, window, may_start)) {
          add(entry, context);
        }
      }
      return;
    }
    for (const std::string& id : wanted) {
      const RunnableEntry* entry = index_.Find(id);
      if (entry == nullptr || (may_start && !may_start(*entry))) continue;
      auto queue = contexts.find(entry->queue);
      if (queue != contexts.end()) add(entry, queue->second);
    }
  };

  // A node whose free capacity does not cover the componentwise smallest
  // request covers none, and free capacity only shrinks during a pass: such
  // a node can take nothing. Of those only one per environment and capacity
  // goes to the planner, which still needs it to tell "too large for every
  // node" (a reason) from "wait". A pass over a full fleet of thousands of
  // agents so plans over the few with room.
  std::optional<Resources> smallest;
  if (walk_summary != nullptr) {
    for (const auto& [shape, count] : walk_summary->requests) {
      Resources asked = RunnableIndex::QueueSummary::RequestOf(shape);
      smallest = smallest ? scheduler::ComponentMin(*smallest, asked) : asked;
    }
  } else {
    collect();
    if (candidates.empty() && without_nodes.empty()) return Ok();
    for (const Candidate& candidate : candidates) {
      const Resources& request = candidate.entry->request;
      smallest = smallest ? scheduler::ComponentMin(*smallest, request) : request;
    }
  }
  scheduler::Snapshot snapshot;
  if (smallest && smallest->millicpus <= 0) {
    registry_.VisitNodes(consider);  // A job without vCPUs fits nodes without free ones.
  }
  for (const std::string& id : membership_.one_per_capacity) consider_id(id);
  for (const UsableNode& node : usable) {
    bool may_take = node.accepting_work && smallest && scheduler::Covers(node.free, *smallest);
    if (!may_take && !membership_.one_per_capacity.contains(*node.agent_id)) continue;
    const Resources& capacity = node.info->capacity;
    snapshot.nodes.push_back({.agent_id = *node.agent_id,
                              .compute_environment = node.info->compute_environment,
                              .capacity = capacity,
                              .free = node.free,
                              .accepting_work = node.accepting_work});
  }
  auto pending = [](const Candidate& candidate) {
    const RunnableEntry& entry = *candidate.entry;
    const QueueView& queue = *candidate.queue->view;
    return scheduler::PendingJob{.id = entry.id,
                                 .queue = entry.queue,
                                 .queue_priority = queue.priority,
                                 .compute_environments = queue.environments,
                                 .request = entry.request,
                                 .runnable_since = entry.created_at,
                                 .scheduling_priority = entry.scheduling_priority};
  };
  // Per queue: the capacities of its environments' nodes in the snapshot
  // (what "could this job ever run here" is judged by).
  std::map<const QueueContext*, std::vector<Resources>> capacities_of;
  auto capacities = [&](const QueueContext& queue) -> const std::vector<Resources>& {
    auto [it, added] = capacities_of.try_emplace(&queue);
    if (added) {
      for (const scheduler::NodeView& node : snapshot.nodes) {
        if (std::ranges::find(queue.view->environments, node.compute_environment) !=
            queue.view->environments.end()) {
          it->second.push_back(node.capacity);
        }
      }
    }
    return it->second;
  };
  auto could_ever_fit = [&](const QueueContext& queue, const Resources& request) {
    return std::ranges::any_of(capacities(queue), [&](const Resources& capacity) {
      return scheduler::Covers(capacity, request);
    });
  };
  // The walk also needs every job of the queue to fit some node once empty
  // (else some would get the resource-requirement reason), unless the fleet
  // controller scales the queue's environments (whose reasons are its own).
  if (walk_summary != nullptr && !walk_context->scaled) {
    bool all_fit = std::ranges::all_of(walk_summary->requests, [&](const auto& entry) {
      return could_ever_fit(*walk_context, RunnableIndex::QueueSummary::RequestOf(entry.first));
    });
    if (!all_fit) {
      walk_summary = nullptr;
      collect();
    }
  }

  // statusReason of the jobs that stay RUNNABLE (below), as the planner
  // gives them.
  std::map<std::string, std::string, std::less<>> reason_of;
  scheduler::PlanResult plan;
  if (walk_summary != nullptr) {
    // The walk: the queue's jobs, oldest first (the planner's order for one
    // queue), offered one at a time, up to the window. Once no node taking
    // work has room for the least any job of the queue asks for, no job
    // further down can start, and none of them has a reason to change (the
    // queue has none, and the planner would give none): the pass stops
    // there, with what a pass over the whole window gives. After an exit it
    // so plans the few jobs up to the one that fills the freed slot.
    scheduler::PlanSession session(planner_, std::move(snapshot.nodes));
    // Room changes only when a job is placed.
    bool room = !session.NoRoomFor(*smallest);
    size_t placed = 0;
    // Requests offered without finding a node. Free capacity only shrinks,
    // so a job asking at least as much finds none either: a head of jobs
    // too wide for the slots that free up is stepped over, not offered.
    // A stepped-over job counts towards the window but is not kept as a
    // candidate: it has no reason (the walk's queue has none) and gets
    // none, so nothing below concerns it.
    std::vector<Resources> refused;
    size_t walked = 0;
    index_.VisitOldest(*walk_queue, [&](const Resources& request, const RunnableEntry& entry) {
      if (!room || walked >= window) return false;
      if (may_start && !may_start(entry)) return true;
      ++walked;
      if (std::ranges::any_of(
              refused, [&](const Resources& less) { return scheduler::Covers(request, less); })) {
        return true;
      }
      candidates.push_back({&entry, walk_context});
      session.Offer(pending(candidates.back()));
      if (session.placed() != placed) {
        placed = session.placed();
        room = !session.NoRoomFor(*smallest);
      } else {
        refused.push_back(request);
      }
      return true;
    });
    plan = session.Take();
  } else {
    // A candidate that no node's free capacity covers cannot start in this
    // pass (free capacity only shrinks in it), and leaving it out changes
    // no other job's placement: the planner only skips such jobs. It is not
    // planned; its reason is what the planner would give it, decided here
    // from the same nodes: the resource-requirement reason when no node of
    // its queue's environments could ever hold it.
    std::vector<Resources> room;  // Free capacity of the nodes taking work.
    for (const scheduler::NodeView& node : snapshot.nodes) {
      if (node.accepting_work) room.push_back(node.free);
    }
    snapshot.jobs.reserve(candidates.size());
    for (const Candidate& candidate : candidates) {
      const Resources& request = candidate.entry->request;
      bool fits_room = std::ranges::any_of(
          room, [&](const Resources& free) { return scheduler::Covers(free, request); });
      if (fits_room) {
        snapshot.jobs.push_back(pending(candidate));
      } else if (!capacities(*candidate.queue).empty() &&
                 !could_ever_fit(*candidate.queue, request)) {
        reason_of[candidate.entry->id] = std::string(scheduler::kJobResourceRequirementReason);
      }
    }
    plan = planner_.Plan(std::move(snapshot));
  }

  // statusReason of the jobs that stay RUNNABLE, written (by Publish) only
  // when it changes. A job without a reason that none is wanted for (the
  // common case: it waits its turn) is passed over without a lookup.
  for (scheduler::Unplaceable& u : plan.unplaceable) reason_of[u.job_id] = std::move(u.reason);
  // The placed jobs, gathered only when a candidate with a reason asks.
  std::optional<std::unordered_set<std::string_view>> planned;
  auto is_planned = [&](std::string_view id) {
    if (!planned) {
      planned.emplace();
      for (const scheduler::Placement& placement : plan.placements) {
        planned->insert(placement.job_id);
      }
    }
    return planned->contains(id);
  };
  auto want = [&](const Candidate& candidate, const std::string* reason) {
    const RunnableEntry& entry = *candidate.entry;
    // Jobs of queues with a scaled environment wait for capacity the fleet
    // controller launches: their reason is the controller's, if any.
    if (candidate.queue->scaled) {
      auto fleet_reason = fleet_reasons_.find(entry.id);
      reason = fleet_reason != fleet_reasons_.end() ? &fleet_reason->second : nullptr;
    }
    static const std::string kNoReason;
    const std::string& wanted_reason = reason != nullptr ? *reason
                                       : IsPlacementReason(entry.status_reason)
                                           ? kNoReason
                                           : entry.status_reason;
    if (wanted_reason != entry.status_reason) result.reasons.emplace_back(entry.id, wanted_reason);
  };
  for (const Candidate& candidate : candidates) {
    const RunnableEntry& entry = *candidate.entry;
    bool none_wanted = candidate.queue->scaled ? fleet_reasons_.empty() : reason_of.empty();
    if (entry.status_reason.empty() && none_wanted) continue;
    if (is_planned(entry.id)) continue;
    auto reason = reason_of.find(entry.id);
    want(candidate, reason != reason_of.end() ? &reason->second : nullptr);
  }
  for (const Candidate& candidate : without_nodes) {
    const std::string& reason = candidate.queue->no_executor_reason;
    want(candidate, reason.empty() ? nullptr : &reason);
  }

  // Placements, each on the job as the store holds it now.
  Timestamp now = clock_.Now();
  for (const scheduler::Placement& placement : plan.placements) {
    const AgentInfo* agent = registry_.Find(placement.agent_id);
    std::optional<PassResult::Placed> placed;
    Result<bool> changed =
        agent == nullptr
            ? Result<bool>(false)
            : txn.MutateJob(placement.job_id, [&](Job& job) -> Result<bool> {
                if (job.status != JobStatus::kRunnable) return false;
                BARGE_RETURN_IF_ERROR(Place(job, placement, *agent, now));
                const Attempt& attempt = job.attempts.back();
                placed = PassResult::Placed{
                    .attempt = {.attempt_id = attempt.id,
                                .agent_id = attempt.agent_id,
                                .job_id = job.id,
                                .reserved = job.request,
                                .log_stream_name = LogStreamName(job, attempt.id)},
                    .assignment = protocol::Share(BuildAssignment(
                        job, attempt, input.executor_of.at(placement.compute_environment)))};
                return true;
              });
    if (!changed && changed.error().code != ErrorCode::kNotFound) return changed.error();
    if (!changed || !*changed) {
      result.stale.push_back(placement.job_id);
      continue;
    }
    result.placed.push_back(std::move(*placed));
  }
  return Ok();
}

Result<int> Dispatcher::Publish(PassResult result) {
  if (result.full) {
    // It was a full pass: it covered what a due one would have, except the
    // jobs that became RUNNABLE after it was planned, and what a full pass
    // requested since then (say, by the commit of that very pass) is for.
    if (full_pass_requests_ == result.requests_seen) full_pass_due_ = false;
    for (const std::string& id : result.covered) new_runnable_.erase(id);
  }
  for (const std::string& id : result.stale) index_.Remove(id);
  // A stale job held capacity in the plan that nothing used: plan again.
  if (!result.stale.empty()) RequestFullPass();
  for (PassResult::Placed& placed : result.placed) {
    index_.Remove(placed.attempt.job_id);
    registry_.AddAttempt(std::move(placed.attempt));
    registry_.QueueAssignment(std::move(placed.assignment));
  }
  for (const auto& [id, reason] : result.reasons) {
    if (Status written = SetReason(id, reason); !written) {
      full_pass_due_ = true;  // Retried by the next tick.
      return written.error();
    }
  }
  return static_cast<int>(result.placed.size());
}

void Dispatcher::RefreshMembership(const std::map<std::string, ExecutorKind>& executor_of) {
  if (membership_.valid && membership_.version == registry_.membership_version() &&
      membership_.executor_of == executor_of) {
    return;
  }
  membership_ = Membership{
      .valid = true, .version = registry_.membership_version(), .executor_of = executor_of};
  // The lowest id of the agents that can run their environment's executor,
  // per environment and capacity.
  std::map<std::tuple<std::string_view, int64_t, int64_t, int64_t>, std::string_view> first_of;
  registry_.VisitNodeShapes([&](const NodeShape& shape, const std::string& first_id) {
    const std::string& environment = shape.compute_environment;
    auto executor = executor_of.find(environment);
    if (executor == executor_of.end()) {
      membership_.every_node_can_run = false;
      return;
    }
    if (!CanRun(shape.executors, executor->second)) {
      membership_.every_node_can_run = false;
      membership_.environments_without_executor.insert(environment);
      return;
    }
    membership_.environments_with_nodes.insert(environment);
    const Resources& capacity = shape.capacity;
    auto [first, added] = first_of.try_emplace(
        {environment, capacity.millicpus, capacity.memory_mib, capacity.gpus}, first_id);
    if (!added && std::string_view(first_id) < first->second) first->second = first_id;
  });
  for (const auto& [capacity, id] : first_of) membership_.one_per_capacity.emplace(id);
}

void Dispatcher::SetFleetView(std::set<std::string> scaled_environments,
                              std::map<std::string, std::string> reasons) {
  if (scaled_environments == scaled_environments_ && reasons == fleet_reasons_) return;
  scaled_environments_ = std::move(scaled_environments);
  fleet_reasons_ = std::move(reasons);
  RequestFullPass();
}

Status Dispatcher::SetReason(const std::string& id, const std::string& reason) {
  bool still_runnable = true;
  auto written = MutateJob(store_, id, [&](Job& job) -> Result<Applied> {
    still_runnable = job.status == JobStatus::kRunnable;
    if (!still_runnable || job.status_reason == reason) return Applied::kIgnored;
    job.status_reason = reason;
    return Applied::kChanged;
  });
  if (!written) return written.error();
  if (still_runnable) {
    index_.SetReason(id, reason);
  } else {
    index_.Remove(id);
  }
  return Ok();
}

}  // namespace barge::control
