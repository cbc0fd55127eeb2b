#pragma once
// AgentRegistry: the agents the server knows right now, in memory only. For
// each agent it keeps the lease, the attempts placed on it (and the resources
// they reserve, so free capacity is capacity minus reservations), a mailbox of
// assignments and kill orders, and at most one parked long-poll.
//
// Delivery: a Poll with something in the mailbox is answered at once;
// otherwise it parks, and the first QueueAssignment or QueueKill for that
// agent answers it, or Tick() answers it empty once its wait is over. An
// assignment stays in the mailbox after delivery until Acknowledge (the agent
// reported the attempt or listed it in a heartbeat), so a poll reply lost on
// the way can be delivered again (Unacknowledged, Undeliver). A kill order is repeated in
// every heartbeat reply (PendingKills) until the attempt is removed. An
// instance action (a spot interruption notice, SetInstanceAction) is mail
// too: it answers a parked poll, or the next poll at once, and is sent
// through polls only that once; heartbeat replies repeat it (InstanceActionOf).
//
// The registry is rebuilt from agent registrations after a server restart;
// the store stays the source of truth for jobs and attempts.
//
// Owned by the composition root; control thread only. Poll callbacks run on
// the control thread, from inside Poll, QueueAssignment, QueueKill,
// SetInstanceAction, Add, Tick or TakeExpired, and must not call back into
// the registry.
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/node_hash_map.h"
#include "core/clock.h"
#include "core/job.h"
#include "core/string_hash.h"
#include "core/time.h"
#include "protocol/messages.h"
#include "scheduler/cluster_view.h"

namespace barge::control {

// What an agent said about itself when it registered.
struct AgentInfo {
  std::string compute_environment{};  // Name.
  std::string instance_id{};
  std::string instance_type{};
  std::string hostname{};
  std::string private_ipv4{};
  Resources capacity{};
  std::map<std::string, std::string> labels{};
  // protocol::kExecutorProcess / kExecutorContainer. An agent that lists none
  // (one from before containers) has the process executor only.
  std::vector<std::string> executors{};
};

// What a scheduling pass judges an agent by besides its free capacity:
// agents of one shape are alike to it.
struct NodeShape {
  std::string compute_environment{};
  Resources capacity{};
  std::vector<std::string> executors{};
  bool operator<(const NodeShape& other) const {
    return std::tie(compute_environment, capacity.millicpus, capacity.memory_mib, capacity.gpus,
                    executors) < std::tie(other.compute_environment, other.capacity.millicpus,
                                          other.capacity.memory_mib, other.capacity.gpus,
                                          other.executors);
  }
};

struct AgentRegistryOptions {
  Duration lease = std::chrono::seconds(15);
  // Longest a poll may park, whatever the agent asks for: shorter than the
  // agent's HTTP read timeout, and short enough that a dead connection is not
  // held for long.
  Duration max_poll_wait = std::chrono::seconds(20);
};

// An attempt placed on an agent.
struct PlacedAttempt {
  std::string attempt_id{};
  std::string agent_id{};
  std::string job_id{};
  Resources reserved{};
  std::string log_stream_name{};
};

// An agent removed because its lease ran out, with the attempts it had.
struct ExpiredAgent {
  std::string agent_id{};
  AgentInfo info{};
  std::vector<PlacedAttempt> attempts{};
};

class AgentRegistry {
 public:
  using PollDone = std::function<void(protocol::PollReply)>;

  AgentRegistry(const Clock& clock, AgentRegistryOptions options);  // Clock not owned.
  AgentRegistry(const AgentRegistry&) = delete;
  AgentRegistry& operator=(const AgentRegistry&) = delete;

  Duration lease() const { return options_.lease; }

  // Adds agent `id` with a fresh lease. A record with the same id (an agent
  // that restarted) is replaced: its parked poll is answered empty and its
  // attempts are dropped; the caller adds back the ones it adopts.
  void Add(const std::string& id, AgentInfo info);
  bool Contains(const std::string& id) const { return FindSlot(id) != nullptr; }
  const AgentInfo* Find(const std::string& id) const;
  // Extends the lease of a known agent; false when unknown.
  bool Renew(const std::string& id);

  // Places an attempt on a known agent and reserves `reserved` of it.
  void AddAttempt(PlacedAttempt attempt);
  // Frees the attempt's reservation and forgets its mailbox entries. No-op for
  // an unknown attempt id.
  void RemoveAttempt(const std::string& attempt_id);
  const PlacedAttempt* FindAttempt(const std::string& attempt_id) const;
  std::vector<PlacedAttempt> AttemptsOn(const std::string& agent_id) const;

