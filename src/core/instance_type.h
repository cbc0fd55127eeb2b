#pragma once
// An instance type a managed compute environment can launch (c5.xlarge,
// g4dn.2xlarge, or a type of the user's own hardware), with what it costs and,
// for spot capacity, how often its pool is interrupted. Plain data; the
// catalog that holds them is fleet/instance_catalog.h.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace barge {

// On-demand (computeResources.type EC2) or spot (SPOT) capacity.
enum class CapacityType { kOnDemand, kSpot };
std::string_view ToString(CapacityType type);  // "ON_DEMAND", "SPOT"
std::optional<CapacityType> ParseCapacityType(std::string_view text);

// The Spot Instance Advisor's bands of interruption frequency (share of the
// pool's instances interrupted in a month), lowest first, so that bands
// compare with < like the risk they stand for.
enum class InterruptionBand { kUnder5, k5To10, k10To15, k15To20, kOver20 };
std::string_view ToString(InterruptionBand band);  // "<5%", "5-10%", "10-15%", "15-20%", ">20%"
std::optional<InterruptionBand> ParseInterruptionBand(std::string_view text);
// A representative monthly interruption probability of the band (its middle;
// 0.25 for >20%), for the local provider's interruption model and simulation.
double MonthlyInterruptionRate(InterruptionBand band);

struct InstanceType {
  std::string name{};    // "c5.xlarge"
  std::string family{};  // "c5"
  int32_t vcpus = 0;
  int64_t memory_mib = 0;
  int32_t gpus = 0;
  std::string architecture{};     // "x86_64" or "arm64"
  double on_demand_per_hour = 0;  // USD
  double spot_per_hour = 0;       // USD; the pool's current spot price
  InterruptionBand interruption = InterruptionBand::kUnder5;

  // What an instance of this type costs per hour with `capacity`.
  double PricePerHour(CapacityType capacity) const {
    return capacity == CapacityType::kSpot ? spot_per_hour : on_demand_per_hour;
  }
  friend bool operator==(const InstanceType&, const InstanceType&) = default;
};

}  // namespace barge
