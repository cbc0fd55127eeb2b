#include "scheduler/planner.h"

#include <gtest/gtest.h>

#include <deque>
#include <string>
#include <vector>

#include "scheduler/best_fit_scorer.h"
#include "scheduler/priority_fifo_order.h"

namespace barge::scheduler {
namespace {

using std::chrono::seconds;

Resources Cpu(int64_t vcpus, int64_t memory_mib = 0, int64_t gpus = 0) {
  return {.millicpus = vcpus * 1000, .memory_mib = memory_mib, .gpus = gpus};
}

Timestamp At(int64_t second) { return Timestamp{} + seconds(second); }

// A PendingJob views its strings; the tests keep them here for good.
template <typename T>
const T& Keep(T value) {
  static std::deque<T> kept;
  return kept.emplace_back(std::move(value));
}

PendingJob Job(std::string id, Resources request, int64_t created_second = 0,
               std::string queue = "q", int32_t priority = 1,
               std::vector<std::string> environments = {"ce"}) {
  return {.id = Keep(std::move(id)),
          .queue = Keep(std::move(queue)),
          .queue_priority = priority,
          .compute_environments = Keep(std::move(environments)),
          .request = request,
          .runnable_since = At(created_second)};
}

NodeView Node(std::string id, Resources capacity, std::string environment = "ce") {
  return {.agent_id = Keep(std::move(id)),
          .compute_environment = Keep(std::move(environment)),
          .capacity = capacity,
          .free = capacity};
}

// "job->agent" for each placement, in order.
std::vector<std::string> Pairs(const PlanResult& result) {
  std::vector<std::string> out;
  for (const Placement& p : result.placements) out.push_back(p.job_id + "->" + p.agent_id);
  return out;
}

using Pairs_ = std::vector<std::string>;

TEST(PlannerTest, PlacesJobsInCreatedOrderWithinAQueue) {
  Snapshot snapshot{.jobs = {Job("late", Cpu(2), 20), Job("early", Cpu(2), 10)},
                    .nodes = {Node("a", Cpu(2))}};

  PlanResult result = Planner::Standard().Plan(snapshot);

  EXPECT_EQ(Pairs(result), Pairs_({"early->a"}));
  EXPECT_TRUE(result.unplaceable.empty());
}

TEST(PlannerTest, NeverOverCommitsAnyDimension) {
  struct Case {
    std::string name;
    Resources node;
    std::vector<Resources> jobs;
    size_t placed;
  };
  std::vector<Case> cases = {
      {"cpus", Cpu(4, 1000), {Cpu(2, 10), Cpu(2, 10), Cpu(1, 10)}, 2},
      {"memory", Cpu(16, 1000), {Cpu(1, 600), Cpu(1, 600), Cpu(1, 400)}, 2},
      {"gpus", Cpu(16, 1000, 1), {Cpu(1, 10, 1), Cpu(1, 10, 1)}, 1},
      {"fractional cpus",
       {.millicpus = 1000, .memory_mib = 100},
       {{.millicpus = 250}, {.millicpus = 500}, {.millicpus = 500}, {.millicpus = 250}},
       3},
  };
  for (const Case& c : cases) {
    Snapshot snapshot{.nodes = {Node("a", c.node)}};
    for (size_t i = 0; i < c.jobs.size(); ++i) {
      snapshot.jobs.push_back(Job("j" + std::to_string(i), c.jobs[i], static_cast<int64_t>(i)));
    }

    PlanResult result = Planner::Standard().Plan(snapshot);

    EXPECT_EQ(result.placements.size(), c.placed) << c.name;
  }
}

TEST(PlannerTest, HigherPriorityQueueIsServedFirstWhenCapacityIsShort) {
  Snapshot snapshot{
      .jobs = {Job("low", Cpu(2), 1, "low-q", 1), Job("high", Cpu(2), 5, "high-q", 10)},
      .nodes = {Node("a", Cpu(2))}};

  PlanResult result = Planner::Standard().Plan(snapshot);

  EXPECT_EQ(Pairs(result), Pairs_({"high->a"}));
}

TEST(PlannerTest, SmallerLaterJobsBackfillAroundAHeadThatDoesNotFit) {
  Snapshot snapshot{.jobs = {Job("big", Cpu(3), 1), Job("small", Cpu(1), 2)},
                    .nodes = {Node("a", {.millicpus = 4000, .memory_mib = 100, .gpus = 0})}};
  snapshot.nodes[0].free.millicpus = 2000;  // Half is taken by running work.

  PlanResult result = Planner::Standard().Plan(snapshot);

  EXPECT_EQ(Pairs(result), Pairs_({"small->a"}));
  EXPECT_TRUE(result.unplaceable.empty());  // big fits an empty node: it just waits.
}

TEST(PlannerTest, ComputeEnvironmentOrderBeatsABetterFit) {
  Snapshot snapshot{.jobs = {Job("j", Cpu(1), 0, "q", 1, {"first", "second"})},
                    .nodes = {Node("roomy", Cpu(16), "first"), Node("snug", Cpu(1), "second")}};

  PlanResult result = Planner::Standard().Plan(snapshot);

  ASSERT_EQ(Pairs(result), Pairs_({"j->roomy"}));
  EXPECT_EQ(result.placements[0].compute_environment, "first");
}

TEST(PlannerTest, FallsBackToTheNextEnvironmentWhenTheFirstIsFull) {
  Snapshot snapshot{.jobs = {Job("j1", Cpu(2), 0, "q", 1, {"first", "second"}),
                             Job("j2", Cpu(2), 1, "q", 1, {"first", "second"})},
                    .nodes = {Node("a", Cpu(2), "first"), Node("b", Cpu(2), "second")}};

  PlanResult result = Planner::Standard().Plan(snapshot);

  EXPECT_EQ(Pairs(result), Pairs_({"j1->a", "j2->b"}));
}

TEST(PlannerTest, PicksTheNodeWithTheLeastLeftOver) {
  Snapshot snapshot{
      .jobs = {Job("j", Cpu(2, 1000))},
      .nodes = {Node("big", Cpu(8, 8000)), Node("fit", Cpu(2, 1000)), Node("mid", Cpu(4, 2000))}};

  PlanResult result = Planner::Standard().Plan(snapshot);

  EXPECT_EQ(Pairs(result), Pairs_({"j->fit"}));
}

TEST(PlannerTest, KeepsGpuNodesForGpuJobs) {
  Snapshot snapshot{.jobs = {Job("cpu-job", Cpu(1, 100))},
                    .nodes = {Node("gpu", Cpu(4, 1000, 1)), Node("plain", Cpu(4, 1000))}};

  PlanResult result = Planner::Standard().Plan(snapshot);

  EXPECT_EQ(Pairs(result), Pairs_({"cpu-job->plain"}));
}

TEST(PlannerTest, SkipsNodesThatDoNotAcceptWork) {
  Snapshot snapshot{.jobs = {Job("j", Cpu(1))},
                    .nodes = {Node("draining", Cpu(1)), Node("open", Cpu(4))}};
  snapshot.nodes[0].accepting_work = false;

  PlanResult result = Planner::Standard().Plan(snapshot);

  EXPECT_EQ(Pairs(result), Pairs_({"j->open"}));
}

TEST(PlannerTest, JobLargerThanEveryNodeGetsTheResourceRequirementReason) {
  Snapshot snapshot{
      .jobs = {Job("huge", Cpu(64), 1), Job("gpu", Cpu(1, 0, 1), 2), Job("ok", Cpu(1), 3)},
      .nodes = {Node("a", Cpu(4)), Node("b", Cpu(8))}};

  PlanResult result = Planner::Standard().Plan(snapshot);

  EXPECT_EQ(Pairs(result), Pairs_({"ok->a"}));
  ASSERT_EQ(result.unplaceable.size(), 2U);
  EXPECT_EQ(result.unplaceable[0].job_id, "huge");
  EXPECT_EQ(result.unplaceable[0].reason, kJobResourceRequirementReason);
  EXPECT_EQ(result.unplaceable[1].job_id, "gpu");
}

TEST(PlannerTest, JobWhoseEnvironmentsHaveNoNodesWaitsWithoutAReason) {
  Snapshot snapshot{.jobs = {Job("j", Cpu(1), 0, "q", 1, {"empty"})},
                    .nodes = {Node("a", Cpu(4), "other")}};

  PlanResult result = Planner::Standard().Plan(snapshot);

  EXPECT_TRUE(result.placements.empty());
  EXPECT_TRUE(result.unplaceable.empty());
}

TEST(PlannerTest, JobThatFitsOnlyAnotherQueuesEnvironmentIsUnplaceable) {
  Snapshot snapshot{.jobs = {Job("j", Cpu(8), 0, "q", 1, {"small"})},
                    .nodes = {Node("a", Cpu(4), "small"), Node("b", Cpu(16), "large")}};

  PlanResult result = Planner::Standard().Plan(snapshot);

  EXPECT_TRUE(result.placements.empty());
  ASSERT_EQ(result.unplaceable.size(), 1U);
}

TEST(PlannerTest, ManyJobsFillEveryNodeExactly) {
  Snapshot snapshot;
  for (int i = 0; i < 1000; ++i) snapshot.jobs.push_back(Job("j" + std::to_string(i), Cpu(1), i));
  for (int i = 0; i < 10; ++i) snapshot.nodes.push_back(Node("n" + std::to_string(i), Cpu(3)));

  PlanResult result = Planner::Standard().Plan(snapshot);

  ASSERT_EQ(result.placements.size(), 30U);
  EXPECT_EQ(result.placements.front().job_id, "j0");
  EXPECT_EQ(result.placements.back().job_id, "j29");
}

TEST(PlanSessionTest, OfferingJobsInOrderGivesWhatPlanGives) {
  std::vector<PendingJob> jobs = {Job("big", Cpu(4), 1), Job("small", Cpu(1), 2),
                                  Job("huge", Cpu(64), 3), Job("mid", Cpu(2), 4),
                                  Job("last", Cpu(1), 5)};
  std::vector<NodeView> nodes = {Node("a", Cpu(2)), Node("b", Cpu(3))};
  Planner planner = Planner::Standard();
  PlanResult planned = planner.Plan({.jobs = jobs, .nodes = nodes});

  PlanSession session(planner, nodes);
  for (const PendingJob& job : jobs) session.Offer(job);
  PlanResult offered = session.Take();

  EXPECT_EQ(Pairs(offered), Pairs(planned));
  EXPECT_EQ(Pairs(offered), Pairs_({"small->a", "mid->b", "last->a"}));
  ASSERT_EQ(offered.unplaceable.size(), 2U);  // "big" and "huge" fit no node even empty.
  EXPECT_EQ(offered.unplaceable[0].job_id, "big");
  EXPECT_EQ(offered.unplaceable[1].job_id, "huge");
}

TEST(PlanSessionTest, NoRoomForSaysWhenNoNodeTakingWorkCanHoldARequest) {
  NodeView draining = Node("d", Cpu(8));
  draining.accepting_work = false;
  Planner planner = Planner::Standard();
  PlanSession session(planner, {Node("a", Cpu(2)), draining});
  EXPECT_FALSE(session.NoRoomFor(Cpu(1)));
  EXPECT_TRUE(session.NoRoomFor(Cpu(4)));  // Only the draining node is that large.

  session.Offer(Job("j", Cpu(2)));

  EXPECT_TRUE(session.NoRoomFor(Cpu(1)));
  EXPECT_EQ(session.nodes()[0].free.millicpus, 0);
}

TEST(PriorityFifoOrderTest, SortsByPriorityThenCreatedAtThenId) {
  std::vector<PendingJob> jobs = {Job("b", Cpu(1), 5, "q1", 1), Job("a", Cpu(1), 5, "q1", 1),
                                  Job("c", Cpu(1), 1, "q1", 1), Job("d", Cpu(1), 9, "q2", 7)};

  PriorityFifoOrder().Sort(jobs);

  std::vector<std::string> ids;
  for (const PendingJob& job : jobs) ids.emplace_back(job.id);
  EXPECT_EQ(ids, Pairs_({"d", "c", "a", "b"}));
}

TEST(BestFitScorerTest, ScoresAFullerNodeHigher) {
  PendingJob job = Job("j", Cpu(1, 100));
  NodeView empty = Node("empty", Cpu(4, 1000));
  NodeView half = Node("half", Cpu(4, 1000));
  half.free = Cpu(2, 500);

  BestFitScorer scorer;

  EXPECT_GT(scorer.Score(job, half), scorer.Score(job, empty));
}

}  // namespace
}  // namespace barge::scheduler
