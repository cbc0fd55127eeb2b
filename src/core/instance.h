#pragma once
// An instance of a MANAGED compute environment: one host a provider launched
// for it (a `barge agent` process for the local provider, a machine for the
// command provider), from launch until it is terminated, kept afterwards for
// cost reports. Plain data; the fleet controller (control/fleet_controller.h)
// is the only writer. `version` belongs to the Store.
//
// States: LAUNCHING (asked of the provider; its agent has not registered) ->
// RUNNING (its agent registered) -> DRAINING (no new jobs: scaled in, spot
// interruption notice) -> TERMINATED. Any state may go to TERMINATED (launch
// failed, agent lost, reclaimed).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/instance_type.h"
#include "core/time.h"

namespace barge {

enum class InstanceState { kLaunching, kRunning, kDraining, kTerminated };
std::string_view ToString(InstanceState state);
std::optional<InstanceState> ParseInstanceState(std::string_view text);

struct Instance {
  std::string id{};                   // "i-" + 17 hex digits, chosen by the controller.
  std::string compute_environment{};  // Name.
  // The type as it was when launched, prices included, so that a later
  // catalog change does not rewrite what the instance cost.
  InstanceType type{};
  CapacityType capacity = CapacityType::kOnDemand;
  InstanceState state = InstanceState::kLaunching;
  std::string provider{};       // The provider's name: "local", or a command provider's.
  std::string provider_data{};  // What the provider needs to terminate it (opaque).
  std::string agent_id{};       // Once its agent registered.
  Timestamp launched_at{};
  std::optional<Timestamp> running_at{};
  std::optional<Timestamp> draining_at{};
  std::optional<Timestamp> terminated_at{};
  // Spot: when the interruption notice was given, and when it is reclaimed.
  std::optional<Timestamp> interruption_notice_at{};
  std::optional<Timestamp> reclaim_at{};
  std::string state_reason{};  // Why it is draining or terminated.
  int64_t version = 0;

  bool IsLive() const { return state != InstanceState::kTerminated; }
  double PricePerHour() const { return type.PricePerHour(capacity); }
  friend bool operator==(const Instance&, const Instance&) = default;
};

}  // namespace barge