  // Mailbox. The attempt must have been added (AddAttempt).
  void QueueAssignment(protocol::SharedAssignment assignment);
  void QueueAssignment(protocol::Assignment assignment) {
    QueueAssignment(protocol::Share(std::move(assignment)));
  }
  // Ignored for an unknown attempt; a second order for the same attempt is
  // ignored too (the first one's grace period stands).
  void QueueKill(protocol::KillOrder kill);
  // The agent has the attempt: its assignment leaves the mailbox.
  void Acknowledge(const std::string& attempt_id);
  // Whether the attempt's assignment is still in the mailbox, never delivered.
  bool IsUndelivered(const std::string& attempt_id) const;
  // Attempt ids of `agent_id` with a kill order outstanding.
  std::vector<std::string> PendingKills(const std::string& agent_id) const;
  bool HasKill(const std::string& attempt_id) const;
  // Attempts of `agent_id` whose assignment was delivered at least
  // `older_than` ago, is still unacknowledged, and that are not in `running`
  // (the agent's own list): the poll reply was probably lost.
  std::vector<std::string> Unacknowledged(const std::string& agent_id,
                                          const std::vector<std::string>& running,
                                          Duration older_than) const;
  // Puts a delivered, unacknowledged assignment back into the mailbox.
  void Undeliver(const std::string& attempt_id);

  // Long-poll for a known agent. Answers at once when the mailbox has
  // something new; otherwise parks until work arrives or `wait` (capped at
  // max_poll_wait) is over. A second poll of the same agent answers the
  // first one empty.
  void Poll(const std::string& agent_id, Duration wait, PollDone done);

  bool HasParkedPoll(const std::string& agent_id) const;
  // Answers every parked poll empty (at shutdown, so connections can close).
  void AnswerAllPolls();

  // Answers parked polls whose wait is over.
  void Tick();
  // Removes every agent whose lease has run out (answering its parked poll
  // empty) and returns them with their attempts.
  std::vector<ExpiredAgent> TakeExpired();

  // Removes agent `id` now (its instance was terminated), answering its
  // parked poll empty, and returns it with its attempts; nullopt when unknown.
  std::optional<ExpiredAgent> Remove(const std::string& id);
  // A draining agent keeps its attempts but gets no new ones (Nodes() shows
  // it not accepting work). No-op for an unknown agent; Add clears it.
  void SetDraining(const std::string& id, bool draining);
  bool IsDraining(const std::string& id) const;
  // The interruption notice of agent `id`'s instance. A new or changed action
  // wakes the agent's parked poll (or makes its next poll return at once)
  // with it; setting the action it already has does nothing, so callers may
  // repeat it every tick. No-op for an unknown agent; Add clears it.
  void SetInstanceAction(const std::string& id, protocol::InstanceAction action);
  // nullopt when unknown or without a notice.
  std::optional<protocol::InstanceAction> InstanceActionOf(const std::string& id) const;
  // The agent that registered with `instance_id`; nullptr when none.
  const std::string* FindByInstance(const std::string& instance_id) const;
  // Free capacity of a known agent; nullopt when unknown.
  std::optional<Resources> FreeOf(const std::string& id) const;
  bool HasAttempts(const std::string& id) const;

  // Every agent as the planner sees it (capacity, free = capacity minus
  // reservations, accepting work unless draining), in id order. Its names
  // are the registry's: valid until the agent leaves.
  std::vector<scheduler::NodeView> Nodes() const;
  // The same without copies, for passes over fleets of thousands of agents:
  // `visit(id, info, free, accepting_work)` for every agent, in id order.
  // Templates: a pass runs them on every exit, and a call through a
  // std::function per agent cost as much as the visit itself.
  template <typename Visit>
  void VisitNodes(Visit&& visit) const {
    for (const auto& [id, agent] : agents_) visit(id, agent.info, agent.free, !agent.draining);
  }
  // VisitNodes over the agents with free vCPUs (free millicpus > 0), draining
  // ones included: all a pass needs to look at for jobs that want a vCPU.
  template <typename Visit>
  void VisitNodesWithFreeCpu(Visit&& visit) const {
    for (const auto& [id, slot] : with_free_cpu_) {
      const Agent& agent = slot->second;
      visit(slot->first, agent.info, agent.free, !agent.draining);
    }
  }
  size_t nodes_with_free_cpu() const { return with_free_cpu_.size(); }
  // VisitNodes for agent `id` alone (one lookup); false when unknown.
  template <typename Visit>
  bool VisitNode(const std::string& id, Visit&& visit) const {
    const Slot* slot = FindSlot(id);
    if (slot == nullptr) return false;
    const Agent& agent = slot->second;
    visit(slot->first, agent.info, agent.free, !agent.draining);
    return true;
  }
  // Changes whenever an agent registers or leaves (not when its free
  // capacity does): what depends only on who is registered can be kept
  // against it.
  uint64_t membership_version() const { return membership_version_; }
  // Changes whenever an agent leaves: whether a known agent is still
  // registered (Contains) can be kept against it.
  uint64_t departures_version() const { return departures_version_; }
  // `visit(shape, first_id)` for every shape of the registered agents, in
  // shape order, `first_id` the lowest id among its agents: what depends
  // only on who is registered costs the number of shapes, not of agents.
  using ShapeVisitor = std::function<void(const NodeShape& shape, const std::string& first_id)>;
  void VisitNodeShapes(const ShapeVisitor& visit) const;
  // `visit(id, info, idle_since)` for every agent without attempts, in id
  // order; idle_since is when its last attempt went (or it registered).
  using IdleVisitor =
      std::function<void(const std::string& id, const AgentInfo& info, Timestamp idle_since)>;
  void VisitIdle(const IdleVisitor& visit) const;
  size_t size() const { return agents_.size(); }

