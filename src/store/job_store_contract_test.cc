// The Store contract for jobs and log lines, run against every backend like
// store_contract_test.cc.
#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "codec/job_codec.h"
#include "core/array_job.h"
#include "store/store.h"
#include "store/store_test_backends.h"
#include "testing/sample_job.h"

namespace barge {
namespace {

Timestamp At(int64_t ms) { return FromEpochMillis(ms); }

template <typename BackendFactory>
class JobStoreContractTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NE(backend_.store, nullptr); }

  Store& store() { return *backend_.store; }

  Status Insert(const Job& job) {
    return store().Transact([&](StoreTransaction& txn) { return txn.InsertJob(job); });
  }
  Status Update(const Job& job) {
    return store().Transact([&](StoreTransaction& txn) { return txn.UpdateJob(job); });
  }
  // `update` writes a changed job once, then the same (now stale) job again:
  // the first is stored at the next version, the second is a conflict.
  void ExpectUpdateIsACompareAndSet(const std::function<Status(Job)>& update) {
    ASSERT_TRUE(Insert(testing::SampleJob("j1", "q", At(1))));
    Job job = Get("j1").value();
    job.status = JobStatus::kSucceeded;
    job.attempts.back().exit_code = 0;

    ASSERT_TRUE(update(job));
    Status stale = update(job);

    ASSERT_FALSE(stale);
    EXPECT_EQ(stale.error().code, ErrorCode::kConflict);
    auto got = Get("j1");
    EXPECT_EQ(got->version, 2);
    EXPECT_EQ(got->status, JobStatus::kSucceeded);
    EXPECT_EQ(got->attempts.back().exit_code, 0);
  }
  Result<Job> Get(const std::string& id) {
    std::optional<Result<Job>> out;
    EXPECT_TRUE(store().Transact([&](StoreTransaction& txn) {
      out.emplace(txn.GetJob(id));
      return Ok();
    }));
    return *out;
  }
  std::vector<std::string> ListIds(const JobListFilter& filter) {
    std::vector<std::string> ids;
    Status status = store().Transact([&](StoreTransaction& txn) -> Status {
      auto jobs = txn.ListJobs(filter);
      if (!jobs) return jobs.error();
      for (const Job& job : jobs.value()) ids.push_back(job.id);
      return Ok();
    });
    EXPECT_TRUE(status) << status.error().message;
    return ids;
  }
  // The same listing through VisitJobs.
  std::vector<std::string> VisitIds(const JobListFilter& filter) {
    std::vector<std::string> ids;
    Status status = store().Transact([&](StoreTransaction& txn) -> Status {
      return txn.VisitJobs(filter, [&](const Job& job) { ids.push_back(job.id); });
    });
    EXPECT_TRUE(status) << status.error().message;
    return ids;
  }
  // Jobs a..f: queue q1 holds a (RUNNABLE, t=100), b (RUNNING, 200),
  // c (RUNNABLE, 200), e (FAILED, 400); queue q2 holds d (RUNNABLE, 300) and
  // f (SUCCEEDED, 500). Inserted out of order.
  void InsertSixJobs() {
    struct Row {
      const char* id;
      const char* queue;
      JobStatus status;
      int64_t at;
    };
    for (const Row& row :
         {Row{"e", "q1", JobStatus::kFailed, 400}, Row{"c", "q1", JobStatus::kRunnable, 200},
          Row{"a", "q1", JobStatus::kRunnable, 100}, Row{"f", "q2", JobStatus::kSucceeded, 500},
          Row{"d", "q2", JobStatus::kRunnable, 300}, Row{"b", "q1", JobStatus::kRunning, 200}}) {
      Job job = testing::SampleJob(row.id, row.queue, At(row.at));
      job.status = row.status;
      ASSERT_TRUE(Insert(job));
    }
  }

