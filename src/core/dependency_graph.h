#pragma once
// DependencyGraph: the unresolved dependencies between jobs, kept in memory
// and updated incrementally. Jobs are added with what they depend on; the
// caller reports each job's end; the graph answers which waiting jobs became
// ready and which must FAIL (with their statusReason), cascading through
// chains in the same call. Cost is proportional to the edges that change:
// nothing here scans the queue. Pure: no I/O, no clock. Not thread-safe: owned
// by the control thread, like every piece of control-plane state.
//
// Semantics (AWS-BATCH.md 5.1, 5.4, 5.5; issue 5):
//  - kAfterOk (AWS's only kind, the default): the dependent runs once the
//    dependency SUCCEEDED and FAILS once it FAILED, with statusReason
//    "Dependent Job failed: <id>" (AWS's "Dependent Job failed", plus the id
//    the issue asks for, so a match on AWS's words still works).
//  - kAfterAny (barge, opt-in): satisfied when the dependency ends either way.
//  - kAfterNotOk (barge, opt-in): satisfied when it FAILED; when it SUCCEEDED
//    the dependent FAILS with "Dependent Job succeeded: <id> (AFTER_NOT_OK
//    runs this job only if it fails)".
//  - A cancelled job is FAILED (AWS): Remove() is OnEnded(id, kFailed), and
//    takes effect at once. AWS cancels a PENDING job only once its
//    dependencies finish; a caller that wants that keeps the cancel request
//    itself and calls Remove when the graph reports the job ready.
//  - Arrays (AddArray): a plain dependency of an array holds back every child;
//    kSequential (no job id) makes child i wait for child i-1 of the same
//    array to succeed; kNToN on array A (same size, else kInvalidArgument)
//    makes child i wait for A:i to succeed. A dependency on an array parent
//    waits for the whole array: it ends when every child is terminal, FAILED
//    if any child failed (ArrayStatus's rule). Both array kinds have afterok
//    semantics. A child id "P:i" of an array in the graph may also be named
//    as a dependency of any job.
//
// Acyclic by construction: a job gets its dependencies once, at Add, when
// nothing in the graph depends on it yet, and may name only jobs that already
// exist, so no new edge can close a cycle. Add therefore refuses only a self
// dependency and a job already in the graph (re-adding), in O(1).
//
// Memory: only unresolved edges are stored; an edge is dropped when its
// dependency ends. Per plain edge: 12 bytes in the dependency's edge vector
// (up to twice that with vector slack). Per job that waits or is waited on: a
// 56-byte node plus its index entry (~72 bytes with the bucket, plus the id's
// heap copy when it is longer than 15 characters, as UUIDs are). A job that
// waits on nothing and that nothing waits on has no node. An array adds 64
// bytes plus 2 bytes per child, and stays until its last child ends. SEQUENTIAL
// is stored as one flag (no edge per child) and N_TO_N as one 12-byte link per
// pair of arrays; both are expanded child by child as children end. Removing a
// job leaves the edges that point at it in place (marked stale by a generation
// number) until their dependency ends, rather than searching a list that can
// hold 100,000 entries.
//
// Contract with the caller: every array job is added with AddArray (even one
// with no dependencies), before any job names it; the lookup agrees with the
// ends already reported (a job it calls non-terminal has its end reported to
// OnEnded later); a job the graph reports FAILED has ended (reporting it again
// is harmless). To rebuild after a restart, add the non-terminal jobs in
// submission order, then report the ends of array children already terminal;
// changes that repeat what the store holds are to be ignored.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/job.h"
#include "core/result.h"
#include "core/string_hash.h"

namespace barge {

enum class DependencyType {
  kAfterOk,     // AWS's: no `type` on the wire.
  kAfterAny,    // barge: AFTER_ANY.
  kAfterNotOk,  // barge: AFTER_NOT_OK.
  kSequential,  // AWS: SEQUENTIAL, array jobs only, no job id.
  kNToN,        // AWS: N_TO_N, array jobs only, names an array of the same size.
};

// The wire names: AFTER_OK, AFTER_ANY, AFTER_NOT_OK, SEQUENTIAL, N_TO_N.
std::string_view ToString(DependencyType type);
std::optional<DependencyType> ParseDependencyType(std::string_view text);

struct Dependency {
  std::string job_id{};  // Empty for kSequential.
  DependencyType type = DependencyType::kAfterOk;
};

// What the caller knows of a job that the graph does not hold.
struct KnownJob {
  JobStatus status = JobStatus::kSubmitted;
  int32_t array_size = 0;  // 0: not an array parent.
};
// nullopt: no such job. Called only at Add/AddArray, at most once per
// dependency, except N_TO_N on a FAILED array: once per child ("A:i").
using JobLookup = std::function<std::optional<KnownJob>(std::string_view job_id)>;

struct FailedJob {
  std::string job_id{};
  std::string reason{};  // The statusReason to give the job.
  friend bool operator==(const FailedJob&, const FailedJob&) = default;
};

// What one call changed, in the order it was resolved. Array children are
// named "<parent>:<index>". A job in `failed` has ended; one in `ready` is to
// become RUNNABLE and its end is to be reported later.
struct DependencyChanges {
  std::vector<std::string> ready{};
  std::vector<FailedJob> failed{};
};

class DependencyGraph {
 public:
  DependencyGraph();
  ~DependencyGraph();
  DependencyGraph(const DependencyGraph&) = delete;
  DependencyGraph& operator=(const DependencyGraph&) = delete;

