#include "control/job_queue_service.h"

#include <gtest/gtest.h>

#include "control/control_test_fixture.h"

namespace barge::control {
namespace {

constexpr char kCeArnPrefix[] = "arn:aws:batch:us-east-1:123456789012:compute-environment/";

class JobQueueServiceTest : public ControlServicesTest {
 protected:
  void SetUp() override {
    CreateValid(ManagedEc2("ec2"));
    CreateValid(Unmanaged("own"));
    CreateValid(ManagedFargate("fargate"));
  }
};

TEST_F(JobQueueServiceTest, CreateStoresEnvironmentArnsAndCreatingStatus) {
  JobQueue spec = QueueOn("q", {"ec2", std::string(kCeArnPrefix) + "own"});
  spec.priority = 10;
  spec.job_state_time_limit_actions.push_back(
      {.reason = "stuck", .state = "RUNNABLE", .max_time_seconds = 600, .action = "CANCEL"});

  auto created = queues_.Create(spec);

  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(created->arn, "arn:aws:batch:us-east-1:123456789012:job-queue/q");
  EXPECT_EQ(created->status, ResourceStatus::kCreating);
  EXPECT_EQ(created->state, ResourceState::kEnabled);
  EXPECT_EQ(created->priority, 10);
  ASSERT_EQ(created->compute_environment_order.size(), 2u);
  EXPECT_EQ(created->compute_environment_order[0].compute_environment,
            std::string(kCeArnPrefix) + "ec2");
  EXPECT_EQ(created->compute_environment_order[1].compute_environment,
            std::string(kCeArnPrefix) + "own");
  ASSERT_TRUE(reconciler_.Tick());
  EXPECT_EQ(DescribeQueue("q").status, ResourceStatus::kValid);
}

TEST_F(JobQueueServiceTest, DuplicateNameIsAlreadyExists) {
  CreateQueue(QueueOn("q", {"ec2"}));

  auto again = queues_.Create(QueueOn("q", {"own"}));

  ASSERT_TRUE(FailsWith(again, ErrorCode::kAlreadyExists));
  EXPECT_EQ(again.error().message, "job queue q already exists");
}

TEST_F(JobQueueServiceTest, FiftyFirstQueueIsRefused) {
  for (int i = 0; i < 50; ++i)
    ASSERT_TRUE(queues_.Create(QueueOn("q" + std::to_string(i), {"ec2"})));

  auto extra = queues_.Create(QueueOn("extra", {"ec2"}));

  ASSERT_TRUE(FailsWith(extra, ErrorCode::kFailedPrecondition));
  EXPECT_EQ(extra.error().message,
            "cannot create job queue extra: the limit of 50 job queues has been reached");
  EXPECT_EQ(queues_.Describe({})->size(), 50u);
}

TEST_F(JobQueueServiceTest, CreateRejectsMalformedRequests) {
  JobQueue negative = QueueOn("neg", {"ec2"});
  negative.priority = -1;
  JobQueue four = QueueOn("four", {"ec2", "own", "x", "y"});
  JobQueue none = QueueOn("none", {});
  JobQueue same_order = QueueOn("same", {"ec2", "own"});
  same_order.compute_environment_order[1].order = 1;
  JobQueue twice = QueueOn("twice", {"ec2", "ec2"});
  JobQueue mixed = QueueOn("mixed", {"ec2", "fargate"});
  JobQueue bad_action = QueueOn("act", {"ec2"});
  bad_action.job_state_time_limit_actions.push_back(
      {.reason = "r", .state = "RUNNABLE", .max_time_seconds = 600, .action = "KILL"});
  JobQueue short_limit = QueueOn("short", {"ec2"});
  short_limit.job_state_time_limit_actions.push_back(
      {.reason = "r", .state = "RUNNABLE", .max_time_seconds = 599, .action = "CANCEL"});
  JobQueue bad_state = QueueOn("state", {"ec2"});
  bad_state.job_state_time_limit_actions.push_back(
      {.reason = "r", .state = "RUNNING", .max_time_seconds = 600, .action = "CANCEL"});
  JobQueue no_reason = QueueOn("reason", {"ec2"});
  no_reason.job_state_time_limit_actions.push_back(
      {.state = "RUNNABLE", .max_time_seconds = 600, .action = "CANCEL"});
  JobQueue bad_policy = QueueOn("pol", {"ec2"});
  bad_policy.scheduling_policy_arn = "not-an-arn";

  for (const JobQueue& spec : {negative, four, none, same_order, twice, mixed, bad_action,
                               short_limit, bad_state, no_reason, bad_policy}) {
    EXPECT_TRUE(FailsWith(queues_.Create(spec), ErrorCode::kInvalidArgument)) << spec.name;
  }
  EXPECT_TRUE(queues_.Describe({})->empty());
  EXPECT_EQ(queues_.Create(mixed).error().message,
            "a job queue cannot mix FARGATE and EC2 compute environments: ec2 is EC2 and fargate "
            "is FARGATE");
  EXPECT_EQ(queues_.Create(four).error().message,
            "computeEnvironmentOrder must name between 1 and 3 compute environments, got 4");
}

TEST_F(JobQueueServiceTest, EnvironmentsMustExistAndBeValid) {
  ASSERT_TRUE(environments_.Create(Unmanaged("fresh")));  // Still CREATING.

  auto missing = queues_.Create(QueueOn("q1", {"ghost"}));
  auto creating = queues_.Create(QueueOn("q2", {"fresh"}));

  ASSERT_TRUE(FailsWith(missing, ErrorCode::kNotFound));
  EXPECT_EQ(missing.error().message,
            std::string("compute environment ") + kCeArnPrefix + "ghost does not exist");
  ASSERT_TRUE(FailsWith(creating, ErrorCode::kFailedPrecondition));
  EXPECT_EQ(creating.error().message, std::string("compute environment ") + kCeArnPrefix +
                                          "fresh must be valid before attaching it to a job "
                                          "queue: its status is CREATING");
  EXPECT_TRUE(queues_.Describe({})->empty());
}

TEST_F(JobQueueServiceTest, SchedulingPolicyMustExist) {
  auto policy = policies_.Create(FairsharePolicyNamed("fair"));
  ASSERT_TRUE(policy);
  JobQueue with_policy = QueueOn("fair-q", {"ec2"});
  with_policy.scheduling_policy_arn = policy->arn;
  JobQueue unknown = QueueOn("q", {"ec2"});
  unknown.scheduling_policy_arn = "arn:aws:batch:us-east-1:123456789012:scheduling-policy/none";

  auto created = queues_.Create(with_policy);
  auto missing = queues_.Create(unknown);

  ASSERT_TRUE(created);
  EXPECT_EQ(created->scheduling_policy_arn, policy->arn);
  ASSERT_TRUE(FailsWith(missing, ErrorCode::kNotFound));
  EXPECT_EQ(missing.error().message,
            "scheduling policy arn:aws:batch:us-east-1:123456789012:scheduling-policy/none does "
            "not exist");
}

TEST_F(JobQueueServiceTest, DescribeByNameOrArnLeavesUnknownOut) {
  CreateQueue(QueueOn("a", {"ec2"}));
  CreateQueue(QueueOn("b", {"ec2"}));

  auto described =
      queues_.Describe({"arn:aws:batch:us-east-1:123456789012:job-queue/b", "zzz", "a"});

  ASSERT_TRUE(described);
  ASSERT_EQ(described->size(), 2u);
  EXPECT_EQ((*described)[0].name, "b");
  EXPECT_EQ((*described)[1].name, "a");
}

TEST_F(JobQueueServiceTest, UpdateChangesFieldsAndMarksUpdating) {
  CreateQueue(QueueOn("q", {"ec2"}));

  auto updated =
      queues_.Update({.job_queue = "q",
                      .state = ResourceState::kDisabled,
                      .priority = 99,
                      .compute_environment_order = {{{.order = 5, .compute_environment = "own"}}}});

  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_EQ(updated->status, ResourceStatus::kUpdating);
  EXPECT_EQ(updated->state, ResourceState::kDisabled);
  EXPECT_EQ(updated->priority, 99);
  ASSERT_EQ(updated->compute_environment_order.size(), 1u);
  EXPECT_EQ(updated->compute_environment_order[0].compute_environment,
            std::string(kCeArnPrefix) + "own");
}

TEST_F(JobQueueServiceTest, FifoQueueCannotGainAPolicy) {
  CreateQueue(QueueOn("fifo", {"ec2"}));
  auto policy = policies_.Create(FairsharePolicyNamed("fair"));
  ASSERT_TRUE(policy);

  auto refused = queues_.Update({.job_queue = "fifo", .scheduling_policy_arn = policy->arn});

  ASSERT_TRUE(FailsWith(refused, ErrorCode::kInvalidArgument));
  EXPECT_EQ(refused.error().message,
            "job queue fifo uses FIFO scheduling and cannot be given a scheduling policy; create "
            "a new job queue instead");
  EXPECT_FALSE(DescribeQueue("fifo").scheduling_policy_arn.has_value());
}

TEST_F(JobQueueServiceTest, PolicyCanBeReplacedButNotRemoved) {
  auto first = policies_.Create(FairsharePolicyNamed("first"));
  auto second = policies_.Create(FairsharePolicyNamed("second"));
  ASSERT_TRUE(first && second);
  JobQueue spec = QueueOn("fair", {"ec2"});
  spec.scheduling_policy_arn = first->arn;
  CreateQueue(spec);

  auto removed = queues_.Update({.job_queue = "fair", .scheduling_policy_arn = ""});
  auto replaced = queues_.Update({.job_queue = "fair", .scheduling_policy_arn = second->arn});

  ASSERT_TRUE(FailsWith(removed, ErrorCode::kInvalidArgument));
  EXPECT_EQ(removed.error().message,
            "the scheduling policy of job queue fair can be replaced but not removed");
  ASSERT_TRUE(replaced) << replaced.error().message;
  EXPECT_EQ(replaced->scheduling_policy_arn, second->arn);
}

TEST_F(JobQueueServiceTest, FailedUpdateChangesNothing) {
  CreateQueue(QueueOn("q", {"ec2"}));

  auto mixed = queues_.Update(
      {.job_queue = "q",
       .priority = 7,
       .compute_environment_order = {{{.order = 1, .compute_environment = "ec2"},
                                      {.order = 2, .compute_environment = "fargate"}}}});

  ASSERT_TRUE(FailsWith(mixed, ErrorCode::kInvalidArgument));
  JobQueue after = DescribeQueue("q");
  EXPECT_EQ(after.priority, 1);
  EXPECT_EQ(after.status, ResourceStatus::kValid);
  EXPECT_EQ(after.compute_environment_order.size(), 1u);
  EXPECT_TRUE(FailsWith(queues_.Update({.job_queue = "nope"}), ErrorCode::kNotFound));
}

TEST_F(JobQueueServiceTest, DeleteNeedsDisabled) {
  CreateQueue(QueueOn("q", {"ec2"}));

  auto refused = queues_.Delete("q");
  ASSERT_TRUE(queues_.Update({.job_queue = "q", .state = ResourceState::kDisabled}));
  auto deleted = queues_.Delete("arn:aws:batch:us-east-1:123456789012:job-queue/q");

  ASSERT_TRUE(FailsWith(refused, ErrorCode::kFailedPrecondition));
  EXPECT_EQ(refused.error().message, "job queue q must be DISABLED before it can be deleted");
  EXPECT_TRUE(deleted) << deleted.error().message;
  EXPECT_TRUE(queues_.Describe({"q"})->empty());
  auto missing = queues_.Delete("q");
  ASSERT_TRUE(FailsWith(missing, ErrorCode::kNotFound));
  EXPECT_EQ(missing.error().message,
            "job queue arn:aws:batch:us-east-1:123456789012:job-queue/q does not exist");
}

}  // namespace
}  // namespace barge::control
