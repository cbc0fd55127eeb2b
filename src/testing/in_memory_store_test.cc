// What InMemoryStore adds beyond the Store contract (which
// store/store_contract_test.cc checks): fault injection.
#include "testing/in_memory_store.h"

#include <gtest/gtest.h>

#include "testing/sample_resources.h"

namespace barge::testing {
namespace {

Status InsertQueue(Store& store, const std::string& name) {
  return store.Transact(
      [&](StoreTransaction& txn) { return txn.InsertJobQueue(SampleJobQueue(name)); });
}

size_t QueueCount(Store& store) {
  size_t count = 0;
  Status status = store.Transact([&](StoreTransaction& txn) {
    count = txn.ListJobQueues()->size();
    return Ok();
  });
  EXPECT_TRUE(status);
  return count;
}

TEST(InMemoryStoreTest, InjectedCommitFailureDiscardsTheWorkAndReturnsTheError) {
  InMemoryStore store;
  store.FailNextCommit(Unavailable("database is locked"));

  Status status = InsertQueue(store, "q");

  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(status.error().message, "database is locked");
  EXPECT_EQ(QueueCount(store), 0u);
}

TEST(InMemoryStoreTest, InjectedFailuresAreConsumedOnePerSuccessfulWork) {
  InMemoryStore store;
  store.FailNextCommit(Conflict("first"));
  store.FailNextCommit(Conflict("second"));

  Status failed_work = store.Transact([](StoreTransaction&) { return Status(Internal("no")); });
  Status first = InsertQueue(store, "q");
  Status second = InsertQueue(store, "q");
  Status third = InsertQueue(store, "q");

  EXPECT_EQ(failed_work.error().message, "no");
  EXPECT_EQ(first.error().message, "first");
  EXPECT_EQ(second.error().message, "second");
  EXPECT_TRUE(third);
  EXPECT_EQ(QueueCount(store), 1u);
}

TEST(InMemoryStoreTest, NestedTransactIsAProgrammerError) {
  InMemoryStore store;

  EXPECT_DEATH(
      (void)store.Transact([&](StoreTransaction&) {
        return store.Transact([](StoreTransaction&) { return Ok(); });
      }),
      "inside a transaction");
}

}  // namespace
}  // namespace barge::testing
