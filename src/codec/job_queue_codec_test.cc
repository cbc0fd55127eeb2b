#include <gtest/gtest.h>

#include "codec/codec.h"

namespace barge::codec {
namespace {

JobQueue FullJobQueue() {
  return JobQueue{
      .name = "q1",
      .arn = "arn:aws:batch:us-east-1:123456789012:job-queue/q1",
      .state = ResourceState::kDisabled,
      .status = ResourceStatus::kValid,
      .status_reason = "JobQueue Healthy",
      .priority = 10,
      .scheduling_policy_arn = "arn:aws:batch:us-east-1:123456789012:scheduling-policy/p",
      .compute_environment_order =
          {{.order = 1,
            .compute_environment = "arn:aws:batch:us-east-1:123456789012:compute-environment/a"},
           {.order = 2,
            .compute_environment = "arn:aws:batch:us-east-1:123456789012:compute-environment/b"}},
      .job_state_time_limit_actions =
          {{.reason = "stuck", .state = "RUNNABLE", .max_time_seconds = 600, .action = "CANCEL"}},
      .tags = {{"k", "v"}},
      .aws_only = {{"jobQueueType", R"("ECS")"},
                   {"serviceEnvironmentOrder", R"([{"order":1,"serviceEnvironment":"se"}])"}},
      .version = 3,
  };
}

std::string ErrorOf(const char* text) {
  Result<JobQueue> queue = JobQueueFromJson(Json::parse(text));
  if (queue) return "";
  EXPECT_EQ(queue.error().code, ErrorCode::kInvalidArgument);
  return queue.error().message;
}

TEST(JobQueueCodecTest, EncodesEveryMemberInTheAwsShape) {
  Json json = ToJson(FullJobQueue());

  EXPECT_EQ(json, Json::parse(R"({
    "jobQueueName": "q1",
    "jobQueueArn": "arn:aws:batch:us-east-1:123456789012:job-queue/q1",
    "state": "DISABLED",
    "schedulingPolicyArn": "arn:aws:batch:us-east-1:123456789012:scheduling-policy/p",
    "status": "VALID",
    "statusReason": "JobQueue Healthy",
    "priority": 10,
    "computeEnvironmentOrder": [
      {"order": 1, "computeEnvironment": "arn:aws:batch:us-east-1:123456789012:compute-environment/a"},
      {"order": 2, "computeEnvironment": "arn:aws:batch:us-east-1:123456789012:compute-environment/b"}],
    "tags": {"k": "v"},
    "jobStateTimeLimitActions": [
      {"reason": "stuck", "state": "RUNNABLE", "maxTimeSeconds": 600, "action": "CANCEL"}],
    "jobQueueType": "ECS",
    "serviceEnvironmentOrder": [{"order": 1, "serviceEnvironment": "se"}]
  })"));
}

TEST(JobQueueCodecTest, RoundTripIsLosslessExceptVersion) {
  JobQueue original = FullJobQueue();

  Result<JobQueue> decoded = JobQueueFromJson(ToJson(original));

  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(ToJson(*decoded), ToJson(original));
  EXPECT_EQ(decoded->version, 0);
  EXPECT_EQ(decoded->aws_only, original.aws_only);
  ASSERT_EQ(decoded->compute_environment_order.size(), 2u);
  EXPECT_EQ(decoded->compute_environment_order[1].order, 2);
  ASSERT_EQ(decoded->job_state_time_limit_actions.size(), 1u);
  EXPECT_EQ(decoded->job_state_time_limit_actions[0].max_time_seconds, 600);
}

TEST(JobQueueCodecTest, MinimalQueueAlwaysCarriesIdentityAndOrder) {
  JobQueue queue{.name = "q", .arn = "arn:q"};

  EXPECT_EQ(ToJson(queue), Json::parse(R"({"jobQueueName": "q", "jobQueueArn": "arn:q",
    "state": "ENABLED", "status": "CREATING", "priority": 0, "computeEnvironmentOrder": []})"));
}

TEST(JobQueueCodecTest, RejectsWrongTypes) {
  EXPECT_EQ(ErrorOf("[]"), "request body must be a JSON object");
  EXPECT_EQ(ErrorOf(R"({"priority": "1"})"), "priority must be an integer");
  EXPECT_EQ(ErrorOf(R"({"priority": 3000000000})"), "priority must be a 32-bit integer");
  EXPECT_EQ(ErrorOf(R"({"computeEnvironmentOrder": {}})"),
            "computeEnvironmentOrder must be a list");
  EXPECT_EQ(ErrorOf(R"({"computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "a"},
                                                     {"order": 1.5, "computeEnvironment": "b"}]})"),
            "computeEnvironmentOrder[1].order must be an integer");
  EXPECT_EQ(ErrorOf(R"({"computeEnvironmentOrder": ["a"]})"),
            "computeEnvironmentOrder[0] must be an object");
  EXPECT_EQ(ErrorOf(R"({"jobStateTimeLimitActions": [{"maxTimeSeconds": 1e10}]})"),
            "jobStateTimeLimitActions[0].maxTimeSeconds must be a 32-bit integer");
  EXPECT_EQ(ErrorOf(R"({"schedulingPolicyArn": 1})"), "schedulingPolicyArn must be a string");
  EXPECT_EQ(ErrorOf(R"({"jobQueueType": ["ECS"]})"), "jobQueueType must be a string");
  EXPECT_EQ(ErrorOf(R"({"serviceEnvironmentOrder": [1]})"),
            "serviceEnvironmentOrder[0] must be an object");
  EXPECT_EQ(ErrorOf(R"({"state": "enabled"})"), "state must be one of ENABLED, DISABLED");
}

