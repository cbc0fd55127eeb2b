#include "sim/simulated_agents.h"

#include <algorithm>
#include <cstdio>
#include <utility>

namespace barge::sim {
namespace {

// Longer than any simulation: a parked poll is answered only by work.
constexpr int64_t kPollWaitMs = int64_t{365} * 24 * 3600 * 1000;

}  // namespace

SimulatedAgents::SimulatedAgents(control::AgentService& service, const Clock& clock,
                                 JobLookup lookup)
    : service_(service), clock_(clock), lookup_(std::move(lookup)) {}

Status SimulatedAgents::Join(const PendingJoin& join) {
  // Short ids (within std::string's small-buffer size) keep the registry's
  // per-pass node copies free of allocations; join order makes them repeat.
  char id[16];
  std::snprintf(id, sizeof id, "a%06zu", agents_.size() + 1);
  std::string agent_id = id;
  Result<protocol::RegisterReply> registered =
      service_.Register({.agent_id = agent_id,
                         .compute_environment = join.compute_environment,
                         .instance_id = join.instance_id,
                         .instance_type = join.type.name,
                         .hostname = join.instance_id,
                         .capacity = {.millicpus = int64_t{join.type.vcpus} * 1000,
                                      .memory_mib = join.type.memory_mib,
                                      .gpus = join.type.gpus},
                         .executors = {std::string(protocol::kExecutorProcess)}});
  if (!registered) return registered.error();
  agents_[agent_id] = Agent{.instance_id = join.instance_id};
  agent_of_instance_[join.instance_id] = agent_id;
  return Poll(agent_id);
}

void SimulatedAgents::Lost(const std::string& instance_id) {
  auto id = agent_of_instance_.find(instance_id);
  if (id == agent_of_instance_.end()) return;  // Terminated before it joined.
  Agent& agent = agents_.at(id->second);
  if (!agent.alive) return;
  agent.alive = false;
  running_ -= agent.attempts.size();
  agent.attempts.clear();
  inbox_.erase(id->second);
}

Status SimulatedAgents::Poll(const std::string& agent_id) {
  return service_.Poll({.agent_id = agent_id, .wait_ms = kPollWaitMs},
                       [this, agent_id](protocol::PollReply reply) {
                         // Called from inside the registry: only note the reply here.
                         std::vector<protocol::Assignment>& box = inbox_[agent_id];
                         for (protocol::Assignment& assignment : reply.assignments) {
                           box.push_back(std::move(assignment));
                         }
                       });
}

std::optional<Timestamp> SimulatedAgents::NextExit() const {
  if (exits_.empty()) return std::nullopt;
  return exits_.top().at;
}

Status SimulatedAgents::ReportExitsDue(Timestamp now) {
  std::map<std::string, protocol::EventsRequest> requests;  // By agent id.
  while (!exits_.empty() && exits_.top().at <= now) {
    Exit exit = exits_.top();
    exits_.pop();
    auto agent = agents_.find(exit.agent_id);
    // Its host is gone (the attempt ended as host lost).
    if (agent == agents_.end() || !agent->second.attempts.contains(exit.attempt_id)) continue;
    protocol::EventsRequest& request = requests[exit.agent_id];
    request.agent_id = exit.agent_id;
    request.events.push_back({.attempt_id = exit.attempt_id,
                              .kind = protocol::EventKind::kExited,
                              .at_ms = ToEpochMillis(exit.at),
                              .exit_code = exit.exit_code});
  }
  for (auto& [agent_id, request] : requests) {
    BARGE_RETURN_IF_ERROR(service_.Events(request));
    Agent& agent = agents_.at(agent_id);
    for (const protocol::AttemptEvent& event : request.events) {
      running_ -= agent.attempts.erase(event.attempt_id);
    }
  }
  return Ok();
}

Status SimulatedAgents::StartAssigned() {
  Timestamp now = clock_.Now();
  while (!inbox_.empty()) {
    std::map<std::string, std::vector<protocol::Assignment>> answered = std::exchange(inbox_, {});
    for (auto& [agent_id, assignments] : answered) {
      Agent& agent = agents_.at(agent_id);
      if (!agent.alive) continue;
      // The next poll parks first, as a real agent's does while it starts work.
      BARGE_RETURN_IF_ERROR(Poll(agent_id));
      if (assignments.empty()) continue;
      std::ranges::sort(assignments, {}, &protocol::Assignment::job_id);
      protocol::EventsRequest started{.agent_id = agent_id};
      for (const protocol::Assignment& assignment : assignments) {
        started.events.push_back({.attempt_id = assignment.attempt_id,
                                  .kind = protocol::EventKind::kStarted,
                                  .at_ms = ToEpochMillis(now)});
      }
      BARGE_RETURN_IF_ERROR(service_.Events(started));
      for (const protocol::Assignment& assignment : assignments) {
        const WorkloadJob* job = lookup_(assignment.job_id);
        if (job == nullptr) return Internal("assignment of unknown job " + assignment.job_id);
        if (agent.attempts.insert(assignment.attempt_id).second) ++running_;
        exits_.push({.at = now + job->duration,
                     .sequence = next_sequence_++,
                     .agent_id = agent_id,
                     .attempt_id = assignment.attempt_id,
                     .exit_code = job->exit_code});
      }
    }
  }
  return Ok();
}

}  // namespace barge::sim
