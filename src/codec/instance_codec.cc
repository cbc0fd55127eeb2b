#include "codec/instance_codec.h"

#include <optional>
#include <string>

#include "codec/json_reader.h"
#include "codec/json_writer.h"

namespace barge::codec {
namespace {

InstanceType ReadInstanceType(JsonReader& r) {
  return InstanceType{
      .name = r.String("name").value_or(""),
      .family = r.String("family").value_or(""),
      .vcpus = r.Int32("vcpus").value_or(0),
      .memory_mib = r.Int64("memoryMiB").value_or(0),
      .gpus = r.Int32("gpus").value_or(0),
      .architecture = r.String("architecture").value_or("x86_64"),
      .on_demand_per_hour = r.Double("onDemandPricePerHour").value_or(0),
      .spot_per_hour = r.Double("spotPricePerHour").value_or(0),
      .interruption =
          r.Enum("spotInterruption", &ParseInterruptionBand, "<5%, 5-10%, 10-15%, 15-20%, >20%")
              .value_or(InterruptionBand::kUnder5),
  };
}

std::optional<Timestamp> OptionalTime(JsonReader& r, std::string_view member) {
  std::optional<int64_t> ms = r.Int64(member);
  if (!ms) return std::nullopt;
  return FromEpochMillis(*ms);
}

void PutTime(Json& out, std::string_view member, const std::optional<Timestamp>& at) {
  if (at) out[std::string(member)] = ToEpochMillis(*at);
}

}  // namespace

Json ToJson(const InstanceType& type) {
  return Json{{"name", type.name},
              {"family", type.family},
              {"vcpus", type.vcpus},
              {"memoryMiB", type.memory_mib},
              {"gpus", type.gpus},
              {"architecture", type.architecture},
              {"onDemandPricePerHour", type.on_demand_per_hour},
              {"spotPricePerHour", type.spot_per_hour},
              {"spotInterruption", std::string(ToString(type.interruption))}};
}

Result<InstanceType> InstanceTypeFromJson(const Json& json) {
  JsonReader r(json, "");
  InstanceType type = ReadInstanceType(r);
  BARGE_RETURN_IF_ERROR(r.status());
  return type;
}

Json ToJson(const Instance& instance) {
  Json out{{"instanceId", instance.id},
           {"computeEnvironment", instance.compute_environment},
           {"instanceType", ToJson(instance.type)},
           {"capacityType", std::string(ToString(instance.capacity))},
           {"state", std::string(ToString(instance.state))},
           {"provider", instance.provider},
           {"launchedAt", ToEpochMillis(instance.launched_at)},
           {"pricePerHour", instance.PricePerHour()}};
  if (!instance.provider_data.empty()) out["providerData"] = instance.provider_data;
  if (!instance.agent_id.empty()) out["agentId"] = instance.agent_id;
  PutTime(out, "runningAt", instance.running_at);
  PutTime(out, "drainingAt", instance.draining_at);
  PutTime(out, "terminatedAt", instance.terminated_at);
  PutTime(out, "interruptionNoticeAt", instance.interruption_notice_at);
  PutTime(out, "reclaimAt", instance.reclaim_at);
  if (!instance.state_reason.empty()) out["stateReason"] = instance.state_reason;
  return out;
}

Result<Instance> InstanceFromJson(const Json& json) {
  JsonReader r(json, "");
  Instance instance{
      .id = r.String("instanceId").value_or(""),
      .compute_environment = r.String("computeEnvironment").value_or(""),
      .type = r.Object("instanceType", ReadInstanceType).value_or(InstanceType{}),
      .capacity = r.Enum("capacityType", &ParseCapacityType, "ON_DEMAND, SPOT")
                      .value_or(CapacityType::kOnDemand),
      .state = r.Enum("state", &ParseInstanceState, "LAUNCHING, RUNNING, DRAINING, TERMINATED")
                   .value_or(InstanceState::kLaunching),
      .provider = r.String("provider").value_or(""),
      .provider_data = r.String("providerData").value_or(""),
      .agent_id = r.String("agentId").value_or(""),
      .launched_at = OptionalTime(r, "launchedAt").value_or(Timestamp{}),
      .running_at = OptionalTime(r, "runningAt"),
      .draining_at = OptionalTime(r, "drainingAt"),
      .terminated_at = OptionalTime(r, "terminatedAt"),
      .interruption_notice_at = OptionalTime(r, "interruptionNoticeAt"),
      .reclaim_at = OptionalTime(r, "reclaimAt"),
      .state_reason = r.String("stateReason").value_or(""),
  };
  BARGE_RETURN_IF_ERROR(r.status());
  return instance;
}

}  // namespace barge::codec
