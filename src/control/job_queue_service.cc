#include "control/job_queue_service.h"

#include <set>
#include <string_view>

#include "control/resource_ref.h"
#include "control/transact.h"
#include "core/validation.h"

namespace barge::control {
namespace {

constexpr size_t kMaxDescribe = 100;
constexpr size_t kMaxReasonLength = 1024;
constexpr int32_t kMinTimeLimitSeconds = 600;
constexpr int32_t kMaxTimeLimitSeconds = 86400;

bool IsFargate(const ComputeEnvironment& ce) {
  return ce.compute_resources &&
         (ce.compute_resources->type == "FARGATE" || ce.compute_resources->type == "FARGATE_SPOT");
}

std::string_view Platform(const ComputeEnvironment& ce) {
  return IsFargate(ce) ? "FARGATE" : "EC2";
}

Status ValidatePriority(int32_t priority) {
  if (priority < 0) {
    return InvalidArgument("priority " + std::to_string(priority) + " is invalid: it must be >= 0");
  }
  return Ok();
}

Status ValidateTimeLimitActions(const std::vector<JobStateTimeLimitAction>& actions) {
  for (const JobStateTimeLimitAction& action : actions) {
    if (action.reason.empty()) {
      return InvalidArgument("jobStateTimeLimitActions.reason is required");
    }
    if (action.reason.size() > kMaxReasonLength) {
      return InvalidArgument("jobStateTimeLimitActions.reason must be at most 1024 characters");
    }
    if (action.state != "RUNNABLE") {
      return InvalidArgument("jobStateTimeLimitActions.state '" + action.state +
                             "' is invalid: it must be RUNNABLE");
    }
    if (action.max_time_seconds < kMinTimeLimitSeconds ||
        action.max_time_seconds > kMaxTimeLimitSeconds) {
      return InvalidArgument("jobStateTimeLimitActions.maxTimeSeconds " +
                             std::to_string(action.max_time_seconds) +
                             " is invalid: it must be between 600 and 86400");
    }
    if (action.action != "CANCEL" && action.action != "TERMINATE") {
      return InvalidArgument("jobStateTimeLimitActions.action '" + action.action +
                             "' is invalid: it must be CANCEL or TERMINATE");
    }
  }
  return Ok();
}

// Checks the shape of computeEnvironmentOrder before anything is read.
Status ValidateOrderShape(const std::vector<ComputeEnvironmentOrder>& order) {
  if (order.empty() ||
      order.size() > static_cast<size_t>(JobQueueService::kMaxComputeEnvironmentsPerQueue)) {
    return InvalidArgument(
        "computeEnvironmentOrder must name between 1 and 3 compute "
        "environments, got " +
        std::to_string(order.size()));
  }
  std::set<int32_t> orders;
  for (const ComputeEnvironmentOrder& entry : order) {
    if (entry.compute_environment.empty()) {
      return InvalidArgument("computeEnvironmentOrder.computeEnvironment is required");
    }
    if (!orders.insert(entry.order).second) {
      return InvalidArgument("computeEnvironmentOrder uses order " + std::to_string(entry.order) +
                             " more than once");
    }
  }
  return Ok();
}

Status ValidateCreate(const JobQueue& spec) {
  BARGE_RETURN_IF_ERROR(ValidateResourceName("jobQueueName", spec.name));
  BARGE_RETURN_IF_ERROR(ValidatePriority(spec.priority));
  BARGE_RETURN_IF_ERROR(ValidateTags(spec.tags));
  BARGE_RETURN_IF_ERROR(ValidateOrderShape(spec.compute_environment_order));
  return ValidateTimeLimitActions(spec.job_state_time_limit_actions);
}

}  // namespace

JobQueueService::JobQueueService(Store& store, const ArnFormatter& arns)
    : store_(store), arns_(arns) {}

Result<std::vector<ComputeEnvironmentOrder>> JobQueueService::ResolveOrder(
    StoreTransaction& txn, const std::vector<ComputeEnvironmentOrder>& order) const {
  std::vector<ComputeEnvironmentOrder> resolved;
  std::set<std::string> names;
  std::vector<ComputeEnvironment> environments;
  for (const ComputeEnvironmentOrder& entry : order) {
    auto name = NameFromNameOrArn(entry.compute_environment, ResourceKind::kComputeEnvironment);
    if (!name) {
      return NotFound("compute environment " + entry.compute_environment + " does not exist");
    }
    auto ce = txn.GetComputeEnvironment(*name);
    if (!ce) {
      if (ce.error().code != ErrorCode::kNotFound) return ce.error();
      return NotFound("compute environment " + arns_.ComputeEnvironment(*name) + " does not exist");
    }
    if (!names.insert(*name).second) {
      return InvalidArgument("computeEnvironmentOrder names compute environment " + *name +
                             " more than once");
    }
    if (ce->status != ResourceStatus::kValid) {
      return FailedPrecondition("compute environment " + ce->arn +
                                " must be valid before attaching it to a job queue: its status "
                                "is " +
                                std::string(ToString(ce->status)));
    }
    environments.push_back(std::move(ce).value());
    const ComputeEnvironment& first = environments.front();
    const ComputeEnvironment& current = environments.back();
    if (IsFargate(current) != IsFargate(first)) {
      return InvalidArgument("a job queue cannot mix FARGATE and EC2 compute environments: " +
                             first.name + " is " + std::string(Platform(first)) + " and " +
                             current.name + " is " + std::string(Platform(current)));
    }
    resolved.push_back({.order = entry.order, .compute_environment = current.arn});
  }
  return resolved;
}

Result<std::string> JobQueueService::ResolvePolicy(StoreTransaction& txn,
                                                   const std::string& arn) const {
  auto name = NameFromArn(arn, ResourceKind::kSchedulingPolicy);
  if (!name) {
    return InvalidArgument("schedulingPolicyArn '" + arn + "' is not a scheduling policy ARN");
  }
  auto policy = txn.GetSchedulingPolicy(*name);
  if (!policy) {
    if (policy.error().code != ErrorCode::kNotFound) return policy.error();
    return NotFound("scheduling policy " + arn + " does not exist");
  }
  return policy->arn;
}

Result<JobQueue> JobQueueService::Create(JobQueue spec) {
  BARGE_RETURN_IF_ERROR(ValidateCreate(spec));
  spec.arn = arns_.JobQueue(spec.name);
  spec.status = ResourceStatus::kCreating;
  spec.status_reason.clear();
  spec.version = 0;

  JobQueue created;
  Status status = TransactWithRetry(store_, [&](StoreTransaction& txn) -> Status {
    if (txn.GetJobQueue(spec.name).ok()) {
      return AlreadyExists("job queue " + spec.name + " already exists");
    }
    auto existing = txn.ListJobQueues();
    if (!existing) return existing.error();
    if (existing->size() >= static_cast<size_t>(kMaxJobQueues)) {
      return FailedPrecondition("cannot create job queue " + spec.name +
                                ": the limit of 50 job queues has been reached");
    }
    JobQueue queue = spec;
    auto order = ResolveOrder(txn, spec.compute_environment_order);
    if (!order) return order.error();
    queue.compute_environment_order = std::move(order).value();
    if (spec.scheduling_policy_arn) {
      auto policy = ResolvePolicy(txn, *spec.scheduling_policy_arn);
      if (!policy) return policy.error();
      queue.scheduling_policy_arn = std::move(policy).value();
    }
    BARGE_RETURN_IF_ERROR(txn.InsertJobQueue(queue));
    auto stored = txn.GetJobQueue(queue.name);
    if (!stored) return stored.error();
    created = std::move(stored).value();
    return Ok();
  });
  if (!status) return status.error();
  return created;
}

Result<std::vector<JobQueue>> JobQueueService::Describe(
    const std::vector<std::string>& names_or_arns) {
  if (names_or_arns.size() > kMaxDescribe) {
    return InvalidArgument("jobQueues can hold at most 100 entries, got " +
                           std::to_string(names_or_arns.size()));
  }
  std::vector<JobQueue> found;
  Status status = TransactWithRetry(store_, [&](StoreTransaction& txn) -> Status {
    found.clear();
    if (names_or_arns.empty()) {
      auto all = txn.ListJobQueues();
      if (!all) return all.error();
      found = std::move(all).value();
      return Ok();
    }
    std::set<std::string> seen;
    for (const std::string& reference : names_or_arns) {
      auto name = NameFromNameOrArn(reference, ResourceKind::kJobQueue);
      if (!name || !seen.insert(*name).second) continue;
      auto queue = txn.GetJobQueue(*name);
      if (queue) {
        found.push_back(std::move(queue).value());
      } else if (queue.error().code != ErrorCode::kNotFound) {
        return queue.error();
      }
    }
    return Ok();
  });
  if (!status) return status.error();
  return found;
}

Result<JobQueue> JobQueueService::Update(const JobQueueUpdate& update) {
  if (update.priority) BARGE_RETURN_IF_ERROR(ValidatePriority(*update.priority));
  if (update.compute_environment_order) {
    BARGE_RETURN_IF_ERROR(ValidateOrderShape(*update.compute_environment_order));
  }
  if (update.job_state_time_limit_actions) {
    BARGE_RETURN_IF_ERROR(ValidateTimeLimitActions(*update.job_state_time_limit_actions));
  }
  JobQueue updated;
  Status status = TransactWithRetry(store_, [&](StoreTransaction& txn) -> Status {
    auto loaded = Load(txn, update.job_queue);
    if (!loaded) return loaded.error();
    JobQueue queue = std::move(loaded).value();
    if (update.state) queue.state = *update.state;
    if (update.priority) queue.priority = *update.priority;
    if (update.scheduling_policy_arn) {
      const std::string& requested = *update.scheduling_policy_arn;
      if (!queue.scheduling_policy_arn && !requested.empty()) {
        return InvalidArgument("job queue " + queue.name +
                               " uses FIFO scheduling and cannot be given a scheduling policy; "
                               "create a new job queue instead");
      }
      if (queue.scheduling_policy_arn && requested.empty()) {
        return InvalidArgument("the scheduling policy of job queue " + queue.name +
                               " can be replaced but not removed");
      }
      if (!requested.empty()) {
        auto policy = ResolvePolicy(txn, requested);
        if (!policy) return policy.error();
        queue.scheduling_policy_arn = std::move(policy).value();
      }
    }
    if (update.compute_environment_order) {
      auto order = ResolveOrder(txn, *update.compute_environment_order);
      if (!order) return order.error();
      queue.compute_environment_order = std::move(order).value();
    }
    if (update.job_state_time_limit_actions) {
      queue.job_state_time_limit_actions = *update.job_state_time_limit_actions;
    }
    for (const auto& [key, value] : update.aws_only) queue.aws_only[key] = value;
    queue.status = ResourceStatus::kUpdating;
    queue.status_reason.clear();
    BARGE_RETURN_IF_ERROR(txn.UpdateJobQueue(queue));
    auto stored = txn.GetJobQueue(queue.name);
    if (!stored) return stored.error();
    updated = std::move(stored).value();
    return Ok();
  });
  if (!status) return status.error();
  return updated;
}

Status JobQueueService::Delete(const std::string& name_or_arn) {
  return TransactWithRetry(store_, [&](StoreTransaction& txn) -> Status {
    auto queue = Load(txn, name_or_arn);
    if (!queue) return queue.error();
    if (queue->state != ResourceState::kDisabled) {
      return FailedPrecondition("job queue " + queue->name +
                                " must be DISABLED before it can be deleted");
    }
    return txn.DeleteJobQueue(queue->name);
  });
}

Result<JobQueue> JobQueueService::Load(StoreTransaction& txn,
                                       const std::string& name_or_arn) const {
  if (name_or_arn.empty()) return InvalidArgument("jobQueue is required");
  auto name = NameFromNameOrArn(name_or_arn, ResourceKind::kJobQueue);
  if (name) {
    auto queue = txn.GetJobQueue(*name);
    if (queue || queue.error().code != ErrorCode::kNotFound) return queue;
  }
  std::string arn = name ? arns_.JobQueue(*name) : name_or_arn;
  return NotFound("job queue " + arn + " does not exist");
}

}  // namespace barge::control
