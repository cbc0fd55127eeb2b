#include "testing/sample_job.h"

namespace barge::testing {

Job SampleJob(const std::string& id, const std::string& queue, Timestamp created_at) {
  return Job{
      .id = id,
      .name = "job-" + id,
      .queue = queue,
      .job_definition_arn = "arn:aws:batch:us-east-1:123456789012:job-definition/jd:3",
      .job_definition_name = "jd",
      .status = JobStatus::kRunning,
      .is_cancelled = false,
      .is_terminated = true,
      .stop_reason = "stop requested",
      .status_reason = "",
      .created_at = created_at,
      .started_at = created_at + Duration(2000),
      .stopped_at = std::nullopt,
      .container =
          ContainerProperties{.image = "busybox",
                              .command = {"sh", "-c", "echo hi"},
                              .environment = {{.name = "A", .value = "1"}},
                              .resource_requirements = {{.type = "VCPU", .value = "2"},
                                                        {.type = "MEMORY", .value = "512"}}},
      .parameters = {{"msg", "hi"}},
      .retry_strategy =
          RetryStrategy{.attempts = 3,
                        .evaluate_on_exit = {{.on_exit_code = "1", .action = "RETRY"}}},
      .attempt_duration_seconds = 120,
      .tags = {{"team", "a"}},
      .propagate_tags = true,
      .scheduling_priority = 4,
      .share_identifier = "share1",
      .request = Resources{.millicpus = 2000, .memory_mib = 512, .gpus = 1},
      .attempts = {Attempt{.id = id + "-a1",
                           .number = 1,
                           .agent_id = "agent-1",
                           .instance_id = "i-1",
                           .compute_environment = "ce",
                           .started_at = created_at + Duration(1000),
                           .stopped_at = created_at + Duration(1500),
                           .exit_code = 1,
                           .reason = "boom",
                           .status_reason = "Essential container in task exited"},
                   Attempt{.id = id + "-a2",
                           .number = 2,
                           .agent_id = "agent-2",
                           .instance_id = "i-2",
                           .compute_environment = "ce",
                           .started_at = created_at + Duration(2000)}},
      .platform_capabilities = {"EC2"},
      .depends_on = {{.job_id = "dep-a"}, {.job_id = "dep-b", .type = "AFTER_NOT_OK"}},
      .version = 0,
  };
}

}  // namespace barge::testing
