#include "control/job_end_reporting_store.h"

#include <gtest/gtest.h>

#include "testing/in_memory_store.h"

namespace barge::control {
namespace {

class JobEndReportingStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    reporting_.SetListener([this](const std::vector<JobWrite>& ended) {
      for (const JobWrite& job : ended) {
        reported_.push_back(job.job_id + "=" + std::string(ToString(job.status)));
      }
    });
  }

  Status Write(const std::string& id, JobStatus status, bool insert) {
    return reporting_.Transact([&](StoreTransaction& txn) -> Status {
      Job job{.id = id, .queue = "q", .status = status};
      if (insert) return txn.InsertJob(job);
      Result<Job> stored = txn.GetJob(id);
      if (!stored) return stored.error();
      stored->status = status;
      return txn.UpdateJob(*stored);
    });
  }

  testing::InMemoryStore store_;
  JobEndReportingStore reporting_{store_};
  std::vector<std::string> reported_;
};

TEST_F(JobEndReportingStoreTest, ReportsTerminalWritesAfterTheyCommit) {
  ASSERT_TRUE(Write("a", JobStatus::kRunnable, /*insert=*/true));
  ASSERT_TRUE(Write("b", JobStatus::kFailed, /*insert=*/true));
  ASSERT_TRUE(Write("a", JobStatus::kSucceeded, /*insert=*/false));

  EXPECT_EQ(reported_, (std::vector<std::string>{"b=FAILED", "a=SUCCEEDED"}));
}

TEST_F(JobEndReportingStoreTest, ReportsAMutationThatEndsAJobAndNotOneLeftUnchanged) {
  ASSERT_TRUE(Write("a", JobStatus::kRunning, /*insert=*/true));
  ASSERT_TRUE(Write("b", JobStatus::kRunning, /*insert=*/true));
  auto mutate = [&](const std::string& id, bool change) {
    return reporting_.Transact([&](StoreTransaction& txn) -> Status {
      Result<bool> changed = txn.MutateJob(id, [&](Job& job) -> Result<bool> {
        job.status = JobStatus::kSucceeded;
        return change;
      });
      return changed ? Ok() : Status(changed.error());
    });
  };

  ASSERT_TRUE(mutate("a", true));
  ASSERT_TRUE(mutate("b", false));

  EXPECT_EQ(reported_, (std::vector<std::string>{"a=SUCCEEDED"}));
}

TEST_F(JobEndReportingStoreTest, ReportsNothingForARollbackOrAFailedCommit) {
  ASSERT_TRUE(Write("a", JobStatus::kRunning, /*insert=*/true));

  Status rolled_back = reporting_.Transact([](StoreTransaction& txn) -> Status {
    BARGE_RETURN_IF_ERROR(txn.InsertJob({.id = "b", .queue = "q", .status = JobStatus::kFailed}));
    return InvalidArgument("changed my mind");
  });
  store_.FailNextCommit(Unavailable("disk full"));
  Status failed_commit = Write("a", JobStatus::kSucceeded, /*insert=*/false);

  EXPECT_FALSE(rolled_back);
  EXPECT_FALSE(failed_commit);
  EXPECT_TRUE(reported_.empty());
}

TEST_F(JobEndReportingStoreTest, ListenerMayWriteThroughTheSameStore) {
  ASSERT_TRUE(Write("a", JobStatus::kRunning, /*insert=*/true));
  ASSERT_TRUE(Write("b", JobStatus::kPending, /*insert=*/true));
  reporting_.SetListener([this](const std::vector<JobWrite>& ended) {
    for (const JobWrite& job : ended) {
      reported_.push_back(job.job_id);
      if (job.job_id == "a") {
        EXPECT_TRUE(Write("b", JobStatus::kFailed, /*insert=*/false));
      }
    }
  });

  ASSERT_TRUE(Write("a", JobStatus::kFailed, /*insert=*/false));

  EXPECT_EQ(reported_, (std::vector<std::string>{"a", "b"}));
}

}  // namespace
}  // namespace barge::control
