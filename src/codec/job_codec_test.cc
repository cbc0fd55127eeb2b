#include "codec/job_codec.h"

#include <gtest/gtest.h>

#include "codec/json_reader.h"

namespace barge::codec {
namespace {

const ArnFormatter kArns{"us-east-1", "123456789012"};

Job FinishedJob() {
  Job job{
      .id = "3f1c2a4e-0000-4000-8000-000000000001",
      .name = "render",
      .queue = "high",
      .job_definition_arn = "arn:aws:batch:us-east-1:123456789012:job-definition/jd:2",
      .job_definition_name = "jd",
      .status = JobStatus::kFailed,
      .is_cancelled = false,
      .is_terminated = true,
      .stop_reason = "stop it",
      .status_reason = "Essential container in task exited",
      .created_at = FromEpochMillis(1'700'000'000'000),
      .started_at = FromEpochMillis(1'700'000'001'000),
      .stopped_at = FromEpochMillis(1'700'000'009'000),
      .container = ContainerProperties{.image = "busybox",
                                       .command = {"echo", "hi"},
                                       .environment = {{.name = "A", .value = "1"}},
                                       .resource_requirements = {{.type = "VCPU", .value = "2"}}},
      .parameters = {{"msg", "hi"}},
      .retry_strategy = RetryStrategy{.attempts = 2, .evaluate_on_exit = {{.action = "EXIT"}}},
      .attempt_duration_seconds = 600,
      .tags = {{"team", "a"}},
      .propagate_tags = true,
      .scheduling_priority = 5,
      .share_identifier = "A1",
      .request = Resources{.millicpus = 2000, .memory_mib = 512, .gpus = 1},
      .attempts = {Attempt{.id = "att-1",
                           .number = 1,
                           .agent_id = "agent-1",
                           .instance_id = "i-1",
                           .compute_environment = "ce",
                           .started_at = FromEpochMillis(1'700'000'001'000),
                           .stopped_at = FromEpochMillis(1'700'000'005'000),
                           .exit_code = 1,
                           .reason = "boom",
                           .status_reason = "Essential container in task exited"},
                   Attempt{.id = "att-2",
                           .number = 2,
                           .started_at = FromEpochMillis(1'700'000'006'000),
                           .stopped_at = FromEpochMillis(1'700'000'009'000),
                           .exit_code = 3}},
      .platform_capabilities = {"EC2"},
      .depends_on = {{.job_id = "dep-1"}, {.job_id = "dep-2", .type = "AFTER_ANY"}},
      .version = 9,
  };
  return job;
}

TEST(JobCodecTest, StoreDocumentRoundTripsEveryField) {
  Job job = FinishedJob();

  Json doc = ToJson(job);
  Result<Job> back = JobFromJson(doc);

  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(ToJson(back.value()).dump(), doc.dump());
  EXPECT_EQ(back->queue, "high");
  EXPECT_EQ(back->request, job.request);
  ASSERT_EQ(back->attempts.size(), 2u);
  EXPECT_EQ(back->attempts[0].agent_id, "agent-1");
  EXPECT_EQ(back->attempts[1].exit_code, 3);
  EXPECT_EQ(back->attempt_duration_seconds, 600);
  EXPECT_EQ(back->stop_reason, "stop it");
  EXPECT_EQ(back->depends_on, job.depends_on);
  EXPECT_EQ(back->created_at, FromEpochMillis(1'700'000'000'000));
  EXPECT_FALSE(doc.contains("version"));
}

TEST(JobCodecTest, MinimalStoreDocumentDecodesToDefaults) {
  Result<Job> job = JobFromJson(Json{{"jobId", "j"}, {"status", "RUNNABLE"}, {"createdAt", 5}});

  ASSERT_TRUE(job) << job.error().message;
  EXPECT_EQ(job->status, JobStatus::kRunnable);
  EXPECT_EQ(job->created_at, FromEpochMillis(5));
  EXPECT_FALSE(job->started_at);
  EXPECT_TRUE(job->attempts.empty());
  EXPECT_FALSE(job->attempt_duration_seconds);
}

TEST(JobCodecTest, StoreDocumentWithBadMembersIsInvalid) {
  auto bad_status = JobFromJson(Json{{"status", "DONE"}});
  auto bad_time = JobFromJson(Json{{"createdAt", "yesterday"}});

  ASSERT_FALSE(bad_status);
  EXPECT_EQ(bad_status.error().message,
            "status must be one of SUBMITTED, PENDING, RUNNABLE, STARTING, RUNNING, SUCCEEDED, "
            "FAILED");
  ASSERT_FALSE(bad_time);
  EXPECT_EQ(bad_time.error().message, "createdAt must be an integer");
}

TEST(JobCodecTest, JobDetailHasTheAwsShape) {
  Json detail = JobDetailToJson(FinishedJob(), kArns);

  EXPECT_EQ(detail["jobArn"],
            "arn:aws:batch:us-east-1:123456789012:job/3f1c2a4e-0000-4000-8000-000000000001");
  EXPECT_EQ(detail["jobQueue"], "arn:aws:batch:us-east-1:123456789012:job-queue/high");
  EXPECT_EQ(detail["jobDefinition"], "arn:aws:batch:us-east-1:123456789012:job-definition/jd:2");
  EXPECT_EQ(detail["status"], "FAILED");
  EXPECT_EQ(detail["createdAt"], 1'700'000'000'000);
  EXPECT_EQ(detail["startedAt"], 1'700'000'001'000);
  EXPECT_EQ(detail["stoppedAt"], 1'700'000'009'000);
  // As SubmitJob gave it: `type` only where the request had one.
  EXPECT_EQ(detail["dependsOn"],
            Json::parse(R"([{"jobId": "dep-1"}, {"jobId": "dep-2", "type": "AFTER_ANY"}])"));
  EXPECT_EQ(detail["parameters"], (Json{{"msg", "hi"}}));
  EXPECT_EQ(detail["timeout"], (Json{{"attemptDurationSeconds", 600}}));
  EXPECT_EQ(detail["retryStrategy"]["attempts"], 2);
  EXPECT_EQ(detail["tags"], (Json{{"team", "a"}}));
  EXPECT_EQ(detail["propagateTags"], true);
  EXPECT_EQ(detail["platformCapabilities"], (Json{"EC2"}));
  EXPECT_EQ(detail["schedulingPriority"], 5);
  EXPECT_EQ(detail["shareIdentifier"], "A1");
  EXPECT_EQ(detail["isCancelled"], false);
  EXPECT_EQ(detail["isTerminated"], true);
  EXPECT_EQ(detail["container"]["image"], "busybox");
  EXPECT_EQ(detail["container"]["command"], (Json{"echo", "hi"}));
  EXPECT_EQ(detail["container"]["exitCode"], 3);
  EXPECT_EQ(detail["container"]["logStreamName"], "jd/default/att-2");
  // Store-only members stay out of the wire shape.
  EXPECT_FALSE(detail.contains("resources"));
  EXPECT_FALSE(detail.contains("stopReason"));
  EXPECT_FALSE(detail.contains("jobDefinitionName"));
}

TEST(JobCodecTest, JobDetailAttemptsCarryContainerAndTimes) {
  Json attempts = JobDetailToJson(FinishedJob(), kArns)["attempts"];

  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0]["container"]["exitCode"], 1);
  EXPECT_EQ(attempts[0]["container"]["reason"], "boom");
  EXPECT_EQ(attempts[0]["container"]["logStreamName"], "jd/default/att-1");
  EXPECT_EQ(attempts[0]["container"]["containerInstanceArn"],
            "arn:aws:ecs:us-east-1:123456789012:container-instance/i-1");
  EXPECT_EQ(attempts[0]["container"]["taskArn"], "arn:aws:ecs:us-east-1:123456789012:task/att-1");
  EXPECT_EQ(attempts[0]["startedAt"], 1'700'000'001'000);
  EXPECT_EQ(attempts[0]["stoppedAt"], 1'700'000'005'000);
  EXPECT_EQ(attempts[0]["statusReason"], "Essential container in task exited");
  EXPECT_FALSE(attempts[1]["container"].contains("containerInstanceArn"));
}

