// JobService's group commit: SubmitAsync queues, FlushSubmits commits the
// batch in one transaction and answers every caller.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "control/control_test_fixture.h"
#include "control/job_service.h"
#include "control/recording_job_events.h"
#include "testing/fake_clock.h"

namespace barge::control {
namespace {

// Counts the transactions that reach the store beneath it.
class CountingStore final : public Store {
 public:
  explicit CountingStore(Store& inner) : inner_(inner) {}
  Status Transact(const Work& work) override {
    ++transactions;
    return inner_.Transact(work);
  }
  int transactions = 0;

 private:
  Store& inner_;
};

class JobGroupCommitTest : public ControlServicesTest {
 protected:
  void SetUp() override {
    CreateValid(Unmanaged("ce"));
    CreateQueue(QueueOn("q", {"ce"}));
    CreateQueue(QueueOn("other", {"ce"}));
    ASSERT_TRUE(definitions_.Register(ContainerDefinition("jd"), 100));
  }

  // Submits to `queue`; the answer lands in answers_[returned index].
  size_t SubmitAsync(const std::string& name, const std::string& queue = "q") {
    size_t slot = answers_.size();
    answers_.emplace_back();
    jobs_.SubmitAsync({.job_name = name, .job_queue = queue, .job_definition = "jd"}, 100,
                      [this, slot](Result<SubmittedJob> answer) { answers_[slot] = answer; });
    return slot;
  }

  size_t StoredJobs() {
    size_t count = 0;
    EXPECT_TRUE(store_.Transact([&](StoreTransaction& txn) -> Status {
      auto jobs = txn.ListJobs({});
      if (!jobs) return jobs.error();
      count = jobs->size();
      return Ok();
    }));
    return count;
  }

  testing::FakeClock clock_;
  RecordingJobEvents events_;
  CountingStore counting_{store_};
  int flushes_scheduled_ = 0;
  std::vector<std::optional<Result<SubmittedJob>>> answers_;
  DependencyResolver dependencies_{counting_, clock_, events_};
  JobService jobs_{counting_,
                   clock_,
                   arns_,
                   definitions_,
                   events_,
                   dependencies_,
                   JobServiceOptions{.schedule_flush = [this] { ++flushes_scheduled_; }}};
};

TEST_F(JobGroupCommitTest, SubmitsQueueUntilTheFlushAndCommitInOneTransaction) {
  SubmitAsync("a");
  SubmitAsync("b");
  SubmitAsync("c");
  EXPECT_EQ(flushes_scheduled_, 1);
  EXPECT_EQ(jobs_.queued_submits(), 3u);
  EXPECT_FALSE(answers_[0] || answers_[1] || answers_[2]);
  EXPECT_EQ(StoredJobs(), 0u);
  EXPECT_TRUE(events_.runnable.empty());
  counting_.transactions = 0;

  jobs_.FlushSubmits();

  EXPECT_EQ(counting_.transactions, 1);
  EXPECT_EQ(jobs_.queued_submits(), 0u);
  EXPECT_EQ(StoredJobs(), 3u);
  ASSERT_EQ(events_.runnable.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    ASSERT_TRUE(answers_[i] && answers_[i]->ok());
    EXPECT_EQ((*answers_[i])->job_id, events_.runnable[i].id);
    EXPECT_EQ(events_.runnable[i].status, JobStatus::kRunnable);
    EXPECT_EQ(events_.runnable[i].version, 1);
  }
  auto described = jobs_.Describe({(*answers_[0])->job_id});
  ASSERT_TRUE(described && described->size() == 1);
  EXPECT_EQ(described->front().name, "a");
}

TEST_F(JobGroupCommitTest, RefusedSubmitIsAnsweredAtOnceAndQueuesNothing) {
  size_t bad_queue = SubmitAsync("a", "missing");
  size_t bad_name = SubmitAsync("not a name!");

  ASSERT_TRUE(answers_[bad_queue]);
  EXPECT_TRUE(FailsWith(*answers_[bad_queue], ErrorCode::kNotFound));
  ASSERT_TRUE(answers_[bad_name]);
  EXPECT_TRUE(FailsWith(*answers_[bad_name], ErrorCode::kInvalidArgument));
  EXPECT_EQ(jobs_.queued_submits(), 0u);
  EXPECT_EQ(flushes_scheduled_, 0);
}

TEST_F(JobGroupCommitTest, FailedCommitAnswersEveryMemberWithTheErrorAndStoresNone) {
  SubmitAsync("a");
  SubmitAsync("b");
  store_.FailNextCommit(Unavailable("disk on fire"));

  jobs_.FlushSubmits();

  for (size_t i = 0; i < 2; ++i) {
    ASSERT_TRUE(answers_[i]);
    EXPECT_TRUE(FailsWith(*answers_[i], ErrorCode::kUnavailable));
  }
  EXPECT_EQ(StoredJobs(), 0u);
  EXPECT_TRUE(events_.runnable.empty());
  EXPECT_EQ(jobs_.queued_submits(), 0u);
}

TEST_F(JobGroupCommitTest, QueueDisabledBeforeTheFlushRefusesOnlyItsJobs) {
  size_t on_q = SubmitAsync("a", "q");
  size_t on_other = SubmitAsync("b", "other");
  ASSERT_TRUE(queues_.Update({.job_queue = "q", .state = ResourceState::kDisabled}));

  jobs_.FlushSubmits();

  ASSERT_TRUE(answers_[on_q]);
  EXPECT_TRUE(FailsWith(*answers_[on_q], ErrorCode::kFailedPrecondition));
  ASSERT_TRUE(answers_[on_other] && answers_[on_other]->ok());
  EXPECT_EQ(StoredJobs(), 1u);
  ASSERT_EQ(events_.runnable.size(), 1u);
  EXPECT_EQ(events_.runnable[0].name, "b");
}

TEST_F(JobGroupCommitTest, SubmitFromAnAnswerStartsTheNextBatch) {
  jobs_.SubmitAsync({.job_name = "first", .job_queue = "q", .job_definition = "jd"}, 100,
                    [this](Result<SubmittedJob>) { SubmitAsync("second"); });

  jobs_.FlushSubmits();

  EXPECT_EQ(StoredJobs(), 1u);
  EXPECT_EQ(jobs_.queued_submits(), 1u);
  EXPECT_EQ(flushes_scheduled_, 2);
}

TEST_F(JobGroupCommitTest, WithoutAScheduledFlushEachSubmitCommitsAtOnce) {
  JobService immediate{store_, clock_, arns_, definitions_, events_, dependencies_};

  auto submitted = immediate.Submit({.job_name = "a", .job_queue = "q", .job_definition = "jd"}, 100);

  ASSERT_TRUE(submitted) << submitted.error().message;
  EXPECT_EQ(StoredJobs(), 1u);
  EXPECT_EQ(immediate.queued_submits(), 0u);
}

}  // namespace
}  // namespace barge::control
