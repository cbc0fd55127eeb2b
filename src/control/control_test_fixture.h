#pragma once
// Test-only: a fixture that wires every resource service of control/ to one
// InMemoryStore, and builders for minimal valid requests. Included by the
// control_test sources only; never by production code.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "control/compute_environment_service.h"
#include "control/job_definition_service.h"
#include "control/job_queue_service.h"
#include "control/resource_status_reconciler.h"
#include "control/scheduling_policy_service.h"
#include "control/tag_service.h"
#include "testing/in_memory_store.h"

namespace barge::control {

inline ComputeEnvironment ManagedEc2(const std::string& name) {
  return {.name = name,
          .type = ComputeEnvironmentType::kManaged,
          .compute_resources = ComputeResources{.type = "EC2", .max_vcpus = 16}};
}

inline ComputeEnvironment ManagedFargate(const std::string& name) {
  return {.name = name,
          .type = ComputeEnvironmentType::kManaged,
          .compute_resources = ComputeResources{.type = "FARGATE", .max_vcpus = 16}};
}

inline ComputeEnvironment Unmanaged(const std::string& name) {
  return {.name = name, .type = ComputeEnvironmentType::kUnmanaged};
}

inline JobQueue QueueOn(const std::string& name, const std::vector<std::string>& environments) {
  JobQueue queue{.name = name, .priority = 1};
  int32_t order = 1;
  for (const std::string& ce : environments) {
    queue.compute_environment_order.push_back({.order = order++, .compute_environment = ce});
  }
  return queue;
}

inline JobDefinition ContainerDefinition(const std::string& name) {
  return {.name = name,
          .type = "container",
          .container_properties =
              ContainerProperties{.image = "busybox",
                                  .command = {"echo", "hi"},
                                  .resource_requirements = {{.type = "VCPU", .value = "1"},
                                                            {.type = "MEMORY", .value = "128"}}}};
}

inline SchedulingPolicy FairsharePolicyNamed(const std::string& name) {
  return {.name = name,
          .fairshare_policy = FairsharePolicy{
              .share_decay_seconds = 3600,
              .compute_reservation = 10,
              .share_distribution = {{.share_identifier = "A*", .weight_factor = 0.5},
                                     {.share_identifier = "B"}}}};
}

class ControlServicesTest : public ::testing::Test {
 protected:
  // Creates an environment and settles it to VALID, as the server does right
  // after the request.
  ComputeEnvironment CreateValid(ComputeEnvironment spec) {
    auto created = environments_.Create(std::move(spec));
    EXPECT_TRUE(created) << created.error().message;
    EXPECT_TRUE(reconciler_.Tick());
    auto described = environments_.Describe({created->name});
    EXPECT_TRUE(described && described->size() == 1);
    return described->front();
  }

  JobQueue CreateQueue(JobQueue spec) {
    auto created = queues_.Create(std::move(spec));
    EXPECT_TRUE(created) << created.error().message;
    EXPECT_TRUE(reconciler_.Tick());
    return created.value();
  }

  ComputeEnvironment DescribeOne(const std::string& name) {
    auto described = environments_.Describe({name});
    EXPECT_TRUE(described && described->size() == 1) << name;
    return described->empty() ? ComputeEnvironment{} : described->front();
  }

  JobQueue DescribeQueue(const std::string& name) {
    auto described = queues_.Describe({name});
    EXPECT_TRUE(described && described->size() == 1) << name;
    return described->empty() ? JobQueue{} : described->front();
  }

  testing::InMemoryStore store_;
  ArnFormatter arns_{"us-east-1", "123456789012"};
  ComputeEnvironmentService environments_{store_, arns_};
  JobQueueService queues_{store_, arns_};
  JobDefinitionService definitions_{store_, arns_};
  SchedulingPolicyService policies_{store_, arns_};
  TagService tags_{store_, arns_};
  ResourceStatusReconciler reconciler_{store_, CpuArchitecture::kX86_64};
};

// True when `status` failed with `code`; prints the message otherwise.
template <typename R>
::testing::AssertionResult FailsWith(const R& result, ErrorCode code) {
  if (result.ok()) return ::testing::AssertionFailure() << "succeeded";
  if (result.error().code != code) {
    return ::testing::AssertionFailure()
           << "code " << static_cast<int>(result.error().code) << ": " << result.error().message;
  }
  return ::testing::AssertionSuccess();
}

}  // namespace barge::control
