// Array children on the dispatching side: they are placed like any RUNNABLE
// job, each with its own attempt, and barge's maxConcurrency cap holds back
// the children of a capped array past the cap until one ends.
#include <gtest/gtest.h>

#include "control/dependency_resolver.h"
#include "control/dispatch_test_fixture.h"
#include "core/array_job.h"

namespace barge::control {
namespace {

class ArrayDispatchTest : public DispatchTest {
 protected:
  void SetUp() override {
    AddEnvironment("ce");
    AddQueue("q", 1, {"ce"});
    agent_ = Register("ce", Vcpus(8, 8192));
    resolver_ = std::make_unique<DependencyResolver>(
        reporting_, clock_, *dispatcher_,
        DependencyResolverOptions{.array_slot_freed = [this] { dispatcher_->RequestFullPass(); }});
    reporting_.SetListener(
        [this](const std::vector<JobWrite>& written) { resolver_->JobsWritten(written); });
    dispatcher_->SetStartFilter([this](std::string_view id, int32_t extra) {
      return resolver_->arrays().MayStart(id, extra);
    });
  }

  // Array "p" of `size` RUNNABLE children, stored as SubmitJob stores it,
  // then picked up as a restarted server would.
  void AddArray(int32_t size, std::optional<int32_t> max_concurrency) {
    Job parent{.id = "p",
               .name = "render",
               .queue = "q",
               .job_definition_arn = arns_.JobDefinition("def", 1),
               .job_definition_name = "def",
               .status = JobStatus::kPending,
               .created_at = clock_.Now(),
               .container = ContainerProperties{.image = "busybox", .command = {"true"}},
               .request = Vcpus(1)};
    parent.array = ArrayJob{.size = size, .max_concurrency = max_concurrency};
    ASSERT_TRUE(store_.Transact([&](StoreTransaction& txn) -> Status {
      BARGE_RETURN_IF_ERROR(txn.InsertJob(parent));
      for (int32_t i = 0; i < size; ++i) {
        Job child = MakeArrayChild(parent, i);
        child.status = JobStatus::kRunnable;
        BARGE_RETURN_IF_ERROR(txn.InsertJob(child));
      }
      return Ok();
    }));
    Status rebuilt = resolver_->Rebuild();
    ASSERT_TRUE(rebuilt) << rebuilt.error().message;
  }

  std::string agent_;
  std::unique_ptr<DependencyResolver> resolver_;
};

TEST_F(ArrayDispatchTest, ChildrenRunWithTheirIndexInTheEnvironment) {
  AddArray(3, std::nullopt);

  std::vector<protocol::Assignment> assignments = TickAndPoll(agent_);

  ASSERT_EQ(assignments.size(), 3u);
  for (const protocol::Assignment& a : assignments) {
    std::string index = a.job_id.substr(a.job_id.rfind(':') + 1);
    EXPECT_EQ(a.environment.at("AWS_BATCH_JOB_ARRAY_INDEX"), index);
    EXPECT_EQ(a.environment.at("AWS_BATCH_JOB_ARRAY_SIZE"), "3");
  }
}

TEST_F(ArrayDispatchTest, MaxConcurrencyHoldsBackChildrenUntilOneEnds) {
  AddArray(5, 2);

  std::vector<protocol::Assignment> first = TickAndPoll(agent_);
  ASSERT_EQ(first.size(), 2u);
  Started(agent_, first[0].attempt_id);
  Started(agent_, first[1].attempt_id);
  EXPECT_TRUE(TickAndPoll(agent_).empty());

  Exited(agent_, first[0].attempt_id, 0);
  std::vector<protocol::Assignment> next = TickAndPoll(agent_);

  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(StatusOf(first[0].job_id), JobStatus::kSucceeded);
  EXPECT_EQ(resolver_->arrays().Find("p")->active, 2);
}

}  // namespace
}  // namespace barge::control
