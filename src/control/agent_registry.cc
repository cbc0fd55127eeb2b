#include "control/agent_registry.h"

#include <algorithm>
#include <utility>

#include "core/check.h"

namespace barge::control {
namespace {

void Reserve(Resources& free, const Resources& amount, int sign) {
  free.millicpus -= sign * amount.millicpus;
  free.memory_mib -= sign * amount.memory_mib;
  free.gpus -= sign * amount.gpus;
}

NodeShape ShapeOf(const AgentInfo& info) {
  return {.compute_environment = info.compute_environment,
          .capacity = info.capacity,
          .executors = info.executors};
}

}  // namespace

AgentRegistry::AgentRegistry(const Clock& clock, AgentRegistryOptions options)
    : clock_(clock), options_(options) {}

void AgentRegistry::Add(const std::string& id, AgentInfo info) {
  if (auto it = agents_.find(id); it != agents_.end()) {
    AnswerEmpty(it->second);
    for (const auto& [attempt_id, tracked] : it->second.attempts) {
      attempts_.erase(attempts_.find(attempt_id));
    }
    by_instance_.erase(it->second.info.instance_id);
    Untrack(*it);
    by_id_.erase(it->first);
    agents_.erase(it);
  }
  if (!info.instance_id.empty()) by_instance_[info.instance_id] = id;
  Agent agent{.info = std::move(info), .lease_expires_at = clock_.Now() + options_.lease};
  agent.free = agent.info.capacity;
  agent.idle_since = clock_.Now();
  auto [added, inserted] = agents_.insert_or_assign(id, std::move(agent));
  by_id_[added->first] = &*added;
  TrackFree(*added);
  idle_.emplace(added->first, &*added);
  shapes_[ShapeOf(added->second.info)].emplace(added->first, &*added);
  ++membership_version_;
}

AgentRegistry::AttemptList::iterator AgentRegistry::PositionOf(AttemptList& attempts,
                                                               std::string_view attempt_id) {
  return std::ranges::lower_bound(attempts, attempt_id, {}, &AttemptList::value_type::first);
}

void AgentRegistry::TrackFree(Slot& slot) {
  if (slot.second.free.millicpus > 0) {
    with_free_cpu_.try_emplace(slot.first, &slot);
  } else {
    with_free_cpu_.erase(slot.first);
  }
}

void AgentRegistry::Untrack(const Slot& slot) {
  with_free_cpu_.erase(slot.first);
  idle_.erase(slot.first);
  auto shape = shapes_.find(ShapeOf(slot.second.info));
  if (shape != shapes_.end()) {
    shape->second.erase(slot.first);
    if (shape->second.empty()) shapes_.erase(shape);
  }
}

AgentRegistry::Slot* AgentRegistry::FindSlot(std::string_view id) {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second;
}

const AgentRegistry::Slot* AgentRegistry::FindSlot(std::string_view id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second;
}

const AgentInfo* AgentRegistry::Find(const std::string& id) const {
  auto* it = FindSlot(id);
  return it == nullptr ? nullptr : &it->second.info;
}

bool AgentRegistry::Renew(const std::string& id) {
  auto* it = FindSlot(id);
  if (it == nullptr) return false;
  it->second.lease_expires_at = clock_.Now() + options_.lease;
  return true;
}

void AgentRegistry::AddAttempt(PlacedAttempt attempt) {
  auto* agent = FindSlot(attempt.agent_id);
  BARGE_CHECK(agent != nullptr, "attempt placed on an unknown agent");
  auto [it, added] = attempts_.try_emplace(attempt.attempt_id);
  if (!added) return;
  it->second.attempt = std::move(attempt);
  Reserve(agent->second.free, it->second.attempt.reserved, +1);
  TrackFree(*agent);
  AttemptList& attempts = agent->second.attempts;
  // Not idle from its first attempt on (only the first needs the lookup).
  if (attempts.empty()) idle_.erase(agent->first);
  attempts.insert(PositionOf(attempts, it->first), {it->first, &it->second});
}

void AgentRegistry::RemoveAttempt(const std::string& attempt_id) {
  auto it = attempts_.find(attempt_id);
  if (it == attempts_.end()) return;
  if (auto* agent = FindSlot(it->second.attempt.agent_id); agent != nullptr) {
    Reserve(agent->second.free, it->second.attempt.reserved, -1);
    TrackFree(*agent);
    AttemptList& attempts = agent->second.attempts;
    auto at = PositionOf(attempts, it->first);
    if (at != attempts.end() && at->first == it->first) attempts.erase(at);
    if (attempts.empty() && idle_.emplace(agent->first, &*agent).second) {
      agent->second.idle_since = clock_.Now();
    }
  }
  attempts_.erase(it);
}

const PlacedAttempt* AgentRegistry::FindAttempt(const std::string& attempt_id) const {
  auto it = attempts_.find(attempt_id);
  return it == attempts_.end() ? nullptr : &it->second.attempt;
}

std::vector<PlacedAttempt> AgentRegistry::AttemptsOn(const std::string& agent_id) const {
  std::vector<PlacedAttempt> out;
  auto* agent = FindSlot(agent_id);
  if (agent == nullptr) return out;
  for (const auto& [attempt_id, tracked] : agent->second.attempts) {
    out.push_back(tracked->attempt);
  }
  return out;
}

void AgentRegistry::QueueAssignment(protocol::SharedAssignment assignment) {
  auto attempt = attempts_.find(assignment->attempt_id);
  BARGE_CHECK(attempt != attempts_.end(), "assignment for an attempt that was not added");
  Mail& mail = attempt->second.mail;
  mail.assignment = std::move(assignment);
  mail.delivered_at.reset();
  Wake(FindSlot(attempt->second.attempt.agent_id)->second);
}

void AgentRegistry::QueueKill(protocol::KillOrder kill) {
  auto attempt = attempts_.find(kill.attempt_id);
  if (attempt == attempts_.end()) return;
  Mail& mail = attempt->second.mail;
  if (mail.kill) return;
  mail.kill = std::move(kill);
  Wake(FindSlot(attempt->second.attempt.agent_id)->second);
}

void AgentRegistry::Acknowledge(const std::string& attempt_id) {
  auto it = attempts_.find(attempt_id);
  if (it == attempts_.end()) return;
  it->second.mail.assignment.reset();
  it->second.mail.delivered_at.reset();
}

bool AgentRegistry::IsUndelivered(const std::string& attempt_id) const {
  auto it = attempts_.find(attempt_id);
  return it != attempts_.end() && it->second.mail.assignment && !it->second.mail.delivered_at;
}

std::vector<std::string> AgentRegistry::PendingKills(const std::string& agent_id) const {
  std::vector<std::string> out;
  auto* agent = FindSlot(agent_id);
  if (agent == nullptr) return out;
  for (const auto& [attempt_id, tracked] : agent->second.attempts) {
    if (tracked->mail.kill) out.emplace_back(attempt_id);
  }
  return out;
}

bool AgentRegistry::HasKill(const std::string& attempt_id) const {
  auto it = attempts_.find(attempt_id);
  return it != attempts_.end() && it->second.mail.kill.has_value();
}

std::vector<std::string> AgentRegistry::Unacknowledged(const std::string& agent_id,
                                                       const std::vector<std::string>& running,
                                                       Duration older_than) const {
  std::vector<std::string> out;
  auto* agent = FindSlot(agent_id);
  if (agent == nullptr) return out;
  Timestamp now = clock_.Now();
  for (const auto& [attempt_id, tracked] : agent->second.attempts) {
    const Mail& mail = tracked->mail;
    if (!mail.assignment || !mail.delivered_at) continue;
    if (std::ranges::find(running, attempt_id) != running.end()) continue;
    if (now - *mail.delivered_at < older_than) continue;
    out.emplace_back(attempt_id);
  }
  return out;
}

void AgentRegistry::Undeliver(const std::string& attempt_id) {
  auto it = attempts_.find(attempt_id);
  if (it == attempts_.end() || !it->second.mail.assignment) return;
  it->second.mail.delivered_at.reset();
  Wake(FindSlot(it->second.attempt.agent_id)->second);
}

void AgentRegistry::Poll(const std::string& agent_id, Duration wait, PollDone done) {
  auto* it = FindSlot(agent_id);
  BARGE_CHECK(it != nullptr, "poll for an unknown agent");
  Agent& agent = it->second;
  AnswerEmpty(agent);
  if (HasMail(agent)) {
    done(TakeMail(agent));
    return;
  }
  Duration capped = std::clamp(wait, Duration::zero(), options_.max_poll_wait);
  if (capped == Duration::zero()) {
    done(protocol::PollReply{});
    return;
  }
  agent.poll = ParkedPoll{.done = std::move(done), .deadline = clock_.Now() + capped};
}

bool AgentRegistry::HasParkedPoll(const std::string& agent_id) const {
  auto* it = FindSlot(agent_id);
  return it != nullptr && it->second.poll.has_value();
}

void AgentRegistry::AnswerAllPolls() {
  for (auto& [id, agent] : agents_) AnswerEmpty(agent);
}

void AgentRegistry::Tick() {
  Timestamp now = clock_.Now();
  for (auto& [id, agent] : agents_) {
    if (agent.poll && agent.poll->deadline <= now) AnswerEmpty(agent);
  }
}

std::vector<ExpiredAgent> AgentRegistry::TakeExpired() {
  Timestamp now = clock_.Now();
  std::vector<ExpiredAgent> expired;
  for (auto it = agents_.begin(); it != agents_.end();) {
    if (it->second.lease_expires_at > now) {
      ++it;
      continue;
    }
    expired.push_back(Extract(it->first));
    by_id_.erase(it->first);
    it = agents_.erase(it);
  }
  return expired;
}

ExpiredAgent AgentRegistry::Extract(const std::string& id) {
  auto* slot = FindSlot(id);
  BARGE_CHECK(slot != nullptr, "extracting a registered agent");
  Agent& agent = slot->second;
  Untrack(*slot);
  ++membership_version_;
  ++departures_version_;
  ExpiredAgent gone{.agent_id = id, .info = agent.info};
  for (const auto& [attempt_id, tracked] : agent.attempts) {
    gone.attempts.push_back(std::move(tracked->attempt));
    attempts_.erase(attempts_.find(attempt_id));
  }
  agent.attempts.clear();
  AnswerEmpty(agent);
  if (auto owner = by_instance_.find(agent.info.instance_id);
      owner != by_instance_.end() && owner->second == id) {
    by_instance_.erase(owner);
  }
  return gone;
}

std::optional<ExpiredAgent> AgentRegistry::Remove(const std::string& id) {
  if (FindSlot(id) == nullptr) return std::nullopt;
  ExpiredAgent gone = Extract(id);
  by_id_.erase(id);
  agents_.erase(id);
  return gone;
}

void AgentRegistry::SetDraining(const std::string& id, bool draining) {
  if (auto* it = FindSlot(id); it != nullptr) it->second.draining = draining;
}

bool AgentRegistry::IsDraining(const std::string& id) const {
  auto* it = FindSlot(id);
  return it != nullptr && it->second.draining;
}

void AgentRegistry::SetInstanceAction(const std::string& id, protocol::InstanceAction action) {
  auto* it = FindSlot(id);
  if (it == nullptr) return;
  Agent& agent = it->second;
  if (agent.instance_action == action) return;
  agent.instance_action = std::move(action);
  agent.instance_action_polled = false;
  Wake(agent);
}

std::optional<protocol::InstanceAction> AgentRegistry::InstanceActionOf(
    const std::string& id) const {
  auto* it = FindSlot(id);
  if (it == nullptr) return std::nullopt;
  return it->second.instance_action;
}

const std::string* AgentRegistry::FindByInstance(const std::string& instance_id) const {
  auto it = by_instance_.find(instance_id);
  return it == by_instance_.end() ? nullptr : &it->second;
}

std::optional<Resources> AgentRegistry::FreeOf(const std::string& id) const {
  auto* it = FindSlot(id);
  if (it == nullptr) return std::nullopt;
  return it->second.free;
}

bool AgentRegistry::HasAttempts(const std::string& id) const {
  auto* it = FindSlot(id);
  return it != nullptr && !it->second.attempts.empty();
}

std::vector<scheduler::NodeView> AgentRegistry::Nodes() const {
  std::vector<scheduler::NodeView> nodes;
  nodes.reserve(agents_.size());
  for (const auto& [id, agent] : agents_) {
    nodes.push_back({.agent_id = id,
                     .compute_environment = agent.info.compute_environment,
                     .capacity = agent.info.capacity,
                     .free = agent.free,
                     .accepting_work = !agent.draining});
  }
  return nodes;
}

void AgentRegistry::VisitNodeShapes(const ShapeVisitor& visit) const {
  for (const auto& [shape, agents] : shapes_) visit(shape, agents.begin()->second->first);
}

void AgentRegistry::VisitIdle(const IdleVisitor& visit) const {
  for (const auto& [id, slot] : idle_) {
    const Agent& agent = slot->second;
    visit(slot->first, agent.info, agent.idle_since);
  }
}

protocol::PollReply AgentRegistry::TakeMail(Agent& agent) {
  protocol::PollReply reply;
  Timestamp now = clock_.Now();
  if (agent.instance_action && !agent.instance_action_polled) {
    reply.instance_action = agent.instance_action;
    agent.instance_action_polled = true;
  }
  for (const auto& [attempt_id, tracked] : agent.attempts) {
    Mail& mail = tracked->mail;
    if (mail.kill && !mail.kill_delivered) {
      reply.kills.push_back(*mail.kill);
      mail.kill_delivered = true;
    }
    // An attempt that is to be killed is not started in the first place.
    if (mail.assignment && !mail.delivered_at && !mail.kill) {
      reply.assignments.push_back(mail.assignment);
      mail.delivered_at = now;
    }
  }
  return reply;
}

bool AgentRegistry::HasMail(const Agent& agent) const {
  if (agent.instance_action && !agent.instance_action_polled) return true;
  return std::ranges::any_of(agent.attempts, [&](const auto& entry) {
    const Mail& mail = entry.second->mail;
    return (mail.kill && !mail.kill_delivered) ||
           (mail.assignment && !mail.delivered_at && !mail.kill);
  });
}

void AgentRegistry::Wake(Agent& agent) {
  if (!agent.poll) return;
  // Taking nothing changes nothing: no need to look for mail first.
  protocol::PollReply reply = TakeMail(agent);
  if (reply.assignments.empty() && reply.kills.empty() && !reply.instance_action) return;
  PollDone done = std::move(agent.poll->done);
  agent.poll.reset();
  done(std::move(reply));
}

void AgentRegistry::AnswerEmpty(Agent& agent) {
  if (!agent.poll) return;
  PollDone done = std::move(agent.poll->done);
  agent.poll.reset();
  done(protocol::PollReply{});
}

}  // namespace barge::control
