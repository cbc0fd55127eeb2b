#include "control/dispatcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <utility>

#include "control/assignment_builder.h"
#include "control/attempt_transitions.h"
#include "control/job_mutation.h"
#include "core/arn.h"
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
  std::vector<Job> jobs{};
};

bool Usable(ResourceState state, ResourceStatus status) {
  return state == ResourceState::kEnabled && status == ResourceStatus::kValid;
}

Status ReadTopology(StoreTransaction& txn, PassInput& input) {
  Result<std::vector<ComputeEnvironment>> environments = txn.ListComputeEnvironments();
  if (!environments) return environments.error();
  std::map<std::string, std::string> name_of_arn;
  for (const ComputeEnvironment& ce : *environments) {
    name_of_arn[ce.arn] = ce.name;
    if (Usable(ce.state, ce.status)) input.usable_environments.insert(ce.name);
  }
  Result<std::vector<JobQueue>> queues = txn.ListJobQueues();
  if (!queues) return queues.error();
  for (const JobQueue& queue : *queues) {
    if (!Usable(queue.state, queue.status)) continue;
    std::vector<ComputeEnvironmentOrder> order = queue.compute_environment_order;
    std::ranges::stable_sort(order, {}, &ComputeEnvironmentOrder::order);
    QueueView view{.priority = queue.priority};
    for (const ComputeEnvironmentOrder& entry : order) {
      auto known = name_of_arn.find(entry.compute_environment);
      std::string name =
          known != name_of_arn.end() ? known->second : entry.compute_environment;  // A bare name.
      if (input.usable_environments.contains(name)) view.environments.push_back(std::move(name));
    }
    input.queues.emplace(queue.name, std::move(view));
  }
  return Ok();
}

bool HasFreeCapacity(const std::vector<scheduler::NodeView>& nodes) {
  return std::ranges::any_of(nodes, [](const scheduler::NodeView& node) {
    return node.accepting_work && node.free.millicpus > 0 && node.free.memory_mib > 0;
  });
}

// A new attempt on the placement's agent, and the job moved to STARTING.
Status Place(Job& job, const scheduler::Placement& placement, const AgentInfo& agent,
             Timestamp now) {
  Attempt attempt{.id = NewUuid(),
                  .number = static_cast<int32_t>(job.attempts.size()) + 1,
                  .agent_id = placement.agent_id,
                  .instance_id = agent.instance_id,
                  .compute_environment = placement.compute_environment};
  attempt.log_stream_name = LogStreamName(job, attempt.id);
  BARGE_RETURN_IF_ERROR(Transition(job, JobStatus::kStarting, now));
  if (job.status_reason == scheduler::kJobResourceRequirementReason) job.status_reason.clear();
  job.attempts.push_back(std::move(attempt));
  return Ok();
}

}  // namespace

Dispatcher::Dispatcher(Store& store, const Clock& clock, AgentRegistry& registry,
                       const scheduler::Planner& planner, DispatcherOptions options)
    : store_(store),
      clock_(clock),
      registry_(registry),
      planner_(planner),
      options_(std::move(options)) {}

void Dispatcher::JobRunnable(const Job& job) {
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
  Wake();
}

void Dispatcher::Wake() {
  if (options_.wake) options_.wake();
}

Result<int> Dispatcher::Tick() {
  Timestamp now = clock_.Now();
  bool full = full_pass_due_ || now - last_full_pass_ >= options_.rescan_period;
  if (!full && new_runnable_.empty()) return 0;
  if (full) {
    full_pass_due_ = false;
    last_full_pass_ = now;
  }
  Result<int> placed = Pass(full);
  if (!placed && full) full_pass_due_ = true;
  return placed;
}

