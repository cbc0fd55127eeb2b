#include "fleet/spot_interruptions.h"

#include <charconv>
#include <cmath>
#include <string>

namespace barge::fleet {
namespace {

constexpr double kHoursPerMonth = 30 * 24;

Result<std::optional<double>> NumberTag(const Tags& tags, std::string_view key) {
  auto it = tags.find(std::string(key));
  if (it == tags.end()) return std::optional<double>();
  const std::string& text = it->second;
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value) ||
      value < 0) {
    return InvalidArgument("tag " + std::string(key) + " must be a non-negative number, got '" +
                           text + "'");
  }
  return std::optional<double>(value);
}

}  // namespace

Result<SpotInterruptionSettings> SpotSettingsFor(const Tags& tags, const InstanceType& type) {
  SpotInterruptionSettings settings{
      .interruptions_per_hour = MonthlyInterruptionRate(type.interruption) / kHoursPerMonth};
  Result<std::optional<double>> rate = NumberTag(tags, kSpotRateTag);
  if (!rate) return rate.error();
  if (*rate) settings.interruptions_per_hour = **rate;
  Result<std::optional<double>> notice = NumberTag(tags, kSpotNoticeTag);
  if (!notice) return notice.error();
  if (*notice) {
    settings.notice = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(**notice));
  }
  return settings;
}

std::optional<Duration> SampleTimeToInterruption(const SpotInterruptionSettings& settings,
                                                 std::mt19937_64& random) {
  if (settings.interruptions_per_hour <= 0) return std::nullopt;
  std::exponential_distribution<double> hours(settings.interruptions_per_hour);
  double after_hours = hours(random);
  constexpr double kMaxHours = 24.0 * 365 * 100;  // Far enough to mean never.
  if (!(after_hours < kMaxHours)) after_hours = kMaxHours;
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(after_hours * 3600));
}

}  // namespace barge::fleet
