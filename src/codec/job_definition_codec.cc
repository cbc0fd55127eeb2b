// JobDefinition with its nodeProperties, retryStrategy and timeout, and tags.
#include "codec/codec.h"
#include "codec/codec_parts.h"
#include "codec/json_reader.h"
#include "codec/json_writer.h"

namespace barge::codec {
namespace {

constexpr AwsOnlyMember kJobDefinitionAwsOnly[] = {
    {"ecsProperties", JsonKind::kObject},
    {"eksProperties", JsonKind::kObject},
    {"consumableResourceProperties", JsonKind::kObject},
};
// The same members, per node range.
constexpr auto& kNodeRangeAwsOnly = kJobDefinitionAwsOnly;

NodeRangeProperty ReadNodeRangeProperty(JsonReader& r) {
  return NodeRangeProperty{
      .target_nodes = r.String("targetNodes").value_or(""),
      .container = r.Object("container", ReadContainerProperties),
      .instance_types = OrEmpty(r.StringList("instanceTypes")),
      .aws_only = r.AwsOnly(kNodeRangeAwsOnly),
  };
}

NodeProperties ReadNodeProperties(JsonReader& r) {
  return NodeProperties{
      .num_nodes = r.Int32("numNodes").value_or(0),
      .main_node = r.Int32("mainNode").value_or(0),
      .node_range_properties = OrEmpty(r.ObjectList("nodeRangeProperties", ReadNodeRangeProperty)),
  };
}

JobTimeout ReadTimeout(JsonReader& r) {
  return JobTimeout{.attempt_duration_seconds = r.Int32("attemptDurationSeconds")};
}

Json NodePropertiesToJson(const NodeProperties& nodes) {
  Json out = Json::object();
  out["numNodes"] = nodes.num_nodes;
  out["mainNode"] = nodes.main_node;
  Json& ranges = out["nodeRangeProperties"] = Json::array();
  for (const NodeRangeProperty& range : nodes.node_range_properties) {
    Json item = Json::object();
    item["targetNodes"] = range.target_nodes;
    if (range.container) item["container"] = ToJson(*range.container);
    PutIfNotEmpty(item, "instanceTypes", range.instance_types);
    PutAwsOnly(item, range.aws_only);
    ranges.push_back(std::move(item));
  }
  return out;
}

}  // namespace

RetryStrategy ReadRetryStrategy(JsonReader& r) {
  return RetryStrategy{
      .attempts = r.Int32("attempts"),
      .evaluate_on_exit = OrEmpty(r.ObjectList("evaluateOnExit",
                                               [](JsonReader& e) {
                                                 return EvaluateOnExit{
                                                     .on_status_reason = e.String("onStatusReason"),
                                                     .on_reason = e.String("onReason"),
                                                     .on_exit_code = e.String("onExitCode"),
                                                     .action = e.String("action").value_or(""),
                                                 };
                                               })),
  };
}

Result<RetryStrategy> RetryStrategyFromJson(const Json& json, std::string_view path) {
  return DecodeObject(json, path, ReadRetryStrategy);
}

Json ToJson(const RetryStrategy& strategy) {
  Json out = Json::object();
  PutIfSet(out, "attempts", strategy.attempts);
  if (!strategy.evaluate_on_exit.empty()) {
    Json& rules = out["evaluateOnExit"] = Json::array();
    for (const EvaluateOnExit& rule : strategy.evaluate_on_exit) {
      Json item = Json::object();
      PutIfSet(item, "onStatusReason", rule.on_status_reason);
      PutIfSet(item, "onReason", rule.on_reason);
      PutIfSet(item, "onExitCode", rule.on_exit_code);
      item["action"] = rule.action;
      rules.push_back(std::move(item));
    }
  }
  return out;
}

Result<Tags> TagsFromJson(const Json& json, std::string_view path) {
  return DecodeObject(json, path, [](JsonReader& r) { return r.AsStringMap(); });
}

Result<JobDefinition> JobDefinitionFromJson(const Json& json) {
  return DecodeObject(json, "", [](JsonReader& r) {
    return JobDefinition{
        .name = r.String("jobDefinitionName").value_or(""),
        .revision = r.Int32("revision").value_or(0),
        .arn = r.String("jobDefinitionArn").value_or(""),
        .status = r.Enum("status", ParseJobDefinitionStatus, "ACTIVE, INACTIVE")
                      .value_or(JobDefinitionStatus::kActive),
        .type = r.String("type").value_or(""),
        .parameters = OrEmpty(r.StringMap("parameters")),
        .scheduling_priority = r.Int32("schedulingPriority"),
        .container_properties = r.Object("containerProperties", ReadContainerProperties),
        .node_properties = r.Object("nodeProperties", ReadNodeProperties),
        .retry_strategy = r.Object("retryStrategy", ReadRetryStrategy),
        .timeout = r.Object("timeout", ReadTimeout),
        .propagate_tags = r.Bool("propagateTags"),
        .platform_capabilities = OrEmpty(r.StringList("platformCapabilities")),
        .tags = OrEmpty(r.StringMap("tags")),
        .aws_only = r.AwsOnly(kJobDefinitionAwsOnly),
    };
  });
}

Json ToJson(const JobDefinition& definition) {
  Json out = Json::object();
  out["jobDefinitionName"] = definition.name;
  out["jobDefinitionArn"] = definition.arn;
  out["revision"] = definition.revision;
  out["status"] = ToString(definition.status);
  out["type"] = definition.type;
  out["parameters"] = definition.parameters;
  PutIfSet(out, "schedulingPriority", definition.scheduling_priority);
  if (definition.container_properties) {
    out["containerProperties"] = ToJson(*definition.container_properties);
  }
  if (definition.node_properties) {
    out["nodeProperties"] = NodePropertiesToJson(*definition.node_properties);
  }
  if (definition.retry_strategy) out["retryStrategy"] = ToJson(*definition.retry_strategy);
  if (definition.timeout) {
    Json timeout = Json::object();
    PutIfSet(timeout, "attemptDurationSeconds", definition.timeout->attempt_duration_seconds);
    out["timeout"] = std::move(timeout);
  }
  PutIfSet(out, "propagateTags", definition.propagate_tags);
  PutIfNotEmpty(out, "platformCapabilities", definition.platform_capabilities);
  PutIfNotEmpty(out, "tags", definition.tags);
  PutAwsOnly(out, definition.aws_only);
  // Output only, derived: AWS reports EKS for definitions with eksProperties.
  out["containerOrchestrationType"] = definition.aws_only.contains("eksProperties") ? "EKS" : "ECS";
  return out;
}

}  // namespace barge::codec