  Status Append(const std::string& stream, const std::vector<LogEvent>& events) {
    return store().Transact(
        [&](StoreTransaction& txn) { return txn.AppendLogEvents(stream, events); });
  }
  std::vector<int64_t> ReadSequences(const LogQuery& query) {
    std::vector<int64_t> sequences;
    Status status = store().Transact([&](StoreTransaction& txn) -> Status {
      auto events = txn.ReadLogEvents(query);
      if (!events) return events.error();
      for (const LogEvent& event : events.value()) sequences.push_back(event.sequence);
      return Ok();
    });
    EXPECT_TRUE(status) << status.error().message;
    return sequences;
  }
  // Lines 1..10 of stream "s", written at t = 1000 + 10 * sequence.
  void AppendTenLines() {
    std::vector<LogEvent> events;
    for (int64_t i = 1; i <= 10; ++i) {
      events.push_back({.sequence = i,
                        .timestamp = At(1000 + 10 * i),
                        .ingested_at = At(5000),
                        .message = "line " + std::to_string(i)});
    }
    ASSERT_TRUE(Append("s", events));
  }

  // A job that ended with `status` at `stopped_ms`, its last attempt with it.
  static Job EndedJob(const std::string& id, JobStatus status, int64_t stopped_ms) {
    Job job = testing::SampleJob(id, "q", At(1));
    job.status = status;
    job.stopped_at = At(stopped_ms);
    job.attempts.back().stopped_at = At(stopped_ms);
    return job;
  }
  Result<size_t> DeleteEndedBefore(int64_t cutoff_ms, size_t limit) {
    std::optional<Result<size_t>> out;
    Status status = store().Transact([&](StoreTransaction& txn) -> Status {
      out.emplace(txn.DeleteJobsEndedBefore(At(cutoff_ms), limit));
      if (!*out) return out->error();
      return Ok();
    });
    if (!status) return status.error();
    return *out;
  }

  Backend backend_ = BackendFactory::Make();
};

using Backends = ::testing::Types<InMemoryBackend, SqliteMemoryBackend, SqliteFileBackend>;
TYPED_TEST_SUITE(JobStoreContractTest, Backends);

TYPED_TEST(JobStoreContractTest, InsertedJobReadsBackWholeWithVersionOne) {
  Job job = testing::SampleJob("j1", "q", At(1'700'000'000'000));
  job.version = 42;  // Ignored.

  ASSERT_TRUE(this->Insert(job));
  auto got = this->Get("j1");

  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(codec::ToJson(got.value()).dump(), codec::ToJson(job).dump());
  EXPECT_EQ(got->version, 1);
  EXPECT_EQ(got->attempts.size(), 2u);
  EXPECT_EQ(got->depends_on, job.depends_on);
  EXPECT_EQ(got->created_at, At(1'700'000'000'000));
}

TYPED_TEST(JobStoreContractTest, GetOfUnknownJobIsNotFound) {
  auto got = this->Get("nope");

  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(got.error().message, "job nope does not exist");
}

TYPED_TEST(JobStoreContractTest, InsertingAnExistingIdIsAlreadyExists) {
  ASSERT_TRUE(this->Insert(testing::SampleJob("j1", "q", At(1))));

  Status again = this->Insert(testing::SampleJob("j1", "other", At(2)));

  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(this->Get("j1")->queue, "q");
}

TYPED_TEST(JobStoreContractTest, UpdateIsACompareAndSetOnVersion) {
  this->ExpectUpdateIsACompareAndSet([&](const Job& job) { return this->Update(job); });
}

TYPED_TEST(JobStoreContractTest, UpdateOfAJobHandedOverIsTheSameCompareAndSet) {
  this->ExpectUpdateIsACompareAndSet([&](Job job) {
    return this->store().Transact(
        [&](StoreTransaction& txn) { return txn.UpdateJob(std::move(job)); });
  });
}

TYPED_TEST(JobStoreContractTest, UpdateOfUnknownJobIsNotFound) {
  Job job = testing::SampleJob("ghost", "q", At(1));
  job.version = 1;

  Status status = this->Update(job);

  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kNotFound);
}

TYPED_TEST(JobStoreContractTest, FailedTransactionLeavesNoJob) {
  Status status = this->store().Transact([&](StoreTransaction& txn) -> Status {
    BARGE_RETURN_IF_ERROR(txn.InsertJob(testing::SampleJob("j1", "q", At(1))));
    return Unavailable("then something failed");
  });

  ASSERT_FALSE(status);
  EXPECT_FALSE(this->Get("j1"));
}

