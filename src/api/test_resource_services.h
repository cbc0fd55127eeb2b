#pragma once
// The resource services (compute environments, job queues, job definitions,
// scheduling policies, tags) over one InMemoryStore, the way the api tests
// build an Api on them; a test adds the job, log or agent services it serves.
#include "api/api.h"
#include "core/arn.h"
#include "testing/in_memory_store.h"

namespace barge::api {

struct TestResourceServices {
  ApiServices Services(control::JobService* jobs = nullptr, control::LogService* logs = nullptr,
                       control::AgentService* agents = nullptr) {
    return {.compute_environments = compute_environments,
            .job_queues = job_queues,
            .job_definitions = job_definitions,
            .scheduling_policies = scheduling_policies,
            .tags = tags,
            .jobs = jobs,
            .logs = logs,
            .agents = agents};
  }

  barge::testing::InMemoryStore store;
  ArnFormatter arns{"us-east-1", "123456789012"};
  control::ComputeEnvironmentService compute_environments{store, arns};
  control::JobQueueService job_queues{store, arns};
  control::JobDefinitionService job_definitions{store, arns};
  control::SchedulingPolicyService scheduling_policies{store, arns};
  control::TagService tags{store, arns};
};

}  // namespace barge::api
