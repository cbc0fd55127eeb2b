// Every decoder, fed its own full document with each member in turn replaced by
// a value of every JSON type: it must answer OK or kInvalidArgument, never
// throw or crash (run under ASan+UBSan in CI), and what it accepts must round
// trip.
#include <gtest/gtest.h>

#include <functional>

#include "codec/codec.h"

namespace barge::codec {
namespace {

// JSON pointers to every value inside `json` (containers and leaves).
void CollectPointers(const Json& json, const Json::json_pointer& at,
                     std::vector<Json::json_pointer>& out) {
  out.push_back(at);
  if (json.is_object()) {
    for (const auto& [key, value] : json.items()) CollectPointers(value, at / key, out);
  } else if (json.is_array()) {
    for (size_t i = 0; i < json.size(); ++i) CollectPointers(json[i], at / i, out);
  }
}

// Returns the error code, or nullopt on success. Whatever a decoder accepts
// must also re-encode to a document that decodes to the same value.
using Decoder = std::function<std::optional<ErrorCode>(const Json&)>;

template <typename T>
Decoder Wrap(Result<T> (*decode)(const Json&)) {
  return [decode](const Json& json) -> std::optional<ErrorCode> {
    Result<T> result = decode(json);
    if (!result) return result.error().code;
    Json encoded = ToJson(*result);
    Result<T> again = decode(encoded);
    EXPECT_TRUE(again) << encoded.dump();
    if (again) {
      EXPECT_EQ(ToJson(*again), encoded) << json.dump();
    }
    return std::nullopt;
  };
}

void ExpectEveryMutationIsHandled(const Json& document, const Decoder& decode) {
  const Json replacements = Json::parse(
      R"([null, 0, -1, 1.5, 1e300, 4294967296, "s", "", true, [], [1], ["s"], {}, {"a": 1},
          {"a": "b"}, [{}], [[1]]])");
  std::vector<Json::json_pointer> pointers;
  CollectPointers(document, Json::json_pointer(), pointers);
  for (const Json::json_pointer& pointer : pointers) {
    for (const Json& replacement : replacements) {
      Json mutated = document;
      mutated[pointer] = replacement;

      std::optional<ErrorCode> code = decode(mutated);

      if (code) {
        EXPECT_EQ(*code, ErrorCode::kInvalidArgument)
            << pointer.to_string() << " = " << replacement.dump();
      }
    }
  }
}

TEST(CodecRobustnessTest, ComputeEnvironmentDecoderHandlesEveryMutation) {
  Json document = Json::parse(R"({"computeEnvironmentName": "c", "type": "MANAGED",
    "state": "ENABLED", "status": "VALID", "unmanagedvCpus": 1, "serviceRole": "r",
    "tags": {"a": "b"}, "updatePolicy": {"x": 1}, "context": "c", "eksConfiguration": {},
    "computeResources": {"type": "EC2", "minvCpus": 0, "maxvCpus": 4, "desiredvCpus": 1,
      "instanceTypes": ["optimal"], "allocationStrategy": "BEST_FIT", "bidPercentage": 5,
      "subnets": ["s"], "securityGroupIds": ["g"], "ec2KeyPair": "k", "instanceRole": "i",
      "tags": {"a": "b"}, "placementGroup": "p", "spotIamFleetRole": "f",
      "launchTemplate": {"v": 1}, "ec2Configuration": [{"imageType": "x"}], "imageId": "i",
      "scalingPolicy": {}}})");

  ExpectEveryMutationIsHandled(document, Wrap(ComputeEnvironmentFromJson));
  ExpectEveryMutationIsHandled(document, Wrap(ComputeEnvironmentUpdateFromJson));
}

TEST(CodecRobustnessTest, JobQueueDecoderHandlesEveryMutation) {
  Json document = Json::parse(R"({"jobQueueName": "q", "jobQueue": "q", "state": "ENABLED",
    "priority": 1, "schedulingPolicyArn": "p",
    "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "c"}],
    "jobStateTimeLimitActions": [{"reason": "r", "state": "RUNNABLE", "maxTimeSeconds": 600,
                                  "action": "CANCEL"}],
    "serviceEnvironmentOrder": [{}], "jobQueueType": "ECS", "tags": {"a": "b"}})");

  ExpectEveryMutationIsHandled(document, Wrap(JobQueueFromJson));
  ExpectEveryMutationIsHandled(document, Wrap(JobQueueUpdateFromJson));
}

TEST(CodecRobustnessTest, JobDefinitionDecoderHandlesEveryMutation) {
  Json container = Json::parse(R"({"image": "i", "command": ["c"],
    "environment": [{"name": "n", "value": "v"}], "resourceRequirements": [{"type": "VCPU",
    "value": "1"}], "vcpus": 1, "memory": 2, "volumes": [{"name": "v", "host": {"sourcePath":
    "/p"}, "efsVolumeConfiguration": {}}], "mountPoints": [{"containerPath": "/c", "readOnly":
    true, "sourceVolume": "v"}], "ulimits": [{"name": "n", "softLimit": 1, "hardLimit": 2}],
    "user": "u", "readonlyRootFilesystem": true, "privileged": false, "linuxParameters":
    {"devices": [{"hostPath": "h", "containerPath": "c", "permissions": ["READ"]}],
    "initProcessEnabled": true, "sharedMemorySize": 1, "tmpfs": [{"containerPath": "t",
    "size": 1, "mountOptions": ["o"]}], "maxSwap": 1, "swappiness": 1}, "logConfiguration":
    {"logDriver": "d", "options": {"a": "b"}, "secretOptions": [{}]}, "secrets": [{"name": "n",
    "valueFrom": "v"}], "instanceType": "t", "jobRoleArn": "j", "enableExecuteCommand": true})");
  Json document = Json::parse(R"({"jobDefinitionName": "d", "revision": 1, "status": "ACTIVE",
    "type": "container", "parameters": {"a": "b"}, "schedulingPriority": 1,
    "nodeProperties": {"numNodes": 2, "mainNode": 0, "nodeRangeProperties": [
      {"targetNodes": "0:", "instanceTypes": ["t"], "ecsProperties": {}}]},
    "retryStrategy": {"attempts": 1, "evaluateOnExit": [{"onExitCode": "1", "action": "EXIT"}]},
    "timeout": {"attemptDurationSeconds": 60}, "propagateTags": true,
    "platformCapabilities": ["EC2"], "tags": {"a": "b"}, "eksProperties": {}})");
  document["containerProperties"] = container;
  document["nodeProperties"]["nodeRangeProperties"][0]["container"] = container;

  ExpectEveryMutationIsHandled(document, Wrap(JobDefinitionFromJson));
}

TEST(CodecRobustnessTest, SchedulingPolicyDecoderHandlesEveryMutation) {
  Json document = Json::parse(R"({"name": "p", "arn": "a", "tags": {"a": "b"},
    "quotaSharePolicy": {}, "fairsharePolicy": {"shareDecaySeconds": 1,
    "computeReservation": 1, "shareDistribution": [{"shareIdentifier": "s",
    "weightFactor": 0.5}]}})");

  ExpectEveryMutationIsHandled(document, Wrap(SchedulingPolicyFromJson));
  ExpectEveryMutationIsHandled(document, Wrap(SchedulingPolicyUpdateFromJson));
}

}  // namespace
}  // namespace barge::codec