TYPED_TEST(JobStoreContractTest, FailedTransactionRestoresUpdatedAndDeletedJobsInEveryListing) {
  this->InsertSixJobs();
  ASSERT_TRUE(this->Insert(this->EndedJob("old", JobStatus::kSucceeded, 50)));
  Job a = this->Get("a").value();
  Job b = this->Get("b").value();

  Status status = this->store().Transact([&](StoreTransaction& txn) -> Status {
    a.status = JobStatus::kStarting;  // Leaves RUNNABLE.
    BARGE_RETURN_IF_ERROR(txn.UpdateJob(a));
    a.version += 1;
    a.status = JobStatus::kRunning;  // Written twice in one transaction.
    BARGE_RETURN_IF_ERROR(txn.UpdateJob(a));
    b.status = JobStatus::kSucceeded;
    b.stopped_at = At(60);
    BARGE_RETURN_IF_ERROR(txn.UpdateJob(b));
    BARGE_RETURN_IF_ERROR(txn.InsertJob(testing::SampleJob("new", "q1", At(150))));
    auto deleted = txn.DeleteJobsEndedBefore(At(100), 10);  // "old" and b.
    if (!deleted) return deleted.error();
    EXPECT_EQ(deleted.value(), 2u);
    return Unavailable("then something failed");
  });

  ASSERT_FALSE(status);
  EXPECT_EQ(this->ListIds({.statuses = {JobStatus::kRunnable}}),
            (std::vector<std::string>{"a", "c", "d"}));
  EXPECT_EQ(this->ListIds({.statuses = {JobStatus::kRunning, JobStatus::kStarting}}),
            (std::vector<std::string>{"b"}));
  EXPECT_EQ(this->ListIds({}), (std::vector<std::string>{"old", "a", "b", "c", "d", "e", "f"}));
  EXPECT_EQ(this->Get("a")->version, 1);
  EXPECT_EQ(this->DeleteEndedBefore(100, 10).value(), 1u);  // Only "old" ended before 100.
}

TYPED_TEST(JobStoreContractTest, ListIsOrderedByCreationThenId) {
  this->InsertSixJobs();

  EXPECT_EQ(this->ListIds({}), (std::vector<std::string>{"a", "b", "c", "d", "e", "f"}));
  EXPECT_EQ(this->ListIds({.order = JobOrder::kNewestFirst}),
            (std::vector<std::string>{"f", "e", "d", "c", "b", "a"}));
}

TYPED_TEST(JobStoreContractTest, ListFiltersByQueueStatusesAndCreationTime) {
  this->InsertSixJobs();

  EXPECT_EQ(this->ListIds({.queue = "q1"}), (std::vector<std::string>{"a", "b", "c", "e"}));
  EXPECT_EQ(this->ListIds({.statuses = {JobStatus::kRunnable}}),
            (std::vector<std::string>{"a", "c", "d"}));
  EXPECT_EQ(this->ListIds({.queue = "q1", .statuses = {JobStatus::kRunnable, JobStatus::kFailed}}),
            (std::vector<std::string>{"a", "c", "e"}));
  EXPECT_EQ(this->ListIds({.created_after = At(200), .created_before = At(400)}),
            (std::vector<std::string>{"b", "c", "d", "e"}));
  EXPECT_EQ(this->ListIds({.queue = "q3"}), std::vector<std::string>{});
}

