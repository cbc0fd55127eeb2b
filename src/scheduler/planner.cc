#include "scheduler/planner.h"

#include <algorithm>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include "scheduler/best_fit_scorer.h"
#include "scheduler/node_filters.h"
#include "scheduler/priority_fifo_order.h"

namespace barge::scheduler {
namespace {

// Requests that already found no node, for one list of environments.
// Bounded: past kMaxRemembered the pass just tries again, which is only slower.
class FailedRequests {
 public:
  bool Dominates(const Resources& request) const {
    return std::ranges::any_of(failed_,
                               [&](const Resources& failed) { return Covers(request, failed); });
  }
  // `request` found no node. Callers add only requests Dominates does not
  // cover: those say nothing new.
  void Add(const Resources& request) {
    if (failed_.size() < kMaxRemembered) failed_.push_back(request);
  }

 private:
  static constexpr size_t kMaxRemembered = 16;
  std::vector<Resources> failed_;
};

bool SameList(std::span<const std::string> a, std::span<const std::string> b) {
  return (a.data() == b.data() && a.size() == b.size()) || std::ranges::equal(a, b);
}

constexpr size_t kMaxRememberedFits = 64;

void Reserve(Resources& free, const Resources& request) {
  free.millicpus -= request.millicpus;
  free.memory_mib -= request.memory_mib;
  free.gpus -= request.gpus;
}

}  // namespace

Planner::Planner(std::unique_ptr<QueueOrderPolicy> order,
                 std::vector<std::unique_ptr<NodeFilter>> filters,
                 std::unique_ptr<NodeScorer> scorer)
    : order_(std::move(order)), filters_(std::move(filters)), scorer_(std::move(scorer)) {}

Planner Planner::Standard() {
  std::vector<std::unique_ptr<NodeFilter>> filters;
  filters.push_back(std::make_unique<AcceptingWorkFilter>());
  filters.push_back(std::make_unique<FreeCapacityFilter>());
  return Planner(std::make_unique<PriorityFifoOrder>(), std::move(filters),
                 std::make_unique<BestFitScorer>());
}

// Per list of environments (a queue's): what already failed, and the
// environments' nodes in order. Jobs of one queue come in runs, so the list
// is looked up once per run, not per job.
struct PlanSession::Environments {
  std::span<const std::string> names{};  // The first offered job's (kept for the session).
  FailedRequests failed{};
  std::vector<const std::vector<size_t>*> members{};  // Environments with nodes, in order.
  // Whether some node could ever hold a request, by request: jobs that find
  // no room ask the same few requests over and over.
  std::vector<std::pair<Resources, bool>> ever_fits{};
};

PlanSession::PlanSession(const Planner& planner, std::vector<NodeView> nodes)
    : planner_(planner), nodes_(std::move(nodes)) {
  // A session is built per pass (on every exit) over a few nodes of a few
  // environments: lists searched in order allocate less than maps.
  std::vector<size_t>* members = nullptr;  // The previous node's environment's.
  std::string_view members_of;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    std::string_view environment = nodes_[i].compute_environment;
    if (members == nullptr || members_of != environment) {
      auto it = FindNodesOf(environment);
      if (it == by_environment_.end()) {
        // Mostly the nodes are all one environment's: room for them at once.
        bool first = by_environment_.empty();
        it = by_environment_.insert(it, {environment, {}});
        if (first) it->second.reserve(nodes_.size());
      }
      members = &it->second;
      members_of = environment;
    }
    members->push_back(i);
  }
}

PlanSession::~PlanSession() = default;

std::vector<PlanSession::NodesOf>::iterator PlanSession::FindNodesOf(std::string_view environment) {
  return std::ranges::find(by_environment_, environment, &NodesOf::first);
}

void PlanSession::Offer(const PendingJob& job) {
  if (current_ == nullptr || !SameList(current_->names, job.compute_environments)) {
    auto it = std::ranges::find_if(environments_of_, [&](const auto& environments) {
      return SameList(environments->names, job.compute_environments);
    });
    if (it == environments_of_.end()) {
      auto environments = std::make_unique<Environments>();
      environments->names = job.compute_environments;
      for (const std::string& environment : job.compute_environments) {
        auto members = FindNodesOf(environment);
        if (members != by_environment_.end()) environments->members.push_back(&members->second);
      }
      it = environments_of_.insert(environments_of_.end(), std::move(environments));
    }
    current_ = it->get();
  }
  NodeView* best = nullptr;
  const bool known_to_fail = current_->failed.Dominates(job.request);
  if (!known_to_fail) {
    for (const std::vector<size_t>* members : current_->members) {
      double best_score = 0;
      for (size_t index : *members) {
        NodeView& node = nodes_[index];
        bool admitted = std::ranges::all_of(
            planner_.filters_, [&](const auto& filter) { return filter->Admits(job, node); });
        if (!admitted) continue;
        double score = planner_.scorer_->Score(job, node);
        if (best == nullptr || score > best_score) {
          best = &node;
          best_score = score;
        }
      }
      if (best != nullptr) break;  // Environment order beats a better fit further down.
    }
  }
  if (best != nullptr) {
    Reserve(best->free, job.request);
    result_.placements.push_back({.job_id = std::string(job.id),
                                  .agent_id = std::string(best->agent_id),
                                  .compute_environment = std::string(best->compute_environment)});
    return;
  }
  if (!known_to_fail) current_->failed.Add(job.request);

  if (current_->members.empty()) return;
  std::vector<std::pair<Resources, bool>>& ever_fits = current_->ever_fits;
  auto known = std::ranges::find(ever_fits, job.request, &std::pair<Resources, bool>::first);
  bool could_ever_fit = known != ever_fits.end() ? known->second : false;
  if (known == ever_fits.end()) {
    could_ever_fit = std::ranges::any_of(current_->members, [&](const auto* members) {
      return std::ranges::any_of(
          *members, [&](size_t index) { return Covers(nodes_[index].capacity, job.request); });
    });
    if (ever_fits.size() < kMaxRememberedFits) ever_fits.emplace_back(job.request, could_ever_fit);
  }
  if (!could_ever_fit) {
    result_.unplaceable.push_back(
        {.job_id = std::string(job.id), .reason = std::string(kJobResourceRequirementReason)});
  }
}

bool PlanSession::NoRoomFor(const Resources& request) const {
  return std::ranges::none_of(nodes_, [&](const NodeView& node) {
    return node.accepting_work && Covers(node.free, request);
  });
}

PlanResult Planner::Plan(Snapshot snapshot) const {
  order_->Sort(snapshot.jobs);
  PlanSession session(*this, std::move(snapshot.nodes));
  for (const PendingJob& job : snapshot.jobs) session.Offer(job);
  return session.Take();
}

}  // namespace barge::scheduler
