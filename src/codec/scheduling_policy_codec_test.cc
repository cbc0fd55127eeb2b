#include <gtest/gtest.h>

#include "codec/codec.h"

namespace barge::codec {
namespace {

SchedulingPolicy FullPolicy() {
  return SchedulingPolicy{
      .name = "fair",
      .arn = "arn:aws:batch:us-east-1:123456789012:scheduling-policy/fair",
      .fairshare_policy =
          FairsharePolicy{
              .share_decay_seconds = 3600,
              .compute_reservation = 10,
              .share_distribution = {{.share_identifier = "teamA", .weight_factor = 1.0},
                                     {.share_identifier = "teamB*", .weight_factor = 0.25},
                                     {.share_identifier = "teamC"}},
          },
      .tags = {{"k", "v"}},
      .aws_only = {{"quotaSharePolicy", R"({"idleResourceAssignmentStrategy":"FIFO"})"}},
      .version = 2,
  };
}

std::string ErrorOf(const char* text) {
  Result<SchedulingPolicy> policy = SchedulingPolicyFromJson(Json::parse(text));
  if (policy) return "";
  EXPECT_EQ(policy.error().code, ErrorCode::kInvalidArgument);
  return policy.error().message;
}

TEST(SchedulingPolicyCodecTest, EncodesEveryMemberInTheAwsShape) {
  Json json = ToJson(FullPolicy());

  EXPECT_EQ(json, Json::parse(R"({
    "name": "fair",
    "arn": "arn:aws:batch:us-east-1:123456789012:scheduling-policy/fair",
    "fairsharePolicy": {"shareDecaySeconds": 3600, "computeReservation": 10,
      "shareDistribution": [{"shareIdentifier": "teamA", "weightFactor": 1.0},
                            {"shareIdentifier": "teamB*", "weightFactor": 0.25},
                            {"shareIdentifier": "teamC"}]},
    "tags": {"k": "v"},
    "quotaSharePolicy": {"idleResourceAssignmentStrategy": "FIFO"}
  })"));
}

TEST(SchedulingPolicyCodecTest, WeightFactorIsAFloatOnTheWire) {
  Json json = ToJson(FullPolicy());

  const Json& weight = json["fairsharePolicy"]["shareDistribution"][0]["weightFactor"];
  EXPECT_TRUE(weight.is_number_float());
  EXPECT_NE(json.dump().find(R"("weightFactor":1.0)"), std::string::npos);
}

TEST(SchedulingPolicyCodecTest, RoundTripIsLosslessExceptVersion) {
  SchedulingPolicy original = FullPolicy();

  Result<SchedulingPolicy> decoded = SchedulingPolicyFromJson(ToJson(original));

  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(ToJson(*decoded), ToJson(original));
  EXPECT_EQ(decoded->version, 0);
  EXPECT_EQ(decoded->aws_only, original.aws_only);
  EXPECT_EQ(decoded->fairshare_policy->share_distribution[1].weight_factor, 0.25);
  EXPECT_FALSE(decoded->fairshare_policy->share_distribution[2].weight_factor.has_value());
}

TEST(SchedulingPolicyCodecTest, AcceptsAnIntegerWeightFactor) {
  Result<SchedulingPolicy> policy = SchedulingPolicyFromJson(Json::parse(
      R"({"name": "p", "fairsharePolicy": {"shareDistribution": [
          {"shareIdentifier": "a", "weightFactor": 2}]}})"));

  ASSERT_TRUE(policy) << policy.error().message;
  EXPECT_EQ(policy->fairshare_policy->share_distribution[0].weight_factor, 2.0);
}

TEST(SchedulingPolicyCodecTest, RejectsWrongTypes) {
  EXPECT_EQ(ErrorOf(R"("p")"), "request body must be a JSON object");
  EXPECT_EQ(ErrorOf(R"({"name": ["p"]})"), "name must be a string");
  EXPECT_EQ(ErrorOf(R"({"fairsharePolicy": {"shareDecaySeconds": 1e3}})"), "");
  EXPECT_EQ(ErrorOf(R"({"fairsharePolicy": {"computeReservation": 0.5}})"),
            "fairsharePolicy.computeReservation must be an integer");
  EXPECT_EQ(ErrorOf(R"({"fairsharePolicy": {"shareDistribution": [
              {"shareIdentifier": "a", "weightFactor": "1.0"}]}})"),
            "fairsharePolicy.shareDistribution[0].weightFactor must be a number");
  EXPECT_EQ(ErrorOf(R"({"fairsharePolicy": {"shareDistribution": [{"shareIdentifier": 1}]}})"),
            "fairsharePolicy.shareDistribution[0].shareIdentifier must be a string");
  EXPECT_EQ(ErrorOf(R"({"quotaSharePolicy": "FIFO"})"), "quotaSharePolicy must be an object");
  EXPECT_EQ(ErrorOf(R"({"tags": []})"), "tags must be an object");
}

TEST(SchedulingPolicyUpdateCodecTest, DecodesAndRoundTrips) {
  Json body = Json::parse(R"({"arn": "arn:aws:batch:us-east-1:1:scheduling-policy/p",
    "fairsharePolicy": {"shareDecaySeconds": 600,
      "shareDistribution": [{"shareIdentifier": "a", "weightFactor": 0.5}]},
    "quotaSharePolicy": {"idleResourceAssignmentStrategy": "FIFO"}, "ignored": 1})");

  Result<SchedulingPolicyUpdate> update = SchedulingPolicyUpdateFromJson(body);

  ASSERT_TRUE(update) << update.error().message;
  EXPECT_EQ(update->arn, "arn:aws:batch:us-east-1:1:scheduling-policy/p");
  EXPECT_EQ(update->fairshare_policy->share_decay_seconds, 600);
  EXPECT_EQ(update->fairshare_policy->share_distribution[0].weight_factor, 0.5);
  EXPECT_EQ(update->aws_only.size(), 1u);
  Json reencoded = body;
  reencoded.erase("ignored");
  EXPECT_EQ(ToJson(*update), reencoded);
}

TEST(SchedulingPolicyUpdateCodecTest, RejectsWrongTypes) {
  Result<SchedulingPolicyUpdate> update =
      SchedulingPolicyUpdateFromJson(Json::parse(R"({"arn": "a", "fairsharePolicy": 5})"));

  ASSERT_FALSE(update);
  EXPECT_EQ(update.error().message, "fairsharePolicy must be an object");
}

}  // namespace
}  // namespace barge::codec