TEST(JobCodecTest, JobDetailOfARunnableJobHasNoStartOrAttempts) {
  Job job = FinishedJob();
  job.status = JobStatus::kRunnable;
  job.status_reason.clear();
  job.started_at.reset();
  job.stopped_at.reset();
  job.attempts.clear();
  job.retry_strategy = {};
  job.attempt_duration_seconds.reset();

  Json detail = JobDetailToJson(job, kArns);

  EXPECT_FALSE(detail.contains("startedAt"));
  EXPECT_FALSE(detail.contains("stoppedAt"));
  EXPECT_FALSE(detail.contains("statusReason"));
  EXPECT_FALSE(detail.contains("retryStrategy"));
  EXPECT_FALSE(detail.contains("timeout"));
  EXPECT_EQ(detail["attempts"], Json::array());
  EXPECT_FALSE(detail["container"].contains("exitCode"));
}

TEST(JobCodecTest, AttemptInFlightShowsOnlyThroughContainer) {
  Job job = FinishedJob();
  job.status = JobStatus::kRunning;
  job.attempts.back().stopped_at.reset();
  job.attempts.back().exit_code.reset();

  Json detail = JobDetailToJson(job, kArns);

  EXPECT_EQ(detail["attempts"].size(), 1u);
  EXPECT_EQ(detail["container"]["logStreamName"], "jd/default/att-2");
  EXPECT_FALSE(detail["container"].contains("exitCode"));
}

