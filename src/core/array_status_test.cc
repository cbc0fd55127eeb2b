#include "core/array_status.h"

#include <gtest/gtest.h>

namespace barge {
namespace {

using enum JobStatus;

// statusSummary as AWS prints it: SUBMITTED, PENDING, RUNNABLE, STARTING,
// RUNNING, SUCCEEDED, FAILED.
StatusSummary Summary(int32_t submitted, int32_t pending, int32_t runnable, int32_t starting,
                      int32_t running, int32_t succeeded, int32_t failed) {
  return {submitted, pending, runnable, starting, running, succeeded, failed};
}

TEST(ArrayStatusTest, NewArrayHasEveryChildSubmittedAndTheParentSubmitted) {
  ArrayStatus array(3);

  EXPECT_EQ(array.size(), 3);
  EXPECT_EQ(array.summary(), Summary(3, 0, 0, 0, 0, 0, 0));
  EXPECT_EQ(array.parent_status(), kSubmitted);
  EXPECT_EQ(array.parent_status_reason(), "");
}

TEST(ArrayStatusTest, ParentIsPendingWhileChildrenRunAndSucceedsWhenAllSucceed) {
  ArrayStatus array(2);

  EXPECT_EQ(array.OnChildTransition(kSubmitted, kRunnable), kPending);
  EXPECT_EQ(array.OnChildTransition(kSubmitted, kRunnable), std::nullopt);
  EXPECT_EQ(array.OnChildTransition(kRunnable, kStarting), std::nullopt);
  EXPECT_EQ(array.OnChildTransition(kStarting, kRunning), std::nullopt);
  EXPECT_EQ(array.summary(), Summary(0, 0, 1, 0, 1, 0, 0));
  EXPECT_EQ(array.OnChildTransition(kRunning, kSucceeded), std::nullopt);
  EXPECT_EQ(array.parent_status(), kPending);
  EXPECT_EQ(array.OnChildTransition(kRunnable, kStarting), std::nullopt);
  EXPECT_EQ(array.OnChildTransition(kStarting, kRunning), std::nullopt);
  EXPECT_EQ(array.OnChildTransition(kRunning, kSucceeded), kSucceeded);

  EXPECT_EQ(array.summary(), Summary(0, 0, 0, 0, 0, 2, 0));
  EXPECT_EQ(array.parent_status(), kSucceeded);
  EXPECT_EQ(array.parent_status_reason(), "");
}

TEST(ArrayStatusTest, ParentFailsOnlyOnceEveryChildIsTerminalAndOneFailed) {
  ArrayStatus array(3);
  for (int i = 0; i < 3; ++i) (void)array.OnChildTransition(kSubmitted, kRunnable);
  (void)array.OnChildTransition(kRunnable, kStarting);
  (void)array.OnChildTransition(kStarting, kRunning);

  std::optional<JobStatus> after_first_failure = array.OnChildTransition(kRunning, kFailed);
  std::optional<JobStatus> after_success = array.OnChildTransition(kRunnable, kSucceeded);
  JobStatus still = array.parent_status();
  std::optional<JobStatus> after_last = array.OnChildTransition(kRunnable, kFailed);

  EXPECT_EQ(after_first_failure, std::nullopt);
  EXPECT_EQ(after_success, std::nullopt);
  EXPECT_EQ(still, kPending);
  EXPECT_EQ(after_last, kFailed);
  EXPECT_EQ(array.summary(), Summary(0, 0, 0, 0, 0, 1, 2));
  EXPECT_EQ(array.parent_status_reason(), "Array Child Job failed");
}

TEST(ArrayStatusTest, ChildWaitingOnADependencyMakesTheParentPending) {
  ArrayStatus array(2);

  std::optional<JobStatus> changed = array.OnChildTransition(kSubmitted, kPending);

  EXPECT_EQ(changed, kPending);
  EXPECT_EQ(array.summary(), Summary(1, 1, 0, 0, 0, 0, 0));
}

TEST(ArrayStatusTest, RetriedChildGoingBackToRunnableKeepsTheParentPending) {
  ArrayStatus array(2);
  (void)array.OnChildTransition(kSubmitted, kRunnable);
  (void)array.OnChildTransition(kSubmitted, kFailed);  // Cancelled before it ran.
  (void)array.OnChildTransition(kRunnable, kStarting);
  (void)array.OnChildTransition(kStarting, kRunning);

  std::optional<JobStatus> changed = array.OnChildTransition(kRunning, kRunnable);

  EXPECT_EQ(changed, std::nullopt);
  EXPECT_EQ(array.parent_status(), kPending);
  EXPECT_EQ(array.summary(), Summary(0, 0, 1, 0, 0, 0, 1));
}

TEST(ArrayStatusTest, RebuiltFromStoredCountsGivesTheSameParentStatus) {
  Result<ArrayStatus> running = ArrayStatus::FromSummary(Summary(0, 0, 5, 0, 3, 2, 0));
  Result<ArrayStatus> failed = ArrayStatus::FromSummary(Summary(0, 0, 0, 0, 0, 9, 1));

  ASSERT_TRUE(running);
  ASSERT_TRUE(failed);
  EXPECT_EQ(running->size(), 10);
  EXPECT_EQ(running->parent_status(), kPending);
  EXPECT_EQ(failed->parent_status(), kFailed);
  EXPECT_EQ(failed->count(kSucceeded), 9);
}

TEST(ArrayStatusTest, SummaryWithNoChildOrANegativeCountIsRefused) {
  Result<ArrayStatus> empty = ArrayStatus::FromSummary(Summary(0, 0, 0, 0, 0, 0, 0));
  Result<ArrayStatus> negative = ArrayStatus::FromSummary(Summary(3, -1, 0, 0, 0, 0, 0));

  ASSERT_FALSE(empty);
  ASSERT_FALSE(negative);
  EXPECT_EQ(empty.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(negative.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace barge
