#include "core/dependency_graph.h"

#include <algorithm>
#include <array>
#include <utility>

#include "core/check.h"
#include "core/dependency_graph_internal.h"

namespace barge {
namespace dependency_graph_internal {

std::string DependencyFailedReason(std::string_view dependency_id) {
  return "Dependent Job failed: " + std::string(dependency_id);
}

std::optional<std::string> Failure(DependencyType type, bool dependency_failed,
                                   std::string_view dependency_id) {
  if (type == DependencyType::kAfterAny) return std::nullopt;
  if (type == DependencyType::kAfterNotOk) {
    if (dependency_failed) return std::nullopt;
    return "Dependent Job succeeded: " + std::string(dependency_id) +
           " (AFTER_NOT_OK runs this job only if it fails)";
  }
  if (!dependency_failed) return std::nullopt;
  return DependencyFailedReason(dependency_id);
}

Status CheckNames(std::string_view job_id, std::span<const Dependency> dependencies) {
  std::vector<std::string_view> ids;
  ids.reserve(dependencies.size());
  std::string self_prefix = std::string(job_id) + ":";
  for (const Dependency& dependency : dependencies) {
    if (dependency.type == DependencyType::kSequential) continue;
    const std::string& id = dependency.job_id;
    if (id.empty()) {
      return InvalidArgument("job " + std::string(job_id) + " has a dependency with no job id");
    }
    if (id == job_id || id.starts_with(self_prefix)) {
      return InvalidArgument("job " + std::string(job_id) + " cannot depend on itself");
    }
    ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end());
  if (auto twice = std::adjacent_find(ids.begin(), ids.end()); twice != ids.end()) {
    return InvalidArgument("job " + std::string(job_id) + " lists dependency " +
                           std::string(*twice) + " twice");
  }
  return Ok();
}

std::string AlreadyInGraph(std::string_view job_id) {
  return "job " + std::string(job_id) +
         " is already in the dependency graph: adding dependencies to it could close a cycle";
}

}  // namespace dependency_graph_internal

using dependency_graph_internal::AlreadyInGraph;
using dependency_graph_internal::CheckNames;
using dependency_graph_internal::ChildState;
using dependency_graph_internal::Failure;
using dependency_graph_internal::IsArrayType;
using dependency_graph_internal::kEnded;
using dependency_graph_internal::kFailed;

namespace {

constexpr std::array<std::pair<DependencyType, std::string_view>, 5> kTypeNames{{
    {DependencyType::kAfterOk, "AFTER_OK"},
    {DependencyType::kAfterAny, "AFTER_ANY"},
    {DependencyType::kAfterNotOk, "AFTER_NOT_OK"},
    {DependencyType::kSequential, "SEQUENTIAL"},
    {DependencyType::kNToN, "N_TO_N"},
}};

}  // namespace

std::string_view ToString(DependencyType type) {
  for (const auto& [t, name] : kTypeNames) {
    if (t == type) return name;
  }
  return "AFTER_OK";
}

std::optional<DependencyType> ParseDependencyType(std::string_view text) {
  for (const auto& [t, name] : kTypeNames) {
    if (name == text) return t;
  }
  return std::nullopt;
}

DependencyGraph::DependencyGraph() = default;
DependencyGraph::~DependencyGraph() = default;

Result<DependencyChanges> DependencyGraph::Add(std::string_view job_id,
                                               std::span<const Dependency> dependencies,
                                               const JobLookup& lookup) {
  if (Holds(job_id)) {
    return InvalidArgument(AlreadyInGraph(job_id));
  }
  for (const Dependency& dependency : dependencies) {
    if (IsArrayType(dependency.type)) {
      return InvalidArgument("job " + std::string(job_id) + " is not an array job: a " +
                             std::string(ToString(dependency.type)) + " dependency needs one");
    }
  }
  BARGE_RETURN_IF_ERROR(CheckNames(job_id, dependencies));
  std::vector<Target> targets;
  targets.reserve(dependencies.size());
  for (const Dependency& dependency : dependencies) {
    Result<Target> target = Locate(dependency.job_id, lookup);
    if (!target) {
      return Error{target.error().code,
                   "job " + std::string(job_id) + " " + target.error().message};
    }
    targets.push_back(*target);
  }

  int32_t pending = 0;
  for (size_t i = 0; i < targets.size(); ++i) {
    if (targets[i].kind != Target::Kind::kEnded) {
      ++pending;
      continue;
    }
    bool failed = targets[i].status == JobStatus::kFailed;
    if (auto reason = Failure(dependencies[i].type, failed, dependencies[i].job_id)) {
      return DependencyChanges{.failed = {{std::string(job_id), std::move(*reason)}}};
    }
  }
  if (pending == 0) return DependencyChanges{.ready = {std::string(job_id)}};

  uint32_t slot = NewNode(job_id);
  nodes_[slot].waiting = pending;
  for (size_t i = 0; i < targets.size(); ++i) {
    if (targets[i].kind == Target::Kind::kEnded) continue;
    uint32_t on = TargetNode(targets[i]);  // May grow nodes_: no reference held across.
    nodes_[on].dependents.push_back({slot, nodes_[slot].generation, dependencies[i].type});
    ++stored_edges_;
  }
  return DependencyChanges{};
}

DependencyChanges DependencyGraph::OnEnded(std::string_view job_id, JobStatus status) {
  BARGE_CHECK(IsTerminal(status), "a job ends SUCCEEDED or FAILED");
  bool failed = status == JobStatus::kFailed;
  DependencyChanges out;
  if (auto child = FindChild(job_id)) {
    work_.push_back({child->first, child->second, failed});
  } else if (auto it = index_.find(job_id); it != index_.end()) {
    Node& node = nodes_[it->second];
    BARGE_CHECK(!node.array, "an array parent ends through its children, not OnEnded");
    node.resolved = true;
    work_.push_back({it->second, -1, failed});
  }
  Drain(out);
  return out;
}

Result<DependencyGraph::Target> DependencyGraph::Locate(std::string_view id,
                                                        const JobLookup& lookup) const {
  if (auto it = index_.find(id); it != index_.end()) {
    const Node& node = nodes_[it->second];
    return Target{.kind = Target::Kind::kNode,
                  .slot = it->second,
                  .array_size = node.array ? node.array->size : 0,
                  .id = id};
  }
  if (auto child = FindChild(id)) {
    const ChildState& state = nodes_[child->first].array->children[child->second];
    if (state.flags & kEnded) {
      return Target{.kind = Target::Kind::kEnded,
                    .status = (state.flags & kFailed) ? JobStatus::kFailed : JobStatus::kSucceeded,
                    .id = id};
    }
    return Target{
        .kind = Target::Kind::kChild, .slot = child->first, .index = child->second, .id = id};
  }
  std::optional<KnownJob> known = lookup(id);
  if (!known) return InvalidArgument("depends on unknown job " + std::string(id));
  if (IsTerminal(known->status)) {
    return Target{.kind = Target::Kind::kEnded,
                  .status = known->status,
                  .array_size = known->array_size,
                  .id = id};
  }
  if (known->array_size > 0) {
    return Internal("depends on array job " + std::string(id) +
                    ", which is not terminal but not in the dependency graph");
  }
  return Target{.kind = Target::Kind::kNew, .id = id};
}

bool DependencyGraph::Holds(std::string_view id) const {
  return index_.find(id) != index_.end() || FindChild(id).has_value();
}

uint32_t DependencyGraph::NewNode(std::string_view id) {
  uint32_t slot = 0;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<uint32_t>(nodes_.size());
    nodes_.emplace_back();
  }
  auto [it, inserted] = index_.emplace(std::string(id), slot);
  BARGE_CHECK(inserted, "a node is created only for an id the graph does not hold");
  Node& node = nodes_[slot];
  node.id = &it->first;
  node.live = true;
  node.waiting = 0;
  node.resolved = false;
  return slot;
}