TEST(JobCodecTest, JobSummaryHasTheAwsShape) {
  Json summary = JobSummaryToJson(FinishedJob(), kArns);

  EXPECT_EQ(summary,
            (Json{
                {"jobArn",
                 "arn:aws:batch:us-east-1:123456789012:job/"
                 "3f1c2a4e-0000-4000-8000-000000000001"},
                {"jobId", "3f1c2a4e-0000-4000-8000-000000000001"},
                {"jobName", "render"},
                {"createdAt", 1'700'000'000'000},
                {"startedAt", 1'700'000'001'000},
                {"stoppedAt", 1'700'000'009'000},
                {"status", "FAILED"},
                {"statusReason", "Essential container in task exited"},
                {"container", {{"exitCode", 3}}},
                {"jobDefinition", "arn:aws:batch:us-east-1:123456789012:job-definition/jd:2"},
            }));
}

TEST(JobCodecTest, SubmitJobRequestDecodesEveryMember) {
  Json body = Json::parse(R"({
    "jobName": "hello", "jobQueue": "q", "jobDefinition": "jd:1",
    "parameters": {"msg": "hi"},
    "containerOverrides": {"command": ["echo", "Ref::msg"],
                           "environment": [{"name": "A", "value": "2"}],
                           "resourceRequirements": [{"type": "MEMORY", "value": "256"}],
                           "vcpus": 2, "memory": 64, "instanceType": "m5.large"},
    "retryStrategy": {"attempts": 3, "evaluateOnExit": [{"onExitCode": "1", "action": "EXIT"}]},
    "timeout": {"attemptDurationSeconds": 90},
    "tags": {"k": "v"}, "propagateTags": true, "shareIdentifier": "A",
    "schedulingPriorityOverride": 7,
    "dependsOn": [{"jobId": "j1", "type": "SEQUENTIAL"}],
    "arrayProperties": {"size": 5},
    "nodeOverrides": {"numNodes": 2}
  })");

  Result<JobSubmission> submission = JobSubmissionFromJson(body);

  ASSERT_TRUE(submission) << submission.error().message;
  EXPECT_EQ(submission->job_name, "hello");
  EXPECT_EQ(submission->job_queue, "q");
  EXPECT_EQ(submission->job_definition, "jd:1");
  EXPECT_EQ(submission->parameters.at("msg"), "hi");
  ASSERT_TRUE(submission->container_overrides);
  const ContainerOverrides& overrides = *submission->container_overrides;
  EXPECT_EQ(overrides.command, (std::vector<std::string>{"echo", "Ref::msg"}));
  ASSERT_EQ(overrides.environment.size(), 1u);
  EXPECT_EQ(overrides.environment[0].value, "2");
  ASSERT_EQ(overrides.resource_requirements.size(), 1u);
  EXPECT_EQ(overrides.resource_requirements[0].type, "MEMORY");
  EXPECT_EQ(overrides.vcpus, 2);
  EXPECT_EQ(overrides.memory, 64);
  EXPECT_EQ(overrides.instance_type, "m5.large");
  EXPECT_EQ(submission->retry_strategy->attempts, 3);
  EXPECT_EQ(submission->retry_strategy->evaluate_on_exit.at(0).on_exit_code, "1");
  EXPECT_EQ(submission->timeout->attempt_duration_seconds, 90);
  EXPECT_EQ(submission->tags.at("k"), "v");
  EXPECT_EQ(submission->propagate_tags, true);
  EXPECT_EQ(submission->share_identifier, "A");
  EXPECT_EQ(submission->scheduling_priority_override, 7);
  ASSERT_EQ(submission->depends_on.size(), 1u);
  EXPECT_EQ(submission->depends_on[0].job_id, "j1");
  EXPECT_EQ(submission->depends_on[0].type, "SEQUENTIAL");
  EXPECT_EQ(submission->array_properties->size, 5);
  EXPECT_EQ(submission->aws_only.at("nodeOverrides"), R"({"numNodes":2})");
}

