// Job dependencies through JobService and the DependencyResolver, wired as
// the server wires them: every write goes through a JobEndReportingStore whose
// listener is the resolver. A dependency "ends" here by a write of its
// terminal status through that store, as every real path does.
#include "control/dependency_resolver.h"

#include <gtest/gtest.h>

#include "control/dependency_test_fixture.h"

namespace barge::control {
namespace {

using std::chrono::seconds;

TEST_F(DependencyResolverTest, DependentWaitsPendingAndBecomesRunnableWhenItsDependencySucceeds) {
  std::string a = Submit();
  events_ = {};

  std::string b = Submit({On(a)});

  EXPECT_EQ(StatusOf(b), JobStatus::kPending);
  EXPECT_TRUE(events_.runnable.empty());
  EXPECT_EQ(Get(b).depends_on, std::vector<JobDependency>{On(a)});

  End(a, JobStatus::kSucceeded);

  EXPECT_EQ(StatusOf(b), JobStatus::kRunnable);
  EXPECT_EQ(RunnableIds(), std::vector<std::string>{b});
  EXPECT_EQ(events_.runnable[0].version, Get(b).version);
  EXPECT_EQ(resolver_->graph().node_count(), 0u);
}

TEST_F(DependencyResolverTest, DependencyAlreadySucceededMakesTheJobRunnableAtOnce) {
  std::string a = Submit();
  End(a, JobStatus::kSucceeded);
  events_ = {};

  std::string b = Submit({On(a)});

  EXPECT_EQ(StatusOf(b), JobStatus::kRunnable);
  EXPECT_EQ(RunnableIds(), std::vector<std::string>{b});
}

TEST_F(DependencyResolverTest, DependencyAlreadyFailedFailsTheJobAtOnceWithoutAttempts) {
  std::string a = Submit();
  End(a, JobStatus::kFailed);
  events_ = {};

  std::string b = Submit({On(a)});

  Job job = Get(b);
  EXPECT_EQ(job.status, JobStatus::kFailed);
  EXPECT_EQ(job.status_reason, "Dependent Job failed: " + a);
  EXPECT_TRUE(job.attempts.empty());
  EXPECT_EQ(job.stopped_at, clock_.Now());
  EXPECT_TRUE(events_.runnable.empty());
}

TEST_F(DependencyResolverTest, UnknownDependencyIsAClientErrorAndCreatesNothing) {
  std::string a = Submit();
  size_t before = StoredJobs();

  auto submitted = TrySubmit({On(a), On("nope")});

  ASSERT_TRUE(FailsWith(submitted, ErrorCode::kInvalidArgument));
  EXPECT_EQ(submitted.error().message, "dependsOn: job nope does not exist");
  EXPECT_EQ(StoredJobs(), before);
  EXPECT_EQ(resolver_->graph().node_count(), 0u);
}

TEST_F(DependencyResolverTest, AtMostTwentyDependenciesUnlessTheServerAllowsMore) {
  std::vector<JobDependency> many;
  for (int i = 0; i < 21; ++i) many.push_back(On(Submit()));
  JobService generous{reporting_,
                      clock_,
                      arns_,
                      definitions_,
                      events_,
                      *resolver_,
                      JobServiceOptions{.max_dependencies = 21}};

  auto refused = TrySubmit(many);
  auto accepted = TrySubmit(many, &generous);

  ASSERT_TRUE(FailsWith(refused, ErrorCode::kInvalidArgument));
  EXPECT_EQ(refused.error().message,
            "Job cannot have more than 20 dependencies (dependsOn lists 21)");
  ASSERT_TRUE(accepted) << accepted.error().message;
  EXPECT_EQ(StatusOf(accepted->job_id), JobStatus::kPending);
}

TEST_F(DependencyResolverTest, BadEntriesAreClientErrors) {
  std::string a = Submit();

  auto no_id = TrySubmit({On("")});
  auto twice = TrySubmit({On(a), On(a, "AFTER_ANY")});
  auto unknown_type = TrySubmit({On(a, "AFTER_LUNCH")});
  auto array_type = TrySubmit({On(a, "N_TO_N")});

  ASSERT_TRUE(FailsWith(no_id, ErrorCode::kInvalidArgument));
  EXPECT_EQ(no_id.error().message, "dependsOn[0].jobId is required");
  ASSERT_TRUE(FailsWith(twice, ErrorCode::kInvalidArgument));
  EXPECT_EQ(twice.error().message, "dependsOn lists job " + a + " twice");
  ASSERT_TRUE(FailsWith(unknown_type, ErrorCode::kInvalidArgument));
  EXPECT_EQ(unknown_type.error().message,
            "dependsOn[0].type must be N_TO_N or SEQUENTIAL (array jobs), or barge's AFTER_OK, "
            "AFTER_ANY or AFTER_NOT_OK, not AFTER_LUNCH");
  ASSERT_TRUE(FailsWith(array_type, ErrorCode::kInvalidArgument));
  EXPECT_EQ(array_type.error().message,
            "dependsOn[0].type N_TO_N applies to array jobs only (give arrayProperties)");
}

TEST_F(DependencyResolverTest, ChainRunsInOrder) {
  std::string a = Submit();
  std::string b = Submit({On(a)});
  std::string c = Submit({On(b)});
  events_ = {};

  End(a, JobStatus::kSucceeded);

  EXPECT_EQ(StatusOf(b), JobStatus::kRunnable);
  EXPECT_EQ(StatusOf(c), JobStatus::kPending);

  End(b, JobStatus::kSucceeded);

  EXPECT_EQ(StatusOf(c), JobStatus::kRunnable);
  EXPECT_EQ(RunnableIds(), (std::vector<std::string>{b, c}));
}

TEST_F(DependencyResolverTest, FailureCascadesDownAChainInOneGo) {
  std::string a = Submit();
  std::string b = Submit({On(a)});
  std::string c = Submit({On(b)});
  events_ = {};

  End(a, JobStatus::kFailed);

  EXPECT_EQ(Get(b).status_reason, "Dependent Job failed: " + a);
  EXPECT_EQ(Get(c).status_reason, "Dependent Job failed: " + b);
  EXPECT_EQ(StatusOf(b), JobStatus::kFailed);
  EXPECT_EQ(StatusOf(c), JobStatus::kFailed);
  EXPECT_TRUE(events_.runnable.empty());
  EXPECT_EQ(resolver_->graph().node_count(), 0u);
}

TEST_F(DependencyResolverTest, DiamondJoinWaitsForBothBranches) {
  std::string a = Submit();
  std::string b = Submit({On(a)});
  std::string c = Submit({On(a)});
  std::string d = Submit({On(b), On(c)});

  End(a, JobStatus::kSucceeded);
  End(b, JobStatus::kSucceeded);

  EXPECT_EQ(StatusOf(d), JobStatus::kPending);

  End(c, JobStatus::kSucceeded);

  EXPECT_EQ(StatusOf(d), JobStatus::kRunnable);
}

TEST_F(DependencyResolverTest, AfterAnyRunsAfterAFailureAndAfterNotOkOnlyAfterOne) {
  std::string failing = Submit();
  std::string succeeding = Submit();
  std::string any = Submit({On(failing, "AFTER_ANY")});
  std::string not_ok = Submit({On(failing, "AFTER_NOT_OK")});
  std::string not_ok_after_success = Submit({On(succeeding, "AFTER_NOT_OK")});
  std::string explicit_ok = Submit({On(succeeding, "AFTER_OK")});

  End(failing, JobStatus::kFailed);
  End(succeeding, JobStatus::kSucceeded);

  EXPECT_EQ(StatusOf(any), JobStatus::kRunnable);
  EXPECT_EQ(StatusOf(not_ok), JobStatus::kRunnable);
  EXPECT_EQ(StatusOf(explicit_ok), JobStatus::kRunnable);
  Job refused = Get(not_ok_after_success);
  EXPECT_EQ(refused.status, JobStatus::kFailed);
  EXPECT_EQ(refused.status_reason, "Dependent Job succeeded: " + succeeding +
                                       " (AFTER_NOT_OK runs this job only if it fails)");
  EXPECT_EQ(Get(any).depends_on, std::vector<JobDependency>{On(failing, "AFTER_ANY")});
}

TEST_F(DependencyResolverTest, CancelledRunnableJobFailsItsDependents) {
  std::string a = Submit();
  std::string b = Submit({On(a)});

  ASSERT_TRUE(jobs_->Cancel(a, "not needed"));

  EXPECT_EQ(StatusOf(b), JobStatus::kFailed);
  EXPECT_EQ(Get(b).status_reason, "Dependent Job failed: " + a);
}

TEST_F(DependencyResolverTest, CancelledPendingJobFailsOnlyOnceItsDependenciesFinish) {
  std::string a = Submit();
  std::string b = Submit({On(a)});
  std::string c = Submit({On(b)});

  ASSERT_TRUE(jobs_->Cancel(b, "changed my mind"));
  ASSERT_TRUE(jobs_->Cancel(b, "second reason"));

  Job waiting = Get(b);
  EXPECT_EQ(waiting.status, JobStatus::kPending);
  EXPECT_TRUE(waiting.is_cancelled);
  EXPECT_EQ(StatusOf(c), JobStatus::kPending);

  events_ = {};
  End(a, JobStatus::kSucceeded);

  Job cancelled = Get(b);
  EXPECT_EQ(cancelled.status, JobStatus::kFailed);
  EXPECT_EQ(cancelled.status_reason, "changed my mind");
  EXPECT_TRUE(cancelled.attempts.empty());
  EXPECT_EQ(StatusOf(c), JobStatus::kFailed);
  EXPECT_EQ(Get(c).status_reason, "Dependent Job failed: " + b);
  EXPECT_TRUE(events_.runnable.empty());
}

TEST_F(DependencyResolverTest, FailedSubmitCommitLeavesNothingInTheGraph) {
  std::string a = Submit();
  store_.FailNextCommit(Unavailable("disk full"));

  auto submitted = TrySubmit({On(a)});

  ASSERT_TRUE(FailsWith(submitted, ErrorCode::kUnavailable));
  End(a, JobStatus::kSucceeded);
  EXPECT_EQ(resolver_->graph().node_count(), 0u);
  EXPECT_EQ(resolver_->unapplied(), 0u);
}

TEST_F(DependencyResolverTest, DependentsAFailedWriteLeftAreWrittenByTheNextTick) {
  std::string a = Submit();
  std::string b = Submit({On(a)});
  events_ = {};
  End(a, JobStatus::kSucceeded, &store_);
  store_.FailNextCommit(Unavailable("busy"));

  resolver_->JobsWritten({{.job_id = a, .status = JobStatus::kSucceeded}});

  EXPECT_EQ(StatusOf(b), JobStatus::kPending);
  EXPECT_EQ(resolver_->unapplied(), 1u);
  EXPECT_TRUE(events_.runnable.empty());

  ASSERT_TRUE(resolver_->Tick());

  EXPECT_EQ(StatusOf(b), JobStatus::kRunnable);
  EXPECT_EQ(RunnableIds(), std::vector<std::string>{b});
  EXPECT_EQ(resolver_->unapplied(), 0u);
}

TEST_F(DependencyResolverTest, RestartRebuildsTheGraphFromPendingJobs) {
  std::string a = Submit();
  std::string b = Submit({On(a)});
  std::string c = Submit({On(b), On(a, "AFTER_ANY")});

  Restart();
  End(a, JobStatus::kSucceeded);

  EXPECT_EQ(StatusOf(b), JobStatus::kRunnable);
  EXPECT_EQ(StatusOf(c), JobStatus::kPending);

  End(b, JobStatus::kSucceeded);

  EXPECT_EQ(StatusOf(c), JobStatus::kRunnable);
}

TEST_F(DependencyResolverTest, RestartResolvesWhatEndedWhileTheServerWasDown) {
  std::string a = Submit();
  std::string b = Submit();
  std::string after_a = Submit({On(a)});
  std::string after_b = Submit({On(b)});
  std::string after_both = Submit({On(after_a), On(after_b)});
  std::string cancelled = Submit({On(b)});
  ASSERT_TRUE(jobs_->Cancel(cancelled, "stop"));
  // Written without reports: the server died right after these commits.
  End(a, JobStatus::kSucceeded, &store_);
  End(b, JobStatus::kFailed, &store_);

  Restart();

  EXPECT_EQ(StatusOf(after_a), JobStatus::kRunnable);
  EXPECT_EQ(RunnableIds(), std::vector<std::string>{after_a});
  EXPECT_EQ(Get(after_b).status_reason, "Dependent Job failed: " + b);
  EXPECT_EQ(Get(after_both).status_reason, "Dependent Job failed: " + after_b);
  EXPECT_EQ(Get(cancelled).status_reason, "stop");
  EXPECT_EQ(resolver_->graph().node_count(), 0u);
}

TEST_F(DependencyResolverTest, RestartAddsADependencyListedAfterItsDependentFirst) {
  // Jobs created in the same millisecond are listed by id, so "m" (which
  // depends on "z") comes before "z" (which depends on a).
  std::string a = Submit();
  Timestamp same = clock_.Now() + seconds(1);
  ASSERT_TRUE(store_.Transact([&](StoreTransaction& txn) -> Status {
    for (auto [id, on] : {std::pair<std::string, std::string>{"z", a}, {"m", "z"}}) {
      Job job{
          .id = id, .name = id, .queue = "q", .status = JobStatus::kPending, .created_at = same};
      job.depends_on = {On(on)};
      BARGE_RETURN_IF_ERROR(txn.InsertJob(job));
    }
    return Ok();
  }));

  Restart();
  End(a, JobStatus::kSucceeded);

  EXPECT_EQ(StatusOf("z"), JobStatus::kRunnable);
  EXPECT_EQ(StatusOf("m"), JobStatus::kPending);

  End("z", JobStatus::kSucceeded);

  EXPECT_EQ(StatusOf("m"), JobStatus::kRunnable);
}

}  // namespace
}  // namespace barge::control