 private:
  struct Mail {
    protocol::SharedAssignment assignment{};
    std::optional<Timestamp> delivered_at{};
    std::optional<protocol::KillOrder> kill{};
    bool kill_delivered = false;
  };
  // An attempt and its mailbox entries, kept together: the attempt's id is
  // hashed once per call, not once per table.
  struct Tracked {
    PlacedAttempt attempt{};
    Mail mail{};
  };
  struct ParkedPoll {
    PollDone done{};
    Timestamp deadline{};
  };
  // An agent's attempts, sorted by id: a few (mostly no more than its
  // vCPUs), so a vector, which adds and drops one without an allocation.
  using AttemptList = std::vector<std::pair<std::string_view, Tracked*>>;
  struct Agent {
    AgentInfo info{};
    Timestamp lease_expires_at{};
    Resources free{};
    // By attempt id (views of attempts_' keys, which stay put until erased).
    AttemptList attempts{};
    std::optional<ParkedPoll> poll{};
    bool draining = false;
    Timestamp idle_since{};  // While attempts is empty.
    std::optional<protocol::InstanceAction> instance_action{};
    bool instance_action_polled = false;  // Sent in a poll reply already.
  };

  // An agent as agents_ holds it; its address (and its id's) stays put
  // until it is erased, so the id-ordered sets below point at it.
  using Slot = std::pair<const std::string, Agent>;

  // The agent's slot, through by_id_; null for an unknown id.
  Slot* FindSlot(std::string_view id);
  const Slot* FindSlot(std::string_view id) const;
  // Takes agent `id`'s attempts and mail out of the registry and answers its
  // parked poll; the caller erases the agent itself.
  ExpiredAgent Extract(const std::string& id);
  // Takes what the agent has not been sent yet, marking it delivered.
  protocol::PollReply TakeMail(Agent& agent);
  bool HasMail(const Agent& agent) const;
  void Wake(Agent& agent);
  static void AnswerEmpty(Agent& agent);
  // Where `attempt_id` is or would go in `attempts` (kept sorted by id).
  static AttemptList::iterator PositionOf(AttemptList& attempts, std::string_view attempt_id);
  // Keeps with_free_cpu_ in step with the agent's free capacity.
  void TrackFree(Slot& slot);
  // Drops the agent from with_free_cpu_, idle_ and shapes_ (before agents_
  // erases it).
  void Untrack(const Slot& slot);

  const Clock& clock_;
  AgentRegistryOptions options_;
  std::map<std::string, Agent> agents_;  // In id order, for visits.
  // The same agents by id (views of agents_' keys): a lookup hashes the id
  // once instead of comparing it at every level of agents_.
  absl::flat_hash_map<std::string_view, Slot*, StringHash> by_id_;
  // Looked up by std::string or std::string_view without a copy. A node map:
  // agents' attempt tables point at its values.
  absl::node_hash_map<std::string, Tracked, StringHash, std::equal_to<>> attempts_;
  absl::flat_hash_map<std::string, std::string> by_instance_;  // Instance id -> agent id.
  // By agent id (views of agents_' keys), in id order: visits need no lookups.
  std::map<std::string_view, Slot*> with_free_cpu_;
  std::map<std::string_view, Slot*> idle_;  // Agents without attempts.
  std::map<NodeShape, std::map<std::string_view, const Slot*>> shapes_;  // Agents by shape.
  uint64_t membership_version_ = 0;
  uint64_t departures_version_ = 0;
};

}  // namespace barge::control
