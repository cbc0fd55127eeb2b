#include "control/runnable_index.h"

#include <gtest/gtest.h>

#include "testing/in_memory_store.h"

namespace barge::control {
namespace {

Job Runnable(const std::string& id, const std::string& queue, int64_t created_ms) {
  return {.id = id,
          .queue = queue,
          .status = JobStatus::kRunnable,
          .created_at = FromEpochMillis(created_ms)};
}

std::vector<std::string> Ids(const std::vector<const RunnableEntry*>& entries) {
  std::vector<std::string> ids;
  for (const RunnableEntry* entry : entries) ids.push_back(entry->id);
  return ids;
}

TEST(RunnableIndexTest, OldestListsAQueueInCreatedOrderUpToTheLimit) {
  RunnableIndex index;
  index.Upsert(Runnable("c", "q", 30));
  index.Upsert(Runnable("a", "q", 10));
  index.Upsert(Runnable("b", "q", 20));
  index.Upsert(Runnable("other", "q2", 1));

  EXPECT_EQ(Ids(index.Oldest("q", 2)), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(Ids(index.Oldest("q2", 10)), (std::vector<std::string>{"other"}));
  EXPECT_TRUE(index.Oldest("none", 10).empty());
}

TEST(RunnableIndexTest, UpsertMovesAJobAndRemoveForgetsIt) {
  RunnableIndex index;
  index.Upsert(Runnable("a", "q", 10));
  index.Upsert(Runnable("a", "q2", 10));

  EXPECT_TRUE(index.Oldest("q", 10).empty());
  EXPECT_EQ(index.size(), 1U);
  index.Remove("a");
  EXPECT_EQ(index.size(), 0U);
  EXPECT_TRUE(index.Oldest("q2", 10).empty());
}

TEST(RunnableIndexTest, LoadKeepsOnlyRunnableJobsOfTheStore) {
  testing::InMemoryStore store;
  ASSERT_TRUE(store.Transact([](StoreTransaction& txn) -> Status {
    BARGE_RETURN_IF_ERROR(txn.InsertJob(Runnable("r", "q", 1)));
    Job done = Runnable("done", "q", 2);
    done.status = JobStatus::kSucceeded;
    return txn.InsertJob(done);
  }));
  RunnableIndex index;
  index.Upsert(Runnable("gone", "q", 0));

  ASSERT_TRUE(index.Load(store));

  EXPECT_EQ(Ids(index.Oldest("q", 10)), std::vector<std::string>{"r"});
}

}  // namespace
}  // namespace barge::control
