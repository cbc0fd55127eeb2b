#pragma once
// The snapshot one scheduling pass works on: the RUNNABLE jobs and the agents
// (nodes) they may go to, and what the pass decides. Plain values built by
// the scheduling loop (control/dispatcher.h) from the store and the agent
// registry; the planner and its policies see only these: no Store, no Clock,
// no sockets.
//
// The loop has already filtered what the planner must not consider: jobs of
// DISABLED queues and nodes of environments that are not ENABLED and VALID
// never appear here.
#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/job.h"
#include "core/time.h"

namespace barge::scheduler {

// A RUNNABLE job as a pass plans it. Its strings are views of what the
// scheduling loop holds for the pass (its runnable index, the queues it
// read), so a snapshot of hundreds of waiting jobs copies no string; they
// must outlive the Plan call.
struct PendingJob {
  std::string_view id{};
  std::string_view queue{};
  int32_t queue_priority = 0;  // Higher is served first (AWS Batch semantics).
  // The queue's compute environments (names), in computeEnvironmentOrder.
  std::span<const std::string> compute_environments{};
  Resources request{};
  Timestamp runnable_since{};       // FIFO key within a queue: the job's createdAt.
  int32_t scheduling_priority = 0;  // Fair-share queues only; ignored by FIFO.
};

// The names are views, like PendingJob's: a pass builds a NodeView per agent
// with room on every exit, and copying the ids cost more than planning
// with them. Whoever builds the snapshot keeps the names alive while it is
// planned (the dispatcher's come from the AgentRegistry, unchanged during
// a pass).
struct NodeView {
  std::string_view agent_id{};
  std::string_view compute_environment{};  // Name.
  Resources capacity{};               // What the agent has when empty.
  Resources free{};                   // Capacity minus what its current attempts reserve.
  bool accepting_work = true;         // False while draining.
};

struct Snapshot {
  std::vector<PendingJob> jobs{};
  std::vector<NodeView> nodes{};
};

struct Placement {
  std::string job_id{};
  std::string agent_id{};
  std::string compute_environment{};
};

// A job that stays RUNNABLE with an AWS-style statusReason.
struct Unplaceable {
  std::string job_id{};
  std::string reason{};
};

struct PlanResult {
  std::vector<Placement> placements{};  // In the order the jobs were served.
  std::vector<Unplaceable> unplaceable{};
};

// `free` covers `request` in every dimension.
inline bool Covers(const Resources& free, const Resources& request) {
  return free.millicpus >= request.millicpus && free.memory_mib >= request.memory_mib &&
         free.gpus >= request.gpus;
}

// The smaller of `a` and `b` in each dimension: a request every one of a set
// covers, so a slot that does not cover it covers none of them.
inline Resources ComponentMin(const Resources& a, const Resources& b) {
  return {.millicpus = std::min(a.millicpus, b.millicpus),
          .memory_mib = std::min(a.memory_mib, b.memory_mib),
          .gpus = std::min(a.gpus, b.gpus)};
}

}  // namespace barge::scheduler
