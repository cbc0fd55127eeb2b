#include "codec/instance_codec.h"

#include <gtest/gtest.h>

namespace barge::codec {
namespace {

Instance SpotInstance() {
  return Instance{
      .id = "i-0123456789abcdef0",
      .compute_environment = "spot-ce",
      .type = InstanceType{.name = "c5.xlarge",
                           .family = "c5",
                           .vcpus = 4,
                           .memory_mib = 8192,
                           .gpus = 0,
                           .architecture = "x86_64",
                           .on_demand_per_hour = 0.17,
                           .spot_per_hour = 0.0642,
                           .interruption = InterruptionBand::k10To15},
      .capacity = CapacityType::kSpot,
      .state = InstanceState::kDraining,
      .provider = "local",
      .provider_data = "4242",
      .agent_id = "agent-7",
      .launched_at = FromEpochMillis(1'700'000'000'000),
      .running_at = FromEpochMillis(1'700'000'000'400),
      .draining_at = FromEpochMillis(1'700'000'100'000),
      .interruption_notice_at = FromEpochMillis(1'700'000'100'000),
      .reclaim_at = FromEpochMillis(1'700'000'220'000),
      .state_reason = "Spot instance interruption notice",
  };
}

TEST(InstanceCodecTest, RoundTripsEveryMember) {
  Instance instance = SpotInstance();

  Result<Instance> decoded = InstanceFromJson(ToJson(instance));

  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(*decoded, instance);
}

TEST(InstanceCodecTest, ShowsTheStateCapacityAndPriceAsAUserReadsThem) {
  Json json = ToJson(SpotInstance());

  EXPECT_EQ(json["state"], "DRAINING");
  EXPECT_EQ(json["capacityType"], "SPOT");
  EXPECT_DOUBLE_EQ(json["pricePerHour"].get<double>(), 0.0642);
  EXPECT_EQ(json["launchedAt"], 1'700'000'000'000);
  EXPECT_EQ(json["instanceType"]["spotInterruption"], "10-15%");
  EXPECT_FALSE(json.contains("terminatedAt"));
}

TEST(InstanceCodecTest, AnUnknownStateIsRejectedWithItsPath) {
  Json json = ToJson(SpotInstance());
  json["state"] = "STOPPED";

  Result<Instance> decoded = InstanceFromJson(json);

  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(decoded.error().message.find("state must be one of"), std::string::npos);
}

TEST(InstanceCodecTest, AWrongTypeInTheInstanceTypeNamesTheNestedMember) {
  Json json = ToJson(SpotInstance());
  json["instanceType"]["vcpus"] = "four";

  Result<Instance> decoded = InstanceFromJson(json);

  ASSERT_FALSE(decoded);
  EXPECT_NE(decoded.error().message.find("instanceType.vcpus"), std::string::npos);
}

}  // namespace
}  // namespace barge::codec
