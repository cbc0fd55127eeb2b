#include "control/scheduling_policy_service.h"

#include <gtest/gtest.h>

#include "control/control_test_fixture.h"

namespace barge::control {
namespace {

constexpr char kPolicyArnPrefix[] = "arn:aws:batch:us-east-1:123456789012:scheduling-policy/";

class SchedulingPolicyServiceTest : public ControlServicesTest {
 protected:
  std::string Arn(const std::string& name) { return kPolicyArnPrefix + name; }
};

TEST_F(SchedulingPolicyServiceTest, CreateStoresThePolicyWithItsArn) {
  auto created = policies_.Create(FairsharePolicyNamed("fair"));

  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(created->arn, Arn("fair"));
  EXPECT_EQ(created->fairshare_policy->share_distribution.size(), 2u);
  auto described = policies_.Describe({Arn("fair"), Arn("missing")});
  ASSERT_TRUE(described);
  ASSERT_EQ(described->size(), 1u);
  EXPECT_EQ(described->front().fairshare_policy->compute_reservation, 10);
}

TEST_F(SchedulingPolicyServiceTest, DuplicateNameAndLimit) {
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(policies_.Create(FairsharePolicyNamed("p" + std::to_string(i))));
  }

  auto duplicate = policies_.Create(FairsharePolicyNamed("p0"));
  auto extra = policies_.Create(FairsharePolicyNamed("extra"));

  ASSERT_TRUE(FailsWith(duplicate, ErrorCode::kAlreadyExists));
  EXPECT_EQ(duplicate.error().message, "scheduling policy p0 already exists");
  ASSERT_TRUE(FailsWith(extra, ErrorCode::kFailedPrecondition));
  EXPECT_EQ(policies_.List()->size(), 50u);
}

TEST_F(SchedulingPolicyServiceTest, FairshareLimitsAreChecked) {
  auto decay = FairsharePolicyNamed("decay");
  decay.fairshare_policy->share_decay_seconds = 604801;
  auto reservation = FairsharePolicyNamed("reservation");
  reservation.fairshare_policy->compute_reservation = 100;
  auto weight_low = FairsharePolicyNamed("low");
  weight_low.fairshare_policy->share_distribution[0].weight_factor = 0.00001;
  auto weight_high = FairsharePolicyNamed("high");
  weight_high.fairshare_policy->share_distribution[0].weight_factor = 1000;
  auto bad_id = FairsharePolicyNamed("id");
  bad_id.fairshare_policy->share_distribution[0].share_identifier = "a*b";
  auto overlap = FairsharePolicyNamed("overlap");
  overlap.fairshare_policy->share_distribution.push_back({.share_identifier = "A1"});
  auto duplicate = FairsharePolicyNamed("dup");
  duplicate.fairshare_policy->share_distribution.push_back({.share_identifier = "B"});
  auto bad_name = FairsharePolicyNamed("bad name");

  for (const auto& spec :
       {decay, reservation, weight_low, weight_high, bad_id, overlap, duplicate, bad_name}) {
    EXPECT_TRUE(FailsWith(policies_.Create(spec), ErrorCode::kInvalidArgument)) << spec.name;
  }
  EXPECT_TRUE(policies_.List()->empty());
  EXPECT_EQ(policies_.Create(overlap).error().message,
            "fairsharePolicy.shareDistribution shareIdentifier A1 overlaps A*");
}

TEST_F(SchedulingPolicyServiceTest, DescribeNeedsOneToHundredPolicyArns) {
  EXPECT_TRUE(FailsWith(policies_.Describe({}), ErrorCode::kInvalidArgument));
  EXPECT_TRUE(FailsWith(policies_.Describe(std::vector<std::string>(101, Arn("a"))),
                        ErrorCode::kInvalidArgument));
  EXPECT_TRUE(FailsWith(policies_.Describe({"fair"}), ErrorCode::kInvalidArgument));
}

TEST_F(SchedulingPolicyServiceTest, UpdateReplacesTheFairsharePolicy) {
  ASSERT_TRUE(policies_.Create(FairsharePolicyNamed("fair")));

  auto updated = policies_.Update(
      {.arn = Arn("fair"), .fairshare_policy = FairsharePolicy{.share_decay_seconds = 0}});
  auto invalid = policies_.Update(
      {.arn = Arn("fair"), .fairshare_policy = FairsharePolicy{.compute_reservation = -1}});
  auto missing = policies_.Update({.arn = Arn("nope")});

  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_EQ(updated->fairshare_policy->share_decay_seconds, 0);
  EXPECT_TRUE(updated->fairshare_policy->share_distribution.empty());
  EXPECT_TRUE(FailsWith(invalid, ErrorCode::kInvalidArgument));
  ASSERT_TRUE(FailsWith(missing, ErrorCode::kNotFound));
  EXPECT_EQ(missing.error().message, "scheduling policy " + Arn("nope") + " does not exist");
  EXPECT_EQ(policies_.Describe({Arn("fair")})->front().fairshare_policy->share_decay_seconds, 0);
}

TEST_F(SchedulingPolicyServiceTest, DeleteIsRefusedWhileAQueueUsesIt) {
  ASSERT_TRUE(policies_.Create(FairsharePolicyNamed("fair")));
  CreateValid(ManagedEc2("ce"));
  JobQueue queue = QueueOn("q", {"ce"});
  queue.scheduling_policy_arn = Arn("fair");
  CreateQueue(queue);

  auto refused = policies_.Delete(Arn("fair"));
  ASSERT_TRUE(queues_.Update({.job_queue = "q", .state = ResourceState::kDisabled}));
  ASSERT_TRUE(queues_.Delete("q"));
  auto deleted = policies_.Delete(Arn("fair"));

  ASSERT_TRUE(FailsWith(refused, ErrorCode::kFailedPrecondition));
  EXPECT_EQ(refused.error().message,
            "cannot delete scheduling policy " + Arn("fair") + ": it is used by job queue q");
  EXPECT_TRUE(deleted) << deleted.error().message;
  EXPECT_TRUE(policies_.List()->empty());
  EXPECT_TRUE(FailsWith(policies_.Delete(Arn("fair")), ErrorCode::kNotFound));
}

}  // namespace
}  // namespace barge::control
