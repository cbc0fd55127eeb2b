#include "core/instance_type.h"

#include <gtest/gtest.h>

#include <array>

namespace barge {
namespace {

constexpr std::array<InterruptionBand, 5> kAllBands = {
    InterruptionBand::kUnder5, InterruptionBand::k5To10, InterruptionBand::k10To15,
    InterruptionBand::k15To20, InterruptionBand::kOver20};

TEST(InstanceTypeTest, CapacityTypesUseTheAwsSpellings) {
  EXPECT_EQ(ToString(CapacityType::kOnDemand), "ON_DEMAND");
  EXPECT_EQ(ToString(CapacityType::kSpot), "SPOT");
}

TEST(InstanceTypeTest, CapacityTypesParseBackFromTheirSpelling) {
  EXPECT_EQ(ParseCapacityType("ON_DEMAND"), CapacityType::kOnDemand);
  EXPECT_EQ(ParseCapacityType("SPOT"), CapacityType::kSpot);
}

TEST(InstanceTypeTest, UnknownOrMiscasedCapacityTypeDoesNotParse) {
  EXPECT_EQ(ParseCapacityType("spot"), std::nullopt);
  EXPECT_EQ(ParseCapacityType("EC2"), std::nullopt);
  EXPECT_EQ(ParseCapacityType(""), std::nullopt);
}

TEST(InstanceTypeTest, InterruptionBandsUseTheSpotAdvisorSpellings) {
  EXPECT_EQ(ToString(InterruptionBand::kUnder5), "<5%");
  EXPECT_EQ(ToString(InterruptionBand::k5To10), "5-10%");
  EXPECT_EQ(ToString(InterruptionBand::k10To15), "10-15%");
  EXPECT_EQ(ToString(InterruptionBand::k15To20), "15-20%");
  EXPECT_EQ(ToString(InterruptionBand::kOver20), ">20%");
}

TEST(InstanceTypeTest, EveryInterruptionBandParsesBackFromItsSpelling) {
  for (InterruptionBand band : kAllBands) {
    auto parsed = ParseInterruptionBand(ToString(band));

    ASSERT_TRUE(parsed.has_value()) << ToString(band);
    EXPECT_EQ(*parsed, band);
  }
}

TEST(InstanceTypeTest, UnknownInterruptionBandDoesNotParse) {
  EXPECT_EQ(ParseInterruptionBand("5%"), std::nullopt);
  EXPECT_EQ(ParseInterruptionBand("5-10"), std::nullopt);
  EXPECT_EQ(ParseInterruptionBand(""), std::nullopt);
}

TEST(InstanceTypeTest, BandsCompareLikeTheRiskTheyStandFor) {
  for (size_t i = 1; i < kAllBands.size(); ++i) {
    EXPECT_LT(kAllBands[i - 1], kAllBands[i]);
    EXPECT_LT(MonthlyInterruptionRate(kAllBands[i - 1]), MonthlyInterruptionRate(kAllBands[i]));
  }
}

TEST(InstanceTypeTest, MonthlyInterruptionRateIsTheMiddleOfTheBand) {
  EXPECT_DOUBLE_EQ(MonthlyInterruptionRate(InterruptionBand::kUnder5), 0.025);
  EXPECT_DOUBLE_EQ(MonthlyInterruptionRate(InterruptionBand::k10To15), 0.125);
  EXPECT_DOUBLE_EQ(MonthlyInterruptionRate(InterruptionBand::kOver20), 0.25);
}

TEST(InstanceTypeTest, PricePerHourDependsOnCapacityType) {
  InstanceType type{.name = "c5.large", .on_demand_per_hour = 0.085, .spot_per_hour = 0.0361};

  EXPECT_DOUBLE_EQ(type.PricePerHour(CapacityType::kOnDemand), 0.085);
  EXPECT_DOUBLE_EQ(type.PricePerHour(CapacityType::kSpot), 0.0361);
}

}  // namespace
}  // namespace barge
