#include "sim/simulated_agents.h"

#include <algorithm>
#include <cstdio>
#include <functional>
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
  agents_.push_back({.id = std::move(agent_id), .instance_id = join.instance_id});
  agent_of_instance_[join.instance_id] = agents_.size() - 1;
  return Poll(agents_.size() - 1);
}

void SimulatedAgents::Lost(const std::string& instance_id) {
  auto index = agent_of_instance_.find(instance_id);
  if (index == agent_of_instance_.end()) return;  // Terminated before it joined.
  Agent& agent = agents_[index->second];
  if (!agent.alive) return;
  agent.alive = false;
  running_ -= agent.running.size();
  agent.running.clear();
  inbox_.erase(index->second);
}

Status SimulatedAgents::Poll(size_t agent) {
  return service_.Poll({.agent_id = agents_[agent].id, .wait_ms = kPollWaitMs},
                       [this, agent](protocol::PollReply reply) {
                         // Called from inside the registry: only note the reply here.
                         std::vector<protocol::SharedAssignment>& box = inbox_[agent];
                         for (protocol::SharedAssignment& assignment : reply.assignments) {
                           box.push_back(std::move(assignment));
                         }
                       });
}

std::optional<Timestamp> SimulatedAgents::NextExit() const {
  if (exits_.empty()) return std::nullopt;
  return exits_.front().at;
}

Status SimulatedAgents::ReportExitsDue(Timestamp now) {
  // By agents_ index: the request, and the pending_ slots of its exits.
  std::map<size_t, std::pair<protocol::EventsRequest, std::vector<size_t>>> requests;
  while (!exits_.empty() && exits_.front().at <= now) {
    std::ranges::pop_heap(exits_, std::greater<>());
    const Exit& exit = exits_.back();
    PendingExit& pending = pending_[exit.pending];
    // Its host is gone (the attempt ended as host lost).
    if (agents_[pending.agent].Runs(exit.pending)) {
      auto& [request, slots] = requests[pending.agent];
      slots.push_back(exit.pending);
      request.agent_id = agents_[pending.agent].id;
      request.events.push_back({.attempt_id = std::move(pending.attempt_id),
                                .kind = protocol::EventKind::kExited,
                                .at_ms = ToEpochMillis(exit.at),
                                .exit_code = pending.exit_code});
    }
    free_pending_.push_back(exit.pending);
    exits_.pop_back();
  }
  for (auto& [index, sent] : requests) {
    BARGE_RETURN_IF_ERROR(service_.Events(sent.first));
    std::vector<size_t>& running = agents_[index].running;
    for (size_t slot : sent.second) {
      auto it = std::ranges::find(running, slot);
      if (it == running.end()) continue;
      *it = running.back();
      running.pop_back();
      --running_;
    }
  }
  return Ok();
}

Status SimulatedAgents::StartAssigned() {
  Timestamp now = clock_.Now();
  while (!inbox_.empty()) {
    std::map<size_t, std::vector<protocol::SharedAssignment>> answered = std::exchange(inbox_, {});
    for (auto& [index, assignments] : answered) {
      Agent& agent = agents_[index];
      if (!agent.alive) continue;
      // The next poll parks first, as a real agent's does while it starts work.
      BARGE_RETURN_IF_ERROR(Poll(index));
      if (assignments.empty()) continue;
      std::ranges::sort(assignments, {}, [](const protocol::SharedAssignment& assignment) {
        return std::string_view(assignment->job_id);
      });
      protocol::EventsRequest started{.agent_id = agent.id};
      for (const protocol::SharedAssignment& shared : assignments) {
        const protocol::Assignment& assignment = *shared;
        started.events.push_back({.attempt_id = assignment.attempt_id,
                                  .kind = protocol::EventKind::kStarted,
                                  .at_ms = ToEpochMillis(now)});
      }
      BARGE_RETURN_IF_ERROR(service_.Events(started));
      for (const protocol::SharedAssignment& shared : assignments) {
        const protocol::Assignment& assignment = *shared;
        const WorkloadJob* job = lookup_(assignment.job_id);
        if (job == nullptr) return Internal("assignment of unknown job " + assignment.job_id);
        // An assignment delivered again is not started twice: its exit is
        // reported once (the second finds its slot not running).
        bool runs = std::ranges::any_of(agent.running, [&](size_t running) {
          return pending_[running].attempt_id == assignment.attempt_id;
        });
        size_t slot = pending_.size();
        if (free_pending_.empty()) {
          pending_.emplace_back();
        } else {
          slot = free_pending_.back();
          free_pending_.pop_back();
        }
        pending_[slot] = {
            .agent = index, .attempt_id = assignment.attempt_id, .exit_code = job->exit_code};
        if (!runs) {
          agent.running.push_back(slot);
          ++running_;
        }
        exits_.push_back(
            {.at = now + job->duration, .sequence = next_sequence_++, .pending = slot});
        std::ranges::push_heap(exits_, std::greater<>());
      }
    }
  }
  return Ok();
}

}  // namespace barge::sim
