#pragma once
// A fair-share scheduling policy that job queues may refer to by ARN.
// Plain data; `version` belongs to the Store.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/common_types.h"

namespace barge {

struct ShareAttributes {
  std::string share_identifier{};  // Exact, or a prefix ending in '*'.
  std::optional<double> weight_factor{};  // Lower weight = larger share. Default 1.0.
};

struct FairsharePolicy {
  std::optional<int32_t> share_decay_seconds{};
  std::optional<int32_t> compute_reservation{};
  std::vector<ShareAttributes> share_distribution{};
};

struct SchedulingPolicy {
  std::string name{};
  std::string arn{};
  std::optional<FairsharePolicy> fairshare_policy{};
  Tags tags{};
  AwsOnlyFields aws_only{};  // quotaSharePolicy
  int64_t version = 0;
};

// UpdateSchedulingPolicy.
struct SchedulingPolicyUpdate {
  std::string arn{};
  std::optional<FairsharePolicy> fairshare_policy{};
  AwsOnlyFields aws_only{};
};

}  // namespace barge
