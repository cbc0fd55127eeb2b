#include "control/transact.h"

#include <gtest/gtest.h>

#include "testing/in_memory_store.h"

namespace barge::control {
namespace {

TEST(TransactWithRetryTest, RetriesAConflictAndCommits) {
  testing::InMemoryStore store;
  store.FailNextCommit(Conflict("lost a race"));
  int runs = 0;

  Status status = TransactWithRetry(store, [&](StoreTransaction& txn) {
    ++runs;
    return txn.InsertSchedulingPolicy({.name = "p"});
  });

  EXPECT_TRUE(status) << status.error().message;
  EXPECT_EQ(runs, 2);
}

TEST(TransactWithRetryTest, GivesUpAfterThreeConflicts) {
  testing::InMemoryStore store;
  for (int i = 0; i < 3; ++i) store.FailNextCommit(Conflict("lost a race"));
  int runs = 0;

  Status status = TransactWithRetry(store, [&](StoreTransaction&) {
    ++runs;
    return Ok();
  });

  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kConflict);
  EXPECT_EQ(runs, 3);
}

TEST(TransactWithRetryTest, DoesNotRetryOtherErrors) {
  testing::InMemoryStore store;
  int runs = 0;

  Status status = TransactWithRetry(store, [&](StoreTransaction&) -> Status {
    ++runs;
    return InvalidArgument("bad");
  });

  ASSERT_FALSE(status);
  EXPECT_EQ(runs, 1);
}

}  // namespace
}  // namespace barge::control
