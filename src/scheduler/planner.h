#pragma once
// Planner: one scheduling pass as a pure function of a snapshot. Same inputs,
// same output, so it is tested with plain values and no fakes.
//
// The pass: the QueueOrderPolicy sorts the jobs; each job in turn tries its
// queue's compute environments in computeEnvironmentOrder, and in the first
// environment that has a node every NodeFilter admits, goes to the node the
// NodeScorer ranks highest. The node's free capacity shrinks by the request
// before the next job is looked at, so a pass never over-commits a node.
// A job that does not fit now is skipped and later, smaller jobs may still
// start (AWS Batch's FIFO queues behave so: "later jobs may start first when
// they fit").
//
// A job that could not run on any node of its environments even if that node
// were empty gets Unplaceable with kJobResourceRequirementReason. A job whose
// environments have no nodes at all gets nothing: capacity may still join.
//
// Filters must be monotone (a node that does not admit a request does not
// admit a larger one, and a placement never makes a node admit more): the
// pass skips a job outright when a smaller request for the same environments
// already found no node.
//
// Thread-safety: Plan is const and the policies are stateless; any thread.
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "scheduler/cluster_view.h"
#include "scheduler/policy.h"

namespace barge::scheduler {

inline constexpr std::string_view kJobResourceRequirementReason =
    "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT - The job resource requirement (vCPU/memory/GPU) "
    "is higher than that can be met by the CE(s) attached to the job queue.";

class Planner {
 public:
  friend class PlanSession;

  Planner(std::unique_ptr<QueueOrderPolicy> order, std::vector<std::unique_ptr<NodeFilter>> filters,
          std::unique_ptr<NodeScorer> scorer);

  // Priority FIFO order, accepting-work and free-capacity filters, best fit.
  static Planner Standard();

  PlanResult Plan(Snapshot snapshot) const;

  // Whether the order policy serves one queue's jobs oldest first, so that
  // they may be offered to a PlanSession in that order without sorting.
  bool KeepsQueueOrder() const { return order_->KeepsQueueOrder(); }

 private:
  std::unique_ptr<QueueOrderPolicy> order_;
  std::vector<std::unique_ptr<NodeFilter>> filters_;
  std::unique_ptr<NodeScorer> scorer_;
};

// One pass of a Planner, a job at a time: Plan() sorts the jobs and offers
// each in turn. A caller that offers jobs in the planner's order itself can
// stop early, once NoRoomFor says nothing it still holds could start: the
// result is what Plan() gives for the jobs offered (the jobs left out would
// have found no node). The filters must include a free-capacity one (as
// Standard()'s do): NoRoomFor judges by free capacity.
class PlanSession {
 public:
  // `planner` must outlive the session.
  PlanSession(const Planner& planner, std::vector<NodeView> nodes);
  ~PlanSession();
  PlanSession(const PlanSession&) = delete;
  PlanSession& operator=(const PlanSession&) = delete;

  // Serves `job`: a placement on the best admitted node, or (when none
  // admits it) an Unplaceable if no node of its environments could ever hold it.
  void Offer(const PendingJob& job);
  // No node taking work has free capacity covering `request` any more.
  bool NoRoomFor(const Resources& request) const;
  const std::vector<NodeView>& nodes() const { return nodes_; }
  size_t placed() const { return result_.placements.size(); }
  PlanResult Take() { return std::move(result_); }

 private:
  struct Environments;

  const Planner& planner_;
  std::vector<NodeView> nodes_;
  // Node indices by environment (views of nodes_' names), in first-seen order.
  using NodesOf = std::pair<std::string_view, std::vector<size_t>>;
  std::vector<NodesOf> by_environment_;
  // by_environment_'s entry for `environment`, or its end.
  std::vector<NodesOf>::iterator FindNodesOf(std::string_view environment);
  // Per distinct list of environments offered; the lists are views of the
  // offered jobs' (alive while the session is, like the nodes' names).
  std::vector<std::unique_ptr<Environments>> environments_of_;
  Environments* current_ = nullptr;
  PlanResult result_;
};

}  // namespace barge::scheduler
