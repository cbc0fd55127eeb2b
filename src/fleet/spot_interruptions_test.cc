#include "fleet/spot_interruptions.h"

#include <gtest/gtest.h>

#include <cmath>

namespace barge::fleet {
namespace {

InstanceType Pool(InterruptionBand band) {
  return InstanceType{.name = "c5.large", .family = "c5", .vcpus = 2, .interruption = band};
}

TEST(SpotInterruptionsTest, ThePoolsBandSetsTheRateOverAMonth) {
  Result<SpotInterruptionSettings> settings = SpotSettingsFor({}, Pool(InterruptionBand::kOver20));

  ASSERT_TRUE(settings);
  // 25 % of instances a month, over 720 hours.
  EXPECT_DOUBLE_EQ(settings->interruptions_per_hour, 0.25 / 720);
  EXPECT_EQ(settings->notice, std::chrono::seconds(120));
}

TEST(SpotInterruptionsTest, TagsOverrideTheRateAndTheNotice) {
  Tags tags{{"barge:spot-interruptions-per-hour", "30"}, {"barge:spot-notice-seconds", "2.5"}};

  Result<SpotInterruptionSettings> settings =
      SpotSettingsFor(tags, Pool(InterruptionBand::kUnder5));

  ASSERT_TRUE(settings);
  EXPECT_DOUBLE_EQ(settings->interruptions_per_hour, 30);
  EXPECT_EQ(settings->notice, std::chrono::milliseconds(2500));
}

TEST(SpotInterruptionsTest, ABadTagValueIsNamed) {
  Tags tags{{"barge:spot-notice-seconds", "-1"}};

  Result<SpotInterruptionSettings> settings =
      SpotSettingsFor(tags, Pool(InterruptionBand::kUnder5));

  ASSERT_FALSE(settings);
  EXPECT_EQ(settings.error().message,
            "tag barge:spot-notice-seconds must be a non-negative number, got '-1'");
}

TEST(SpotInterruptionsTest, ARateOfZeroNeverInterrupts) {
  std::mt19937_64 random(7);

  std::optional<Duration> after = SampleTimeToInterruption({.interruptions_per_hour = 0}, random);

  EXPECT_FALSE(after.has_value());
}

TEST(SpotInterruptionsTest, SampledTimesAverageTheInverseOfTheRate) {
  std::mt19937_64 random(42);
  double total_hours = 0;
  constexpr int kSamples = 20000;

  for (int i = 0; i < kSamples; ++i) {
    total_hours += std::chrono::duration<double>(
                       *SampleTimeToInterruption({.interruptions_per_hour = 60}, random))
                       .count() /
                   3600;
  }

  // Mean of an exponential with 60 per hour: one minute; 20,000 samples put
  // the average within a few percent of it.
  EXPECT_NEAR(total_hours / kSamples * 60, 1.0, 0.05);
}

TEST(SpotInterruptionsTest, TheSameSeedGivesTheSameTimes) {
  std::mt19937_64 first(9);
  std::mt19937_64 second(9);

  Duration a = *SampleTimeToInterruption({.interruptions_per_hour = 1}, first);
  Duration b = *SampleTimeToInterruption({.interruptions_per_hour = 1}, second);

  EXPECT_EQ(a, b);
}

}  // namespace
}  // namespace barge::fleet
