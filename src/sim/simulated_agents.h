#pragma once
// SimulatedAgents: the `barge agent`s of a simulation, played against the
// production AgentService through the agent protocol's messages, as real
// agents send them over HTTP: an instance's agent registers when its launch
// delay is over, keeps one long-poll parked, reports each assignment it gets
// as started at once, and its exit (the workload's exit code) `duration`
// later. An agent whose instance the controller terminated (scaled in, spot
// reclaimed) is gone; the control plane ends its attempts as host lost.
//
// Agents never miss a heartbeat here: the simulation gives them a lease
// longer than any run, so host loss comes only from the fleet controller.
//
// Determinism: attempt ids are random UUIDs (util/uuid.h), so nothing here
// is ordered by them. Agent ids are given in join order ("a000001", ...),
// assignments are taken in job-id order, agents in join order, and exits
// due at the same instant are reported in that order.
//
// Owned by the Simulation; its thread only.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "control/agent_service.h"
#include "core/clock.h"
#include "core/result.h"
#include "protocol/messages.h"
#include "sim/simulated_provider.h"
#include "sim/workload.h"

namespace barge::sim {

class SimulatedAgents {
 public:
  // The workload job a job id stands for; nullptr for one it does not know.
  using JobLookup = std::function<const WorkloadJob*(const std::string& job_id)>;

  // Not owned.
  SimulatedAgents(control::AgentService& service, const Clock& clock, JobLookup lookup);
  SimulatedAgents(const SimulatedAgents&) = delete;
  SimulatedAgents& operator=(const SimulatedAgents&) = delete;

  // The instance's agent registers (with the instance's capacity) and parks
  // its poll. Errors are AgentService's.
  Status Join(const PendingJoin& join);
  // The instance was terminated: its agent stops (the server ends its attempts).
  void Lost(const std::string& instance_id);

  // When the next attempt is due to exit; nullopt when nothing runs.
  std::optional<Timestamp> NextExit() const;
  // Reports the exits due at or before `now`: one Events request per agent.
  Status ReportExitsDue(Timestamp now);
  // Takes the assignments the polls received, parks the polls again and
  // reports the attempts started now. Errors are AgentService's.
  Status StartAssigned();

  // Attempts running on live agents.
  size_t running() const { return running_; }

 private:
  struct Agent {
    std::string id{};
    std::string instance_id{};
    bool alive = true;
    // Its running attempts, as their pending_ slots: as many as the
    // instance has vCPUs at most, so searched in order (numbers, not the
    // attempt ids, which would each be a read of memory elsewhere).
    std::vector<size_t> running{};
    bool Runs(size_t slot) const { return std::ranges::find(running, slot) != running.end(); }
  };
  // An exit to come, in the heap: small, so the heap's moves and
  // comparisons stay within a few cache lines; the rest is in pending_.
  struct Exit {
    Timestamp at{};
    uint64_t sequence = 0;
    size_t pending = 0;  // Index into pending_.
    bool operator>(const Exit& other) const {
      return at != other.at ? at > other.at : sequence > other.sequence;
    }
  };
  struct PendingExit {
    size_t agent = 0;  // Index into agents_.
    std::string attempt_id{};
    int32_t exit_code = 0;
  };

  Status Poll(size_t agent);

  control::AgentService& service_;
  const Clock& clock_;
  JobLookup lookup_;
  std::vector<Agent> agents_{};                        // In join order.
  std::map<std::string, size_t> agent_of_instance_{};  // Instance id -> agents_ index.
  // Poll replies received, by agents_ index; an entry (even empty) means the
  // agent's poll was answered and must be parked again.
  std::map<size_t, std::vector<protocol::SharedAssignment>> inbox_{};
  // A min-heap by (at, sequence) (std::ranges::push_heap with greater<>):
  // unlike a priority_queue, the due exit can be moved out.
  std::vector<Exit> exits_{};
  std::vector<PendingExit> pending_{};  // Slots of exits_' entries.
  std::vector<size_t> free_pending_{};  // pending_ slots free for reuse.
  uint64_t next_sequence_ = 0;
  size_t running_ = 0;
};

}  // namespace barge::sim