Result<int> Dispatcher::Pass(bool full) {
  std::set<std::string> wanted = std::exchange(new_runnable_, {});
  std::vector<scheduler::NodeView> nodes = registry_.Nodes();
  // Nothing new can start, and full passes (which run as soon as capacity
  // frees) will see these jobs.
  if (!full && !HasFreeCapacity(nodes)) return 0;

  int64_t free_millicpus = 0;
  for (const scheduler::NodeView& node : nodes)
    free_millicpus += std::max<int64_t>(0, node.free.millicpus);
  size_t window =
      std::max<size_t>(options_.min_window, 2 * static_cast<size_t>(free_millicpus / 1000));

  PassInput input;
  Status read = store_.Transact([&](StoreTransaction& txn) -> Status {
    input = PassInput{};
    BARGE_RETURN_IF_ERROR(ReadTopology(txn, input));
    if (full) {
      for (const auto& [name, queue] : input.queues) {
        Result<std::vector<Job>> jobs =
            txn.ListJobs({.queue = name, .statuses = {JobStatus::kRunnable}, .limit = window});
        if (!jobs) return jobs.error();
        std::ranges::move(*jobs, std::back_inserter(input.jobs));
      }
      return Ok();
    }
    for (const std::string& id : wanted) {
      Result<Job> job = txn.GetJob(id);
      if (!job) {
        if (job.error().code == ErrorCode::kNotFound) continue;
        return job.error();
      }
      if (job->status != JobStatus::kRunnable || !input.queues.contains(job->queue)) continue;
      input.jobs.push_back(std::move(job).value());
    }
    return Ok();
  });
  if (!read) {
    if (!full) new_runnable_.merge(wanted);
    return read.error();
  }

  scheduler::Snapshot snapshot;
  for (scheduler::NodeView& node : nodes) {
    if (input.usable_environments.contains(node.compute_environment)) {
      snapshot.nodes.push_back(std::move(node));
    }
  }
  std::map<std::string, Job*> by_id;
  for (Job& job : input.jobs) {
    const QueueView& queue = input.queues.at(job.queue);
    by_id[job.id] = &job;
    snapshot.jobs.push_back({.id = job.id,
                             .queue = job.queue,
                             .queue_priority = queue.priority,
                             .compute_environments = queue.environments,
                             .request = job.request,
                             .runnable_since = job.created_at,
                             .scheduling_priority = job.scheduling_priority});
  }
  scheduler::PlanResult plan = planner_.Plan(std::move(snapshot));

  // Placements: one transaction for the whole pass.
  Timestamp now = clock_.Now();
  std::vector<Job> placed;
  for (const scheduler::Placement& placement : plan.placements) {
    const AgentInfo* agent = registry_.Find(placement.agent_id);
    if (agent == nullptr) continue;
    Job job = *by_id.at(placement.job_id);
    if (Status status = Place(job, placement, *agent, now); !status) return status.error();
    placed.push_back(std::move(job));
  }
  Status committed = store_.Transact([&](StoreTransaction& txn) -> Status {
    for (const Job& job : placed) BARGE_RETURN_IF_ERROR(txn.UpdateJob(job));
    return Ok();
  });
  if (!committed) {
    if (committed.error().code != ErrorCode::kConflict) return committed.error();
    // Another writer changed one of them: place the rest one by one, each on
    // what the store holds now.
    std::vector<Job> survivors;
    for (Job& job : placed) {
      const Attempt attempt = job.attempts.back();
      auto one = MutateJob(store_, job.id, [&](Job& fresh) -> Result<Applied> {
        if (fresh.status != JobStatus::kRunnable) return Applied::kIgnored;
        BARGE_RETURN_IF_ERROR(Transition(fresh, JobStatus::kStarting, now));
        if (fresh.status_reason == scheduler::kJobResourceRequirementReason) {
          fresh.status_reason.clear();
        }
        Attempt renumbered = attempt;
        renumbered.number = static_cast<int32_t>(fresh.attempts.size()) + 1;
        fresh.attempts.push_back(std::move(renumbered));
        return Applied::kChanged;
      });
      if (!one) return one.error();
      if (*one) survivors.push_back(std::move(**one));
    }
    placed = std::move(survivors);
    full_pass_due_ = true;
  }
  for (const Job& job : placed) {
    const Attempt& attempt = job.attempts.back();
    registry_.AddAttempt({.attempt_id = attempt.id,
                          .agent_id = attempt.agent_id,
                          .job_id = job.id,
                          .reserved = job.request,
                          .log_stream_name = attempt.log_stream_name});
    registry_.QueueAssignment(BuildAssignment(job, attempt));
  }

  // statusReason of the jobs that stay RUNNABLE, written only when it changes.
  std::map<std::string, std::string> reason_of;
  for (scheduler::Unplaceable& u : plan.unplaceable) reason_of[u.job_id] = std::move(u.reason);
  std::set<std::string> placed_ids;
  for (const scheduler::Placement& placement : plan.placements) placed_ids.insert(placement.job_id);
  std::vector<Job> reasons;
  for (Job& job : input.jobs) {
    if (placed_ids.contains(job.id)) continue;
    auto reason = reason_of.find(job.id);
    std::string wanted_reason = reason != reason_of.end() ? reason->second
                                : job.status_reason == scheduler::kJobResourceRequirementReason
                                    ? std::string()
                                    : job.status_reason;
    if (wanted_reason == job.status_reason) continue;
    job.status_reason = std::move(wanted_reason);
    reasons.push_back(std::move(job));
  }
  if (!reasons.empty()) {
    Status written = store_.Transact([&](StoreTransaction& txn) -> Status {
      for (const Job& job : reasons) BARGE_RETURN_IF_ERROR(txn.UpdateJob(job));
      return Ok();
    });
    // A conflict means the job moved on; the next full pass looks again.
    if (!written && written.error().code != ErrorCode::kConflict) return written.error();
  }
  return static_cast<int>(placed.size());
}

}  // namespace barge::control
