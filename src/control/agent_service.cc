#include "control/agent_service.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "control/assignment_builder.h"
#include "control/attempt_transitions.h"
#include "control/executor_choice.h"
#include "control/job_mutation.h"
#include "control/transact.h"
#include "core/arn.h"
#include "util/uuid.h"

namespace barge::control {
namespace {

Error UnknownAgent(const std::string& id) { return NotFound("agent " + id + " is not registered"); }

std::string KillReasonForStale() { return "attempt is no longer wanted by the server"; }

Resources ToResources(const protocol::Capacity& capacity) {
  return {
      .millicpus = capacity.millicpus, .memory_mib = capacity.memory_mib, .gpus = capacity.gpus};
}

// The job's live attempt if it is `attempt_id`.
const Attempt* LiveAttempt(const Job& job, const std::string& attempt_id) {
  if (job.status != JobStatus::kStarting && job.status != JobStatus::kRunning) return nullptr;
  const Attempt* attempt = job.current_attempt();
  return attempt != nullptr && attempt->id == attempt_id ? attempt : nullptr;
}

}  // namespace

AgentService::AgentService(Store& store, const Clock& clock, AgentRegistry& registry,
                           Dispatcher& dispatcher, AgentServiceOptions options)
    : store_(store),
      clock_(clock),
      registry_(registry),
      dispatcher_(dispatcher),
      options_(options) {}

int64_t AgentService::heartbeat_ms() const {
  return std::max<int64_t>(1, registry_.lease().count() / 3);
}

Status AgentService::Recover() {
  std::vector<Job> live;
  BARGE_RETURN_IF_ERROR(store_.Transact([&](StoreTransaction& txn) -> Status {
    Result<std::vector<Job>> jobs =
        txn.ListJobs({.statuses = {JobStatus::kStarting, JobStatus::kRunning}});
    if (!jobs) return jobs.error();
    live = std::move(jobs).value();
    return Ok();
  }));
  for (const Job& job : live) {
    const Attempt* attempt = job.current_attempt();
    if (attempt == nullptr || registry_.FindAttempt(attempt->id) != nullptr) continue;
    orphans_[attempt->id] = {.job_id = job.id, .agent_id = attempt->agent_id};
  }
  orphan_deadline_ = clock_.Now() + registry_.lease();
  return Ok();
}

Result<protocol::RegisterReply> AgentService::Register(const protocol::RegisterRequest& request) {
  if (request.protocol_version != protocol::kProtocolVersion) {
    return InvalidArgument("agent protocol version " + std::to_string(request.protocol_version) +
                           " is not supported; this server speaks " +
                           std::to_string(protocol::kProtocolVersion));
  }
  if (request.capacity.millicpus <= 0 || request.capacity.memory_mib <= 0 ||
      request.capacity.gpus < 0) {
    return InvalidArgument("agent capacity must have vCPUs and memory");
  }
  std::string environment = request.compute_environment;
  if (std::optional<ParsedArn> arn = ParseArn(environment);
      arn && arn->kind == ResourceKind::kComputeEnvironment) {
    environment = arn->id;
  }
  if (environment.empty()) return InvalidArgument("computeEnvironment is required");

  std::string id = request.agent_id.empty() ? NewUuid() : request.agent_id;
  // Attempts the server places on this agent: from its previous registration
  // in this process, or from the store after a restart.
  std::map<std::string, std::string> candidates;  // Attempt id -> job id.
  for (const PlacedAttempt& placed : registry_.AttemptsOn(id)) {
    candidates[placed.attempt_id] = placed.job_id;
  }
  for (const auto& [attempt_id, orphan] : orphans_) {
    if (orphan.agent_id == id) candidates[attempt_id] = orphan.job_id;
  }
  std::map<std::string, Job> jobs;
  // Executors of the environments the candidates' attempts were placed in
  // (normally just the agent's), for assignments sent again.
  std::map<std::string, ExecutorKind> executor_of;
  Status read = store_.Transact([&](StoreTransaction& txn) -> Status {
    jobs.clear();
    executor_of.clear();
    Result<ComputeEnvironment> ce = txn.GetComputeEnvironment(environment);
    if (!ce) {
      if (ce.error().code == ErrorCode::kNotFound) {
        return InvalidArgument("compute environment " + environment + " does not exist");
      }
      return ce.error();
    }
    executor_of.emplace(environment, ExecutorOf(*ce));
    for (const auto& [attempt_id, job_id] : candidates) {
      if (jobs.contains(job_id)) continue;
      Result<Job> job = txn.GetJob(job_id);
      if (job) {
        const Attempt* attempt = job->current_attempt();
        if (attempt != nullptr && !executor_of.contains(attempt->compute_environment)) {
          Result<ComputeEnvironment> other =
              txn.GetComputeEnvironment(attempt->compute_environment);
          if (!other && other.error().code != ErrorCode::kNotFound) return other.error();
          executor_of.emplace(attempt->compute_environment,
                              other ? ExecutorOf(*other) : executor_of.at(environment));
        }
        jobs.emplace(job_id, std::move(job).value());
      } else if (job.error().code != ErrorCode::kNotFound) {
        return job.error();
      }
    }
    return Ok();
  });
  if (!read) return read.error();

  AgentInfo info{.compute_environment = environment,
                 .instance_id = request.instance_id.empty() ? "i-" + id : request.instance_id,
                 .instance_type = request.instance_type,
                 .hostname = request.hostname,
                 .private_ipv4 = request.private_ipv4,
                 .capacity = ToResources(request.capacity),
                 .labels = request.labels,
                 .executors = request.executors};
  registry_.Add(id, std::move(info));

  std::set<std::string> listed(request.running_attempts.begin(), request.running_attempts.end());
  std::set<std::string> kills;
  for (const std::string& attempt_id : listed) {
    if (!candidates.contains(attempt_id)) kills.insert(attempt_id);  // Ended, unknown, elsewhere.
  }
  for (const auto& [attempt_id, job_id] : candidates) {
    auto job = jobs.find(job_id);
    const Attempt* live = job == jobs.end() ? nullptr : LiveAttempt(job->second, attempt_id);
    if (listed.contains(attempt_id)) {
      registry_.AddAttempt({.attempt_id = attempt_id,
                            .agent_id = id,
                            .job_id = job_id,
                            .reserved = job == jobs.end() ? Resources{} : job->second.request,
                            .log_stream_name = live != nullptr
                                                   ? LogStreamName(job->second, attempt_id)
                                                   : std::string()});
      if (live == nullptr) {
        kills.insert(attempt_id);
        registry_.QueueKill({.attempt_id = attempt_id, .reason = KillReasonForStale()});
      } else if (job->second.is_terminated) {
        registry_.QueueKill(
            {.attempt_id = attempt_id,
             .reason = job->second.stop_reason.value_or(std::string(kTerminatedByRequest))});
      }
      continue;
    }
    if (live == nullptr) continue;  // Ended while the agent was away.
    const Job& stored = job->second;
    if (stored.status == JobStatus::kStarting) {
      if (stored.is_terminated) {
        BARGE_RETURN_IF_ERROR(Withdraw(job_id, attempt_id));
        continue;
      }
      // The agent never got the assignment (or lost it before starting): send it again.
      registry_.AddAttempt({.attempt_id = attempt_id,
                            .agent_id = id,
                            .job_id = job_id,
                            .reserved = stored.request,
                            .log_stream_name = LogStreamName(stored, attempt_id)});
      auto executor = executor_of.find(live->compute_environment);
      registry_.QueueAssignment(BuildAssignment(
          stored, *live,
          executor != executor_of.end() ? executor->second : executor_of.at(environment)));
      continue;
    }
    if (Result<bool> lost = HostLost(job_id, attempt_id); !lost) return lost.error();
  }
  // Only now: should a store error above fail the registration, the agent's
  // next try finds its orphans still here.
  for (auto it = orphans_.begin(); it != orphans_.end();) {
    it = it->second.agent_id == id ? orphans_.erase(it) : std::next(it);
  }
  for (const std::string& pending : registry_.PendingKills(id)) kills.insert(pending);
  dispatcher_.RequestFullPass();
  return protocol::RegisterReply{.agent_id = id,
                                 .lease_ms = registry_.lease().count(),
                                 .heartbeat_ms = heartbeat_ms(),
                                 .kill_attempts = {kills.begin(), kills.end()}};
}

Result<protocol::HeartbeatReply> AgentService::Heartbeat(
    const protocol::HeartbeatRequest& request) {
  const std::string& id = request.agent_id;
  if (!registry_.Renew(id)) return UnknownAgent(id);
  std::set<std::string> kills;
  for (const std::string& attempt_id : request.running_attempts) {
    const PlacedAttempt* placed = registry_.FindAttempt(attempt_id);
    if (placed == nullptr || placed->agent_id != id) {
      kills.insert(attempt_id);
    } else {
      registry_.Acknowledge(attempt_id);
    }
  }
  // Assignments the agent should have by now but does not list: the poll
  // reply carrying them was lost.
  for (const std::string& attempt_id :
       registry_.Unacknowledged(id, request.running_attempts, registry_.lease())) {
    if (!registry_.HasKill(attempt_id)) {
      registry_.Undeliver(attempt_id);
      continue;
    }
    const PlacedAttempt* placed = registry_.FindAttempt(attempt_id);
    std::string job_id = placed->job_id;
    registry_.RemoveAttempt(attempt_id);
    BARGE_RETURN_IF_ERROR(Withdraw(job_id, attempt_id));
    dispatcher_.RequestFullPass();
  }
  for (const std::string& pending : registry_.PendingKills(id)) kills.insert(pending);
  return protocol::HeartbeatReply{.lease_ms = registry_.lease().count(),
                                  .kill_attempts = {kills.begin(), kills.end()},
                                  .instance_action = registry_.InstanceActionOf(id)};
}

Status AgentService::Poll(const protocol::PollRequest& request, AgentRegistry::PollDone done) {
  if (!registry_.Renew(request.agent_id)) return UnknownAgent(request.agent_id);
  registry_.Poll(request.agent_id, Duration(std::max<int64_t>(0, request.wait_ms)),
                 std::move(done));
  return Ok();
}

Status AgentService::Events(const protocol::EventsRequest& request) {
  if (!registry_.Renew(request.agent_id)) return UnknownAgent(request.agent_id);
  struct Known {
    const protocol::AttemptEvent* event = nullptr;
    const PlacedAttempt* placed = nullptr;  // The registry's (it stays until RemoveAttempt).
    std::string job_id{};
    // Exits only (and only when ended streams are remembered): the
    // attempt's log stream, kept once it ended.
    std::string stream{};
    Timestamp at{};
  };
  std::vector<Known> known;
  for (const protocol::AttemptEvent& event : request.events) {
    const PlacedAttempt* placed = registry_.FindAttempt(event.attempt_id);
    // Stale or not its own.
    if (placed == nullptr || placed->agent_id != request.agent_id) continue;
    bool exited = event.kind == protocol::EventKind::kExited;
    known.push_back({.event = &event,
                     .placed = placed,
                     .job_id = placed->job_id,
                     .stream = exited && options_.remembered_streams > 0 ? placed->log_stream_name
                                                                         : std::string(),
                     .at = event.at_ms > 0 ? FromEpochMillis(event.at_ms) : clock_.Now()});
    registry_.Acknowledge(event.attempt_id);
  }
  if (known.empty()) return Ok();

  // One transaction (one fsync) for the whole batch: an agent reports the
  // start and the exit of many short jobs together. A job named twice
  // (started, then exited) is read once and written once.
  // Exits free their attempts' resources: the full pass they make due runs
  // inside the same transaction, planned as if those were free already, so an
  // exit and the placement it makes room for share one commit (one fsync on
  // the path from one job's end to the next one's start). Without
  // pass_within_exits the dispatcher's next tick plans them instead.
  std::map<std::string, Resources> released;  // Per agent id.
  if (options_.pass_within_exits) {
    std::set<std::string_view> exited;  // Views of the request's attempt ids.
    for (const Known& k : known) {
      if (k.event->kind != protocol::EventKind::kExited) continue;
      if (!exited.insert(k.event->attempt_id).second) continue;  // Named twice.
      Resources& freed = released[k.placed->agent_id];
      freed.millicpus += k.placed->reserved.millicpus;
      freed.memory_mib += k.placed->reserved.memory_mib;
      freed.gpus += k.placed->reserved.gpus;
    }
  }
  std::map<std::string, Job> retried;  // Changed jobs that are RUNNABLE again, as written.
  std::optional<Dispatcher::PassResult> pass;
  Status committed = TransactWithRetry(store_, [&](StoreTransaction& txn) -> Status {
    retried.clear();
    pass.reset();
    // Each job read and written once, in id order, its events applied in
    // the order they came.
    std::vector<const Known*> by_job;
    by_job.reserve(known.size());
    for (const Known& k : known) by_job.push_back(&k);
    // (A request mostly names one job: nothing to sort, nor a buffer to sort in.)
    if (by_job.size() > 1) {
      std::ranges::stable_sort(by_job, {},
                               [](const Known* k) -> const std::string& { return k->job_id; });
    }
    for (size_t first = 0, end = 0; first < by_job.size(); first = end) {
      const std::string& id = by_job[first]->job_id;
      end = first + 1;
      while (end < by_job.size() && by_job[end]->job_id == id) ++end;
      Result<bool> changed = txn.MutateJob(id, [&](Job& job) -> Result<bool> {
        bool any = false;
        for (size_t i = first; i < end; ++i) {
          const Known& k = *by_job[i];
          const protocol::AttemptEvent& event = *k.event;
          Result<Applied> applied =
              event.kind == protocol::EventKind::kStarted
                  ? RecordStarted(job, event.attempt_id, k.at)
                  : RecordExited(job, event.attempt_id, k.at, event.exit_code, event.reason);
          if (!applied) return applied.error();
          any = any || *applied == Applied::kChanged;
        }
        if (any && job.status == JobStatus::kRunnable) {
          Job& kept = retried.insert_or_assign(id, job).first->second;
          ++kept.version;  // As written.
        }
        return any;
      });
      if (!changed && changed.error().code != ErrorCode::kNotFound) return changed.error();
    }
    if (!released.empty()) {
      Result<std::optional<Dispatcher::PassResult>> planned =
          dispatcher_.FullPassWithin(txn, released);
      if (!planned) return planned.error();
      pass = std::move(planned).value();
    }
    return Ok();
  });
  if (!committed) return committed;

  bool ended = false;
  for (Known& k : known) {
    if (k.event->kind != protocol::EventKind::kExited) continue;
    // Only now: until the process is gone its resources stay reserved,
    // also for an attempt that already failed (timeout) or was terminated.
    registry_.RemoveAttempt(k.event->attempt_id);
    RememberStream(k.event->attempt_id, std::move(k.stream));
    ended = true;
  }
  if (pass) {
    // A failure here is a statusReason not written; the next tick retries it.
    if (Result<int> placed = dispatcher_.Publish(std::move(*pass)); !placed) {
      spdlog::warn("scheduling pass after exits: {}", placed.error().message);
    }
  } else if (ended) {
    dispatcher_.RequestFullPass();
  }
  for (const auto& [id, job] : retried) dispatcher_.JobRunnable(job);
  return Ok();
}

Status AgentService::Logs(const protocol::LogsRequest& request) {
  if (!registry_.Renew(request.agent_id)) return UnknownAgent(request.agent_id);
  if (request.lines.empty()) return Ok();
  std::string stream;
  if (const PlacedAttempt* placed = registry_.FindAttempt(request.attempt_id);
      placed != nullptr && placed->agent_id == request.agent_id) {
    stream = placed->log_stream_name;
  } else if (auto ended = ended_streams_.find(request.attempt_id); ended != ended_streams_.end()) {
    stream = ended->second;
  }
  if (stream.empty()) return Ok();
  if (request.first_sequence < 0) return InvalidArgument("firstSequence must not be negative");
  Timestamp now = clock_.Now();
  std::vector<LogEvent> events;
  events.reserve(request.lines.size());
  int64_t sequence = request.first_sequence;
  for (const protocol::LogLine& line : request.lines) {
    events.push_back({.sequence = sequence++,
                      .timestamp = FromEpochMillis(line.timestamp_ms),
                      .ingested_at = now,
                      .message = line.message});
  }
  return store_.Transact(
      [&](StoreTransaction& txn) { return txn.AppendLogEvents(stream, events); });
}

Result<int> AgentService::Tick() {
  registry_.Tick();
  int ended = 0;
  for (ExpiredAgent& agent : registry_.TakeExpired()) {
    for (const PlacedAttempt& attempt : agent.attempts) {
      Result<bool> lost = HostLost(attempt.job_id, attempt.attempt_id);
      if (!lost) return lost.error();  // The rest waits for the next tick.
      ended += *lost ? 1 : 0;
    }
    dispatcher_.RequestFullPass();
  }
  if (!orphans_.empty() && clock_.Now() >= orphan_deadline_) {
    while (!orphans_.empty()) {
      auto it = orphans_.begin();
      Result<bool> lost = HostLost(it->second.job_id, it->first);
      if (!lost) return lost.error();
      ended += *lost ? 1 : 0;
      orphans_.erase(it);
    }
    dispatcher_.RequestFullPass();
  }
  return ended;
}

Result<int> AgentService::HostTerminated(const std::string& agent_id) {
  std::optional<ExpiredAgent> gone = registry_.Remove(agent_id);
  if (!gone) return 0;
  int ended = 0;
  for (const PlacedAttempt& attempt : gone->attempts) {
    Result<bool> lost = HostLost(attempt.job_id, attempt.attempt_id);
    if (!lost) {
      // The rest are orphans now: the orphan sweep ends them one lease later.
      orphan_deadline_ = clock_.Now() + registry_.lease();
      for (const PlacedAttempt& left : gone->attempts) {
        orphans_[left.attempt_id] = Orphan{.job_id = left.job_id, .agent_id = agent_id};
      }
      return lost.error();
    }
    ended += *lost ? 1 : 0;
  }
  dispatcher_.RequestFullPass();
  return ended;
}

Result<bool> AgentService::HostLost(const std::string& job_id, const std::string& attempt_id) {
  Timestamp now = clock_.Now();
  auto lost =
      MutateJob(store_, job_id, [&](Job& job) { return RecordHostLost(job, attempt_id, now); });
  if (!lost) return lost.error();
  if (*lost && (*lost)->status == JobStatus::kRunnable) dispatcher_.JobRunnable(**lost);
  return lost->has_value();
}

Status AgentService::Withdraw(const std::string& job_id, const std::string& attempt_id) {
  Timestamp now = clock_.Now();
  auto withdrawn =
      MutateJob(store_, job_id, [&](Job& job) { return RecordWithdrawn(job, attempt_id, now); });
  if (!withdrawn) return withdrawn.error();
  return Ok();
}

void AgentService::RememberStream(const std::string& attempt_id, std::string stream) {
  if (stream.empty() || options_.remembered_streams == 0) return;
  if (!ended_streams_.emplace(attempt_id, std::move(stream)).second) return;
  ended_order_.push_back(attempt_id);
  while (ended_order_.size() > options_.remembered_streams) {
    ended_streams_.erase(ended_order_.front());
    ended_order_.pop_front();
  }
}

}  // namespace barge::control
