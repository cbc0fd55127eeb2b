// DependencyGraph with array jobs: SEQUENTIAL, N_TO_N, dependencies of a whole
// array, on an array parent and on one child.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/dependency_graph.h"
#include "core/dependency_graph_test_support.h"

namespace barge {
namespace {

using enum JobStatus;
using ::testing::ElementsAre;
using testing::Ids;
using ::testing::IsEmpty;
using testing::JobTable;

constexpr Dependency kSequential{.type = DependencyType::kSequential};

Dependency On(std::string id, DependencyType type = DependencyType::kAfterOk) {
  return {.job_id = std::move(id), .type = type};
}
Dependency NToN(std::string id) { return On(std::move(id), DependencyType::kNToN); }

class DependencyGraphArrayTest : public ::testing::Test {
 protected:
  DependencyGraph graph;
  JobTable jobs{graph};
};

TEST_F(DependencyGraphArrayTest, ArrayWithoutDependenciesHasEveryChildReadyAtOnce) {
  Result<DependencyChanges> added = jobs.SubmitArray("p", 3);

  ASSERT_TRUE(added);
  EXPECT_THAT(added->ready, ElementsAre("p:0", "p:1", "p:2"));
  EXPECT_EQ(graph.node_count(), 1u);  // Kept until its last child ends: others may name it.
}

TEST_F(DependencyGraphArrayTest, SequentialArrayRunsItsChildrenInIndexOrder) {
  Result<DependencyChanges> added = jobs.SubmitArray("p", 4, {kSequential});
  ASSERT_TRUE(added);

  DependencyChanges after0 = jobs.End("p:0", kSucceeded);
  DependencyChanges after1 = jobs.End("p:1", kSucceeded);
  DependencyChanges after2 = jobs.End("p:2", kSucceeded);
  DependencyChanges after3 = jobs.End("p:3", kSucceeded);

  EXPECT_THAT(added->ready, ElementsAre("p:0"));
  EXPECT_THAT(after0.ready, ElementsAre("p:1"));
  EXPECT_THAT(after1.ready, ElementsAre("p:2"));
  EXPECT_THAT(after2.ready, ElementsAre("p:3"));
  EXPECT_THAT(after3.ready, IsEmpty());
  EXPECT_EQ(graph.node_count(), 0u);
  EXPECT_EQ(graph.stored_edges(), 0u);
}

TEST_F(DependencyGraphArrayTest, SequentialChildFailureFailsEveryLaterChild) {
  ASSERT_TRUE(jobs.SubmitArray("p", 4, {kSequential}));
  ASSERT_THAT(jobs.End("p:0", kSucceeded).ready, ElementsAre("p:1"));

  DependencyChanges changes = jobs.End("p:1", kFailed);

  EXPECT_THAT(changes.ready, IsEmpty());
  EXPECT_THAT(changes.failed, ElementsAre(FailedJob{"p:2", "Dependent Job failed: p:1"},
                                          FailedJob{"p:3", "Dependent Job failed: p:2"}));
  EXPECT_EQ(graph.node_count(), 0u);
}

TEST_F(DependencyGraphArrayTest, TenThousandChildSequentialArrayResolvesChildByChild) {
  constexpr int kSize = 10'000;
  Result<DependencyChanges> added = jobs.SubmitArray("p", kSize, {kSequential});
  ASSERT_TRUE(added);
  ASSERT_THAT(added->ready, ElementsAre("p:0"));
  EXPECT_EQ(graph.stored_edges(), 0u);  // SEQUENTIAL is a flag, not 9,999 edges.

  for (int i = 0; i + 1 < kSize; ++i) {
    DependencyChanges changes = jobs.End("p:" + std::to_string(i), kSucceeded);
    ASSERT_THAT(changes.ready, ElementsAre("p:" + std::to_string(i + 1))) << "child " << i;
  }
  (void)jobs.End("p:9999", kSucceeded);

  EXPECT_EQ(graph.node_count(), 0u);
}

TEST_F(DependencyGraphArrayTest, NToNChildWaitsOnlyForItsCounterpart) {
  ASSERT_TRUE(jobs.SubmitArray("a", 3));
  Result<DependencyChanges> b = jobs.SubmitArray("b", 3, {NToN("a")});
  ASSERT_TRUE(b);
  EXPECT_THAT(b->ready, IsEmpty());
  EXPECT_EQ(graph.stored_edges(), 1u);  // One link a -> b, not one per child.

  DependencyChanges after_a2 = jobs.End("a:2", kSucceeded);
  DependencyChanges after_a0 = jobs.End("a:0", kSucceeded);
  DependencyChanges after_a1 = jobs.End("a:1", kFailed);

  EXPECT_THAT(after_a2.ready, ElementsAre("b:2"));
  EXPECT_THAT(after_a0.ready, ElementsAre("b:0"));
  EXPECT_THAT(after_a1.ready, IsEmpty());
  EXPECT_THAT(after_a1.failed, ElementsAre(FailedJob{"b:1", "Dependent Job failed: a:1"}));
}

TEST_F(DependencyGraphArrayTest, NToNOnALiveArrayCountsChildrenThatAlreadyEnded) {
  ASSERT_TRUE(jobs.SubmitArray("a", 3));
  (void)jobs.End("a:0", kSucceeded);
  (void)jobs.End("a:1", kFailed);

  Result<DependencyChanges> b = jobs.SubmitArray("b", 3, {NToN("a")});

  ASSERT_TRUE(b);
  EXPECT_THAT(b->ready, ElementsAre("b:0"));
  EXPECT_THAT(b->failed, ElementsAre(FailedJob{"b:1", "Dependent Job failed: a:1"}));
  EXPECT_THAT(jobs.End("a:2", kSucceeded).ready, ElementsAre("b:2"));
}

TEST_F(DependencyGraphArrayTest, NToNOnAnArrayThatAlreadyEndedAsksForEachChildOnlyIfItFailed) {
  jobs.Put("done", kSucceeded, 2);
  jobs.Put("broken", kFailed, 2);
  jobs.Put("broken:0", kSucceeded);
  jobs.Put("broken:1", kFailed);

  Result<DependencyChanges> on_done = jobs.SubmitArray("x", 2, {NToN("done")});
  Result<DependencyChanges> on_broken = jobs.SubmitArray("y", 2, {NToN("broken")});

  ASSERT_TRUE(on_done);
  ASSERT_TRUE(on_broken);
  EXPECT_THAT(on_done->ready, ElementsAre("x:0", "x:1"));
  EXPECT_THAT(on_broken->ready, ElementsAre("y:0"));
  EXPECT_THAT(on_broken->failed, ElementsAre(FailedJob{"y:1", "Dependent Job failed: broken:1"}));
}

TEST_F(DependencyGraphArrayTest, NToNWithAnotherSizeOrOnAPlainJobIsRefused) {
  ASSERT_TRUE(jobs.SubmitArray("a", 3));
  ASSERT_TRUE(jobs.Submit("plain"));

  Result<DependencyChanges> mismatch = jobs.SubmitArray("b", 4, {NToN("a")});
  Result<DependencyChanges> not_array = jobs.SubmitArray("c", 3, {NToN("plain")});

  ASSERT_FALSE(mismatch);
  ASSERT_FALSE(not_array);
  EXPECT_EQ(mismatch.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(mismatch.error().message,
            "array job b has size 4 but its N_TO_N dependency a has size 3: N_TO_N needs arrays "
            "of the same size");
  EXPECT_EQ(not_array.error().message,
            "N_TO_N dependency plain of array job c is not an array job");
  EXPECT_EQ(graph.stored_edges(), 0u);
}

TEST_F(DependencyGraphArrayTest, SequentialAndNToNTogetherWaitForBoth) {
  ASSERT_TRUE(jobs.SubmitArray("a", 2));
  Result<DependencyChanges> b = jobs.SubmitArray("b", 2, {kSequential, NToN("a")});
  ASSERT_TRUE(b);

  DependencyChanges after_a1 = jobs.End("a:1", kSucceeded);  // b:1 still waits for b:0.
  DependencyChanges after_a0 = jobs.End("a:0", kSucceeded);
  DependencyChanges after_b0 = jobs.End("b:0", kSucceeded);

  EXPECT_THAT(b->ready, IsEmpty());
  EXPECT_THAT(after_a1.ready, IsEmpty());
  EXPECT_THAT(after_a0.ready, ElementsAre("b:0"));
  EXPECT_THAT(after_b0.ready, ElementsAre("b:1"));
}

TEST_F(DependencyGraphArrayTest, SequentialMisuseIsRefused) {
  Result<DependencyChanges> with_id =
      jobs.SubmitArray("p", 2, {On("x", DependencyType::kSequential)});
  Result<DependencyChanges> twice = jobs.SubmitArray("q", 2, {kSequential, kSequential});
  Result<DependencyChanges> self = jobs.SubmitArray("r", 2, {NToN("r")});
  Result<DependencyChanges> own_child = jobs.SubmitArray("s", 2, {On("s:1")});

  ASSERT_FALSE(with_id);
  ASSERT_FALSE(twice);
  ASSERT_FALSE(self);
  ASSERT_FALSE(own_child);
  EXPECT_EQ(twice.error().message, "array job q lists SEQUENTIAL twice");
  EXPECT_EQ(self.error().message, "job r cannot depend on itself");
  EXPECT_EQ(own_child.error().message, "job s cannot depend on itself");
}

TEST_F(DependencyGraphArrayTest, DependencyOnAnArrayParentWaitsForTheWholeArray) {
  ASSERT_TRUE(jobs.SubmitArray("p", 3));
  ASSERT_TRUE(jobs.Submit("after", {On("p")}));

  DependencyChanges after0 = jobs.End("p:0", kSucceeded);
  DependencyChanges after2 = jobs.End("p:2", kSucceeded);
  DependencyChanges after1 = jobs.End("p:1", kSucceeded);

  EXPECT_THAT(after0.ready, IsEmpty());
  EXPECT_THAT(after2.ready, IsEmpty());
  EXPECT_THAT(after1.ready, ElementsAre("after"));
  EXPECT_EQ(graph.node_count(), 0u);
}

TEST_F(DependencyGraphArrayTest, ArrayWithAFailedChildFailsItsDependentOnceEveryChildEnded) {
  ASSERT_TRUE(jobs.SubmitArray("p", 2));
  ASSERT_TRUE(jobs.Submit("after", {On("p")}));
  ASSERT_TRUE(jobs.Submit("cleanup", {On("p", DependencyType::kAfterNotOk)}));

  DependencyChanges after0 = jobs.End("p:0", kFailed);
  DependencyChanges after1 = jobs.End("p:1", kSucceeded);

  EXPECT_THAT(after0.failed, IsEmpty());  // p:1 still runs: the array has not ended.
  EXPECT_THAT(after1.failed, ElementsAre(FailedJob{"after", "Dependent Job failed: p"}));
  EXPECT_THAT(after1.ready, ElementsAre("cleanup"));
}

TEST_F(DependencyGraphArrayTest, DependencyOfTheWholeArrayHoldsBackEveryChild) {
  ASSERT_TRUE(jobs.Submit("setup"));
  Result<DependencyChanges> added = jobs.SubmitArray("p", 3, {On("setup")});
  ASSERT_TRUE(added);
  EXPECT_THAT(added->ready, IsEmpty());

  DependencyChanges changes = jobs.End("setup", kSucceeded);

  EXPECT_THAT(changes.ready, ElementsAre("p:0", "p:1", "p:2"));
}

TEST_F(DependencyGraphArrayTest, NToNFailureFailsItsChildEvenWhileTheArrayStillWaits) {
  ASSERT_TRUE(jobs.Submit("setup"));
  ASSERT_TRUE(jobs.SubmitArray("a", 2));
  ASSERT_TRUE(jobs.SubmitArray("b", 2, {On("setup", DependencyType::kAfterAny), NToN("a")}));

  DependencyChanges after_a0 = jobs.End("a:0", kFailed);
  DependencyChanges after_a1 = jobs.End("a:1", kSucceeded);
  DependencyChanges after_setup = jobs.End("setup", kFailed);

  EXPECT_THAT(after_a0.failed, ElementsAre(FailedJob{"b:0", "Dependent Job failed: a:0"}));
  EXPECT_THAT(after_a1.ready, IsEmpty());  // b:1 still waits for setup.
  EXPECT_THAT(after_setup.ready, ElementsAre("b:1"));
}

TEST_F(DependencyGraphArrayTest, FailedDependencyOfTheWholeArrayFailsEveryChildAndItsDependents) {
  ASSERT_TRUE(jobs.Submit("setup"));
  ASSERT_TRUE(jobs.SubmitArray("p", 2, {On("setup")}));
  ASSERT_TRUE(jobs.SubmitArray("q", 2, {NToN("p")}));
  ASSERT_TRUE(jobs.Submit("after", {On("q")}));

  DependencyChanges changes = jobs.End("setup", kFailed);

  EXPECT_THAT(changes.failed, ElementsAre(FailedJob{"p:0", "Dependent Job failed: setup"},
                                          FailedJob{"p:1", "Dependent Job failed: setup"},
                                          FailedJob{"q:0", "Dependent Job failed: p:0"},
                                          FailedJob{"q:1", "Dependent Job failed: p:1"},
                                          FailedJob{"after", "Dependent Job failed: q"}));
  EXPECT_EQ(graph.node_count(), 0u);
  EXPECT_EQ(graph.stored_edges(), 0u);
}

TEST_F(DependencyGraphArrayTest, DependencyAlreadyFailedFailsEveryChildAtAddAndKeepsNothing) {
  jobs.Put("broken", kFailed);

  Result<DependencyChanges> added = jobs.SubmitArray("p", 2, {On("broken"), kSequential});

  ASSERT_TRUE(added);
  EXPECT_THAT(Ids(added->failed), ElementsAre("p:0", "p:1"));
  EXPECT_EQ(graph.node_count(), 0u);
}

TEST_F(DependencyGraphArrayTest, OneChildCanBeADependencyOfAnyJob) {
  ASSERT_TRUE(jobs.SubmitArray("p", 3, {kSequential}));
  ASSERT_TRUE(jobs.Submit("after_first", {On("p:0")}));
  ASSERT_TRUE(jobs.Submit("after_last", {On("p:2")}));

  DependencyChanges after0 = jobs.End("p:0", kSucceeded);
  DependencyChanges after1 = jobs.End("p:1", kFailed);

  EXPECT_THAT(after0.ready, ElementsAre("p:1", "after_first"));
  EXPECT_THAT(after1.failed, ElementsAre(FailedJob{"p:2", "Dependent Job failed: p:1"},
                                         FailedJob{"after_last", "Dependent Job failed: p:2"}));
  EXPECT_EQ(graph.node_count(), 0u);
}

TEST_F(DependencyGraphArrayTest, CancelledChildFailsWhatWaitsOnItAndRepeatsAreHarmless) {
  ASSERT_TRUE(jobs.SubmitArray("p", 3, {kSequential}));
  ASSERT_TRUE(jobs.Submit("after", {On("p")}));

  DependencyChanges cancelled = jobs.Cancel("p:0");
  DependencyChanges repeat = jobs.End("p:0", kFailed);

  EXPECT_THAT(cancelled.failed, ElementsAre(FailedJob{"p:1", "Dependent Job failed: p:0"},
                                            FailedJob{"p:2", "Dependent Job failed: p:1"},
                                            FailedJob{"after", "Dependent Job failed: p"}));
  EXPECT_THAT(repeat.failed, IsEmpty());
  EXPECT_EQ(graph.node_count(), 0u);
}

TEST_F(DependencyGraphArrayTest, AddingAnArrayOrOneOfItsChildrenAgainIsRefused) {
  ASSERT_TRUE(jobs.SubmitArray("p", 2));

  Result<DependencyChanges> parent = graph.AddArray("p", 2, {}, jobs.Lookup());
  Result<DependencyChanges> child = graph.Add("p:1", {}, jobs.Lookup());
  Result<DependencyChanges> empty = graph.AddArray("q", 0, {}, jobs.Lookup());

  ASSERT_FALSE(parent);
  ASSERT_FALSE(child);
  ASSERT_FALSE(empty);
  EXPECT_EQ(child.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(empty.error().message, "array job q has size 0: an array has at least one child");
}

}  // namespace
}  // namespace barge
