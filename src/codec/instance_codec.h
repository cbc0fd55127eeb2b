#pragma once
// JSON codecs for managed instances (core/instance.h): the store's document
// and barge's own API shape (ListInstances, the cost report), which are the
// same. Timestamps are epoch milliseconds; the instance type is embedded
// whole under "instanceType" (the catalog's member names: name, family,
// vcpus, memoryMiB, gpus, architecture, onDemandPricePerHour,
// spotPricePerHour, spotInterruption). InstanceFromJson(ToJson(i)) equals i
// except `version`, which the Store keeps apart.
//
// Pure functions; any thread.
#include <nlohmann/json.hpp>

#include "core/instance.h"
#include "core/result.h"

namespace barge::codec {

using Json = nlohmann::json;

Json ToJson(const InstanceType& type);
Result<InstanceType> InstanceTypeFromJson(const Json& json);

Json ToJson(const Instance& instance);
Result<Instance> InstanceFromJson(const Json& json);

}  // namespace barge::codec
