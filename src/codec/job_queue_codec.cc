// JobQueue and the UpdateJobQueue body.
#include "codec/codec.h"
#include "codec/codec_parts.h"
#include "codec/json_reader.h"
#include "codec/json_writer.h"

namespace barge::codec {
namespace {

constexpr AwsOnlyMember kJobQueueAwsOnly[] = {
    {"serviceEnvironmentOrder", JsonKind::kObjectList},
    {"jobQueueType", JsonKind::kString},
};
// UpdateJobQueue cannot change jobQueueType.
constexpr AwsOnlyMember kJobQueueUpdateAwsOnly[] = {
    {"serviceEnvironmentOrder", JsonKind::kObjectList},
};

ComputeEnvironmentOrder ReadOrder(JsonReader& r) {
  return ComputeEnvironmentOrder{
      .order = r.Int32("order").value_or(0),
      .compute_environment = r.String("computeEnvironment").value_or(""),
  };
}

JobStateTimeLimitAction ReadTimeLimitAction(JsonReader& r) {
  return JobStateTimeLimitAction{
      .reason = r.String("reason").value_or(""),
      .state = r.String("state").value_or(""),
      .max_time_seconds = r.Int32("maxTimeSeconds").value_or(0),
      .action = r.String("action").value_or(""),
  };
}

Json OrderToJson(const std::vector<ComputeEnvironmentOrder>& orders) {
  Json out = Json::array();
  for (const ComputeEnvironmentOrder& entry : orders) {
    out.push_back(Json{{"order", entry.order}, {"computeEnvironment", entry.compute_environment}});
  }
  return out;
}

Json TimeLimitActionsToJson(const std::vector<JobStateTimeLimitAction>& actions) {
  Json out = Json::array();
  for (const JobStateTimeLimitAction& action : actions) {
    Json item = Json::object();
    item["reason"] = action.reason;
    item["state"] = action.state;
    item["maxTimeSeconds"] = action.max_time_seconds;
    item["action"] = action.action;
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace

Result<JobQueue> JobQueueFromJson(const Json& json) {
  return DecodeObject(json, "", [](JsonReader& r) {
    return JobQueue{
        .name = r.String("jobQueueName").value_or(""),
        .arn = r.String("jobQueueArn").value_or(""),
        .state =
            r.Enum("state", ParseResourceState, kResourceStates).value_or(ResourceState::kEnabled),
        .status = r.Enum("status", ParseResourceStatus, kResourceStatuses)
                      .value_or(ResourceStatus::kCreating),
        .status_reason = r.String("statusReason").value_or(""),
        .priority = r.Int32("priority").value_or(0),
        .scheduling_policy_arn = r.String("schedulingPolicyArn"),
        .compute_environment_order = OrEmpty(r.ObjectList("computeEnvironmentOrder", ReadOrder)),
        .job_state_time_limit_actions =
            OrEmpty(r.ObjectList("jobStateTimeLimitActions", ReadTimeLimitAction)),
        .tags = OrEmpty(r.StringMap("tags")),
        .aws_only = r.AwsOnly(kJobQueueAwsOnly),
    };
  });
}

Json ToJson(const JobQueue& queue) {
  Json out = Json::object();
  out["jobQueueName"] = queue.name;
  out["jobQueueArn"] = queue.arn;
  out["state"] = ToString(queue.state);
  PutIfSet(out, "schedulingPolicyArn", queue.scheduling_policy_arn);
  out["status"] = ToString(queue.status);
  PutIfNotEmpty(out, "statusReason", queue.status_reason);
  out["priority"] = queue.priority;
  out["computeEnvironmentOrder"] = OrderToJson(queue.compute_environment_order);
  PutIfNotEmpty(out, "tags", queue.tags);
  if (!queue.job_state_time_limit_actions.empty()) {
    out["jobStateTimeLimitActions"] = TimeLimitActionsToJson(queue.job_state_time_limit_actions);
  }
  PutAwsOnly(out, queue.aws_only);
  return out;
}

Result<JobQueueUpdate> JobQueueUpdateFromJson(const Json& json) {
  return DecodeObject(json, "", [](JsonReader& r) {
    return JobQueueUpdate{
        .job_queue = r.String("jobQueue").value_or(""),
        .state = r.Enum("state", ParseResourceState, kResourceStates),
        .scheduling_policy_arn = r.String("schedulingPolicyArn"),
        .priority = r.Int32("priority"),
        .compute_environment_order = r.ObjectList("computeEnvironmentOrder", ReadOrder),
        .job_state_time_limit_actions =
            r.ObjectList("jobStateTimeLimitActions", ReadTimeLimitAction),
        .aws_only = r.AwsOnly(kJobQueueUpdateAwsOnly),
    };
  });
}

Json ToJson(const JobQueueUpdate& update) {
  Json out = Json::object();
  out["jobQueue"] = update.job_queue;
  if (update.state) out["state"] = ToString(*update.state);
  PutIfSet(out, "schedulingPolicyArn", update.scheduling_policy_arn);
  PutIfSet(out, "priority", update.priority);
  if (update.compute_environment_order) {
    out["computeEnvironmentOrder"] = OrderToJson(*update.compute_environment_order);
  }
  if (update.job_state_time_limit_actions) {
    out["jobStateTimeLimitActions"] = TimeLimitActionsToJson(*update.job_state_time_limit_actions);
  }
  PutAwsOnly(out, update.aws_only);
  return out;
}

}  // namespace barge::codec