TEST(JobQueueCodecTest, KeepsTimeLimitStateAndActionAsGiven) {
  Result<JobQueue> queue = JobQueueFromJson(Json::parse(
      R"({"jobQueueName": "q", "priority": 1, "unknown": true,
          "jobStateTimeLimitActions": [{"reason": "r", "state": "RUNNING",
                                        "maxTimeSeconds": 5, "action": "EXPLODE"}]})"));

  ASSERT_TRUE(queue) << queue.error().message;
  EXPECT_EQ(queue->job_state_time_limit_actions[0].state, "RUNNING");
  EXPECT_EQ(queue->job_state_time_limit_actions[0].action, "EXPLODE");
  EXPECT_TRUE(queue->aws_only.empty());
}

TEST(JobQueueUpdateCodecTest, DistinguishesAbsentFromEmptyLists) {
  Result<JobQueueUpdate> absent = JobQueueUpdateFromJson(Json::parse(R"({"jobQueue": "q"})"));
  Result<JobQueueUpdate> empty =
      JobQueueUpdateFromJson(Json::parse(R"({"jobQueue": "q", "computeEnvironmentOrder": [],
                      "jobStateTimeLimitActions": []})"));

  ASSERT_TRUE(absent);
  ASSERT_TRUE(empty);
  EXPECT_FALSE(absent->compute_environment_order.has_value());
  EXPECT_FALSE(absent->job_state_time_limit_actions.has_value());
  EXPECT_FALSE(absent->priority.has_value());
  EXPECT_FALSE(absent->state.has_value());
  ASSERT_TRUE(empty->compute_environment_order.has_value());
  EXPECT_TRUE(empty->compute_environment_order->empty());
  ASSERT_TRUE(empty->job_state_time_limit_actions.has_value());
}

TEST(JobQueueUpdateCodecTest, DecodesEveryMemberAndRoundTrips) {
  Json body = Json::parse(R"({"jobQueue": "arn:aws:batch:us-east-1:1:job-queue/q",
    "state": "DISABLED", "schedulingPolicyArn": "arn:p", "priority": 5,
    "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "ce"}],
    "jobStateTimeLimitActions": [{"reason": "r", "state": "RUNNABLE", "maxTimeSeconds": 700,
                                  "action": "CANCEL"}],
    "serviceEnvironmentOrder": [{"order": 1, "serviceEnvironment": "se"}],
    "jobQueueType": "ECS"})");

  Result<JobQueueUpdate> update = JobQueueUpdateFromJson(body);

  ASSERT_TRUE(update) << update.error().message;
  EXPECT_EQ(update->job_queue, "arn:aws:batch:us-east-1:1:job-queue/q");
  EXPECT_EQ(update->state, ResourceState::kDisabled);
  EXPECT_EQ(update->scheduling_policy_arn, "arn:p");
  EXPECT_EQ(update->priority, 5);
  EXPECT_EQ((*update->compute_environment_order)[0].compute_environment, "ce");
  EXPECT_EQ((*update->job_state_time_limit_actions)[0].max_time_seconds, 700);
  // jobQueueType cannot be updated, so it is not kept.
  EXPECT_EQ(
      update->aws_only,
      (AwsOnlyFields{{"serviceEnvironmentOrder", R"([{"order":1,"serviceEnvironment":"se"}])"}}));
  Json reencoded = body;
  reencoded.erase("jobQueueType");
  EXPECT_EQ(ToJson(*update), reencoded);
}

TEST(JobQueueUpdateCodecTest, RejectsWrongTypes) {
  Result<JobQueueUpdate> update = JobQueueUpdateFromJson(
      Json::parse(R"({"jobQueue": "q", "computeEnvironmentOrder": [{"computeEnvironment": 7}]})"));

  ASSERT_FALSE(update);
  EXPECT_EQ(update.error().message,
            "computeEnvironmentOrder[0].computeEnvironment must be a string");
}

}  // namespace
}  // namespace barge::codec
