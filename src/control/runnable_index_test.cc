#include "control/runnable_index.h"

#include <gtest/gtest.h>

#include "testing/in_memory_store.h"

namespace barge::control {
namespace {

Job Runnable(const std::string& id, const std::string& queue, int64_t created_ms,
             Resources request = {}) {
  return {.id = id,
          .queue = queue,
          .status = JobStatus::kRunnable,
          .created_at = FromEpochMillis(created_ms),
          .request = request};
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

TEST(RunnableIndexTest, VisitOldestHandsEachEntrysCurrentRequestInOrderUntilTold) {
  RunnableIndex index;
  Job a = Runnable("a", "q", 10, {.millicpus = 1000, .memory_mib = 512});
  Job b = Runnable("b", "q", 20, {.millicpus = 2000, .memory_mib = 1024});
  for (const Job& job : {Runnable("c", "q", 30, {.millicpus = 4000}), a, b}) index.Upsert(job);
  // Written again asking more and created later: it moves and asks anew.
  a.request = {.millicpus = 8000};
  a.created_at = FromEpochMillis(40);
  index.Upsert(a);

  std::vector<std::pair<std::string, int64_t>> seen;
  index.VisitOldest("q", [&](const Resources& request, const RunnableEntry& entry) {
    EXPECT_EQ(request, entry.request);
    seen.emplace_back(entry.id, request.millicpus);
    return seen.size() < 2;
  });
  EXPECT_EQ(seen, (std::vector<std::pair<std::string, int64_t>>{{"b", 2000}, {"c", 4000}}));

  seen.clear();
  index.VisitOldest("q", [&](const Resources& request, const RunnableEntry& entry) {
    seen.emplace_back(entry.id, request.millicpus);
    return true;
  });
  EXPECT_EQ(seen.back(), (std::pair<std::string, int64_t>{"a", 8000}));
  EXPECT_EQ(seen.size(), 3U);
}

TEST(RunnableIndexTest, SummaryCountsWhatAQueuesEntriesAskForAndTheirReasons) {
  RunnableIndex index;
  Job a = Runnable("a", "q", 10, {.millicpus = 1000, .memory_mib = 512});
  Job b = Runnable("b", "q", 20, {.millicpus = 2000, .memory_mib = 512});
  b.status_reason = "waiting";
  Job c = Runnable("c", "q", 30, a.request);
  for (const Job& job : {a, b, c}) index.Upsert(job);

  const RunnableIndex::QueueSummary* summary = index.Summary("q");
  ASSERT_NE(summary, nullptr);
  using Shape = RunnableIndex::QueueSummary::Shape;
  EXPECT_EQ(summary->requests,
            (std::map<Shape, size_t>{{Shape{1000, 512, 0}, 2}, {Shape{2000, 512, 0}, 1}}));
  EXPECT_EQ(summary->with_reason, 1U);

  index.SetReason("b", "");
  index.SetReason("a", "other");
  index.Remove("c");
  EXPECT_EQ(summary->requests,
            (std::map<Shape, size_t>{{Shape{1000, 512, 0}, 1}, {Shape{2000, 512, 0}, 1}}));
  EXPECT_EQ(summary->with_reason, 1U);

  index.Remove("a");
  index.Remove("b");
  EXPECT_EQ(index.Summary("q"), nullptr);
}

TEST(RunnableIndexTest, LoadKeepsOnlyRunnableJobsOfTheStore) {
  testing::InMemoryStore store;
  ASSERT_TRUE(store.Transact([](StoreTransaction& txn) -> Status {
    BARGE_RETURN_IF_ERROR(txn.InsertJobQueue({.name = "q"}));
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

TEST(RunnableIndexTest, RescanPagesThroughTheStoreAddingMissingAndDroppingStaleEntries) {
  testing::InMemoryStore store;
  ASSERT_TRUE(store.Transact([](StoreTransaction& txn) -> Status {
    BARGE_RETURN_IF_ERROR(txn.InsertJobQueue({.name = "q"}));
    BARGE_RETURN_IF_ERROR(txn.InsertJobQueue({.name = "q2"}));
    for (int i = 0; i < 5; ++i) {
      BARGE_RETURN_IF_ERROR(txn.InsertJob(Runnable("j" + std::to_string(i), "q", 10 + i)));
    }
    return txn.InsertJob(Runnable("other", "q2", 1));
  }));
  RunnableIndex index;
  index.Upsert(Runnable("j0", "q", 10));
  index.Upsert(Runnable("cancelled", "q", 12));  // Between j1 and j2, RUNNABLE no more.
  index.Upsert(Runnable("cancelled-last", "q", 99));

  index.StartRescan();
  std::vector<size_t> missing;
  int steps = 0;
  while (index.rescanning() && steps++ < 10) {
    Result<size_t> step = index.RescanStep(store, 2);
    ASSERT_TRUE(step) << step.error().message;
    missing.push_back(*step);
  }

  EXPECT_FALSE(index.rescanning());
  // q: pages [j0 j1] [j2 j3] [j4], then q2: [other], then the end.
  EXPECT_EQ(missing, (std::vector<size_t>{1, 2, 1, 1, 0}));
  EXPECT_EQ(Ids(index.Oldest("q", 10)), (std::vector<std::string>{"j0", "j1", "j2", "j3", "j4"}));
  EXPECT_EQ(Ids(index.Oldest("q2", 10)), std::vector<std::string>{"other"});
}

}  // namespace
}  // namespace barge::control
