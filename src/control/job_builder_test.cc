#include "control/job_builder.h"

#include <gtest/gtest.h>

namespace barge::control {
namespace {

using Args = std::vector<std::string>;

JobDefinition Definition() {
  return JobDefinition{
      .name = "jd",
      .revision = 2,
      .arn = "arn:aws:batch:us-east-1:123456789012:job-definition/jd:2",
      .type = "container",
      .parameters = {{"codec", "mp4"}, {"in", "default.mov"}},
      .scheduling_priority = 3,
      .container_properties =
          ContainerProperties{
              .image = "busybox",
              .command = {"ffmpeg", "-i", "Ref::in", "-c", "Ref::codec"},
              .environment = {{.name = "A", .value = "1"}, {.name = "B", .value = "2"}},
              .resource_requirements = {{.type = "VCPU", .value = "1"},
                                        {.type = "MEMORY", .value = "128"}}},
      .retry_strategy = RetryStrategy{.attempts = 2},
      .timeout = JobTimeout{.attempt_duration_seconds = 300},
      .propagate_tags = false,
      .platform_capabilities = {"EC2"},
      .tags = {{"owner", "def"}, {"team", "def"}},
  };
}

JobSubmission Submission() {
  return JobSubmission{.job_name = "render", .job_queue = "q", .job_definition = "jd"};
}

TEST(SubstituteParametersTest, ReplacesWholeAndEmbeddedTokens) {
  std::map<std::string, std::string> params{{"in", "a.mov"}, {"codec", "h264"}};

  Args out =
      SubstituteParameters({"-i", "Ref::in", "--codec=Ref::codec.x", "Ref::inRef::in"}, params);

  EXPECT_EQ(out, (Args{"-i", "a.mov", "--codec=h264.x", "Ref::inRef::in"}));
}

TEST(SubstituteParametersTest, LeavesTokensWithoutAParameterAsTheyAre) {
  Args out = SubstituteParameters({"Ref::missing", "x Ref:: y", "Ref:"}, {{"other", "1"}});

  EXPECT_EQ(out, (Args{"Ref::missing", "x Ref:: y", "Ref:"}));
}

TEST(SubstituteParametersTest, DashedNamesPreferTheLongestDefinedParameter) {
  std::map<std::string, std::string> params{{"input-file", "in.txt"}, {"out", "o"}};

  Args out = SubstituteParameters({"Ref::input-file", "Ref::out-dir", "Ref::in-x"}, params);

  EXPECT_EQ(out, (Args{"in.txt", "o-dir", "Ref::in-x"}));
}

TEST(ComputeResourcesTest, ReadsRequirementsWithFractionalVcpus) {
  ContainerProperties container{.resource_requirements = {{.type = "VCPU", .value = "0.25"},
                                                          {.type = "MEMORY", .value = "512"},
                                                          {.type = "GPU", .value = "2"}}};

  auto resources = ComputeResources("j", container);

  ASSERT_TRUE(resources) << resources.error().message;
  EXPECT_EQ(*resources, (Resources{.millicpus = 250, .memory_mib = 512, .gpus = 2}));
}

TEST(ComputeResourcesTest, FallsBackToLegacyVcpusAndMemory) {
  ContainerProperties container{.vcpus = 2, .memory = 64};

  auto resources = ComputeResources("j", container);

  ASSERT_TRUE(resources);
  EXPECT_EQ(*resources, (Resources{.millicpus = 2000, .memory_mib = 64, .gpus = 0}));
}

TEST(ComputeResourcesTest, NoVcpusOrNoMemoryIsInvalid) {
  auto no_cpu = ComputeResources("j", {.memory = 64});
  auto no_memory = ComputeResources("j", {.vcpus = 1});

  ASSERT_FALSE(no_cpu);
  EXPECT_EQ(no_cpu.error().message,
            "job j requests no vCPUs: set a VCPU resourceRequirement in the job definition or in "
            "containerOverrides");
  ASSERT_FALSE(no_memory);
  EXPECT_EQ(no_memory.error().code, ErrorCode::kInvalidArgument);
}

TEST(BuildJobTest, TakesEverythingFromTheDefinitionWithoutOverrides) {
  auto job = BuildJob(Submission(), Definition(), "q");

  ASSERT_TRUE(job) << job.error().message;
  EXPECT_EQ(job->name, "render");
  EXPECT_EQ(job->queue, "q");
  EXPECT_EQ(job->job_definition_arn, Definition().arn);
  EXPECT_EQ(job->job_definition_name, "jd");
  EXPECT_EQ(job->container->command, (Args{"ffmpeg", "-i", "default.mov", "-c", "mp4"}));
  EXPECT_EQ(job->retry_strategy->attempts, 2);
  EXPECT_EQ(job->attempt_duration_seconds, 300);
  EXPECT_EQ(job->scheduling_priority, 3);
  EXPECT_EQ(job->request, (Resources{.millicpus = 1000, .memory_mib = 128}));
  EXPECT_EQ(job->platform_capabilities, (Args{"EC2"}));
  EXPECT_TRUE(job->tags->empty());
  EXPECT_FALSE(job->propagate_tags);
}

TEST(BuildJobTest, AppliesOverridesAndSubmittedParameters) {
  JobSubmission submission = Submission();
  submission.parameters = {{"in", "clip.mov"}};
  submission.container_overrides = ContainerOverrides{
      .environment = {{.name = "B", .value = "override"}, {.name = "C", .value = "3"}},
      .resource_requirements = {{.type = "MEMORY", .value = "1024"}, {.type = "GPU", .value = "1"}},
  };
  submission.retry_strategy = RetryStrategy{.attempts = 5};
  submission.timeout = JobTimeout{.attempt_duration_seconds = 60};
  submission.scheduling_priority_override = 9;

  auto job = BuildJob(submission, Definition(), "q");

  ASSERT_TRUE(job) << job.error().message;
  EXPECT_EQ(job->container->command, (Args{"ffmpeg", "-i", "clip.mov", "-c", "mp4"}));
  EXPECT_EQ(job->parameters,
            (std::map<std::string, std::string>{{"codec", "mp4"}, {"in", "clip.mov"}}));
  ASSERT_EQ(job->container->environment.size(), 3u);
  EXPECT_EQ(job->container->environment[0].value, "1");
  EXPECT_EQ(job->container->environment[1].value, "override");
  EXPECT_EQ(job->container->environment[2].name, "C");
  EXPECT_EQ(job->request, (Resources{.millicpus = 1000, .memory_mib = 1024, .gpus = 1}));
  EXPECT_EQ(job->retry_strategy->attempts, 5);
  EXPECT_EQ(job->attempt_duration_seconds, 60);
  EXPECT_EQ(job->scheduling_priority, 9);
}

TEST(BuildJobTest, OverrideCommandReplacesTheDefinitionsAndIsSubstituted) {
  JobSubmission submission = Submission();
  submission.container_overrides = ContainerOverrides{.command = Args{"echo", "Ref::codec"}};

  auto job = BuildJob(submission, Definition(), "q");

  ASSERT_TRUE(job);
  EXPECT_EQ(job->container->command, (Args{"echo", "mp4"}));
}

TEST(BuildJobTest, PropagateTagsAddsTheDefinitionsTagsUnderTheJobs) {
  JobSubmission submission = Submission();
  submission.tags = {{"team", "job"}};
  submission.propagate_tags = true;

  auto job = BuildJob(submission, Definition(), "q");

  ASSERT_TRUE(job);
  EXPECT_TRUE(job->propagate_tags);
  EXPECT_EQ(job->tags, (Tags{{"owner", "def"}, {"team", "job"}}));
}

TEST(BuildJobTest, RejectsReservedEnvironmentAndBadOverrides) {
  JobSubmission reserved = Submission();
  reserved.container_overrides =
      ContainerOverrides{.environment = {{.name = "AWS_BATCH_JOB_ID", .value = "x"}}};
  JobSubmission bad_memory = Submission();
  bad_memory.container_overrides =
      ContainerOverrides{.resource_requirements = {{.type = "MEMORY", .value = "2"}}};
  JobSubmission bad_retry = Submission();
  bad_retry.retry_strategy = RetryStrategy{.attempts = 11};
  JobSubmission bad_timeout = Submission();
  bad_timeout.timeout = JobTimeout{.attempt_duration_seconds = 10};
  JobSubmission bad_priority = Submission();
  bad_priority.scheduling_priority_override = 10000;

  for (const JobSubmission& submission :
       {reserved, bad_memory, bad_retry, bad_timeout, bad_priority}) {
    auto job = BuildJob(submission, Definition(), "q");
    ASSERT_FALSE(job);
    EXPECT_EQ(job.error().code, ErrorCode::kInvalidArgument) << job.error().message;
  }
  EXPECT_NE(BuildJob(reserved, Definition(), "q").error().message.find("AWS_BATCH"),
            std::string::npos);
}

}  // namespace
}  // namespace barge::control
