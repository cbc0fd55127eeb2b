// Job: the store document, the JobDetail and JobSummary wire shapes, and the
// SubmitJob request.
#include "codec/job_codec.h"

#include "codec/codec.h"
#include "codec/codec_parts.h"
#include "codec/json_reader.h"
#include "codec/json_writer.h"

namespace barge::codec {
namespace {

constexpr AwsOnlyMember kSubmissionAwsOnly[] = {
    {"nodeOverrides", JsonKind::kObject},
    {"ecsPropertiesOverride", JsonKind::kObject},
    {"eksPropertiesOverride", JsonKind::kObject},
    {"consumableResourcePropertiesOverride", JsonKind::kObject},
};

constexpr std::string_view kJobStatuses =
    "SUBMITTED, PENDING, RUNNABLE, STARTING, RUNNING, SUCCEEDED, FAILED";

void PutTime(Json& out, std::string_view member, const std::optional<Timestamp>& at) {
  if (at) out[std::string(member)] = ToEpochMillis(*at);
}

std::optional<Timestamp> ReadTime(JsonReader& r, std::string_view member) {
  std::optional<int64_t> ms = r.Int64(member);
  if (!ms) return std::nullopt;
  return FromEpochMillis(*ms);
}

std::vector<KeyValuePair> ReadEnvironment(JsonReader& r) {
  return OrEmpty(r.ObjectList("environment", [](JsonReader& e) {
    return KeyValuePair{.name = e.String("name").value_or(""),
                        .value = e.String("value").value_or("")};
  }));
}

std::vector<ResourceRequirement> ReadResourceRequirements(JsonReader& r) {
  return OrEmpty(r.ObjectList("resourceRequirements", [](JsonReader& e) {
    return ResourceRequirement{.type = e.String("type").value_or(""),
                               .value = e.String("value").value_or("")};
  }));
}

bool HasRetryStrategy(const RetryStrategy& strategy) {
  return strategy.attempts.has_value() || !strategy.evaluate_on_exit.empty();
}

// Store document of one attempt: every field.
Json AttemptToJson(const Attempt& attempt) {
  Json out = Json::object();
  out["attemptId"] = attempt.id;
  out["number"] = attempt.number;
  PutIfNotEmpty(out, "agentId", attempt.agent_id);
  PutIfNotEmpty(out, "instanceId", attempt.instance_id);
  PutIfNotEmpty(out, "computeEnvironment", attempt.compute_environment);
  PutTime(out, "startedAt", attempt.started_at);
  PutTime(out, "stoppedAt", attempt.stopped_at);
  PutIfSet(out, "exitCode", attempt.exit_code);
  PutIfNotEmpty(out, "reason", attempt.reason);
  PutIfNotEmpty(out, "statusReason", attempt.status_reason);
  return out;
}

Attempt ReadAttempt(JsonReader& r) {
  return Attempt{
      .id = r.String("attemptId").value_or(""),
      .number = r.Int32("number").value_or(0),
      .agent_id = r.String("agentId").value_or(""),
      .instance_id = r.String("instanceId").value_or(""),
      .compute_environment = r.String("computeEnvironment").value_or(""),
      .started_at = ReadTime(r, "startedAt"),
      .stopped_at = ReadTime(r, "stoppedAt"),
      .exit_code = r.Int32("exitCode"),
      .reason = r.String("reason").value_or(""),
      .status_reason = r.String("statusReason").value_or(""),
  };
}

// dependsOn as SubmitJob took it: [{"jobId", "type"}], type only when given.
Json DependsOnToJson(const std::vector<JobDependency>& depends_on) {
  Json out = Json::array();
  for (const JobDependency& dependency : depends_on) {
    Json entry = Json::object();
    PutIfNotEmpty(entry, "jobId", dependency.job_id);  // SEQUENTIAL names none.
    PutIfSet(entry, "type", dependency.type);
    out.push_back(std::move(entry));
  }
  return out;
}

JobDependency ReadDependency(JsonReader& r) {
  return JobDependency{.job_id = r.String("jobId").value_or(""), .type = r.String("type")};
}

Json StatusSummaryToJson(const StatusSummary& summary) {
  Json out = Json::object();
  for (size_t i = 0; i < summary.size(); ++i) {
    out[std::string(ToString(static_cast<JobStatus>(i)))] = summary[i];
  }
  return out;
}

StatusSummary ReadStatusSummary(JsonReader& r) {
  StatusSummary summary{};
  for (size_t i = 0; i < summary.size(); ++i) {
    summary[i] = r.Int32(ToString(static_cast<JobStatus>(i))).value_or(0);
  }
  return summary;
}

// The store's arrayProperties: everything ArrayJob holds.
Json ArrayJobToJson(const ArrayJob& array) {
  Json out = Json::object();
  out["size"] = array.size;
  PutIfSet(out, "index", array.index);
  PutIfSet(out, "maxConcurrency", array.max_concurrency);
  if (!array.index) out["statusSummary"] = StatusSummaryToJson(array.status_summary);
  PutTime(out, "statusSummaryLastUpdatedAt", array.status_summary_updated_at);
  return out;
}

ArrayJob ReadArrayJob(JsonReader& r) {
  return ArrayJob{
      .size = r.Int32("size").value_or(0),
      .index = r.Int32("index"),
      .max_concurrency = r.Int32("maxConcurrency"),
      .status_summary = r.Object("statusSummary", ReadStatusSummary).value_or(StatusSummary{}),
      .status_summary_updated_at = ReadTime(r, "statusSummaryLastUpdatedAt"),
  };
}

// AWS ArrayPropertiesDetail: a parent shows statusSummary, size and
// statusSummaryLastUpdatedAt, a child its index.
Json ArrayPropertiesDetailToJson(const ArrayJob& array) {
  Json out = Json::object();
  if (array.index) {
    out["index"] = *array.index;
    return out;
  }
  out["statusSummary"] = StatusSummaryToJson(array.status_summary);
  out["size"] = array.size;
  PutTime(out, "statusSummaryLastUpdatedAt", array.status_summary_updated_at);
  PutIfSet(out, "maxConcurrency", array.max_concurrency);
  return out;
}

// Members the store document and JobDetail share, written the same way.
void PutCommon(Json& out, const Job& job) {
  out["jobName"] = job.name;
  out["jobId"] = job.id;
  out["status"] = ToString(job.status);
  PutIfNotEmpty(out, "statusReason", job.status_reason);
  out["createdAt"] = ToEpochMillis(job.created_at);
  PutTime(out, "startedAt", job.started_at);
  PutTime(out, "stoppedAt", job.stopped_at);
  out["jobDefinition"] = *job.job_definition_arn;
  out["parameters"] = *job.parameters;
  if (HasRetryStrategy(*job.retry_strategy)) out["retryStrategy"] = ToJson(*job.retry_strategy);
  if (job.attempt_duration_seconds) {
    out["timeout"] = Json{{"attemptDurationSeconds", *job.attempt_duration_seconds}};
  }
  PutIfNotEmpty(out, "tags", *job.tags);
  out["propagateTags"] = job.propagate_tags;
  PutIfNotEmpty(out, "platformCapabilities", *job.platform_capabilities);
  out["dependsOn"] = DependsOnToJson(job.depends_on);
  out["schedulingPriority"] = job.scheduling_priority;
  PutIfSet(out, "shareIdentifier", job.share_identifier.ToOptional());
  out["isCancelled"] = job.is_cancelled;
  out["isTerminated"] = job.is_terminated;
}

// The ECS-style ARNs AWS shows per attempt; barge's "container instance" is
// the agent's host and its "task" the attempt.
std::string EcsArn(const ArnFormatter& arns, std::string_view type, std::string_view id) {
  return "arn:aws:ecs:" + arns.region() + ":" + arns.account_id() + ":" + std::string(type) + "/" +
         std::string(id);
}

Json AttemptDetailToJson(const Job& job, const Attempt& attempt, const ArnFormatter& arns) {
  Json container = Json::object();
  PutIfSet(container, "exitCode", attempt.exit_code);
  PutIfNotEmpty(container, "reason", attempt.reason);
  if (!attempt.id.empty()) container["logStreamName"] = LogStreamName(job, attempt.id);
  if (!attempt.instance_id.empty()) {
    container["containerInstanceArn"] = EcsArn(arns, "container-instance", attempt.instance_id);
  }
  if (!attempt.id.empty()) container["taskArn"] = EcsArn(arns, "task", attempt.id);
  Json out = Json::object();
  out["container"] = std::move(container);
  PutTime(out, "startedAt", attempt.started_at);
  PutTime(out, "stoppedAt", attempt.stopped_at);
  PutIfNotEmpty(out, "statusReason", attempt.status_reason);
  return out;
}

ContainerOverrides ReadContainerOverrides(JsonReader& r) {
  return ContainerOverrides{
      .command = r.StringList("command"),
      .environment = ReadEnvironment(r),
      .resource_requirements = ReadResourceRequirements(r),
      .vcpus = r.Int32("vcpus"),
      .memory = r.Int32("memory"),
      .instance_type = r.String("instanceType"),
  };
}

}  // namespace

Json ToJson(const Job& job) {
  Json out = Json::object();
  PutCommon(out, job);
  out["jobQueue"] = job.queue;
  out["jobDefinitionName"] = job.job_definition_name;
  out["container"] = ToJson(*job.container);
  out["resources"] = Json{{"millicpus", job.request.millicpus},
                          {"memoryMib", job.request.memory_mib},
                          {"gpus", job.request.gpus}};
  Json& attempts = out["attempts"] = Json::array();
  for (const Attempt& attempt : job.attempts) attempts.push_back(AttemptToJson(attempt));
  PutIfSet(out, "stopReason", job.stop_reason.ToOptional());
  if (job.array) out["arrayProperties"] = ArrayJobToJson(*job.array);
  return out;
}

Json ArrayChildStateToJson(const Job& child) {
  Json out = Json::object();
  out["status"] = ToString(child.status);
  PutIfNotEmpty(out, "statusReason", child.status_reason);
  PutTime(out, "startedAt", child.started_at);
  PutTime(out, "stoppedAt", child.stopped_at);
  if (!child.attempts.empty()) {
    Json& attempts = out["attempts"] = Json::array();
    for (const Attempt& attempt : child.attempts) attempts.push_back(AttemptToJson(attempt));
  }
  if (child.is_cancelled) out["isCancelled"] = true;
  if (child.is_terminated) out["isTerminated"] = true;
  PutIfSet(out, "stopReason", child.stop_reason.ToOptional());
  return out;
}

Status ApplyArrayChildState(const Json& state, Job& child) {
  Result<bool> decoded = DecodeObject(state, "", [&child](JsonReader& r) {
           child.status = r.Enum("status", &ParseJobStatus, kJobStatuses).value_or(child.status);
           child.status_reason = r.String("statusReason").value_or("");
           child.started_at = ReadTime(r, "startedAt");
           child.stopped_at = ReadTime(r, "stoppedAt");
           child.attempts = OrEmpty(r.ObjectList("attempts", ReadAttempt));
           child.is_cancelled = r.Bool("isCancelled").value_or(false);
           child.is_terminated = r.Bool("isTerminated").value_or(false);
           child.stop_reason = r.String("stopReason");
           return true;
         });
  if (!decoded) return decoded.error();
  return Ok();
}

Result<Job> JobFromJson(const Json& json) {
  return DecodeObject(json, "", [](JsonReader& r) {
    Job job{
        .id = r.String("jobId").value_or(""),
        .name = r.String("jobName").value_or(""),
        .queue = r.String("jobQueue").value_or(""),
        .job_definition_arn = r.String("jobDefinition").value_or(""),
        .job_definition_name = r.String("jobDefinitionName").value_or(""),
        .status = r.Enum("status", &ParseJobStatus, kJobStatuses).value_or(JobStatus::kSubmitted),
        .is_cancelled = r.Bool("isCancelled").value_or(false),
        .is_terminated = r.Bool("isTerminated").value_or(false),
        .stop_reason = r.String("stopReason"),
        .status_reason = r.String("statusReason").value_or(""),
        .created_at = ReadTime(r, "createdAt").value_or(Timestamp{}),
        .started_at = ReadTime(r, "startedAt"),
        .stopped_at = ReadTime(r, "stoppedAt"),
        .container = r.Object("container", ReadContainerProperties).value_or(ContainerProperties{}),
        .parameters = OrEmpty(r.StringMap("parameters")),
        .retry_strategy = r.Object("retryStrategy", ReadRetryStrategy).value_or(RetryStrategy{}),
        .attempt_duration_seconds = std::nullopt,
        .tags = OrEmpty(r.StringMap("tags")),
        .propagate_tags = r.Bool("propagateTags").value_or(false),
        .scheduling_priority = r.Int32("schedulingPriority").value_or(0),
        .share_identifier = r.String("shareIdentifier"),
        .request = r.Object("resources",
                            [](JsonReader& res) {
                              return Resources{
                                  .millicpus = res.Int64("millicpus").value_or(0),
                                  .memory_mib = res.Int64("memoryMib").value_or(0),
                                  .gpus = res.Int64("gpus").value_or(0),
                              };
                            })
                       .value_or(Resources{}),
        .attempts = OrEmpty(r.ObjectList("attempts", ReadAttempt)),
        .platform_capabilities = OrEmpty(r.StringList("platformCapabilities")),
        .depends_on = OrEmpty(r.ObjectList("dependsOn", ReadDependency)),
        .version = 0,
    };
    std::optional<std::optional<int32_t>> timeout =
        r.Object("timeout", [](JsonReader& t) { return t.Int32("attemptDurationSeconds"); });
    if (timeout) job.attempt_duration_seconds = *timeout;
    job.array = r.Object("arrayProperties", ReadArrayJob);
    return job;
  });
}

Json JobDetailToJson(const Job& job, const ArnFormatter& arns) {
  Json out = Json::object();
  out["jobArn"] = arns.Job(job.id);
  PutCommon(out, job);
  out["jobQueue"] = arns.JobQueue(job.queue);
  // AWS lists an attempt once it has ended; the one in flight shows only
  // through `container` (its log stream).
  Json& attempts = out["attempts"] = Json::array();
  for (const Attempt& attempt : job.attempts) {
    if (attempt.stopped_at) attempts.push_back(AttemptDetailToJson(job, attempt, arns));
  }
  Json container = ToJson(*job.container);
  if (!job.attempts.empty()) {
    const Attempt& latest = job.attempts.back();
    PutIfSet(container, "exitCode", latest.exit_code);
    PutIfNotEmpty(container, "reason", latest.reason);
    if (!latest.id.empty()) container["logStreamName"] = LogStreamName(job, latest.id);
    if (!latest.instance_id.empty()) {
      container["containerInstanceArn"] = EcsArn(arns, "container-instance", latest.instance_id);
    }
    if (!latest.id.empty()) container["taskArn"] = EcsArn(arns, "task", latest.id);
  }
  out["container"] = std::move(container);
  if (job.array) out["arrayProperties"] = ArrayPropertiesDetailToJson(*job.array);
  return out;
}

Json JobSummaryToJson(const Job& job, const ArnFormatter& arns) {
  Json out = Json::object();
  out["jobArn"] = arns.Job(job.id);
  out["jobId"] = job.id;
  out["jobName"] = job.name;
  out["createdAt"] = ToEpochMillis(job.created_at);
  PutTime(out, "startedAt", job.started_at);
  PutTime(out, "stoppedAt", job.stopped_at);
  out["status"] = ToString(job.status);
  PutIfNotEmpty(out, "statusReason", job.status_reason);
  if (!job.attempts.empty()) {
    const Attempt& latest = job.attempts.back();
    Json container = Json::object();
    PutIfSet(container, "exitCode", latest.exit_code);
    PutIfNotEmpty(container, "reason", latest.reason);
    if (!container.empty()) out["container"] = std::move(container);
  }
  out["jobDefinition"] = *job.job_definition_arn;
  if (job.array) {
    // AWS ArrayPropertiesSummary: size on a parent, index on a child.
    out["arrayProperties"] = job.array->index ? Json{{"index", *job.array->index}}
                                              : Json{{"size", job.array->size}};
  }
  return out;
}

Result<JobSubmission> JobSubmissionFromJson(const Json& json) {
  return DecodeObject(json, "", [](JsonReader& r) {
    return JobSubmission{
        .job_name = r.String("jobName").value_or(""),
        .job_queue = r.String("jobQueue").value_or(""),
        .job_definition = r.String("jobDefinition").value_or(""),
        .parameters = OrEmpty(r.StringMap("parameters")),
        .container_overrides = r.Object("containerOverrides", ReadContainerOverrides),
        .retry_strategy = r.Object("retryStrategy", ReadRetryStrategy),
        .timeout = r.Object("timeout",
                            [](JsonReader& t) {
                              return JobTimeout{.attempt_duration_seconds =
                                                    t.Int32("attemptDurationSeconds")};
                            }),
        .tags = OrEmpty(r.StringMap("tags")),
        .propagate_tags = r.Bool("propagateTags"),
        .share_identifier = r.String("shareIdentifier"),
        .scheduling_priority_override = r.Int32("schedulingPriorityOverride"),
        .depends_on = OrEmpty(r.ObjectList("dependsOn", ReadDependency)),
        .array_properties =
            r.Object("arrayProperties",
                     [](JsonReader& a) {
                       return ArrayProperties{.size = a.Int32("size"),
                                              .max_concurrency = a.Int32("maxConcurrency")};
                     }),
        .aws_only = r.AwsOnly(kSubmissionAwsOnly),
    };
  });
}

}  // namespace barge::codec