  // Adds a plain (non-array) job with its dependencies. Dependencies already
  // terminal are resolved at once, so the result may hold the job itself as
  // ready (nothing left to wait for) or failed. kInvalidArgument, and nothing
  // changes, when: a dependency is unknown; the job names itself or the same
  // job twice; a type is kSequential or kNToN; the job is already in the
  // graph. kInternal when the lookup calls an array non-terminal that the
  // graph does not hold (the caller broke the contract above).
  Result<DependencyChanges> Add(std::string_view job_id, std::span<const Dependency> dependencies,
                                const JobLookup& lookup);

  // Adds an array job of `size` children ("<parent_id>:0" ...). The result
  // names the children ready or failed at once. Same errors as Add, plus
  // kInvalidArgument for size < 1, a kSequential with a job id or given
  // twice, a kNToN on a job that is not an array or has another size.
  Result<DependencyChanges> AddArray(std::string_view parent_id, int32_t size,
                                     std::span<const Dependency> dependencies,
                                     const JobLookup& lookup);

  // Reports that a job or an array child ("P:i") reached `status` (SUCCEEDED
  // or FAILED; checked). Unknown ids and repeats change nothing. An array
  // parent ends through its children: naming one here is a bug (checked).
  DependencyChanges OnEnded(std::string_view job_id, JobStatus status);

  // The job was cancelled before it ran: AWS makes it FAILED, so its
  // dependents resolve as for a failure, and its own waits are dropped.
  DependencyChanges Remove(std::string_view job_id) { return OnEnded(job_id, JobStatus::kFailed); }

  // Jobs and arrays holding a node, and edges stored (plain edges plus N_TO_N
  // links, stale ones included): what the graph costs right now.
  size_t node_count() const { return index_.size(); }
  size_t stored_edges() const { return stored_edges_; }

 private:
  struct Edge;
  struct Node;
  struct ArrayState;
  struct Ended;
  struct Target;
  struct ArrayPlan;

  // AddArray's checks and decisions, made before anything changes.
  Result<ArrayPlan> PlanArray(std::string_view parent_id, int32_t size,
                              std::span<const Dependency> dependencies,
                              const JobLookup& lookup) const;
  Result<Target> Locate(std::string_view id, const JobLookup& lookup) const;
  std::optional<std::pair<uint32_t, int32_t>> FindChild(std::string_view id) const;
  bool Holds(std::string_view id) const;
  uint32_t NewNode(std::string_view id);
  uint32_t TargetNode(const Target& target);
  void EraseNode(uint32_t slot);
  std::string ChildId(uint32_t array_slot, int32_t index) const;

  // The cascade: drains work_ until every consequence of an end is resolved.
  void Drain(DependencyChanges& out);
  void EndNode(const Ended& ended, DependencyChanges& out);
  void EndChild(const Ended& ended, DependencyChanges& out);
  void ResolveEdge(const Edge& edge, bool dependency_failed, std::string_view dependency_id,
                   DependencyChanges& out);
  void ChildDependencyEnded(uint32_t array_slot, int32_t index, bool dependency_failed,
                            uint32_t dependency_slot, DependencyChanges& out);
  void FailChild(uint32_t array_slot, int32_t index, std::string reason, DependencyChanges& out);
  void OpenGate(uint32_t array_slot, DependencyChanges& out);

  std::vector<Node> nodes_;  // Slab; freed slots are reused, with a new generation.
  std::vector<uint32_t> free_slots_;
  std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>> index_;
  std::vector<Ended> work_;  // Kept between calls so a cascade allocates only when it grows.
  size_t stored_edges_ = 0;
};

}  // namespace barge
