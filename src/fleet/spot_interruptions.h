#pragma once
// The spot interruption model of providers that have no real spot market
// (local, simulated): each SPOT instance is interrupted after an
// exponentially distributed time, at its pool's rate, with a notice before it
// is reclaimed, as EC2 gives two minutes' notice.
//
// The pool's rate comes from its Spot Advisor band (the band's monthly
// interruption share spread over 30 days of running); a compute environment
// may set its own with tags, which is how tests and demos make interruptions
// frequent:
//   barge:spot-interruptions-per-hour  expected interruptions per instance-hour (0: none)
//   barge:spot-notice-seconds          notice before the reclaim (default 120)
//
// Pure functions; the random engine is the caller's (seeded, so a run can be
// repeated).
#include <optional>
#include <random>
#include <string_view>

#include "core/common_types.h"
#include "core/instance_type.h"
#include "core/result.h"
#include "core/time.h"

namespace barge::fleet {

inline constexpr std::string_view kSpotRateTag = "barge:spot-interruptions-per-hour";
inline constexpr std::string_view kSpotNoticeTag = "barge:spot-notice-seconds";
inline constexpr Duration kDefaultSpotNotice = std::chrono::seconds(120);

struct SpotInterruptionSettings {
  double interruptions_per_hour = 0;
  Duration notice = kDefaultSpotNotice;
};

// The settings for an instance of `type` in an environment tagged `tags`.
// kInvalidArgument naming the tag when a tag's value is not a non-negative
// number.
Result<SpotInterruptionSettings> SpotSettingsFor(const Tags& tags, const InstanceType& type);

// How long after it starts running an instance is interrupted (given its
// notice); nullopt when the rate is 0.
std::optional<Duration> SampleTimeToInterruption(const SpotInterruptionSettings& settings,
                                                 std::mt19937_64& random);

}  // namespace barge::fleet
