#pragma once
// The inside of DependencyGraph, shared by its two source files:
// dependency_graph.cc (plain jobs, edges, the cascade) and
// dependency_graph_array.cc (arrays: SEQUENTIAL, N_TO_N, the whole-array
// gate). Not for other includers.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/dependency_graph.h"

namespace barge {
namespace dependency_graph_internal {

// ChildState::flags.
inline constexpr uint8_t kResolved = 1;  // Reported ready or failed: nothing more to say.
inline constexpr uint8_t kEnded = 2;     // Terminal.
inline constexpr uint8_t kFailed = 4;    // Terminal and FAILED.

// Per-child waits fit in a byte: SEQUENTIAL plus one per N_TO_N array.
inline constexpr int kMaxChildWaits = 255;

struct ChildState {
  uint8_t flags = 0;
  uint8_t waiting = 0;  // Counterparts it still waits for (SEQUENTIAL, N_TO_N).
};

inline bool IsArrayType(DependencyType type) {
  return type == DependencyType::kSequential || type == DependencyType::kNToN;
}

// "Dependent Job failed: <id>".
std::string DependencyFailedReason(std::string_view dependency_id);

// The statusReason a dependency's end gives its dependent, or nullopt when
// the end satisfies it.
std::optional<std::string> Failure(DependencyType type, bool dependency_failed,
                                   std::string_view dependency_id);

// Refuses a dependency list naming no job, the job itself (or, for an array,
// one of its own children), or a job twice.
Status CheckNames(std::string_view job_id, std::span<const Dependency> dependencies);

std::string AlreadyInGraph(std::string_view job_id);

}  // namespace dependency_graph_internal

// A dependency edge, stored in the dependency's node: `slot` is the dependent.
// The generation tells a live dependent from a removed one whose slot was
// reused, so removal never has to search the lists that point at it.
struct DependencyGraph::Edge {
  uint32_t slot = 0;
  uint32_t generation = 0;
  DependencyType type = DependencyType::kAfterOk;
};

struct DependencyGraph::ArrayState {
  int32_t size = 0;
  int32_t ended = 0;
  int32_t child_nodes = 0;  // Nodes "<parent>:<i>" that exist: children named as dependencies.
  bool any_failed = false;
  bool sequential = false;
  std::vector<dependency_graph_internal::ChildState> children{};
  std::vector<Edge> n_to_n_dependents{};  // Arrays whose child i waits for our child i.
};

// A job that waits (`waiting` > 0) or is waited on (`dependents`), or an array
// until its last child ends. For an array, `waiting` counts the dependencies
// that hold back every child (its gate).
struct DependencyGraph::Node {
  const std::string* id = nullptr;  // The key in index_, stable while the node lives.
  uint32_t generation = 0;
  int32_t waiting = 0;
  bool resolved = false;  // Ready or failed reported (array: gate opened or failed).
  bool live = false;
  std::vector<Edge> dependents{};
  std::unique_ptr<ArrayState> array{};
};

// One end to propagate: a node (index < 0) or an array's child.
struct DependencyGraph::Ended {
  uint32_t slot = 0;
  int32_t index = -1;
  bool failed = false;
};

// Where a named dependency stands when a job is added.
struct DependencyGraph::Target {
  enum class Kind { kEnded, kNode, kChild, kNew };
  Kind kind = Kind::kNew;
  JobStatus status = JobStatus::kSubmitted;  // kEnded.
  uint32_t slot = 0;                         // kNode; kChild: the array.
  int32_t index = 0;                         // kChild.
  int32_t array_size = 0;                    // Non-zero for an array parent.
  std::string_view id{};
};

// What AddArray decided before changing anything.
struct DependencyGraph::ArrayPlan {
  std::vector<Target> targets{};  // One per dependency (unused for SEQUENTIAL).
  bool sequential = false;
  int32_t gate = 0;                           // Whole-array dependencies not ended yet.
  std::optional<std::string> gate_failure{};  // One ended the wrong way: every child fails.
  std::vector<dependency_graph_internal::ChildState> children{};
  std::vector<std::pair<int32_t, std::string>> failing_children{};  // Counterpart FAILED.
};

}  // namespace barge
