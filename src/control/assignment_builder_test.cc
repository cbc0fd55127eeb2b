#include "control/assignment_builder.h"

#include <gtest/gtest.h>

namespace barge::control {
namespace {

Job ContainerJob() {
  return Job{
      .id = "j1",
      .name = "train",
      .queue = "gpu",
      .job_definition_name = "def",
      .container =
          ContainerProperties{.image = "busybox:1.36",
                              .command = {"sh", "-c", "echo hi"},
                              .environment = {{.name = "A", .value = "1"},
                                              {.name = "AWS_BATCH_JOB_ID", .value = "spoofed"}},
                              .volumes = {{.name = "data", .host_source_path = "/srv/data"}},
                              .mount_points = {{.container_path = "/data",
                                                .read_only = true,
                                                .source_volume = "data"}},
                              .ulimits = {{.name = "nofile", .soft_limit = 10, .hard_limit = 20}},
                              .user = "nobody",
                              .readonly_root_filesystem = true,
                              .privileged = true,
                              .linux_parameters = LinuxParameters{.shared_memory_size = 64}},
      .attempt_duration_seconds = 60,
      .request = {.millicpus = 2000, .memory_mib = 512}};
}

TEST(AssignmentBuilderTest, ContainerEnvironmentSendsTheJobsContainer) {
  Job job = ContainerJob();
  Attempt attempt{.id = "att-1", .number = 2, .compute_environment = "boxes"};

  protocol::Assignment a = BuildAssignment(job, attempt, ExecutorKind::kContainer);

  EXPECT_EQ(a.executor, protocol::kExecutorContainer);
  EXPECT_EQ(a.image, "busybox:1.36");
  EXPECT_EQ(a.command, (std::vector<std::string>{"sh", "-c", "echo hi"}));
  EXPECT_EQ(a.user, std::optional<std::string>("nobody"));
  EXPECT_EQ(a.container->image, "busybox:1.36");
  ASSERT_EQ(a.container->volumes.size(), 1U);
  EXPECT_EQ(a.container->volumes[0].host_source_path, std::optional<std::string>("/srv/data"));
  ASSERT_EQ(a.container->mount_points.size(), 1U);
  EXPECT_EQ(a.container->mount_points[0].read_only, std::optional<bool>(true));
  ASSERT_EQ(a.container->ulimits.size(), 1U);
  EXPECT_EQ(a.container->ulimits[0].hard_limit, 20);
  EXPECT_EQ(a.container->readonly_root_filesystem, std::optional<bool>(true));
  EXPECT_EQ(a.container->privileged, std::optional<bool>(true));
  EXPECT_EQ(a.container->linux_parameters->shared_memory_size, std::optional<int32_t>(64));
  EXPECT_EQ(a.resources.millicpus, 2000);
  EXPECT_EQ(a.timeout_seconds, std::optional<int32_t>(60));
  EXPECT_EQ(a.log_stream_name, "def/default/att-1");
  EXPECT_EQ(a.environment.at("A"), "1");
  EXPECT_EQ(a.environment.at("AWS_BATCH_JOB_ID"), "j1");
  EXPECT_EQ(a.environment.at("AWS_BATCH_JQ_NAME"), "gpu");
  EXPECT_EQ(a.environment.at("AWS_BATCH_CE_NAME"), "boxes");
  EXPECT_EQ(a.environment.at("AWS_BATCH_JOB_ATTEMPT"), "2");
}

TEST(AssignmentBuilderTest, ArrayChildSeesItsIndexAndTheArraySize) {
  Job child = ContainerJob();
  child.id = "p:7";
  child.array = ArrayJob{.size = 100, .index = 7};
  Attempt attempt{.id = "att-1", .number = 1, .compute_environment = "default"};

  protocol::Assignment a = BuildAssignment(child, attempt, ExecutorKind::kContainer);
  protocol::Assignment plain = BuildAssignment(ContainerJob(), attempt, ExecutorKind::kContainer);

  EXPECT_EQ(a.environment.at("AWS_BATCH_JOB_ID"), "p:7");
  EXPECT_EQ(a.environment.at("AWS_BATCH_JOB_ARRAY_INDEX"), "7");
  EXPECT_EQ(a.environment.at("AWS_BATCH_JOB_ARRAY_SIZE"), "100");
  EXPECT_FALSE(plain.environment.contains("AWS_BATCH_JOB_ARRAY_INDEX"));
  EXPECT_FALSE(plain.environment.contains("AWS_BATCH_JOB_ARRAY_SIZE"));
}

TEST(AssignmentBuilderTest, ProcessEnvironmentNamesTheProcessExecutor) {
  Attempt attempt{.id = "att-1", .number = 1, .compute_environment = "default"};

  protocol::Assignment a = BuildAssignment(ContainerJob(), attempt, ExecutorKind::kProcess);

  EXPECT_EQ(a.executor, protocol::kExecutorProcess);
  EXPECT_EQ(a.image, "busybox:1.36");  // Sent anyway; the process executor ignores it.
  EXPECT_EQ(a.log_stream_name, "def/default/att-1");
}

}  // namespace
}  // namespace barge::control
