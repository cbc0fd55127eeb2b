#include "control/job_service.h"

#include <gtest/gtest.h>

#include "control/control_test_fixture.h"
#include "control/recording_job_events.h"
#include "testing/fake_clock.h"

namespace barge::control {
namespace {

constexpr char kAccountPrefix[] = "arn:aws:batch:us-east-1:123456789012:";

class JobServiceTest : public ControlServicesTest {
 protected:
  void SetUp() override {
    CreateValid(Unmanaged("ce"));
    CreateQueue(QueueOn("q", {"ce"}));
    ASSERT_TRUE(definitions_.Register(ContainerDefinition("jd"), 100));
  }

  JobSubmission Submission(const std::string& name = "hello") {
    return {.job_name = name, .job_queue = "q", .job_definition = "jd"};
  }

  std::string SubmitOk(JobSubmission submission) {
    auto submitted = jobs_.Submit(submission, 100);
    EXPECT_TRUE(submitted) << submitted.error().message;
    return submitted.ok() ? submitted->job_id : "";
  }

  Job Get(const std::string& id) {
    auto described = jobs_.Describe({id});
    EXPECT_TRUE(described && described->size() == 1) << id;
    return described && described->size() == 1 ? described->front() : Job{};
  }

  // Moves a RUNNABLE job to RUNNING with one attempt, as the dispatcher would.
  void StartJob(const std::string& id) {
    ASSERT_TRUE(store_.Transact([&](StoreTransaction& txn) -> Status {
      auto job = txn.GetJob(id);
      if (!job) return job.error();
      BARGE_RETURN_IF_ERROR(Transition(*job, JobStatus::kStarting, clock_.Now()));
      job->attempts.push_back({.id = "att-1", .number = 1, .agent_id = "agent-1"});
      BARGE_RETURN_IF_ERROR(Transition(*job, JobStatus::kRunning, clock_.Now()));
      return txn.UpdateJob(*job);
    }));
  }

  void SetStatus(const std::string& id, JobStatus status) {
    ASSERT_TRUE(store_.Transact([&](StoreTransaction& txn) -> Status {
      auto job = txn.GetJob(id);
      if (!job) return job.error();
      job->status = status;
      return txn.UpdateJob(*job);
    }));
  }

  std::vector<std::string> ListIds(const JobListRequest& request) {
    auto page = jobs_.List(request);
    if (!page) return {"error: " + page.error().message};
    std::vector<std::string> names;
    for (const Job& job : page->jobs) names.push_back(job.name);
    return names;
  }