TYPED_TEST(JobStoreContractTest, ListPagesWithLimitAndCursorInBothOrders) {
  this->InsertSixJobs();

  auto first = this->ListIds({.limit = 2});
  auto second = this->ListIds({.limit = 2, .start_after = JobListCursor{At(200), "b"}});
  auto last = this->ListIds({.limit = 5, .start_after = JobListCursor{At(300), "d"}});
  auto newest = this->ListIds(
      {.limit = 3, .start_after = JobListCursor{At(400), "e"}, .order = JobOrder::kNewestFirst});

  EXPECT_EQ(first, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(second, (std::vector<std::string>{"c", "d"}));
  EXPECT_EQ(last, (std::vector<std::string>{"e", "f"}));
  EXPECT_EQ(newest, (std::vector<std::string>{"d", "c", "b"}));
}

TYPED_TEST(JobStoreContractTest, VisitShowsWhatTheListListsInItsOrder) {
  this->InsertSixJobs();
  const std::vector<JobListFilter> filters = {
      {},
      {.order = JobOrder::kNewestFirst},
      {.queue = "q1", .statuses = {JobStatus::kRunnable, JobStatus::kFailed}},
      {.statuses = {JobStatus::kSucceeded, JobStatus::kRunnable}, .limit = 3},
      {.limit = 2, .start_after = JobListCursor{At(200), "b"}}};

  for (const JobListFilter& filter : filters) {
    EXPECT_EQ(this->VisitIds(filter), this->ListIds(filter));
  }
  EXPECT_EQ(this->VisitIds({.statuses = {JobStatus::kSucceeded, JobStatus::kRunnable}, .limit = 3}),
            (std::vector<std::string>{"a", "c", "d"}));
}

TYPED_TEST(JobStoreContractTest, ListSeesTheStatusAnUpdateWrote) {
  this->InsertSixJobs();
  Job a = this->Get("a").value();
  a.status = JobStatus::kStarting;
  ASSERT_TRUE(this->Update(a));

  EXPECT_EQ(this->ListIds({.statuses = {JobStatus::kRunnable}}),
            (std::vector<std::string>{"c", "d"}));
  EXPECT_EQ(this->ListIds({.statuses = {JobStatus::kStarting}}), std::vector<std::string>{"a"});
}

// MutateJob: a changed job is written at the next version and listed by
// its new status; one left unchanged (or a failed mutation) stays as it was
// even when the mutation altered it first.
TYPED_TEST(JobStoreContractTest, MutateWritesOnlyAChangeAndListsTheNewStatus) {
  this->InsertSixJobs();
  auto mutate = [&](const std::string& id, const StoreTransaction::JobMutation& change) {
    std::optional<Result<bool>> out;
    Status status = this->store().Transact([&](StoreTransaction& txn) -> Status {
      out.emplace(txn.MutateJob(id, change));
      return Ok();
    });
    EXPECT_TRUE(status);
    return *out;
  };

  Result<bool> changed = mutate("a", [](Job& job) -> Result<bool> {
    job.status = JobStatus::kStarting;
    job.status_reason = "placed";
    return true;
  });
  Result<bool> unchanged = mutate("c", [](Job& job) -> Result<bool> {
    job.status = JobStatus::kFailed;  // Then thought better of.
    return false;
  });
  Result<bool> failed = mutate("d", [](Job& job) -> Result<bool> {
    job.status = JobStatus::kFailed;
    return FailedPrecondition("not now");
  });
  Result<bool> missing = mutate("ghost", [](Job&) -> Result<bool> { return true; });

  ASSERT_TRUE(changed);
  EXPECT_TRUE(*changed);
  ASSERT_TRUE(unchanged);
  EXPECT_FALSE(*unchanged);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::kFailedPrecondition);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  Job a = this->Get("a").value();
  EXPECT_EQ(a.version, 2);
  EXPECT_EQ(a.status, JobStatus::kStarting);
  EXPECT_EQ(a.status_reason, "placed");
  for (const char* id : {"c", "d"}) {
    Job kept = this->Get(id).value();
    EXPECT_EQ(kept.version, 1) << id;
    EXPECT_EQ(kept.status, JobStatus::kRunnable) << id;
  }
  EXPECT_EQ(this->ListIds({.statuses = {JobStatus::kRunnable}}),
            (std::vector<std::string>{"c", "d"}));
  EXPECT_EQ(this->ListIds({.statuses = {JobStatus::kStarting}}), std::vector<std::string>{"a"});
}

