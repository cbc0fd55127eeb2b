#include "core/dependency_graph.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/dependency_graph_test_support.h"

namespace barge {
namespace {

using enum JobStatus;
using ::testing::ElementsAre;
using testing::Ids;
using ::testing::IsEmpty;
using testing::JobTable;

constexpr DependencyType kAfterAny = DependencyType::kAfterAny;
constexpr DependencyType kAfterNotOk = DependencyType::kAfterNotOk;

Dependency On(std::string id, DependencyType type = DependencyType::kAfterOk) {
  return {.job_id = std::move(id), .type = type};
}

class DependencyGraphTest : public ::testing::Test {
 protected:
  DependencyGraph graph;
  JobTable jobs{graph};
};

TEST_F(DependencyGraphTest, JobWithoutDependenciesIsReadyAtOnceAndKeepsNoNode) {
  Result<DependencyChanges> added = jobs.Submit("a");

  ASSERT_TRUE(added);
  EXPECT_THAT(added->ready, ElementsAre("a"));
  EXPECT_THAT(added->failed, IsEmpty());
  EXPECT_EQ(graph.node_count(), 0u);
}

TEST_F(DependencyGraphTest, ChainRunsOneLinkAfterTheOther) {
  ASSERT_TRUE(jobs.Submit("a"));
  Result<DependencyChanges> b = jobs.Submit("b", {On("a")});
  Result<DependencyChanges> c = jobs.Submit("c", {On("b")});
  ASSERT_TRUE(b);
  ASSERT_TRUE(c);
  EXPECT_THAT(b->ready, IsEmpty());
  EXPECT_THAT(c->ready, IsEmpty());

  DependencyChanges after_a = jobs.End("a", kSucceeded);
  DependencyChanges after_b = jobs.End("b", kSucceeded);
  DependencyChanges after_c = jobs.End("c", kSucceeded);

  EXPECT_THAT(after_a.ready, ElementsAre("b"));
  EXPECT_THAT(after_b.ready, ElementsAre("c"));
  EXPECT_THAT(after_c.ready, IsEmpty());
  EXPECT_EQ(graph.node_count(), 0u);
  EXPECT_EQ(graph.stored_edges(), 0u);
}

TEST_F(DependencyGraphTest, DiamondJoinWaitsForBothBranches) {
  ASSERT_TRUE(jobs.Submit("top"));
  ASSERT_TRUE(jobs.Submit("left", {On("top")}));
  ASSERT_TRUE(jobs.Submit("right", {On("top")}));
  ASSERT_TRUE(jobs.Submit("join", {On("left"), On("right")}));

  DependencyChanges after_top = jobs.End("top", kSucceeded);
  DependencyChanges after_left = jobs.End("left", kSucceeded);
  DependencyChanges after_right = jobs.End("right", kSucceeded);

  EXPECT_THAT(after_top.ready, ElementsAre("left", "right"));
  EXPECT_THAT(after_left.ready, IsEmpty());
  EXPECT_THAT(after_right.ready, ElementsAre("join"));
  EXPECT_EQ(graph.stored_edges(), 0u);
}

TEST_F(DependencyGraphTest, FailurePropagatesThroughAChainInOneCallNamingEachCause) {
  ASSERT_TRUE(jobs.Submit("a"));
  ASSERT_TRUE(jobs.Submit("b", {On("a")}));
  ASSERT_TRUE(jobs.Submit("c", {On("b")}));
  ASSERT_TRUE(jobs.Submit("d", {On("c")}));

  DependencyChanges changes = jobs.End("a", kFailed);

  EXPECT_THAT(changes.ready, IsEmpty());
  EXPECT_THAT(changes.failed, ElementsAre(FailedJob{"b", "Dependent Job failed: a"},
                                          FailedJob{"c", "Dependent Job failed: b"},
                                          FailedJob{"d", "Dependent Job failed: c"}));
  EXPECT_EQ(jobs.status("d"), kFailed);
  EXPECT_EQ(graph.node_count(), 0u);
}

TEST_F(DependencyGraphTest, FailedBranchOfADiamondFailsTheJoinOnceAndTheOtherBranchLater) {
  ASSERT_TRUE(jobs.Submit("left"));
  ASSERT_TRUE(jobs.Submit("right"));
  ASSERT_TRUE(jobs.Submit("join", {On("left"), On("right")}));

  DependencyChanges after_left = jobs.End("left", kFailed);
  size_t edges_while_right_runs = graph.stored_edges();
  DependencyChanges after_right = jobs.End("right", kSucceeded);

  EXPECT_THAT(Ids(after_left.failed), ElementsAre("join"));
  EXPECT_EQ(edges_while_right_runs, 1u);  // right -> join: stale, dropped when right ends.
  EXPECT_THAT(after_right.ready, IsEmpty());
  EXPECT_THAT(after_right.failed, IsEmpty());
  EXPECT_EQ(graph.stored_edges(), 0u);
  EXPECT_EQ(graph.node_count(), 0u);
}

TEST_F(DependencyGraphTest, AfterAnyRunsWhetherTheDependencySucceedsOrFails) {
  ASSERT_TRUE(jobs.Submit("ok"));
  ASSERT_TRUE(jobs.Submit("bad"));
  ASSERT_TRUE(jobs.Submit("after_ok", {On("ok", kAfterAny)}));
  ASSERT_TRUE(jobs.Submit("after_bad", {On("bad", kAfterAny)}));

  DependencyChanges ok = jobs.End("ok", kSucceeded);
  DependencyChanges bad = jobs.End("bad", kFailed);

  EXPECT_THAT(ok.ready, ElementsAre("after_ok"));
  EXPECT_THAT(bad.ready, ElementsAre("after_bad"));
  EXPECT_THAT(bad.failed, IsEmpty());
}

TEST_F(DependencyGraphTest, AfterNotOkRunsOnlyWhenTheDependencyFailed) {
  ASSERT_TRUE(jobs.Submit("ok"));
  ASSERT_TRUE(jobs.Submit("bad"));
  ASSERT_TRUE(jobs.Submit("cleanup_ok", {On("ok", kAfterNotOk)}));
  ASSERT_TRUE(jobs.Submit("cleanup_bad", {On("bad", kAfterNotOk)}));

  DependencyChanges ok = jobs.End("ok", kSucceeded);
  DependencyChanges bad = jobs.End("bad", kFailed);

  EXPECT_THAT(ok.ready, IsEmpty());
  EXPECT_THAT(ok.failed,
              ElementsAre(FailedJob{"cleanup_ok",
                                    "Dependent Job succeeded: ok (AFTER_NOT_OK runs this job "
                                    "only if it fails)"}));
  EXPECT_THAT(bad.ready, ElementsAre("cleanup_bad"));
}

TEST_F(DependencyGraphTest, MixedTypesEachResolveByTheirOwnRule) {
  ASSERT_TRUE(jobs.Submit("build"));
  ASSERT_TRUE(jobs.Submit("test"));
  ASSERT_TRUE(jobs.Submit("report", {On("build"), On("test", kAfterAny)}));

  DependencyChanges after_test = jobs.End("test", kFailed);
  DependencyChanges after_build = jobs.End("build", kSucceeded);

  EXPECT_THAT(after_test.failed, IsEmpty());
  EXPECT_THAT(after_build.ready, ElementsAre("report"));
}

TEST_F(DependencyGraphTest, DependencyAlreadyTerminalAtAddResolvesAtOnce) {
  jobs.Put("done", kSucceeded);
  jobs.Put("broken", kFailed);
  jobs.Put("running", kRunning);

  Result<DependencyChanges> on_done = jobs.Submit("x", {On("done")});
  Result<DependencyChanges> on_broken = jobs.Submit("y", {On("broken")});
  Result<DependencyChanges> any_broken = jobs.Submit("z", {On("broken", kAfterAny)});
  Result<DependencyChanges> partly = jobs.Submit("w", {On("done"), On("running")});

  ASSERT_TRUE(on_done);
  ASSERT_TRUE(on_broken);
  ASSERT_TRUE(any_broken);
  ASSERT_TRUE(partly);
  EXPECT_THAT(on_done->ready, ElementsAre("x"));
  EXPECT_THAT(on_broken->failed, ElementsAre(FailedJob{"y", "Dependent Job failed: broken"}));
  EXPECT_THAT(any_broken->ready, ElementsAre("z"));
  EXPECT_THAT(partly->ready, IsEmpty());
  EXPECT_THAT(jobs.End("running", kSucceeded).ready, ElementsAre("w"));
}

TEST_F(DependencyGraphTest, UnknownDependencyIsRefusedAndNothingIsStored) {
  ASSERT_TRUE(jobs.Submit("a"));

  Result<DependencyChanges> added = jobs.Submit("b", {On("a"), On("ghost")});

  ASSERT_FALSE(added);
  EXPECT_EQ(added.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(added.error().message, "job b depends on unknown job ghost");
  EXPECT_EQ(graph.node_count(), 0u);
  EXPECT_EQ(graph.stored_edges(), 0u);
}

TEST_F(DependencyGraphTest, SelfDependencyDuplicateAndReAddingAreRefused) {
  ASSERT_TRUE(jobs.Submit("a"));
  ASSERT_TRUE(jobs.Submit("b", {On("a")}));
  ASSERT_TRUE(jobs.Submit("c", {On("b")}));

  Result<DependencyChanges> self = graph.Add("d", std::vector{On("d")}, jobs.Lookup());
  Result<DependencyChanges> twice =
      graph.Add("d", std::vector{On("a"), On("a", kAfterAny)}, jobs.Lookup());
  // b already waits on a; giving b a dependency on c would close b -> c -> b.
  Result<DependencyChanges> cycle = graph.Add("b", std::vector{On("c")}, jobs.Lookup());
  // a is in the graph only as what b waits on; re-adding it is refused too.
  Result<DependencyChanges> again = graph.Add("a", std::vector{On("c")}, jobs.Lookup());

  ASSERT_FALSE(self);
  ASSERT_FALSE(twice);
  ASSERT_FALSE(cycle);
  ASSERT_FALSE(again);
  EXPECT_EQ(self.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(self.error().message, "job d cannot depend on itself");
  EXPECT_EQ(twice.error().message, "job d lists dependency a twice");
  EXPECT_EQ(cycle.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(cycle.error().message, ::testing::HasSubstr("could close a cycle"));
  EXPECT_EQ(again.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(jobs.End("a", kSucceeded).ready, ElementsAre("b"));  // Still intact.
}

TEST_F(DependencyGraphTest, ArrayDependencyTypesOnAPlainJobAreRefused) {
  ASSERT_TRUE(jobs.Submit("a"));

  Result<DependencyChanges> sequential = jobs.Submit("b", {{.type = DependencyType::kSequential}});
  Result<DependencyChanges> n_to_n = jobs.Submit("c", {On("a", DependencyType::kNToN)});
  Result<DependencyChanges> no_id = jobs.Submit("d", {On("")});

  ASSERT_FALSE(sequential);
  ASSERT_FALSE(n_to_n);
  ASSERT_FALSE(no_id);
  EXPECT_EQ(sequential.error().message,
            "job b is not an array job: a SEQUENTIAL dependency needs one");
  EXPECT_EQ(n_to_n.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(no_id.error().message, "job d has a dependency with no job id");
}

TEST_F(DependencyGraphTest, CancelledDependencyFailsAfterOkAndRunsAfterAnyAndAfterNotOk) {
  ASSERT_TRUE(jobs.Submit("a"));
  ASSERT_TRUE(jobs.Submit("ok", {On("a")}));
  ASSERT_TRUE(jobs.Submit("any", {On("a", kAfterAny)}));
  ASSERT_TRUE(jobs.Submit("not_ok", {On("a", kAfterNotOk)}));

  DependencyChanges changes = jobs.Cancel("a");

  EXPECT_THAT(changes.failed, ElementsAre(FailedJob{"ok", "Dependent Job failed: a"}));
  EXPECT_THAT(changes.ready, ElementsAre("any", "not_ok"));
  EXPECT_EQ(graph.node_count(), 0u);
}

TEST_F(DependencyGraphTest, CancelledWaitingJobFailsItsDependentsAndLeavesNoEdgeBehind) {
  ASSERT_TRUE(jobs.Submit("a"));
  ASSERT_TRUE(jobs.Submit("b", {On("a")}));
  ASSERT_TRUE(jobs.Submit("c", {On("b")}));

  DependencyChanges cancelled = jobs.Cancel("b");
  DependencyChanges after_a = jobs.End("a", kSucceeded);

  EXPECT_THAT(cancelled.failed, ElementsAre(FailedJob{"c", "Dependent Job failed: b"}));
  EXPECT_THAT(after_a.ready, IsEmpty());  // b is gone: its wait on a resolves nothing.
  EXPECT_EQ(graph.node_count(), 0u);
  EXPECT_EQ(graph.stored_edges(), 0u);
}

TEST_F(DependencyGraphTest, RepeatedAndUnknownEndReportsChangeNothing) {
  ASSERT_TRUE(jobs.Submit("a"));
  ASSERT_TRUE(jobs.Submit("b", {On("a")}));
  ASSERT_THAT(jobs.End("a", kSucceeded).ready, ElementsAre("b"));

  DependencyChanges repeat = jobs.End("a", kSucceeded);
  DependencyChanges unknown = graph.OnEnded("nobody", kFailed);

  EXPECT_THAT(repeat.ready, IsEmpty());
  EXPECT_THAT(repeat.failed, IsEmpty());
  EXPECT_THAT(unknown.ready, IsEmpty());
  EXPECT_THAT(unknown.failed, IsEmpty());
}

TEST_F(DependencyGraphTest, TenThousandLinkChainResolvesLinkByLink) {
  constexpr int kLinks = 10'000;
  ASSERT_TRUE(jobs.Submit("link0"));
  for (int i = 1; i < kLinks; ++i) {
    ASSERT_TRUE(jobs.Submit("link" + std::to_string(i), {On("link" + std::to_string(i - 1))}));
  }
  EXPECT_EQ(graph.stored_edges(), static_cast<size_t>(kLinks - 1));

  for (int i = 0; i + 1 < kLinks; ++i) {
    DependencyChanges changes = jobs.End("link" + std::to_string(i), kSucceeded);
    ASSERT_THAT(changes.ready, ElementsAre("link" + std::to_string(i + 1))) << "link " << i;
    ASSERT_THAT(changes.failed, IsEmpty());
  }
  (void)jobs.End("link" + std::to_string(kLinks - 1), kSucceeded);

  EXPECT_EQ(graph.node_count(), 0u);
  EXPECT_EQ(graph.stored_edges(), 0u);
}

TEST_F(DependencyGraphTest, TenThousandLinkChainFailingAtItsHeadFailsEveryLinkInOneCall) {
  constexpr int kLinks = 10'000;
  ASSERT_TRUE(jobs.Submit("link0"));
  for (int i = 1; i < kLinks; ++i) {
    ASSERT_TRUE(jobs.Submit("link" + std::to_string(i), {On("link" + std::to_string(i - 1))}));
  }

  DependencyChanges changes = jobs.End("link0", kFailed);

  ASSERT_EQ(changes.failed.size(), static_cast<size_t>(kLinks - 1));
  EXPECT_EQ(changes.failed.back(), (FailedJob{"link9999", "Dependent Job failed: link9998"}));
  EXPECT_EQ(graph.node_count(), 0u);
  EXPECT_EQ(graph.stored_edges(), 0u);
}

TEST(DependencyTypeTest, WireNamesRoundTrip) {
  for (DependencyType type : {DependencyType::kAfterOk, kAfterAny, kAfterNotOk,
                              DependencyType::kSequential, DependencyType::kNToN}) {
    EXPECT_EQ(ParseDependencyType(ToString(type)), type);
  }
  EXPECT_EQ(ParseDependencyType("N_TO_N"), DependencyType::kNToN);
  EXPECT_EQ(ParseDependencyType("afterany"), std::nullopt);
}

}  // namespace
}  // namespace barge