TEST(JobCodecTest, SubmitJobOverridesWithoutCommandKeepItUnset) {
  auto submission = JobSubmissionFromJson(Json::parse(R"({"containerOverrides": {}})"));

  ASSERT_TRUE(submission);
  ASSERT_TRUE(submission->container_overrides);
  EXPECT_FALSE(submission->container_overrides->command);
  EXPECT_FALSE(submission->retry_strategy);
}

TEST(JobCodecTest, SubmitJobTypeErrorsNameTheMember) {
  auto command = JobSubmissionFromJson(Json::parse(R"({"containerOverrides": {"command": "ls"}})"));
  auto env = JobSubmissionFromJson(
      Json::parse(R"({"containerOverrides": {"environment": [{"name": 1}]}})"));
  auto params = JobSubmissionFromJson(Json::parse(R"({"parameters": {"a": 1}})"));

  ASSERT_FALSE(command);
  EXPECT_EQ(command.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(command.error().message, "containerOverrides.command must be a list");
  ASSERT_FALSE(env);
  EXPECT_EQ(env.error().message, "containerOverrides.environment[0].name must be a string");
  ASSERT_FALSE(params);
  EXPECT_EQ(params.error().message, "parameters.a must be a string");
}

TEST(JobCodecTest, Int64AcceptsEpochMillisAndRejectsFractions) {
  Json ok{{"t", 1'700'000'000'123}};
  Json fraction{{"t", 1.5}};

  JsonReader good(ok, "");
  JsonReader bad(fraction, "");

  EXPECT_EQ(good.Int64("t"), 1'700'000'000'123);
  EXPECT_FALSE(bad.Int64("t"));
  EXPECT_EQ(bad.status().error().message, "t must be an integer");
}

}  // namespace
}  // namespace barge::codec