TYPED_TEST(JobStoreContractTest, AMutationInAFailedTransactionIsUndone) {
  this->InsertSixJobs();

  Status status = this->store().Transact([&](StoreTransaction& txn) -> Status {
    Result<bool> changed = txn.MutateJob("a", [](Job& job) -> Result<bool> {
      job.status = JobStatus::kStarting;
      return true;
    });
    if (!changed) return changed.error();
    EXPECT_EQ(txn.GetJob("a")->status, JobStatus::kStarting);  // Seen inside.
    return Unavailable("then something failed");
  });

  ASSERT_FALSE(status);
  Job a = this->Get("a").value();
  EXPECT_EQ(a.version, 1);
  EXPECT_EQ(a.status, JobStatus::kRunnable);
  EXPECT_EQ(this->ListIds({.statuses = {JobStatus::kRunnable}}),
            (std::vector<std::string>{"a", "c", "d"}));
  EXPECT_TRUE(this->ListIds({.statuses = {JobStatus::kStarting}}).empty());
}

TYPED_TEST(JobStoreContractTest, ListFiltersByWhenJobsEnded) {
  ASSERT_TRUE(this->Insert(this->EndedJob("early", JobStatus::kSucceeded, 1000)));
  ASSERT_TRUE(this->Insert(this->EndedJob("at", JobStatus::kFailed, 2000)));
  ASSERT_TRUE(this->Insert(this->EndedJob("late", JobStatus::kSucceeded, 3000)));
  ASSERT_TRUE(this->Insert(testing::SampleJob("running", "q", At(1))));
  Job ended_later = testing::SampleJob("ended-later", "q", At(1));
  ASSERT_TRUE(this->Insert(ended_later));
  ended_later = this->Get("ended-later").value();
  ended_later.status = JobStatus::kFailed;
  ended_later.stopped_at = At(2500);
  ASSERT_TRUE(this->Update(ended_later));

  EXPECT_EQ(this->ListIds({.ended_since = At(2000)}),
            (std::vector<std::string>{"at", "ended-later", "late"}));
  EXPECT_EQ(this->ListIds({.statuses = {JobStatus::kSucceeded}, .ended_since = At(2000)}),
            std::vector<std::string>{"late"});
  EXPECT_EQ(this->ListIds({.ended_since = At(3001)}), std::vector<std::string>{});
}

TYPED_TEST(JobStoreContractTest, LogLinesReadBackWithEveryField) {
  ASSERT_TRUE(this->Append("jd/default/a1", {{.sequence = 0,
                                              .timestamp = At(1000),
                                              .ingested_at = At(1005),
                                              .message = "hello \xc3\xa9"}}));

  std::vector<LogEvent> events;
  ASSERT_TRUE(this->store().Transact([&](StoreTransaction& txn) -> Status {
    auto read = txn.ReadLogEvents({.stream = "jd/default/a1"});
    if (!read) return read.error();
    events = std::move(read).value();
    return Ok();
  }));

  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].sequence, 0);
  EXPECT_EQ(events[0].timestamp, At(1000));
  EXPECT_EQ(events[0].ingested_at, At(1005));
  EXPECT_EQ(events[0].message, "hello \xc3\xa9");
}

TYPED_TEST(JobStoreContractTest, AppendIsIdempotentBySequence) {
  this->AppendTenLines();

  ASSERT_TRUE(this->Append("s", {{.sequence = 3, .timestamp = At(1), .message = "again"},
                                 {.sequence = 11, .timestamp = At(2000), .message = "new"}}));

  std::vector<LogEvent> events;
  ASSERT_TRUE(this->store().Transact([&](StoreTransaction& txn) -> Status {
    auto read = txn.ReadLogEvents({.stream = "s", .from_sequence = 3, .limit = 1});
    if (!read) return read.error();
    events = std::move(read).value();
    return Ok();
  }));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].message, "line 3");  // The first copy wins.
  EXPECT_EQ(this->ReadSequences({.stream = "s"}).size(), 11u);
}

