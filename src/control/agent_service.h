#pragma once
// AgentService: the server side of the agent protocol (protocol/messages.h):
// register, heartbeat, long-poll, attempt events and log lines, plus the
// lease sweep and the recovery of attempts after a server restart.
//
// Leases. Register, heartbeat, poll, events and logs each renew the agent's
// lease (AgentRegistryOptions::lease). Tick() removes agents whose lease ran
// out; each of their attempts ends "Host EC2 (instance <id>) terminated."
// and is retried per the job's retry strategy.
//
// Restart recovery. The registry starts empty, but the store still holds
// STARTING and RUNNING jobs with their attempts. Recover() (once, at startup)
// gives each of those attempts one lease for its agent to register again;
// the agent lists the attempts it still has, and:
//   listed, still the job's live attempt    -> adopted (its capacity reserved);
//   listed, ended or unknown to the server   -> kill order in the reply
//                                               (adopted until it exits);
//   not listed, job STARTING                 -> the assignment is sent again;
//   not listed, job RUNNING                  -> host lost;
// and after that lease, attempts whose agent did not come back are host lost.
// The same reconciliation runs when a known agent registers again (it
// restarted within its lease).
//
// Errors: kNotFound means "unknown agent" and only that (the API answers
// 410 Gone and the agent registers again); kInvalidArgument for a bad
// request; store errors otherwise (the agent retries; every message is
// idempotent).
//
// Owned by the composition root; control thread only.
#include <deque>
#include <map>
#include <string>
#include <unordered_map>

#include "control/agent_registry.h"
#include "control/dispatcher.h"
#include "core/clock.h"
#include "core/result.h"
#include "protocol/messages.h"
#include "store/store.h"

namespace barge::control {

struct AgentServiceOptions {
  // How many ended attempts are remembered so that log lines sent after the
  // exit event still find their stream.
  size_t remembered_streams = 20000;
  // Whether the scheduling pass that exits make due runs inside their own
  // transaction (one commit, one fsync, from one job's end to the next
  // one's start), or is left to the dispatcher's next tick, which then
  // plans the capacity of all exits since together.
  bool pass_within_exits = true;
};

class AgentService {
 public:
  // All not owned.
  AgentService(Store& store, const Clock& clock, AgentRegistry& registry, Dispatcher& dispatcher,
               AgentServiceOptions options = {});
  AgentService(const AgentService&) = delete;
  AgentService& operator=(const AgentService&) = delete;

  // Loads the STARTING and RUNNING attempts the store holds and gives their
  // agents one lease from now to register again.
  Status Recover();

  // kInvalidArgument: protocol version, no capacity, or a compute
  // environment that does not exist.
  Result<protocol::RegisterReply> Register(const protocol::RegisterRequest& request);
  // The reply lists the attempts to kill and, while the agent's instance has
  // an interruption notice, that notice (AgentRegistry::SetInstanceAction).
  Result<protocol::HeartbeatReply> Heartbeat(const protocol::HeartbeatRequest& request);
  // Parks `done` until work arrives or the wait is over (AgentRegistry::Poll).
  // kNotFound (and `done` is not called) for an unknown agent.
  Status Poll(const protocol::PollRequest& request, AgentRegistry::PollDone done);
  // Events about attempts this agent does not hold, or that already ended,
  // are ignored. All of a request's events are applied in one transaction,
  // so a batch is recorded whole or not at all (and the agent sends it again).
  Status Events(const protocol::EventsRequest& request);
  // Lines for an attempt the server does not know are dropped.
  Status Logs(const protocol::LogsRequest& request);

  // Answers parked polls whose wait is over, ends the attempts of agents
  // whose lease ran out and, one lease after Recover, those of agents that
  // never came back. Returns how many attempts ended.
  Result<int> Tick();

  // The host of agent `agent_id` is gone for good (its instance was
  // terminated or reclaimed): the agent leaves the registry at once, without
  // waiting for its lease, and each of its attempts ends "Host EC2 (instance
  // <id>) terminated." (retried per the job's strategy). Returns how many
  // attempts ended; 0 for an unknown agent. Errors are the store's; the
  // attempts not yet ended then end with the lease sweep.
  Result<int> HostTerminated(const std::string& agent_id);

  int64_t heartbeat_ms() const;

 private:
  struct Orphan {
    std::string job_id{};
    std::string agent_id{};
  };

  // Ends the attempt as host lost; true when the job changed.
  Result<bool> HostLost(const std::string& job_id, const std::string& attempt_id);
  Status Withdraw(const std::string& job_id, const std::string& attempt_id);
  void RememberStream(const std::string& attempt_id, std::string stream);

  Store& store_;
  const Clock& clock_;
  AgentRegistry& registry_;
  Dispatcher& dispatcher_;
  AgentServiceOptions options_;
  std::map<std::string, Orphan> orphans_;  // By attempt id, until orphan_deadline_.
  Timestamp orphan_deadline_{};
  std::unordered_map<std::string, std::string> ended_streams_;  // Attempt id -> log stream.
  std::deque<std::string> ended_order_;
};

}  // namespace barge::control