uint32_t DependencyGraph::TargetNode(const Target& target) {
  if (target.kind == Target::Kind::kNode) return target.slot;
  BARGE_CHECK(target.kind != Target::Kind::kEnded, "an ended dependency gets no edge");
  // A job not in the graph runs or is about to: it waits on nothing here (a
  // child's waits live in its array), so it is resolved from the start.
  uint32_t slot = NewNode(target.id);
  nodes_[slot].resolved = true;
  if (target.kind == Target::Kind::kChild) ++nodes_[target.slot].array->child_nodes;
  return slot;
}

void DependencyGraph::EraseNode(uint32_t slot) {
  Node& node = nodes_[slot];
  stored_edges_ -= node.dependents.size();
  if (node.array) stored_edges_ -= node.array->n_to_n_dependents.size();
  index_.erase(index_.find(*node.id));
  node.id = nullptr;
  node.live = false;
  ++node.generation;
  std::vector<Edge>().swap(node.dependents);  // Give the memory back, not just the size.
  node.array.reset();
  free_slots_.push_back(slot);
}

void DependencyGraph::Drain(DependencyChanges& out) {
  // Breadth-first over a queue rather than recursion, so a 10,000-link chain
  // failing at its head costs no stack, and changes come out in chain order.
  for (size_t head = 0; head < work_.size(); ++head) {
    Ended ended = work_[head];  // A copy: handling it may grow work_.
    if (ended.index < 0) {
      EndNode(ended, out);
    } else {
      EndChild(ended, out);
    }
  }
  work_.clear();
}

void DependencyGraph::EndNode(const Ended& ended, DependencyChanges& out) {
  Node& node = nodes_[ended.slot];  // nodes_ does not grow during a cascade.
  BARGE_CHECK(node.live, "a node ends once");
  std::vector<Edge> dependents;
  dependents.swap(node.dependents);
  stored_edges_ -= dependents.size();
  std::string_view id = *node.id;
  for (const Edge& edge : dependents) ResolveEdge(edge, ended.failed, id, out);
  EraseNode(ended.slot);
}

void DependencyGraph::ResolveEdge(const Edge& edge, bool dependency_failed,
                                  std::string_view dependency_id, DependencyChanges& out) {
  Node& dependent = nodes_[edge.slot];
  if (!dependent.live || dependent.generation != edge.generation || dependent.resolved) return;
  BARGE_CHECK(!IsArrayType(edge.type), "array dependencies are not stored as edges");
  if (auto reason = Failure(edge.type, dependency_failed, dependency_id)) {
    dependent.resolved = true;
    if (dependent.array) {
      for (int32_t child = 0; child < dependent.array->size; ++child) {
        FailChild(edge.slot, child, *reason, out);
      }
    } else {
      out.failed.push_back({*dependent.id, std::move(*reason)});
      work_.push_back({edge.slot, -1, true});
    }
    return;
  }
  if (--dependent.waiting > 0) return;
  dependent.resolved = true;
  if (dependent.array) {
    OpenGate(edge.slot, out);
    return;
  }
  out.ready.push_back(*dependent.id);
  // Nothing waits on it yet: drop the node until something does.
  if (dependent.dependents.empty()) EraseNode(edge.slot);
}

}  // namespace barge