  testing::FakeClock clock_;
  RecordingJobEvents events_;
  DependencyResolver dependencies_{store_, clock_, events_};
  JobService jobs_{store_, clock_, arns_, definitions_, events_, dependencies_};
};

TEST_F(JobServiceTest, SubmitCreatesARunnableJobAndRaisesJobRunnable) {
  auto submitted = jobs_.Submit(Submission(), 100);

  ASSERT_TRUE(submitted) << submitted.error().message;
  EXPECT_EQ(submitted->job_name, "hello");
  EXPECT_EQ(submitted->job_id.size(), 36u);
  EXPECT_EQ(submitted->job_arn, std::string(kAccountPrefix) + "job/" + submitted->job_id);
  Job job = Get(submitted->job_id);
  EXPECT_EQ(job.status, JobStatus::kRunnable);
  EXPECT_EQ(job.queue, "q");
  EXPECT_EQ(job.created_at, clock_.Now());
  EXPECT_EQ(job.job_definition_arn, std::string(kAccountPrefix) + "job-definition/jd:1");
  EXPECT_EQ(job.container->command, (std::vector<std::string>{"echo", "hi"}));
  EXPECT_EQ(job.request, (Resources{.millicpus = 1000, .memory_mib = 128}));
  ASSERT_EQ(events_.runnable.size(), 1u);
  EXPECT_EQ(events_.runnable[0].id, submitted->job_id);
  EXPECT_EQ(events_.runnable[0].version, 1);
}

TEST_F(JobServiceTest, SubmitResolvesDefinitionByNameRevisionAndArn) {
  ASSERT_TRUE(definitions_.Register(ContainerDefinition("jd"), 100));  // jd:2

  JobSubmission by_revision = Submission();
  by_revision.job_definition = "jd:1";
  JobSubmission by_arn = Submission();
  by_arn.job_definition = std::string(kAccountPrefix) + "job-definition/jd:1";

  EXPECT_EQ(Get(SubmitOk(Submission())).job_definition_arn,
            std::string(kAccountPrefix) + "job-definition/jd:2");
  EXPECT_EQ(Get(SubmitOk(by_revision)).job_definition_arn,
            std::string(kAccountPrefix) + "job-definition/jd:1");
  EXPECT_EQ(Get(SubmitOk(by_arn)).job_definition_arn,
            std::string(kAccountPrefix) + "job-definition/jd:1");
}

TEST_F(JobServiceTest, SubmitTakesTheQueueByArn) {
  JobSubmission submission = Submission();
  submission.job_queue = std::string(kAccountPrefix) + "job-queue/q";

  EXPECT_EQ(Get(SubmitOk(submission)).queue, "q");
}

TEST_F(JobServiceTest, UnknownQueueIsAClientErrorAndCreatesNothing) {
  JobSubmission submission = Submission();
  submission.job_queue = "nope";

  auto submitted = jobs_.Submit(submission, 100);

  ASSERT_TRUE(FailsWith(submitted, ErrorCode::kNotFound));
  EXPECT_EQ(submitted.error().message, "job queue nope does not exist");
  EXPECT_TRUE(events_.runnable.empty());
  EXPECT_EQ(ListIds({.job_queue = "q", .filters = {{.name = "JOB_NAME", .values = {"*"}}}}),
            std::vector<std::string>{});
}

TEST_F(JobServiceTest, SubmitRejectsBadRequests) {
  JobSubmission bad_name = Submission("-bad");
  JobSubmission no_queue = Submission();
  no_queue.job_queue.clear();
  JobSubmission unknown_definition = Submission();
  unknown_definition.job_definition = "nope";

  EXPECT_TRUE(FailsWith(jobs_.Submit(bad_name, 100), ErrorCode::kInvalidArgument));
  EXPECT_TRUE(FailsWith(jobs_.Submit(no_queue, 100), ErrorCode::kInvalidArgument));
  EXPECT_TRUE(FailsWith(jobs_.Submit(unknown_definition, 100), ErrorCode::kNotFound));
  auto too_big = jobs_.Submit(Submission(), JobService::kMaxSubmitBytes + 1);
  ASSERT_TRUE(FailsWith(too_big, ErrorCode::kInvalidArgument));
  EXPECT_EQ(too_big.error().message,
            "SubmitJob request size exceeds the 30 KiB limit (30721 bytes given)");
  EXPECT_TRUE(events_.runnable.empty());
}

TEST_F(JobServiceTest, ArraySizeOutsideAwsBoundsIsRefused) {
  for (int32_t size : {1, 10001}) {
    JobSubmission array = Submission();
    array.array_properties = ArrayProperties{.size = size};

    auto result = jobs_.Submit(array, 100);

    ASSERT_TRUE(FailsWith(result, ErrorCode::kInvalidArgument)) << size;
    EXPECT_EQ(result.error().message, "arrayProperties.size must be between 2 and 10000, not " +
                                          std::to_string(size));
  }
  JobSubmission no_size = Submission();
  no_size.array_properties = ArrayProperties{};
  EXPECT_TRUE(FailsWith(jobs_.Submit(no_size, 100), ErrorCode::kInvalidArgument));
  JobSubmission zero_cap = Submission();
  zero_cap.array_properties = ArrayProperties{.size = 3, .max_concurrency = 0};
  EXPECT_TRUE(FailsWith(jobs_.Submit(zero_cap, 100), ErrorCode::kInvalidArgument));
}

TEST_F(JobServiceTest, DisabledQueueAcceptsNoJobs) {
  ASSERT_TRUE(queues_.Update({.job_queue = "q", .state = ResourceState::kDisabled}));

  auto submitted = jobs_.Submit(Submission(), 100);

  ASSERT_TRUE(FailsWith(submitted, ErrorCode::kFailedPrecondition));
  EXPECT_EQ(submitted.error().message, "job queue q is DISABLED and accepts no new jobs");
}

TEST_F(JobServiceTest, ShareIdentifierIsRequiredExactlyOnFairShareQueues) {
  auto policy = policies_.Create(FairsharePolicyNamed("fair"));
  ASSERT_TRUE(policy);
  JobQueue fair = QueueOn("fairq", {"ce"});
  fair.scheduling_policy_arn = policy->arn;
  CreateQueue(fair);
  JobSubmission without = Submission();
  without.job_queue = "fairq";
  JobSubmission with = without;
  with.share_identifier = "A1";
  JobSubmission on_fifo = Submission();
  on_fifo.share_identifier = "A1";

  EXPECT_TRUE(FailsWith(jobs_.Submit(without, 100), ErrorCode::kInvalidArgument));
  EXPECT_TRUE(FailsWith(jobs_.Submit(on_fifo, 100), ErrorCode::kInvalidArgument));
  EXPECT_EQ(Get(SubmitOk(with)).share_identifier, "A1");
}

TEST_F(JobServiceTest, DescribeLeavesUnknownIdsOutAndKeepsRequestOrder) {
  std::string a = SubmitOk(Submission("a"));
  std::string b = SubmitOk(Submission("b"));

  auto described = jobs_.Describe({b, "unknown", a, b});

  ASSERT_TRUE(described);
  ASSERT_EQ(described->size(), 2u);
  EXPECT_EQ((*described)[0].id, b);
  EXPECT_EQ((*described)[1].id, a);
  EXPECT_TRUE(
      FailsWith(jobs_.Describe(std::vector<std::string>(101, a)), ErrorCode::kInvalidArgument));
}

TEST_F(JobServiceTest, ListDefaultsToRunningJobs) {
  std::string a = SubmitOk(Submission("a"));
  SubmitOk(Submission("b"));
  StartJob(a);

  EXPECT_EQ(ListIds({.job_queue = "q"}), std::vector<std::string>{"a"});
  EXPECT_EQ(ListIds({.job_queue = "q", .job_status = JobStatus::kRunnable}),
            std::vector<std::string>{"b"});
}

TEST_F(JobServiceTest, ListPagesWithACursorInCreationOrder) {
  for (const char* name : {"j1", "j2", "j3", "j4", "j5"}) {
    SubmitOk(Submission(name));
    clock_.Advance(Duration(10));
  }
  JobListRequest request{.job_queue = "q", .job_status = JobStatus::kRunnable, .max_results = 2};

  std::vector<std::string> seen;
  int pages = 0;
  while (true) {
    auto page = jobs_.List(request);
    ASSERT_TRUE(page) << page.error().message;
    ++pages;
    for (const Job& job : page->jobs) seen.push_back(job.name);
    if (!page->next) break;
    request.start_after = page->next;
  }

  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, (std::vector<std::string>{"j1", "j2", "j3", "j4", "j5"}));
}

TEST_F(JobServiceTest, FiltersMatchEveryStatusNewestFirstAndPage) {
  for (const char* name : {"pg-1", "other", "PG-2", "pg-3"}) {
    SubmitOk(Submission(name));
    clock_.Advance(Duration(10));
  }
  std::vector<KeyValues> filters{{.name = "JOB_NAME", .values = {"pg-*"}}};

  auto first = jobs_.List({.job_queue = "q", .filters = filters, .max_results = 2});
  ASSERT_TRUE(first);
  auto second = jobs_.List(
      {.job_queue = "q", .filters = filters, .max_results = 2, .start_after = first->next});

  ASSERT_TRUE(second);
  ASSERT_EQ(first->jobs.size(), 2u);
  EXPECT_EQ(first->jobs[0].name, "pg-3");
  EXPECT_EQ(first->jobs[1].name, "PG-2");
  ASSERT_TRUE(first->next);
  ASSERT_EQ(second->jobs.size(), 1u);
  EXPECT_EQ(second->jobs[0].name, "pg-1");
  EXPECT_FALSE(second->next);
}

TEST_F(JobServiceTest, CreatedAtFiltersBoundTheListing) {
  Timestamp start = clock_.Now();
  SubmitOk(Submission("early"));
  clock_.Advance(Duration(1000));
  SubmitOk(Submission("late"));
  std::string cut = std::to_string(ToEpochMillis(start + Duration(500)));

  EXPECT_EQ(ListIds({.job_queue = "q", .filters = {{.name = "AFTER_CREATED_AT", .values = {cut}}}}),
            std::vector<std::string>{"late"});
  EXPECT_EQ(
      ListIds({.job_queue = "q", .filters = {{.name = "BEFORE_CREATED_AT", .values = {cut}}}}),
      std::vector<std::string>{"early"});
}

TEST_F(JobServiceTest, ListRejectsBadRequests) {
  EXPECT_TRUE(FailsWith(jobs_.List({.job_queue = "nope"}), ErrorCode::kNotFound));
  EXPECT_TRUE(FailsWith(jobs_.List({}), ErrorCode::kInvalidArgument));
  EXPECT_TRUE(
      FailsWith(jobs_.List({.job_queue = "q", .max_results = 1001}), ErrorCode::kInvalidArgument));
  EXPECT_TRUE(jobs_.List({.job_queue = "q", .max_results = 1000}));
  EXPECT_TRUE(FailsWith(jobs_.List({.job_queue = "q",
                                    .filters = {{.name = "JOB_NAME", .values = {"a"}}},
                                    .max_results = 101}),
                        ErrorCode::kInvalidArgument));
  EXPECT_TRUE(
      FailsWith(jobs_.List({.job_queue = "q", .array_job_id = "x"}), ErrorCode::kInvalidArgument));
}

TEST_F(JobServiceTest, CancelFailsAWaitingJobWithTheReason) {
  std::string id = SubmitOk(Submission());
  clock_.Advance(Duration(5));

  ASSERT_TRUE(jobs_.Cancel(id, "no longer needed"));

  Job job = Get(id);
  EXPECT_EQ(job.status, JobStatus::kFailed);
  EXPECT_EQ(job.status_reason, "no longer needed");
  EXPECT_TRUE(job.is_cancelled);
  EXPECT_FALSE(job.is_terminated);
  EXPECT_EQ(job.stopped_at, clock_.Now());
  EXPECT_TRUE(events_.stops.empty());
}

TEST_F(JobServiceTest, CancelLeavesStartedAndFinishedJobsAloneAndSucceeds) {
  std::string running = SubmitOk(Submission("r"));
  StartJob(running);
  std::string done = SubmitOk(Submission("d"));
  SetStatus(done, JobStatus::kSucceeded);

  EXPECT_TRUE(jobs_.Cancel(running, "stop"));
  EXPECT_TRUE(jobs_.Cancel(done, "stop"));

  EXPECT_EQ(Get(running).status, JobStatus::kRunning);
  EXPECT_FALSE(Get(running).is_cancelled);
  EXPECT_EQ(Get(done).status, JobStatus::kSucceeded);
  EXPECT_TRUE(events_.stops.empty());
}

TEST_F(JobServiceTest, CancelAndTerminateCheckIdAndReason) {
  std::string id = SubmitOk(Submission());

  auto unknown = jobs_.Cancel("nope", "r");
  EXPECT_TRUE(FailsWith(unknown, ErrorCode::kNotFound));
  EXPECT_EQ(unknown.error().message, "job nope does not exist");
  EXPECT_TRUE(FailsWith(jobs_.Terminate("nope", "r"), ErrorCode::kNotFound));
  EXPECT_TRUE(FailsWith(jobs_.Cancel(id, ""), ErrorCode::kInvalidArgument));
  EXPECT_TRUE(FailsWith(jobs_.Cancel(id, std::string(1025, 'x')), ErrorCode::kInvalidArgument));
  EXPECT_TRUE(jobs_.Cancel(id, std::string(1024, 'x')));
}

TEST_F(JobServiceTest, TerminateOfAWaitingJobIsACancel) {
  std::string id = SubmitOk(Submission());

  ASSERT_TRUE(jobs_.Terminate(id, "bye"));

  Job job = Get(id);
  EXPECT_EQ(job.status, JobStatus::kFailed);
  EXPECT_EQ(job.status_reason, "bye");
  EXPECT_TRUE(job.is_cancelled);
  EXPECT_TRUE(events_.stops.empty());
}

TEST_F(JobServiceTest, TerminateOfARunningJobRequestsAStop) {
  std::string id = SubmitOk(Submission());
  StartJob(id);

  ASSERT_TRUE(jobs_.Terminate(id, "user asked"));

  Job job = Get(id);
  EXPECT_EQ(job.status, JobStatus::kRunning);
  EXPECT_TRUE(job.is_terminated);
  EXPECT_EQ(job.stop_reason, "user asked");
  EXPECT_EQ(job.status_reason, "");
  ASSERT_EQ(events_.stops.size(), 1u);
  EXPECT_EQ(events_.stops[0].job.id, id);
  EXPECT_EQ(events_.stops[0].job.version, job.version);
  EXPECT_EQ(events_.stops[0].reason, "user asked");
}

TEST_F(JobServiceTest, RepeatedTerminateKeepsTheFirstReasonAndAsksAgain) {
  std::string id = SubmitOk(Submission());
  StartJob(id);
  ASSERT_TRUE(jobs_.Terminate(id, "first"));
  int64_t version = Get(id).version;

  ASSERT_TRUE(jobs_.Terminate(id, "second"));

  EXPECT_EQ(Get(id).stop_reason, "first");
  EXPECT_EQ(Get(id).version, version);
  ASSERT_EQ(events_.stops.size(), 2u);
  EXPECT_EQ(events_.stops[1].reason, "first");
}

TEST_F(JobServiceTest, TerminateOfAFinishedJobChangesNothing) {
  std::string id = SubmitOk(Submission());
  SetStatus(id, JobStatus::kFailed);

  ASSERT_TRUE(jobs_.Terminate(id, "late"));

  EXPECT_FALSE(Get(id).is_terminated);
  EXPECT_TRUE(events_.stops.empty());
}

TEST_F(JobServiceTest, BulkCallsReportEachId) {
  std::string waiting = SubmitOk(Submission("w"));
  std::string running = SubmitOk(Submission("r"));
  StartJob(running);

  auto cancelled = jobs_.CancelMany({waiting, "nope"}, "bulk");
  auto terminated = jobs_.TerminateMany({running}, "bulk");

  ASSERT_TRUE(cancelled);
  EXPECT_EQ(cancelled->successful, std::vector<std::string>{waiting});
  ASSERT_EQ(cancelled->failed.size(), 1u);
  EXPECT_EQ(cancelled->failed[0].job_id, "nope");
  EXPECT_EQ(cancelled->failed[0].error.code, ErrorCode::kNotFound);
  ASSERT_TRUE(terminated);
  EXPECT_EQ(terminated->successful, std::vector<std::string>{running});
  EXPECT_EQ(events_.stops.size(), 1u);
  EXPECT_TRUE(FailsWith(jobs_.CancelMany(std::vector<std::string>(51, waiting), "r"),
                        ErrorCode::kInvalidArgument));
  EXPECT_TRUE(FailsWith(jobs_.CancelMany({}, "r"), ErrorCode::kInvalidArgument));
  EXPECT_TRUE(FailsWith(jobs_.TerminateMany({waiting}, ""), ErrorCode::kInvalidArgument));
}

TEST_F(JobServiceTest, JobsAreTaggableByArn) {
  std::string id = SubmitOk(Submission());
  std::string arn = std::string(kAccountPrefix) + "job/" + id;

  ASSERT_TRUE(tags_.Tag(arn, {{"k", "v"}}));

  EXPECT_EQ(tags_.List(arn).value(), (Tags{{"k", "v"}}));
  EXPECT_EQ(Get(id).tags, (Tags{{"k", "v"}}));
  ASSERT_TRUE(tags_.Untag(arn, {"k"}));
  EXPECT_TRUE(tags_.List(arn)->empty());
  EXPECT_TRUE(
      FailsWith(tags_.List(std::string(kAccountPrefix) + "job/nope"), ErrorCode::kNotFound));
  EXPECT_TRUE(FailsWith(tags_.List(arn + ":0"), ErrorCode::kInvalidArgument));
}

}  // namespace
}  // namespace barge::control
