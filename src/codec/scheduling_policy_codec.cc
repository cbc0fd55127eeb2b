// SchedulingPolicy and the UpdateSchedulingPolicy body.
#include "codec/codec.h"
#include "codec/json_reader.h"
#include "codec/json_writer.h"

namespace barge::codec {
namespace {

constexpr AwsOnlyMember kSchedulingPolicyAwsOnly[] = {{"quotaSharePolicy", JsonKind::kObject}};

FairsharePolicy ReadFairsharePolicy(JsonReader& r) {
  return FairsharePolicy{
      .share_decay_seconds = r.Int32("shareDecaySeconds"),
      .compute_reservation = r.Int32("computeReservation"),
      .share_distribution = OrEmpty(r.ObjectList("shareDistribution",
                                                 [](JsonReader& e) {
                                                   return ShareAttributes{
                                                       .share_identifier =
                                                           e.String("shareIdentifier").value_or(""),
                                                       .weight_factor = e.Double("weightFactor"),
                                                   };
                                                 })),
  };
}

Json FairsharePolicyToJson(const FairsharePolicy& policy) {
  Json out = Json::object();
  PutIfSet(out, "shareDecaySeconds", policy.share_decay_seconds);
  PutIfSet(out, "computeReservation", policy.compute_reservation);
  Json& shares = out["shareDistribution"] = Json::array();
  for (const ShareAttributes& share : policy.share_distribution) {
    Json item = Json::object();
    item["shareIdentifier"] = share.share_identifier;
    // A double, so it is written as a float ("1.0") as AWS does.
    PutIfSet(item, "weightFactor", share.weight_factor);
    shares.push_back(std::move(item));
  }
  return out;
}

}  // namespace

Result<SchedulingPolicy> SchedulingPolicyFromJson(const Json& json) {
  return DecodeObject(json, "", [](JsonReader& r) {
    return SchedulingPolicy{
        .name = r.String("name").value_or(""),
        .arn = r.String("arn").value_or(""),
        .fairshare_policy = r.Object("fairsharePolicy", ReadFairsharePolicy),
        .tags = OrEmpty(r.StringMap("tags")),
        .aws_only = r.AwsOnly(kSchedulingPolicyAwsOnly),
    };
  });
}

Json ToJson(const SchedulingPolicy& policy) {
  Json out = Json::object();
  out["name"] = policy.name;
  out["arn"] = policy.arn;
  if (policy.fairshare_policy)
    out["fairsharePolicy"] = FairsharePolicyToJson(*policy.fairshare_policy);
  PutIfNotEmpty(out, "tags", policy.tags);
  PutAwsOnly(out, policy.aws_only);
  return out;
}

Result<SchedulingPolicyUpdate> SchedulingPolicyUpdateFromJson(const Json& json) {
  return DecodeObject(json, "", [](JsonReader& r) {
    return SchedulingPolicyUpdate{
        .arn = r.String("arn").value_or(""),
        .fairshare_policy = r.Object("fairsharePolicy", ReadFairsharePolicy),
        .aws_only = r.AwsOnly(kSchedulingPolicyAwsOnly),
    };
  });
}

Json ToJson(const SchedulingPolicyUpdate& update) {
  Json out = Json::object();
  out["arn"] = update.arn;
  if (update.fairshare_policy)
    out["fairsharePolicy"] = FairsharePolicyToJson(*update.fairshare_policy);
  PutAwsOnly(out, update.aws_only);
  return out;
}

}  // namespace barge::codec
