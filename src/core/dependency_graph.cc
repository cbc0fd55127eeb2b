#include "core/dependency_graph.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <utility>

#include "core/check.h"

namespace barge {
namespace {

constexpr std::array<std::pair<DependencyType, std::string_view>, 5> kTypeNames{{
    {DependencyType::kAfterOk, "AFTER_OK"},
    {DependencyType::kAfterAny, "AFTER_ANY"},
    {DependencyType::kAfterNotOk, "AFTER_NOT_OK"},
    {DependencyType::kSequential, "SEQUENTIAL"},
    {DependencyType::kNToN, "N_TO_N"},
}};

// ChildState::flags.
constexpr uint8_t kResolved = 1;  // Reported ready or failed: nothing more to say about it.
constexpr uint8_t kEnded = 2;     // Terminal.
constexpr uint8_t kFailed = 4;    // Terminal and FAILED.

// Per-child waits fit in a byte: SEQUENTIAL plus one per N_TO_N array.
constexpr int kMaxChildWaits = 255;

bool IsArrayType(DependencyType type) {
  return type == DependencyType::kSequential || type == DependencyType::kNToN;
}

std::string DependencyFailedReason(std::string_view dependency_id) {
  return "Dependent Job failed: " + std::string(dependency_id);
}

// The statusReason a dependency's end gives its dependent, or nullopt when
// the end satisfies it.
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

// Refuses a dependency list naming no job, the job itself, or a job twice.
// `self_prefix` ("P:") also catches an array naming one of its own children.
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

// A dependency edge, stored in the dependency's node: `slot` is the dependent.
// The generation tells a live dependent from a removed one whose slot was
// reused, so removal never has to search the lists that point at it.
struct DependencyGraph::Edge {
  uint32_t slot = 0;
  uint32_t generation = 0;
  DependencyType type = DependencyType::kAfterOk;
};

struct ChildState {
  uint8_t flags = 0;
  uint8_t waiting = 0;  // Children it still waits for (SEQUENTIAL, N_TO_N).
};

struct DependencyGraph::ArrayState {
  int32_t size = 0;
  int32_t ended = 0;
  int32_t child_nodes = 0;  // Nodes "<parent>:<i>" that exist: children named as dependencies.
  bool any_failed = false;
  bool sequential = false;
  std::vector<ChildState> children{};
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

DependencyGraph::DependencyGraph() = default;
DependencyGraph::~DependencyGraph() = default;

Result<DependencyChanges> DependencyGraph::Add(std::string_view job_id,
                                               std::span<const Dependency> dependencies,
                                               const JobLookup& lookup) {
  if (Holds(job_id)) {
    return InvalidArgument("job " + std::string(job_id) +
                           " is already in the dependency graph: adding dependencies to it "
                           "could close a cycle");
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

Result<DependencyChanges> DependencyGraph::AddArray(std::string_view parent_id, int32_t size,
                                                    std::span<const Dependency> dependencies,
                                                    const JobLookup& lookup) {
  std::string parent(parent_id);
  if (size < 1) {
    return InvalidArgument("array job " + parent + " has size " + std::to_string(size) +
                           ": an array has at least one child");
  }
  if (Holds(parent_id)) {
    return InvalidArgument("job " + parent +
                           " is already in the dependency graph: adding dependencies to it "
                           "could close a cycle");
  }
  bool sequential = false;
  int n_to_n = 0;
  for (const Dependency& dependency : dependencies) {
    if (dependency.type != DependencyType::kSequential) continue;
    if (!dependency.job_id.empty()) {
      return InvalidArgument("array job " + parent +
                             ": a SEQUENTIAL dependency names no job, got " + dependency.job_id);
    }
    if (sequential) return InvalidArgument("array job " + parent + " lists SEQUENTIAL twice");
    sequential = true;
  }
  BARGE_RETURN_IF_ERROR(CheckNames(parent_id, dependencies));

  std::vector<Target> targets(dependencies.size());
  for (size_t i = 0; i < dependencies.size(); ++i) {
    const Dependency& dependency = dependencies[i];
    if (dependency.type == DependencyType::kSequential) continue;
    Result<Target> target = Locate(dependency.job_id, lookup);
    if (!target) {
      return Error{target.error().code, "job " + parent + " " + target.error().message};
    }
    targets[i] = *target;
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
  if (n_to_n + (sequential ? 1 : 0) > kMaxChildWaits) {
    return InvalidArgument("array job " + parent + " has more than " +
                           std::to_string(kMaxChildWaits - 1) + " N_TO_N dependencies");
  }

  // A child whose N_TO_N counterpart already FAILED fails at once. The
  // counterparts of an ended array are not in the graph: ask the caller, but
  // only when that array FAILED (a SUCCEEDED one has only succeeded children).
  std::vector<std::pair<int32_t, std::string>> failing_children;
  for (size_t i = 0; i < dependencies.size(); ++i) {
    const Target& target = targets[i];
    if (dependencies[i].type != DependencyType::kNToN || target.kind != Target::Kind::kEnded ||
        target.status != JobStatus::kFailed) {
      continue;
    }
    for (int32_t child = 0; child < size; ++child) {
      std::string child_id = dependencies[i].job_id + ":" + std::to_string(child);
      std::optional<KnownJob> known = lookup(child_id);
      if (!known || !IsTerminal(known->status)) {
        return Internal("array job " + dependencies[i].job_id + " is FAILED but its child " +
                        child_id + " is not terminal");
      }
      if (known->status == JobStatus::kFailed) {
        failing_children.emplace_back(child, DependencyFailedReason(child_id));
      }
    }
  }

  // A dependency of the whole array that already ended the wrong way fails
  // every child, and there is nothing to keep.
  int32_t gate = 0;
  for (size_t i = 0; i < dependencies.size(); ++i) {
    if (IsArrayType(dependencies[i].type)) continue;
    if (targets[i].kind != Target::Kind::kEnded) {
      ++gate;
      continue;
    }
    bool failed = targets[i].status == JobStatus::kFailed;
    if (auto reason = Failure(dependencies[i].type, failed, dependencies[i].job_id)) {
      DependencyChanges out;
      out.failed.reserve(static_cast<size_t>(size));
      for (int32_t child = 0; child < size; ++child) {
        out.failed.push_back({parent + ":" + std::to_string(child), *reason});
      }
      return out;
    }
  }

  uint32_t slot = NewNode(parent_id);
  uint32_t generation = nodes_[slot].generation;
  auto array = std::make_unique<ArrayState>();
  array->size = size;
  array->sequential = sequential;
  array->children.resize(static_cast<size_t>(size));
  if (sequential) {
    for (int32_t child = 1; child < size; ++child) array->children[child].waiting = 1;
  }
  for (size_t i = 0; i < dependencies.size(); ++i) {
    const Target& target = targets[i];
    if (dependencies[i].type != DependencyType::kNToN || target.kind != Target::Kind::kNode) {
      continue;
    }
    ArrayState& source = *nodes_[target.slot].array;
    for (int32_t child = 0; child < size; ++child) {
      const ChildState& counterpart = source.children[child];
      if (!(counterpart.flags & kEnded)) {
        ++array->children[child].waiting;
      } else if (counterpart.flags & kFailed) {
        failing_children.emplace_back(child, DependencyFailedReason(ChildId(target.slot, child)));
      }
    }
    source.n_to_n_dependents.push_back({slot, generation, DependencyType::kNToN});
    ++stored_edges_;
  }
  nodes_[slot].array = std::move(array);
  nodes_[slot].waiting = gate;
  nodes_[slot].resolved = gate == 0;
  for (size_t i = 0; i < dependencies.size(); ++i) {
    if (IsArrayType(dependencies[i].type) || targets[i].kind == Target::Kind::kEnded) continue;
    uint32_t on = TargetNode(targets[i]);
    nodes_[on].dependents.push_back({slot, generation, dependencies[i].type});
    ++stored_edges_;
  }

  DependencyChanges out;
  for (auto& [child, reason] : failing_children) FailChild(slot, child, std::move(reason), out);
  if (gate == 0) OpenGate(slot, out);
  Drain(out);
  return out;
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

std::string DependencyGraph::ChildId(uint32_t array_slot, int32_t index) const {
  return *nodes_[array_slot].id + ":" + std::to_string(index);
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
