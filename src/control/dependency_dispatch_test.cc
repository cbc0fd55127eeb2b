// Job dependencies on the dispatching side: the ends that agents, the lease
// sweep and the timeout sweeper write reach the DependencyResolver through
// the JobEndReportingStore, and a dependent made RUNNABLE is placed like a new
// job. The graph is built the way a restarted server builds it (Rebuild).
#include <gtest/gtest.h>

#include "control/dependency_resolver.h"
#include "control/dispatch_test_fixture.h"

namespace barge::control {
namespace {

using std::chrono::seconds;

class DependencyDispatchTest : public DispatchTest {
 protected:
  void SetUp() override {
    AddEnvironment("ce");
    AddQueue("q", 1, {"ce"});
    agent_ = Register("ce", Vcpus(4));
    resolver_ = std::make_unique<DependencyResolver>(reporting_, clock_, *dispatcher_);
    reporting_.SetListener(
        [this](const std::vector<JobWrite>& ended) { resolver_->JobsWritten(ended); });
  }

  // A PENDING job waiting on `on`, stored as SubmitJob stores it.
  void AddPending(const std::string& id, const std::string& on) {
    Job job{.id = id,
            .name = "name-" + id,
            .queue = "q",
            .job_definition_arn = arns_.JobDefinition("def", 1),
            .job_definition_name = "def",
            .status = JobStatus::kPending,
            .created_at = clock_.Now() + std::chrono::milliseconds(next_created_++),
            .container = ContainerProperties{.image = "busybox", .command = {"true"}},
            .request = Vcpus(1)};
    job.depends_on = {{.job_id = on}};
    ASSERT_TRUE(store_.Transact([&](StoreTransaction& txn) { return txn.InsertJob(job); }));
  }

  void Rebuild() {
    Status rebuilt = resolver_->Rebuild();
    ASSERT_TRUE(rebuilt) << rebuilt.error().message;
  }

  // Places the one job the next pass places and returns its attempt id.
  std::string PlaceOne(const std::string& job_id) {
    std::vector<protocol::Assignment> assignments = TickAndPoll(agent_);
    EXPECT_EQ(assignments.size(), 1u);
    if (assignments.size() != 1) return {};
    EXPECT_EQ(assignments[0].job_id, job_id);
    return assignments[0].attempt_id;
  }

  std::string agent_;
  std::unique_ptr<DependencyResolver> resolver_;
};

TEST_F(DependencyDispatchTest, DependentIsPlacedOnceTheAgentReportsItsDependencySucceeded) {
  AddJob("a", "q", Vcpus(1));
  AddPending("b", "a");
  Rebuild();
  std::string attempt = PlaceOne("a");
  Started(agent_, attempt);

  EXPECT_TRUE(TickAndPoll(agent_).empty());
  EXPECT_EQ(StatusOf("b"), JobStatus::kPending);

  clock_.Advance(seconds(5));
  Exited(agent_, attempt, 0);

  EXPECT_EQ(StatusOf("a"), JobStatus::kSucceeded);
  EXPECT_EQ(StatusOf("b"), JobStatus::kRunnable);
  std::string next = PlaceOne("b");
  Started(agent_, next);
  EXPECT_GE(GetJob("b").started_at, GetJob("a").stopped_at);
}

TEST_F(DependencyDispatchTest, DependentFailsWithoutRunningWhenTheAgentReportsAFailure) {
  AddJob("a", "q", Vcpus(1));
  AddPending("b", "a");
  Rebuild();
  std::string attempt = PlaceOne("a");
  Started(agent_, attempt);

  Exited(agent_, attempt, 3);

  Job b = GetJob("b");
  EXPECT_EQ(b.status, JobStatus::kFailed);
  EXPECT_EQ(b.status_reason, "Dependent Job failed: a");
  EXPECT_TRUE(b.attempts.empty());
  EXPECT_TRUE(TickAndPoll(agent_).empty());
}

TEST_F(DependencyDispatchTest, ARetriedDependencyDoesNotReleaseItsDependent) {
  AddJob("a", "q", Vcpus(1), {.attempts = 2});
  AddPending("b", "a");
  Rebuild();
  std::string first = PlaceOne("a");
  Started(agent_, first);

  Exited(agent_, first, 1);

  EXPECT_EQ(StatusOf("a"), JobStatus::kRunnable);
  EXPECT_EQ(StatusOf("b"), JobStatus::kPending);
  std::string second = PlaceOne("a");
  Started(agent_, second);
  Exited(agent_, second, 0);
  EXPECT_EQ(StatusOf("b"), JobStatus::kRunnable);
}

TEST_F(DependencyDispatchTest, TimedOutDependencyFailsItsDependent) {
  AddJob("a", "q", Vcpus(1), {}, 60);
  AddPending("b", "a");
  Rebuild();
  std::string attempt = PlaceOne("a");
  Started(agent_, attempt);
  clock_.Advance(seconds(61));
  ASSERT_TRUE(agents_->Heartbeat({.agent_id = agent_, .running_attempts = {attempt}}));

  ASSERT_TRUE(sweeper_->Tick());

  EXPECT_EQ(StatusOf("a"), JobStatus::kFailed);
  EXPECT_EQ(GetJob("b").status_reason, "Dependent Job failed: a");
}

TEST_F(DependencyDispatchTest, LostHostFailsTheDependentOfAJobWithoutRetries) {
  AddJob("a", "q", Vcpus(1));
  AddPending("b", "a");
  Rebuild();
  std::string attempt = PlaceOne("a");
  Started(agent_, attempt);
  clock_.Advance(seconds(16));

  ASSERT_TRUE(agents_->Tick());

  EXPECT_EQ(GetJob("a").status_reason, "Host EC2 (instance i-1) terminated.");
  EXPECT_EQ(GetJob("b").status_reason, "Dependent Job failed: a");
}

}  // namespace
}  // namespace barge::control
