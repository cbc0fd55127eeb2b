#include "agent/agent.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

namespace barge::agent {

using protocol::AttemptEvent;
using protocol::EventKind;

namespace {

std::chrono::milliseconds Millis(int64_t ms) { return std::chrono::milliseconds(ms); }

// Logs the first failure of a run loudly and the repeats quietly.
void LogFailure(const Backoff& backoff, std::string_view what, const Error& error) {
  if (backoff.failures() <= 1) {
    spdlog::warn("{} failed: {} (retrying)", what, error.message);
  } else {
    spdlog::debug("{} failed again ({} in a row): {}", what, backoff.failures(), error.message);
  }
}

}  // namespace

Agent::Agent(AgentChannel& channel, executor::Executor& executor, const Clock& clock,
             AgentOptions options)
    : channel_(channel),
      executor_(executor),
      clock_(clock),
      options_(std::move(options)),
      heartbeat_interval_(options_.heartbeat_interval),
      register_backoff_(options_.retry_initial, options_.retry_max),
      poll_backoff_(options_.retry_initial, options_.retry_max),
      events_backoff_(options_.retry_initial, options_.retry_max),
      logs_backoff_(options_.retry_initial, options_.retry_max) {}

Agent::~Agent() {
  channel_.CancelAll();
  executor_.SetExitCallback(nullptr);
  executor_.SetRunningCallback(nullptr);
}

Status Agent::Start() {
  Result<AgentIdentity> identity = LoadOrCreateIdentity(options_.state_dir, options_.instance_id);
  if (!identity) return identity.error();
  identity_ = *identity;
  Result<AttemptLedger> ledger = AttemptLedger::Open(options_.state_dir);
  if (!ledger) return ledger.error();
  ledger_.emplace(std::move(*ledger));
  Result<SpotNotice> spot = SpotNotice::Open(options_.state_dir, clock_.Now());
  if (!spot) return spot.error();
  spot_.emplace(std::move(*spot));

  executor_.SetExitCallback([this](const executor::AttemptResult& result) { OnExit(result); });
  executor_.SetRunningCallback(
      [this](const std::string& attempt_id, int64_t at_ms) { OnRunning(attempt_id, at_ms); });
  Result<std::vector<executor::RecoveredAttempt>> recovered = executor_.Recover();
  if (!recovered) return recovered.error();
  std::map<std::string, AttemptProgress> saved = ledger_->entries();
  Timestamp now = clock_.Now();
  for (const executor::RecoveredAttempt& found : *recovered) {
    Tracked tracked;
    auto it = saved.find(found.attempt_id);
    if (it != saved.end()) {
      tracked.progress = it->second;
      saved.erase(it);
    } else {
      tracked.progress = {.attempt_id = found.attempt_id, .started_at_ms = found.started_at_ms};
    }
    if (found.result) {
      tracked.progress.result = found.result;
      tracked.ended_seen_at = now;
    }
    spdlog::info("attempt {}: {} from an earlier run", found.attempt_id,
                 found.result ? "ended" : "still running, adopted");
    Save(tracked);
    attempts_.emplace(found.attempt_id, std::move(tracked));
  }
  // Ledger entries the executor no longer has: only their events are left to send.
  for (auto& [id, progress] : saved) {
    if (progress.result && progress.exited_acked) {
      ledger_->Remove(id);
      continue;
    }
    Tracked tracked{.progress = progress, .log_drained = true, .ended_seen_at = now};
    if (!tracked.progress.result) {
      tracked.progress.result = executor::AttemptResult{
          .attempt_id = id,
          .reason = "CannotInspectContainerError: the agent lost the attempt's state",
          .started_at_ms = progress.started_at_ms,
          .stopped_at_ms = ToEpochMillis(now)};
    }
    Save(tracked);
    attempts_.emplace(id, std::move(tracked));
  }
  Register();
  return Ok();
}

std::vector<std::string> Agent::TrackedAttempts() const {
  std::vector<std::string> ids;
  for (const auto& [id, tracked] : attempts_) ids.push_back(id);
  return ids;
}

void Agent::Register() {
  if (register_in_flight_) return;
  register_in_flight_ = true;
  protocol::RegisterRequest request{.agent_id = identity_.agent_id,
                                    .compute_environment = options_.compute_environment,
                                    .instance_id = identity_.instance_id,
                                    .instance_type = options_.instance_type,
                                    .hostname = options_.hostname,
                                    .private_ipv4 = options_.private_ipv4,
                                    .capacity = options_.capacity,
                                    .labels = options_.labels,
                                    .executors = executor_.Executors(),
                                    .running_attempts = TrackedAttempts()};
  channel_.Register(request, [this, generation = generation_](auto reply) {
    OnRegistered(generation, std::move(reply));
  });
}

void Agent::OnRegistered(uint64_t /*generation*/, Result<protocol::RegisterReply> reply) {
  register_in_flight_ = false;
  Timestamp now = clock_.Now();
  if (!reply) {
    register_backoff_.Failed(now);
    LogFailure(register_backoff_, "registration with the server", reply.error());
    return;
  }
  register_backoff_.Succeeded();
  if (reply->agent_id != identity_.agent_id) {
    identity_.agent_id = reply->agent_id;
    if (Status saved = SaveIdentity(options_.state_dir, identity_); !saved) {
      spdlog::warn("cannot save the agent id: {}", saved.error().message);
    }
  }
  registered_ = true;
  ++generation_;
  heartbeat_interval_ =
      reply->heartbeat_ms > 0 ? Millis(reply->heartbeat_ms) : options_.heartbeat_interval;
  next_heartbeat_at_ = now + heartbeat_interval_;
  spdlog::info(
      "registered as agent {} (instance {}, compute environment {}, {} attempt(s) "
      "carried over)",
      identity_.agent_id, identity_.instance_id, options_.compute_environment, attempts_.size());
  for (const std::string& id : reply->kill_attempts) KillAttempt(id, options_.kill_grace);
  // What was in flight for the old registration may have been lost: send again.
  poll_backoff_.Succeeded();
  events_backoff_.Succeeded();
  logs_backoff_.Succeeded();
  Poll();
  SendEvents();
  ShipLogs();
}

void Agent::Reregister(uint64_t generation, const Error& error) {
  if (generation != generation_ || !registered_) return;  // Already handled.
  spdlog::warn("the server does not know agent {} ({}); registering again", identity_.agent_id,
               error.message);
  registered_ = false;
  Register();
}

void Agent::Heartbeat() {
  heartbeat_in_flight_ = true;
  next_heartbeat_at_ = clock_.Now() + heartbeat_interval_;
  protocol::HeartbeatRequest request{.agent_id = identity_.agent_id,
                                     .running_attempts = executor_.Running()};
  channel_.Heartbeat(request, [this, generation = generation_](auto reply) {
    heartbeat_in_flight_ = false;
    if (!reply) {
      if (reply.error().code == ErrorCode::kNotFound) return Reregister(generation, reply.error());
      spdlog::debug("heartbeat failed: {}", reply.error().message);
      // Try again soon: the lease runs out if nothing reaches the server.
      next_heartbeat_at_ =
          std::min(next_heartbeat_at_,
                   clock_.Now() + std::min(heartbeat_interval_, Duration(std::chrono::seconds(1))));
      return;
    }
    OnInstanceAction(reply->instance_action);
    for (const std::string& id : reply->kill_attempts) KillAttempt(id, options_.kill_grace);
  });
}

void Agent::Poll() {
  if (!registered_ || poll_in_flight_ || stopping_ || !poll_backoff_.Ready(clock_.Now())) return;
  poll_in_flight_ = true;
  protocol::PollRequest request{.agent_id = identity_.agent_id,
                                .wait_ms = options_.poll_wait.count()};
  channel_.Poll(request, [this, generation = generation_](auto reply) {
    OnPolled(generation, std::move(reply));
  });
}

void Agent::OnPolled(uint64_t generation, Result<protocol::PollReply> reply) {
  poll_in_flight_ = false;
  if (!reply) {
    if (reply.error().code == ErrorCode::kNotFound) return Reregister(generation, reply.error());
    poll_backoff_.Failed(clock_.Now());
    LogFailure(poll_backoff_, "poll", reply.error());
    return;
  }
  poll_backoff_.Succeeded();
  Poll();  // Keep one poll outstanding while these are being started.
  // Before the assignments, so that they start with the notice already in place.
  OnInstanceAction(reply->instance_action);
  for (const protocol::SharedAssignment& assignment : reply->assignments) {
    StartAssignment(*assignment);
  }
  for (const protocol::KillOrder& kill : reply->kills) {
    KillAttempt(kill.attempt_id, Millis(kill.grace_ms));
  }
  SendEvents();
}

void Agent::StartAssignment(const protocol::Assignment& assignment) {
  const std::string& id = assignment.attempt_id;
  if (attempts_.contains(id) || finished_.contains(id)) return;  // A repeat: harmless.
  if (stopping_) {
    // Not started and not reported: the server sends it again when this host
    // registers again, or fails it as host loss (retryable) when it does not.
    spdlog::warn("attempt {} arrived while shutting down; not starting it", id);
    return;
  }
  protocol::Assignment exposed = assignment;
  spot_->Expose(exposed);
  Status started = executor_.Start(exposed);
  Timestamp now = clock_.Now();
  Tracked tracked{.progress = {.attempt_id = id, .started_at_ms = ToEpochMillis(now)}};
  if (started) {
    tracked.awaiting_run = executor_.ReportsRunning(assignment);
    spdlog::info("attempt {} of job {} started: {}", id, assignment.job_id,
                 assignment.command.empty() ? std::string() : assignment.command.front());
  } else if (started.error().code == ErrorCode::kAlreadyExists) {
    spdlog::warn("attempt {}: {}", id, started.error().message);
    return;
  } else {
    spdlog::warn("attempt {} of job {} could not start: {}", id, assignment.job_id,
                 started.error().message);
    tracked.progress.started_acked = true;  // It never started: only an exited event.
    tracked.progress.result = executor::AttemptResult{
        .attempt_id = id,
        .reason = std::string(executor::kReasonCannotStart) + started.error().message,
        .started_at_ms = ToEpochMillis(now),
        .stopped_at_ms = ToEpochMillis(now)};
    tracked.log_drained = true;
    tracked.ended_seen_at = now;
  }
  Save(tracked);
  attempts_.emplace(id, std::move(tracked));
}

void Agent::KillAttempt(const std::string& attempt_id, Duration grace) {
  Status killed = executor_.Kill(attempt_id, grace);
  if (killed) {
    spdlog::info("attempt {}: killing (grace {} ms)", attempt_id, grace.count());
  } else if (killed.error().code != ErrorCode::kNotFound) {
    spdlog::warn("attempt {}: cannot kill: {}", attempt_id, killed.error().message);
  }
}

void Agent::OnInstanceAction(const std::optional<protocol::InstanceAction>& action) {
  if (!action || !spot_->Notice(*action)) return;
  std::vector<std::string> running = executor_.Running();
  spdlog::warn("spot interruption notice for instance {}: {}; signalling {} job(s)",
               identity_.instance_id, InstanceActionDocument(*action), running.size());
  for (const std::string& id : running) {
    Status signalled = executor_.Signal(id, kSpotNoticeSignal);
    if (!signalled && signalled.error().code != ErrorCode::kNotFound) {
      spdlog::warn("attempt {}: cannot signal the notice: {}", id, signalled.error().message);
    }
  }
}

void Agent::OnRunning(const std::string& attempt_id, int64_t at_ms) {
  auto it = attempts_.find(attempt_id);
  if (it == attempts_.end() || !it->second.awaiting_run) return;
  it->second.awaiting_run = false;
  it->second.progress.started_at_ms = at_ms;
  Save(it->second);
  SendEvents();
}

void Agent::OnExit(const executor::AttemptResult& result) {
  auto [it, inserted] = attempts_.try_emplace(result.attempt_id);
  Tracked& tracked = it->second;
  if (inserted) {
    tracked.progress = {.attempt_id = result.attempt_id, .started_at_ms = result.started_at_ms};
  }
  if (tracked.awaiting_run) {  // Ended before its running report was read.
    tracked.awaiting_run = false;
    tracked.progress.started_at_ms = result.started_at_ms;
  }
  tracked.progress.result = result;
  tracked.ended_seen_at = clock_.Now();
  spdlog::info("attempt {} ended: exit code {}, {}", result.attempt_id,
               result.exit_code ? std::to_string(*result.exit_code) : std::string("unknown"),
               result.reason);
  Save(tracked);
  ShipLogs();
  SendEvents();
  CheckShutdown();
}

bool Agent::ExitEventReady(const Tracked& tracked) const {
  return tracked.log_drained || logs_backoff_.failing() ||
         clock_.Now() - tracked.ended_seen_at >= options_.exit_waits_for_logs;
}

void Agent::SendEvents() {
  if (!registered_ || events_in_flight_ || !events_backoff_.Ready(clock_.Now())) return;
  protocol::EventsRequest request{.agent_id = identity_.agent_id};
  for (const auto& [id, tracked] : attempts_) {
    if (request.events.size() >= options_.max_events_per_request) break;
    const AttemptProgress& p = tracked.progress;
    if (!p.started_acked && !tracked.awaiting_run) {
      request.events.push_back(
          AttemptEvent{.attempt_id = id, .kind = EventKind::kStarted, .at_ms = p.started_at_ms});
    }
    if (p.result && !p.exited_acked && ExitEventReady(tracked)) {
      request.events.push_back(AttemptEvent{.attempt_id = id,
                                            .kind = EventKind::kExited,
                                            .at_ms = p.result->stopped_at_ms,
                                            .exit_code = p.result->exit_code,
                                            .reason = p.result->reason});
    }
  }
  if (request.events.empty()) return;
  events_in_flight_ = true;
  std::vector<AttemptEvent> sent = request.events;
  channel_.SendEvents(request, [this, generation = generation_, sent](auto reply) {
    events_in_flight_ = false;
    if (!reply) {
      if (reply.error().code == ErrorCode::kNotFound) return Reregister(generation, reply.error());
      events_backoff_.Failed(clock_.Now());
      LogFailure(events_backoff_, "sending attempt events", reply.error());
      return;
    }
    events_backoff_.Succeeded();
    for (const AttemptEvent& event : sent) {
      auto it = attempts_.find(event.attempt_id);
      if (it == attempts_.end()) continue;
      if (event.kind == EventKind::kStarted) it->second.progress.started_acked = true;
      if (event.kind == EventKind::kExited) it->second.progress.exited_acked = true;
      Save(it->second);
    }
    for (const AttemptEvent& event : sent) ForgetIfDone(event.attempt_id);
    SendEvents();
    CheckShutdown();
  });
}

void Agent::ShipLogs() {
  if (!registered_ || logs_in_flight_ || !logs_backoff_.Ready(clock_.Now())) return;
  // Round-robin over the attempts, starting after the last one shipped.
  std::vector<std::string> order;
  for (auto it = attempts_.upper_bound(next_log_attempt_); it != attempts_.end(); ++it) {
    order.push_back(it->first);
  }
  for (auto it = attempts_.begin(); it != attempts_.upper_bound(next_log_attempt_); ++it) {
    order.push_back(it->first);
  }
  for (const std::string& id : order) {
    auto it = attempts_.find(id);
    if (it == attempts_.end() || it->second.log_drained) continue;
    Tracked& tracked = it->second;
    Result<executor::LogBatch> batch =
        executor_.ReadLog(id, tracked.progress.shipped,
                          {.max_lines = options_.max_log_lines_per_request,
                           .max_bytes = options_.max_log_bytes_per_request});
    if (!batch && batch.error().code != ErrorCode::kNotFound) {
      spdlog::warn("attempt {}: cannot read its output: {}", id, batch.error().message);
      continue;
    }
    if (!batch || batch->lines.empty()) {
      if (tracked.progress.result || !batch) {
        tracked.log_drained = true;  // Ended and read to the end: its exit can go.
        ForgetIfDone(id);
        SendEvents();
      }
      continue;
    }
    logs_in_flight_ = true;
    next_log_attempt_ = id;
    protocol::LogsRequest request{.agent_id = identity_.agent_id,
                                  .attempt_id = id,
                                  .first_sequence = tracked.progress.shipped.sequence,
                                  .lines = std::move(batch->lines)};
    channel_.SendLogs(
        request, [this, generation = generation_, id, next = batch->next](auto reply) {
          logs_in_flight_ = false;
          if (!reply && reply.error().code == ErrorCode::kNotFound) {
            return Reregister(generation, reply.error());
          }
          if (!reply && reply.error().code != ErrorCode::kInvalidArgument) {
            logs_backoff_.Failed(clock_.Now());
            LogFailure(logs_backoff_, "shipping output of attempt " + id, reply.error());
            SendEvents();  // Exits no longer wait for these logs.
            return;
          }
          if (!reply) {  // Refused as malformed: sending it again cannot help.
            spdlog::warn("attempt {}: the server refused a batch of output lines, skipping it: {}",
                         id, reply.error().message);
          }
          logs_backoff_.Succeeded();
          if (auto found = attempts_.find(id); found != attempts_.end()) {
            found->second.progress.shipped = next;
            Save(found->second);
          }
          ShipLogs();
        });
    return;
  }
}

void Agent::ForgetIfDone(const std::string& attempt_id) {
  auto it = attempts_.find(attempt_id);
  if (it == attempts_.end()) return;
  const Tracked& tracked = it->second;
  if (!tracked.progress.result || !tracked.progress.started_acked ||
      !tracked.progress.exited_acked || !tracked.log_drained) {
    return;
  }
  if (Status removed = executor_.Remove(attempt_id); !removed) {
    spdlog::warn("attempt {}: {}", attempt_id, removed.error().message);
  }
  ledger_->Remove(attempt_id);
  attempts_.erase(it);
  finished_.insert(attempt_id);
  finished_order_.push_back(attempt_id);
  while (finished_order_.size() > options_.remembered_finished_attempts) {
    finished_.erase(finished_order_.front());
    finished_order_.pop_front();
  }
}

void Agent::Save(const Tracked& tracked) {
  if (Status saved = ledger_->Save(tracked.progress); !saved) {
    spdlog::warn("attempt {}: cannot save its progress: {}", tracked.progress.attempt_id,
                 saved.error().message);
  }
}

void Agent::Tick() {
  Timestamp now = clock_.Now();
  if (!registered_) {
    if (!register_in_flight_ && register_backoff_.Ready(now)) Register();
  } else {
    if (!heartbeat_in_flight_ && now >= next_heartbeat_at_) Heartbeat();
    Poll();
    SendEvents();
    ShipLogs();
  }
  CheckShutdown();
}

void Agent::Shutdown(ShutdownOptions options, std::function<void()> done) {
  stopping_ = true;
  shutdown_ = options;
  shutdown_done_ = std::move(done);
  shutdown_deadline_ =
      clock_.Now() + (options.kill_jobs ? options.grace + options.report_timeout : Duration{});
  if (options.kill_jobs) {
    for (const std::string& id : executor_.Running()) KillAttempt(id, options.grace);
  } else if (!executor_.Running().empty()) {
    spdlog::info("leaving {} job(s) running for the next agent on this host",
                 executor_.Running().size());
  }
  CheckShutdown();
}

void Agent::CheckShutdown() {
  if (!stopping_ || !shutdown_done_) return;
  bool reported = std::none_of(attempts_.begin(), attempts_.end(), [](const auto& entry) {
    return entry.second.progress.result && !entry.second.progress.exited_acked;
  });
  bool finished = !shutdown_.kill_jobs || (executor_.Running().empty() && reported);
  if (!finished && clock_.Now() < shutdown_deadline_) return;
  if (!finished) spdlog::warn("stopping before every attempt's exit was reported");
  auto done = std::move(shutdown_done_);
  shutdown_done_ = nullptr;
  done();
}

}  // namespace barge::agent