TYPED_TEST(JobStoreContractTest, ReadsForwardAndBackwardFromASequence) {
  this->AppendTenLines();

  EXPECT_EQ(this->ReadSequences({.stream = "s", .limit = 3}), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(this->ReadSequences({.stream = "s", .from_sequence = 8}),
            (std::vector<int64_t>{8, 9, 10}));
  EXPECT_EQ(this->ReadSequences({.stream = "s", .direction = LogDirection::kBackward, .limit = 3}),
            (std::vector<int64_t>{8, 9, 10}));
  EXPECT_EQ(
      this->ReadSequences(
          {.stream = "s", .from_sequence = 4, .direction = LogDirection::kBackward, .limit = 2}),
      (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(this->ReadSequences({.stream = "s", .from_sequence = 11}), std::vector<int64_t>{});
}

TYPED_TEST(JobStoreContractTest, ReadsFilterByTimeWithExclusiveEnd) {
  this->AppendTenLines();

  EXPECT_EQ(this->ReadSequences({.stream = "s", .start_time = At(1030), .end_time = At(1060)}),
            (std::vector<int64_t>{3, 4, 5}));
  EXPECT_EQ(
      this->ReadSequences(
          {.stream = "s", .direction = LogDirection::kBackward, .end_time = At(1060), .limit = 2}),
      (std::vector<int64_t>{4, 5}));
}

TYPED_TEST(JobStoreContractTest, StreamsAreSeparateAndUnknownOnesEmpty) {
  this->AppendTenLines();
  ASSERT_TRUE(this->Append("t", {{.sequence = 1, .message = "other"}}));

  EXPECT_EQ(this->ReadSequences({.stream = "t"}), std::vector<int64_t>{1});
  EXPECT_EQ(this->ReadSequences({.stream = "unknown"}), std::vector<int64_t>{});
  EXPECT_EQ(this->ReadSequences({.stream = "s"}).size(), 10u);
}

TYPED_TEST(JobStoreContractTest, DeletesOnlyJobsThatEndedBeforeTheCutoff) {
  ASSERT_TRUE(this->Insert(this->EndedJob("ok-early", JobStatus::kSucceeded, 1000)));
  ASSERT_TRUE(this->Insert(this->EndedJob("failed-early", JobStatus::kFailed, 2000)));
  ASSERT_TRUE(this->Insert(this->EndedJob("at-cutoff", JobStatus::kSucceeded, 3000)));
  ASSERT_TRUE(this->Insert(this->EndedJob("late", JobStatus::kSucceeded, 5000)));
  ASSERT_TRUE(this->Insert(testing::SampleJob("running", "q", At(1))));
  Job runnable = testing::SampleJob("runnable", "q", At(1));
  runnable.status = JobStatus::kRunnable;
  ASSERT_TRUE(this->Insert(runnable));

  auto deleted = this->DeleteEndedBefore(3000, 100);

  ASSERT_TRUE(deleted) << deleted.error().message;
  EXPECT_EQ(deleted.value(), 2u);
  EXPECT_EQ(this->ListIds({}),
            (std::vector<std::string>{"at-cutoff", "late", "runnable", "running"}));
  auto gone = this->Get("ok-early");
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ErrorCode::kNotFound);
}

TYPED_TEST(JobStoreContractTest, DeletesAtMostTheLimitOldestEndFirst) {
  ASSERT_TRUE(this->Insert(this->EndedJob("c", JobStatus::kSucceeded, 300)));
  ASSERT_TRUE(this->Insert(this->EndedJob("a", JobStatus::kFailed, 100)));
  ASSERT_TRUE(this->Insert(this->EndedJob("b2", JobStatus::kSucceeded, 200)));
  ASSERT_TRUE(this->Insert(this->EndedJob("b1", JobStatus::kSucceeded, 200)));

  EXPECT_EQ(this->DeleteEndedBefore(1000, 0).value(), 0u);
  EXPECT_EQ(this->DeleteEndedBefore(1000, 2).value(), 2u);
  EXPECT_EQ(this->ListIds({}), (std::vector<std::string>{"b2", "c"}));
  EXPECT_EQ(this->DeleteEndedBefore(1000, 2).value(), 2u);
  EXPECT_EQ(this->DeleteEndedBefore(1000, 2).value(), 0u);
  EXPECT_EQ(this->ListIds({}), std::vector<std::string>{});
}

TYPED_TEST(JobStoreContractTest, DeleteSeesTheEndAnUpdateWrote) {
  ASSERT_TRUE(this->Insert(testing::SampleJob("j1", "q", At(1))));
  EXPECT_EQ(this->DeleteEndedBefore(1000, 10).value(), 0u);
  Job job = this->Get("j1").value();
  job.status = JobStatus::kFailed;
  job.stopped_at = At(500);
  ASSERT_TRUE(this->Update(job));

  EXPECT_EQ(this->DeleteEndedBefore(500, 10).value(), 0u);
  EXPECT_EQ(this->DeleteEndedBefore(501, 10).value(), 1u);
  EXPECT_FALSE(this->Get("j1"));
}

TYPED_TEST(JobStoreContractTest, DeleteRemovesTheLogLinesOfEveryAttemptAndNoOthers) {
  Job job = this->EndedJob("j1", JobStatus::kSucceeded, 100);
  job.attempts.push_back(Attempt{.id = "a3", .number = 3});  // Stored without a stream name.
  ASSERT_TRUE(this->Insert(job));
  ASSERT_TRUE(this->Insert(this->EndedJob("j2", JobStatus::kSucceeded, 900)));
  for (const char* stream :
       {"jd/default/j1-a1", "jd/default/j1-a2", "jd/default/a3", "jd/default/j2-a1"}) {
    ASSERT_TRUE(this->Append(stream, {{.sequence = 1, .message = "x"}}));
  }

  ASSERT_EQ(this->DeleteEndedBefore(500, 10).value(), 1u);

  EXPECT_EQ(this->ReadSequences({.stream = "jd/default/j1-a1"}), std::vector<int64_t>{});
  EXPECT_EQ(this->ReadSequences({.stream = "jd/default/j1-a2"}), std::vector<int64_t>{});
  EXPECT_EQ(this->ReadSequences({.stream = "jd/default/a3"}), std::vector<int64_t>{});
  EXPECT_EQ(this->ReadSequences({.stream = "jd/default/j2-a1"}), std::vector<int64_t>{1});
}

TYPED_TEST(JobStoreContractTest, DeleteInAFailedTransactionDeletesNothing) {
  ASSERT_TRUE(this->Insert(this->EndedJob("j1", JobStatus::kSucceeded, 100)));
  ASSERT_TRUE(this->Append("jd/default/j1-a1", {{.sequence = 1, .message = "x"}}));

  Status status = this->store().Transact([&](StoreTransaction& txn) -> Status {
    auto deleted = txn.DeleteJobsEndedBefore(At(1000), 10);
    if (!deleted) return deleted.error();
    EXPECT_EQ(deleted.value(), 1u);
    EXPECT_FALSE(txn.GetJob("j1"));  // Gone inside the transaction...
    return Unavailable("then something failed");
  });

  ASSERT_FALSE(status);
  EXPECT_TRUE(this->Get("j1"));  // ...and back after the rollback.
  EXPECT_EQ(this->ReadSequences({.stream = "jd/default/j1-a1"}), std::vector<int64_t>{1});
}

}  // namespace
}  // namespace barge

