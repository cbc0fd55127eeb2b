// DependencyGraph's arrays: AddArray, and how a child's end moves SEQUENTIAL
// and N_TO_N successors, "P:i" nodes and the whole array along.
#include <charconv>
#include <utility>

#include "core/check.h"
#include "core/dependency_graph.h"
#include "core/dependency_graph_internal.h"

namespace barge {

using dependency_graph_internal::AlreadyInGraph;
using dependency_graph_internal::CheckNames;
using dependency_graph_internal::ChildState;
using dependency_graph_internal::DependencyFailedReason;
using dependency_graph_internal::Failure;
using dependency_graph_internal::IsArrayType;
using dependency_graph_internal::kEnded;
using dependency_graph_internal::kFailed;
using dependency_graph_internal::kMaxChildWaits;
using dependency_graph_internal::kResolved;

Result<DependencyChanges> DependencyGraph::AddArray(std::string_view parent_id, int32_t size,
                                                    std::span<const Dependency> dependencies,
                                                    const JobLookup& lookup) {
  Result<ArrayPlan> planned = PlanArray(parent_id, size, dependencies, lookup);
  if (!planned) return planned.error();
  ArrayPlan& plan = *planned;
  DependencyChanges out;
  if (plan.gate_failure) {
    // Every child fails at once and the array has ended: nothing to keep.
    out.failed.reserve(static_cast<size_t>(size));
    for (int32_t child = 0; child < size; ++child) {
      out.failed.push_back(
          {std::string(parent_id) + ":" + std::to_string(child), *plan.gate_failure});
    }
    return out;
  }

  uint32_t slot = NewNode(parent_id);
  uint32_t generation = nodes_[slot].generation;
  auto array = std::make_unique<ArrayState>();
  array->size = size;
  array->sequential = plan.sequential;
  array->children = std::move(plan.children);
  nodes_[slot].array = std::move(array);
  nodes_[slot].waiting = plan.gate;
  nodes_[slot].resolved = plan.gate == 0;
  for (size_t i = 0; i < dependencies.size(); ++i) {
    const Target& target = plan.targets[i];
    DependencyType type = dependencies[i].type;
    if (type == DependencyType::kSequential || target.kind == Target::Kind::kEnded) continue;
    if (type == DependencyType::kNToN) {
      nodes_[target.slot].array->n_to_n_dependents.push_back({slot, generation, type});
    } else {
      uint32_t on = TargetNode(target);  // May grow nodes_: no reference held across.
      nodes_[on].dependents.push_back({slot, generation, type});
    }
    ++stored_edges_;
  }

  for (auto& [child, reason] : plan.failing_children) {
    FailChild(slot, child, std::move(reason), out);
  }
  if (plan.gate == 0) OpenGate(slot, out);
  Drain(out);
  return out;
}

Result<DependencyGraph::ArrayPlan> DependencyGraph::PlanArray(
    std::string_view parent_id, int32_t size, std::span<const Dependency> dependencies,
    const JobLookup& lookup) const {
  std::string parent(parent_id);
  if (size < 1) {
    return InvalidArgument("array job " + parent + " has size " + std::to_string(size) +
                           ": an array has at least one child");
  }
  if (Holds(parent_id)) return InvalidArgument(AlreadyInGraph(parent_id));
  ArrayPlan plan;
  for (const Dependency& dependency : dependencies) {
    if (dependency.type != DependencyType::kSequential) continue;
    if (!dependency.job_id.empty()) {
      return InvalidArgument("array job " + parent +
                             ": a SEQUENTIAL dependency names no job, got " + dependency.job_id);
    }
    if (plan.sequential) return InvalidArgument("array job " + parent + " lists SEQUENTIAL twice");
    plan.sequential = true;
  }
  BARGE_RETURN_IF_ERROR(CheckNames(parent_id, dependencies));

  int n_to_n = 0;
  plan.targets.resize(dependencies.size());
  for (size_t i = 0; i < dependencies.size(); ++i) {
    const Dependency& dependency = dependencies[i];
    if (dependency.type == DependencyType::kSequential) continue;
    Result<Target> target = Locate(dependency.job_id, lookup);
    if (!target) return Error{target.error().code, "job " + parent + " " + target.error().message};
    plan.targets[i] = *target;
    if (dependency.type != DependencyType::kNToN) continue;
    if (target->array_size == 0) {
      return InvalidArgument("N_TO_N dependency " + dependency.job_id + " of array job " + parent +
                             " is not an array job");
    }
    if (target->array_size != size) {
      return InvalidArgument("array job " + parent + " has size " + std::to_string(size) +
                             " but its N_TO_N dependency " + dependency.job_id + " has size " +
                             std::to_string(target->array_size) +
                             ": N_TO_N needs arrays of the same size");
    }
    ++n_to_n;
  }
  if (n_to_n + (plan.sequential ? 1 : 0) > kMaxChildWaits) {
    return InvalidArgument("array job " + parent + " has more than " +
                           std::to_string(kMaxChildWaits - 1) + " N_TO_N dependencies");
  }

  for (size_t i = 0; i < dependencies.size(); ++i) {
    const Target& target = plan.targets[i];
    if (IsArrayType(dependencies[i].type)) continue;
    if (target.kind != Target::Kind::kEnded) {
      ++plan.gate;
      continue;
    }
    bool failed = target.status == JobStatus::kFailed;
    if (auto reason = Failure(dependencies[i].type, failed, dependencies[i].job_id)) {
      plan.gate_failure = std::move(reason);
      return plan;
    }
  }

  // What each child waits for. A child whose N_TO_N counterpart already
  // FAILED fails at once. The children of an array that has ended are no
  // longer in the graph: ask the caller, but only when that array FAILED (a
  // SUCCEEDED array has only succeeded children).
  plan.children.resize(static_cast<size_t>(size));
  if (plan.sequential) {
    for (int32_t child = 1; child < size; ++child) plan.children[child].waiting = 1;
  }
  for (size_t i = 0; i < dependencies.size(); ++i) {
    const Target& target = plan.targets[i];
    if (dependencies[i].type != DependencyType::kNToN) continue;
    if (target.kind == Target::Kind::kNode) {
      const ArrayState& source = *nodes_[target.slot].array;
      for (int32_t child = 0; child < size; ++child) {
        const ChildState& counterpart = source.children[child];
        if (!(counterpart.flags & kEnded)) {
          ++plan.children[child].waiting;
        } else if (counterpart.flags & kFailed) {
          plan.failing_children.emplace_back(child,
                                             DependencyFailedReason(ChildId(target.slot, child)));
        }
      }
    } else if (target.status == JobStatus::kFailed) {
      for (int32_t child = 0; child < size; ++child) {
        std::string child_id = dependencies[i].job_id + ":" + std::to_string(child);
        std::optional<KnownJob> known = lookup(child_id);
        if (!known || !IsTerminal(known->status)) {
          return Internal("array job " + dependencies[i].job_id + " is FAILED but its child " +
                          child_id + " is not terminal");
        }
        if (known->status == JobStatus::kFailed) {
          plan.failing_children.emplace_back(child, DependencyFailedReason(child_id));
        }
      }
    }
  }
  return plan;
}

std::optional<std::pair<uint32_t, int32_t>> DependencyGraph::FindChild(std::string_view id) const {
  size_t colon = id.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view digits = id.substr(colon + 1);
  if (digits.empty() || (digits.size() > 1 && digits[0] == '0')) return std::nullopt;
  int32_t index = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
  if (error != std::errc{} || end != digits.data() + digits.size() || index < 0) {
    return std::nullopt;
  }
  auto it = index_.find(id.substr(0, colon));
  if (it == index_.end()) return std::nullopt;
  const Node& parent = nodes_[it->second];
  if (!parent.array || index >= parent.array->size) return std::nullopt;
  return std::pair{it->second, index};
}

std::string DependencyGraph::ChildId(uint32_t array_slot, int32_t index) const {
  return *nodes_[array_slot].id + ":" + std::to_string(index);
}

void DependencyGraph::EndChild(const Ended& ended, DependencyChanges& out) {
  Node& node = nodes_[ended.slot];
  ArrayState& array = *node.array;
  ChildState& child = array.children[ended.index];
  if (child.flags & kEnded) return;  // Reported twice: the first report counted.
  child.flags |= kResolved | kEnded | (ended.failed ? kFailed : 0);
  ++array.ended;
  array.any_failed = array.any_failed || ended.failed;

  if (array.sequential && ended.index + 1 < array.size) {
    ChildDependencyEnded(ended.slot, ended.index + 1, ended.failed, ended.slot, out);
  }
  for (const Edge& link : array.n_to_n_dependents) {
    const Node& dependent = nodes_[link.slot];
    if (!dependent.live || dependent.generation != link.generation) continue;
    ChildDependencyEnded(link.slot, ended.index, ended.failed, ended.slot, out);
  }
  if (array.child_nodes > 0) {
    if (auto it = index_.find(ChildId(ended.slot, ended.index)); it != index_.end()) {
      --array.child_nodes;
      nodes_[it->second].resolved = true;
      work_.push_back({it->second, -1, ended.failed});
    }
  }
  if (array.ended == array.size) work_.push_back({ended.slot, -1, array.any_failed});
}

void DependencyGraph::ChildDependencyEnded(uint32_t array_slot, int32_t index,
                                           bool dependency_failed, uint32_t dependency_slot,
                                           DependencyChanges& out) {
  const Node& node = nodes_[array_slot];
  ChildState& child = node.array->children[index];
  if (child.flags & kResolved) return;
  if (dependency_failed) {
    // The dependency is child `index` of its array, or `index - 1` of the
    // same array for SEQUENTIAL.
    int32_t dependency_index = dependency_slot == array_slot ? index - 1 : index;
    FailChild(array_slot, index, DependencyFailedReason(ChildId(dependency_slot, dependency_index)),
              out);
    return;
  }
  BARGE_CHECK(child.waiting > 0, "an array child waits for each counterpart that ends");
  if (--child.waiting == 0 && node.waiting == 0) {
    child.flags |= kResolved;
    out.ready.push_back(ChildId(array_slot, index));
  }
}

void DependencyGraph::FailChild(uint32_t array_slot, int32_t index, std::string reason,
                                DependencyChanges& out) {
  ChildState& child = nodes_[array_slot].array->children[index];
  if (child.flags & kResolved) return;
  child.flags |= kResolved;
  out.failed.push_back({ChildId(array_slot, index), std::move(reason)});
  work_.push_back({array_slot, index, true});
}

void DependencyGraph::OpenGate(uint32_t array_slot, DependencyChanges& out) {
  ArrayState& array = *nodes_[array_slot].array;
  for (int32_t index = 0; index < array.size; ++index) {
    ChildState& child = array.children[index];
    if ((child.flags & kResolved) || child.waiting > 0) continue;
    child.flags |= kResolved;
    out.ready.push_back(ChildId(array_slot, index));
  }
}

}  // namespace barge
