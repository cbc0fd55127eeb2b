#include "core/instance_type.h"

#include <array>
#include <utility>

namespace barge {
namespace {

constexpr std::array<std::pair<InterruptionBand, std::string_view>, 5> kBands = {{
    {InterruptionBand::kUnder5, "<5%"},
    {InterruptionBand::k5To10, "5-10%"},
    {InterruptionBand::k10To15, "10-15%"},
    {InterruptionBand::k15To20, "15-20%"},
    {InterruptionBand::kOver20, ">20%"},
}};

}  // namespace

std::string_view ToString(CapacityType type) {
  return type == CapacityType::kSpot ? "SPOT" : "ON_DEMAND";
}

std::optional<CapacityType> ParseCapacityType(std::string_view text) {
  if (text == "SPOT") return CapacityType::kSpot;
  if (text == "ON_DEMAND") return CapacityType::kOnDemand;
  return std::nullopt;
}

std::string_view ToString(InterruptionBand band) {
  for (const auto& [value, text] : kBands) {
    if (value == band) return text;
  }
  return "<5%";
}

std::optional<InterruptionBand> ParseInterruptionBand(std::string_view text) {
  for (const auto& [value, spelling] : kBands) {
    if (spelling == text) return value;
  }
  return std::nullopt;
}

double MonthlyInterruptionRate(InterruptionBand band) {
  switch (band) {
    case InterruptionBand::kUnder5:
      return 0.025;
    case InterruptionBand::k5To10:
      return 0.075;
    case InterruptionBand::k10To15:
      return 0.125;
    case InterruptionBand::k15To20:
      return 0.175;
    case InterruptionBand::kOver20:
      return 0.25;
  }
  return 0.25;
}

}  // namespace barge