namespace barge {
namespace {

template <typename BackendFactory>
class ArrayJobStoreContractTest : public JobStoreContractTest<BackendFactory> {
 protected:
  // Parent "p" (PENDING, size 4) in queue q1 and its children, RUNNABLE.
  Job InsertArray() {
    Job parent = testing::SampleJob("p", "q1", At(1000));
    parent.status = JobStatus::kPending;
    parent.attempts.clear();
    parent.array = ArrayJob{.size = 4, .max_concurrency = 2};
    EXPECT_TRUE(this->store().Transact([&](StoreTransaction& txn) -> Status {
      BARGE_RETURN_IF_ERROR(txn.InsertJob(parent));
      for (int32_t i = 0; i < 4; ++i) {
        Job child = MakeArrayChild(parent, i);
        child.status = JobStatus::kRunnable;
        BARGE_RETURN_IF_ERROR(txn.InsertJob(child));
      }
      return Ok();
    }));
    return parent;
  }
  std::vector<std::string> ChildIds(const ArrayChildFilter& filter) {
    std::vector<std::string> ids;
    EXPECT_TRUE(this->store().Transact([&](StoreTransaction& txn) -> Status {
      auto children = txn.ListArrayChildren(filter);
      if (!children) return children.error();
      for (const Job& child : children.value()) ids.push_back(child.id);
      return Ok();
    }));
    return ids;
  }
};
TYPED_TEST_SUITE(ArrayJobStoreContractTest, Backends);

TYPED_TEST(ArrayJobStoreContractTest, ChildReadsBackWholeFromItsParent) {
  Job parent = this->InsertArray();

  auto child = this->Get("p:2");

  ASSERT_TRUE(child) << child.error().message;
  Job expected = MakeArrayChild(parent, 2);
  expected.status = JobStatus::kRunnable;
  EXPECT_EQ(codec::ToJson(child.value()).dump(), codec::ToJson(expected).dump());
  EXPECT_EQ(child->version, 1);
  EXPECT_EQ(this->Get("p")->array, parent.array);
}

TYPED_TEST(ArrayJobStoreContractTest, ChildKeepsItsOwnRunAcrossUpdates) {
  this->InsertArray();
  Job child = this->Get("p:1").value();
  ASSERT_TRUE(Transition(child, JobStatus::kStarting, At(2000)));
  child.attempts.push_back({.id = "att-1", .number = 1, .agent_id = "agent-1"});
  ASSERT_TRUE(this->Update(child));
  child.version = 2;
  ASSERT_TRUE(Transition(child, JobStatus::kRunning, At(2100)));
  ASSERT_TRUE(this->Update(child));

  auto got = this->Get("p:1");

  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->status, JobStatus::kRunning);
  EXPECT_EQ(got->started_at, At(2100));
  ASSERT_EQ(got->attempts.size(), 1u);
  EXPECT_EQ(got->attempts[0].agent_id, "agent-1");
  EXPECT_EQ(got->version, 3);
  EXPECT_EQ(this->Get("p:0")->status, JobStatus::kRunnable);
  EXPECT_EQ(this->Update(child).error().code, ErrorCode::kConflict);
}

TYPED_TEST(ArrayJobStoreContractTest, ChildrenListInIndexOrderByStatusAndPage) {
  this->InsertArray();
  Job child = this->Get("p:1").value();
  ASSERT_TRUE(Transition(child, JobStatus::kStarting, At(2000)));
  ASSERT_TRUE(this->Update(child));

  EXPECT_EQ(this->ChildIds({.parent_id = "p"}),
            (std::vector<std::string>{"p:0", "p:1", "p:2", "p:3"}));
  EXPECT_EQ(this->ChildIds({.parent_id = "p", .statuses = {JobStatus::kRunnable}}),
            (std::vector<std::string>{"p:0", "p:2", "p:3"}));
  EXPECT_EQ(this->ChildIds({.parent_id = "p", .after_index = 1, .limit = 2}),
            (std::vector<std::string>{"p:2", "p:3"}));
  EXPECT_TRUE(this->ChildIds({.parent_id = "other"}).empty());
}

TYPED_TEST(ArrayJobStoreContractTest, TopLevelListingLeavesChildrenOut) {
  this->InsertArray();

  EXPECT_EQ(this->ListIds({.queue = "q1", .scope = JobScope::kTopLevel}),
            (std::vector<std::string>{"p"}));
  EXPECT_EQ(this->ListIds({.statuses = {JobStatus::kRunnable}, .scope = JobScope::kTopLevel}),
            std::vector<std::string>{});
  EXPECT_EQ(this->ListIds({.statuses = {JobStatus::kRunnable}}),
            (std::vector<std::string>{"p:0", "p:1", "p:2", "p:3"}));
}

TYPED_TEST(ArrayJobStoreContractTest, ChildSeesItsParentsLaterWrites) {
  Job parent = this->InsertArray();
  ASSERT_TRUE(this->Get("p:0"));  // Reads (and may cache) the parent.
  parent.version = 1;
  parent.array.mutable_value().max_concurrency = 3;
  ASSERT_TRUE(this->Update(parent));

  Job stored_parent = this->Get("p").value();
  EXPECT_EQ(stored_parent.array->max_concurrency, 3);
  EXPECT_EQ(this->Get("p:0")->array->size, 4);
}

}  // namespace
}  // namespace barge
