// Array jobs through JobService, the DependencyResolver and its ArrayTracker,
// wired as the server wires them (dependency_test_fixture.h): children are
// created with the parent, end one by one, and the parent follows AWS's rules.
#include <gtest/gtest.h>

#include "control/dependency_test_fixture.h"
#include "core/array_job.h"
#include "core/array_status.h"

namespace barge::control {
namespace {

class ArrayJobsTest : public DependencyResolverTest {
 protected:
  std::string SubmitArray(int32_t size, std::vector<JobDependency> depends_on = {},
                          std::optional<int32_t> max_concurrency = std::nullopt) {
    auto submitted = TrySubmit(std::move(depends_on), nullptr,
                               ArrayProperties{.size = size, .max_concurrency = max_concurrency});
    EXPECT_TRUE(submitted) << submitted.error().message;
    return submitted ? submitted->job_id : "";
  }
  // Moves child `id` as the dispatcher and an agent would, through the
  // reporting store.
  void Move(const std::string& id, JobStatus status) {
    ASSERT_TRUE(reporting_.Transact([&](StoreTransaction& txn) -> Status {
      auto job = txn.GetJob(id);
      if (!job) return job.error();
      job->status = status;
      return txn.UpdateJob(*job);
    }));
  }
  int32_t Count(const Job& parent, JobStatus status) {
    return parent.array->status_summary[static_cast<size_t>(status)];
  }
  std::vector<std::string> Children(const std::string& parent, JobStatus status,
                                    std::optional<int32_t> max = std::nullopt,
                                    std::optional<JobListCursor>* next = nullptr) {
    JobListRequest request{.array_job_id = parent, .job_status = status, .max_results = max};
    if (next != nullptr && *next) request.start_after = **next;
    auto page = jobs_->List(request);
    EXPECT_TRUE(page) << page.error().message;
    std::vector<std::string> ids;
    if (!page) return ids;
    for (const Job& job : page->jobs) ids.push_back(job.id);
    if (next != nullptr) *next = page->next;
    return ids;
  }
};

TEST_F(ArrayJobsTest, SubmitCreatesTheParentAndRunnableChildren) {
  std::string p = SubmitArray(5);

  Job parent = Get(p);
  EXPECT_EQ(parent.status, JobStatus::kPending);
  ASSERT_TRUE(parent.array);
  EXPECT_EQ(parent.array->size, 5);
  EXPECT_EQ(Count(parent, JobStatus::kRunnable), 5);
  EXPECT_EQ(RunnableIds(), (std::vector<std::string>{p + ":0", p + ":1", p + ":2", p + ":3",
                                                     p + ":4"}));
  Job child = Get(p + ":3");
  EXPECT_EQ(child.status, JobStatus::kRunnable);
  EXPECT_EQ(child.array->index, 3);
  EXPECT_EQ(child.array->size, 5);
  EXPECT_EQ(child.queue, "q");
  EXPECT_EQ(child.created_at, parent.created_at);
  EXPECT_EQ(StoredJobs(), 6u);
}

TEST_F(ArrayJobsTest, ParentSucceedsWhenEveryChildSucceeded) {
  std::string p = SubmitArray(3);
  Move(p + ":0", JobStatus::kStarting);
  Move(p + ":0", JobStatus::kRunning);
  EXPECT_EQ(Count(Get(p), JobStatus::kRunning), 1);

  End(p + ":0", JobStatus::kSucceeded);
  End(p + ":1", JobStatus::kSucceeded);
  EXPECT_EQ(StatusOf(p), JobStatus::kPending);
  End(p + ":2", JobStatus::kSucceeded);

  Job parent = Get(p);
  EXPECT_EQ(parent.status, JobStatus::kSucceeded);
  EXPECT_EQ(Count(parent, JobStatus::kSucceeded), 3);
  EXPECT_TRUE(parent.stopped_at);
  EXPECT_EQ(resolver_->arrays().tracked(), 0u);
}

TEST_F(ArrayJobsTest, ParentFailsOnceAllEndedAndOneFailed) {
  std::string p = SubmitArray(3);

  End(p + ":1", JobStatus::kFailed);
  End(p + ":0", JobStatus::kSucceeded);
  EXPECT_EQ(StatusOf(p), JobStatus::kPending);
  End(p + ":2", JobStatus::kSucceeded);

  Job parent = Get(p);
  EXPECT_EQ(parent.status, JobStatus::kFailed);
  EXPECT_EQ(parent.status_reason, "Array Child Job failed");
  EXPECT_EQ(Count(parent, JobStatus::kSucceeded), 2);
  EXPECT_EQ(Count(parent, JobStatus::kFailed), 1);
}

TEST_F(ArrayJobsTest, SequentialChildrenRunOneAfterAnother) {
  std::string p = SubmitArray(3, {{.job_id = "", .type = "SEQUENTIAL"}});
  EXPECT_EQ(RunnableIds(), std::vector<std::string>{p + ":0"});
  EXPECT_EQ(StatusOf(p + ":1"), JobStatus::kPending);
  EXPECT_EQ(Get(p + ":1").depends_on,
            (std::vector<JobDependency>{{.job_id = p + ":0", .type = "SEQUENTIAL"}}));

  End(p + ":0", JobStatus::kSucceeded);
  EXPECT_EQ(StatusOf(p + ":1"), JobStatus::kRunnable);
  EXPECT_EQ(StatusOf(p + ":2"), JobStatus::kPending);
  End(p + ":1", JobStatus::kFailed);

  EXPECT_EQ(StatusOf(p + ":2"), JobStatus::kFailed);
  EXPECT_EQ(Get(p + ":2").status_reason, "Dependent Job failed: " + p + ":1");
  EXPECT_EQ(StatusOf(p), JobStatus::kFailed);
}

TEST_F(ArrayJobsTest, NToNChildWaitsForItsCounterpart) {
  std::string a = SubmitArray(3);
  events_ = {};
  std::string b = SubmitArray(3, {{.job_id = a, .type = "N_TO_N"}});
  EXPECT_TRUE(RunnableIds().empty());

  End(a + ":1", JobStatus::kSucceeded);
  EXPECT_EQ(RunnableIds(), std::vector<std::string>{b + ":1"});
  End(a + ":2", JobStatus::kFailed);

  EXPECT_EQ(StatusOf(b + ":2"), JobStatus::kFailed);
  EXPECT_EQ(StatusOf(b + ":0"), JobStatus::kPending);
}

TEST_F(ArrayJobsTest, NToNOnAnArrayOfAnotherSizeIsRefused) {
  std::string a = SubmitArray(3);
  auto refused = TrySubmit({{.job_id = a, .type = "N_TO_N"}}, nullptr, ArrayProperties{.size = 4});

  EXPECT_TRUE(FailsWith(refused, ErrorCode::kInvalidArgument));
  EXPECT_EQ(StoredJobs(), 4u);
}

TEST_F(ArrayJobsTest, DependencyOnAnArrayWaitsForTheWholeArray) {
  std::string p = SubmitArray(2);
  std::string after = Submit({On(p)});
  End(p + ":0", JobStatus::kSucceeded);
  EXPECT_EQ(StatusOf(after), JobStatus::kPending);

  End(p + ":1", JobStatus::kSucceeded);

  EXPECT_EQ(StatusOf(after), JobStatus::kRunnable);
}

TEST_F(ArrayJobsTest, DependencyOnAnArrayWithAFailedChildFails) {
  std::string p = SubmitArray(2);
  std::string after = Submit({On(p)});

  End(p + ":0", JobStatus::kFailed);
  End(p + ":1", JobStatus::kSucceeded);

  EXPECT_EQ(StatusOf(after), JobStatus::kFailed);
  EXPECT_EQ(StatusOf(p), JobStatus::kFailed);
}

TEST_F(ArrayJobsTest, ArrayWaitingOnAJobStartsEveryChildWhenItSucceeds) {
  std::string a = Submit();
  events_ = {};
  std::string p = SubmitArray(3, {On(a)});
  EXPECT_EQ(StatusOf(p), JobStatus::kPending);
  EXPECT_EQ(StatusOf(p + ":0"), JobStatus::kPending);

  End(a, JobStatus::kSucceeded);

  EXPECT_EQ(RunnableIds().size(), 3u);
}

TEST_F(ArrayJobsTest, CancelOfTheParentFailsEveryChildNotStarted) {
  std::string p = SubmitArray(3, {{.job_id = "", .type = "SEQUENTIAL"}});
  Move(p + ":0", JobStatus::kStarting);

  ASSERT_TRUE(jobs_->Cancel(p, "no longer needed"));

  EXPECT_EQ(StatusOf(p + ":0"), JobStatus::kStarting);  // CancelJob leaves started ones.
  for (const char* index : {":1", ":2"}) {
    Job child = Get(p + index);
    EXPECT_EQ(child.status, JobStatus::kFailed);
    EXPECT_EQ(child.status_reason, "no longer needed");
    EXPECT_TRUE(child.is_cancelled);
  }
  EXPECT_TRUE(Get(p).is_cancelled);
  EXPECT_EQ(StatusOf(p), JobStatus::kPending);
  End(p + ":0", JobStatus::kSucceeded);
  EXPECT_EQ(StatusOf(p), JobStatus::kFailed);
}

TEST_F(ArrayJobsTest, TerminateOfTheParentStopsRunningChildren) {
  std::string p = SubmitArray(2);
  Move(p + ":1", JobStatus::kStarting);
  Move(p + ":1", JobStatus::kRunning);

  ASSERT_TRUE(jobs_->Terminate(p, "stop"));

  ASSERT_EQ(events_.stops.size(), 1u);
  EXPECT_EQ(events_.stops[0].job.id, p + ":1");
  EXPECT_TRUE(Get(p + ":1").is_terminated);
  EXPECT_EQ(StatusOf(p + ":0"), JobStatus::kFailed);
}

TEST_F(ArrayJobsTest, ListingChildrenFiltersByStatusAndPages) {
  std::string p = SubmitArray(5);
  Move(p + ":2", JobStatus::kStarting);

  EXPECT_EQ(Children(p, JobStatus::kStarting), std::vector<std::string>{p + ":2"});
  std::optional<JobListCursor> next;
  EXPECT_EQ(Children(p, JobStatus::kRunnable, 3, &next),
            (std::vector<std::string>{p + ":0", p + ":1", p + ":3"}));
  ASSERT_TRUE(next);
  EXPECT_EQ(Children(p, JobStatus::kRunnable, 3, &next), std::vector<std::string>{p + ":4"});
  EXPECT_FALSE(next);
}

TEST_F(ArrayJobsTest, QueueListingShowsTheParentNotItsChildren) {
  std::string p = SubmitArray(3);
  auto page = jobs_->List({.job_queue = "q", .job_status = JobStatus::kPending});
  ASSERT_TRUE(page);
  ASSERT_EQ(page->jobs.size(), 1u);
  EXPECT_EQ(page->jobs[0].id, p);
  auto runnable = jobs_->List({.job_queue = "q", .job_status = JobStatus::kRunnable});
  ASSERT_TRUE(runnable);
  EXPECT_TRUE(runnable->jobs.empty());
}

TEST_F(ArrayJobsTest, ListingChildrenOfAPlainJobIsAClientError) {
  std::string plain = Submit();
  EXPECT_TRUE(FailsWith(jobs_->List({.array_job_id = plain}), ErrorCode::kInvalidArgument));
  EXPECT_TRUE(FailsWith(jobs_->List({.job_queue = "q", .array_job_id = plain}),
                        ErrorCode::kInvalidArgument));
}

TEST_F(ArrayJobsTest, RestartTracksArraysAndResumesSequentialChains) {
  std::string p = SubmitArray(3, {{.job_id = "", .type = "SEQUENTIAL"}});
  End(p + ":0", JobStatus::kSucceeded);
  // Child 1 ends while the server is down: the write is not reported.
  End(p + ":1", JobStatus::kSucceeded, &store_);

  Restart();

  EXPECT_EQ(StatusOf(p + ":2"), JobStatus::kRunnable);
  Job parent = Get(p);
  EXPECT_EQ(Count(parent, JobStatus::kSucceeded), 2);
  End(p + ":2", JobStatus::kSucceeded);
  EXPECT_EQ(StatusOf(p), JobStatus::kSucceeded);
}

TEST_F(ArrayJobsTest, RestartEndsAnArrayWhoseChildrenAllEndedMeanwhile) {
  std::string p = SubmitArray(2);
  std::string after = Submit({On(p)});
  End(p + ":0", JobStatus::kSucceeded, &store_);
  End(p + ":1", JobStatus::kSucceeded, &store_);

  Restart();

  EXPECT_EQ(StatusOf(p), JobStatus::kSucceeded);
  EXPECT_EQ(StatusOf(after), JobStatus::kRunnable);
}

TEST_F(ArrayJobsTest, MaxConcurrencyCapsChildrenStartingOrRunning) {
  std::string p = SubmitArray(4, {}, 2);
  EXPECT_EQ(Get(p).array->max_concurrency, 2);
  const ArrayTracker& arrays = resolver_->arrays();
  EXPECT_TRUE(arrays.MayStart(p + ":0", 1));
  EXPECT_FALSE(arrays.MayStart(p + ":0", 2));

  Move(p + ":0", JobStatus::kStarting);
  Move(p + ":1", JobStatus::kStarting);
  EXPECT_FALSE(arrays.MayStart(p + ":2"));
  End(p + ":0", JobStatus::kSucceeded);

  EXPECT_TRUE(arrays.MayStart(p + ":2"));
  EXPECT_TRUE(arrays.MayStart("plain-job"));
}

}  // namespace
}  // namespace barge::control