namespace barge::codec {
namespace {

Job ArrayParent() {
  Job parent = FinishedJob();
  parent.status = JobStatus::kPending;
  parent.array = ArrayJob{.size = 3, .max_concurrency = 2};
  parent.array.mutable_value().status_summary[static_cast<size_t>(JobStatus::kRunning)] = 1;
  parent.array.mutable_value().status_summary[static_cast<size_t>(JobStatus::kSucceeded)] = 2;
  parent.array.mutable_value().status_summary_updated_at = FromEpochMillis(1'700'000'000'500);
  return parent;
}

TEST(JobCodecTest, ArrayParentRoundTripsThroughTheStoreDocument) {
  Result<Job> back = JobFromJson(ToJson(ArrayParent()));

  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->array, ArrayParent().array);
}

TEST(JobCodecTest, ArrayParentDetailShowsStatusSummaryAndSize) {
  Json detail = JobDetailToJson(ArrayParent(), kArns);

  const Json& array = detail["arrayProperties"];
  EXPECT_EQ(array["size"], 3);
  EXPECT_EQ(array["statusSummary"]["RUNNING"], 1);
  EXPECT_EQ(array["statusSummary"]["SUCCEEDED"], 2);
  EXPECT_EQ(array["statusSummary"]["FAILED"], 0);
  EXPECT_EQ(array["statusSummaryLastUpdatedAt"], 1'700'000'000'500);
  EXPECT_FALSE(array.contains("index"));
  EXPECT_EQ(JobSummaryToJson(ArrayParent(), kArns)["arrayProperties"], (Json{{"size", 3}}));
}

TEST(JobCodecTest, ArrayChildDetailShowsItsIndexOnly) {
  Job child = FinishedJob();
  child.id += ":7";
  child.array = ArrayJob{.size = 10, .index = 7};

  EXPECT_EQ(JobDetailToJson(child, kArns)["arrayProperties"], (Json{{"index", 7}}));
  EXPECT_EQ(JobSummaryToJson(child, kArns)["arrayProperties"], (Json{{"index", 7}}));
  EXPECT_EQ(JobDetailToJson(child, kArns)["jobArn"],
            "arn:aws:batch:us-east-1:123456789012:job/3f1c2a4e-0000-4000-8000-000000000001:7");
}

TEST(JobCodecTest, ArrayChildStateKeepsWhatAChildChanges) {
  Job child = FinishedJob();
  child.is_cancelled = true;
  Job rebuilt;
  rebuilt.status = JobStatus::kRunnable;

  ASSERT_TRUE(ApplyArrayChildState(ArrayChildStateToJson(child), rebuilt));

  EXPECT_EQ(rebuilt.status, JobStatus::kFailed);
  EXPECT_EQ(rebuilt.status_reason, child.status_reason);
  EXPECT_EQ(rebuilt.started_at, child.started_at);
  EXPECT_EQ(rebuilt.stopped_at, child.stopped_at);
  ASSERT_EQ(rebuilt.attempts.size(), child.attempts.size());
  EXPECT_EQ(rebuilt.attempts[1].exit_code, 3);
  EXPECT_TRUE(rebuilt.is_cancelled);
  EXPECT_EQ(rebuilt.stop_reason, child.stop_reason);
  EXPECT_FALSE(ArrayChildStateToJson(child).contains("container"));
  EXPECT_FALSE(ApplyArrayChildState(Json{{"status", 3}}, rebuilt));
}

TEST(JobCodecTest, SubmitJobReadsArrayPropertiesWithMaxConcurrency) {
  auto submission = JobSubmissionFromJson(
      Json{{"arrayProperties", {{"size", 1000}, {"maxConcurrency", 10}}}});

  ASSERT_TRUE(submission) << submission.error().message;
  EXPECT_EQ(submission->array_properties->size, 1000);
  EXPECT_EQ(submission->array_properties->max_concurrency, 10);
}

}  // namespace
}  // namespace barge::codec
