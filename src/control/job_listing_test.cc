#include "control/job_listing.h"

#include <gtest/gtest.h>

namespace barge::control {
namespace {

Job JobNamed(const std::string& name, const std::string& definition_arn) {
  Job job{.name = name, .job_definition_arn = definition_arn};
  auto slash = definition_arn.rfind('/');
  job.job_definition_name = definition_arn.substr(slash + 1, definition_arn.rfind(':') - slash - 1);
  return job;
}

const std::string kJd3 = "arn:aws:batch:us-east-1:123456789012:job-definition/render:3";
const std::string kJd4 = "arn:aws:batch:us-east-1:123456789012:job-definition/render:4";
const std::string kOther = "arn:aws:batch:us-east-1:123456789012:job-definition/renderer:1";

JobListPlan Plan(std::vector<KeyValues> filters, std::optional<JobStatus> status = std::nullopt) {
  auto plan = JobListPlan::Make("q", status, filters);
  EXPECT_TRUE(plan) << plan.error().message;
  return plan.ok() ? plan.value() : JobListPlan::Make("q", std::nullopt, {}).value();
}

TEST(JobListPlanTest, WithoutFiltersListsOneStatusOldestFirst) {
  JobListPlan running = Plan({});
  JobListPlan runnable = Plan({}, JobStatus::kRunnable);

  EXPECT_FALSE(running.has_filters());
  EXPECT_EQ(running.store_filter().queue, "q");
  EXPECT_EQ(running.store_filter().statuses, std::vector<JobStatus>{JobStatus::kRunning});
  EXPECT_EQ(running.store_filter().order, JobOrder::kOldestFirst);
  EXPECT_EQ(runnable.store_filter().statuses, std::vector<JobStatus>{JobStatus::kRunnable});
}

TEST(JobListPlanTest, AFilterIgnoresTheStatusAndListsNewestFirst) {
  JobListPlan plan = Plan({{.name = "JOB_NAME", .values = {"x"}}}, JobStatus::kRunnable);

  EXPECT_TRUE(plan.has_filters());
  EXPECT_TRUE(plan.store_filter().statuses.empty());
  EXPECT_EQ(plan.store_filter().order, JobOrder::kNewestFirst);
}

TEST(JobListPlanTest, JobNameIsCaseInsensitiveWithTrailingStar) {
  JobListPlan exact = Plan({{.name = "JOB_NAME", .values = {"test1"}}});
  JobListPlan prefix = Plan({{.name = "JOB_NAME", .values = {"TEST1*"}}});

  EXPECT_TRUE(exact.Matches(JobNamed("Test1", kJd3)));
  EXPECT_FALSE(exact.Matches(JobNamed("test10", kJd3)));
  EXPECT_TRUE(prefix.Matches(JobNamed("test10", kJd3)));
  EXPECT_TRUE(prefix.Matches(JobNamed("Test1", kJd3)));
  EXPECT_FALSE(prefix.Matches(JobNamed("test2", kJd3)));
}

TEST(JobListPlanTest, JobDefinitionByNameRevisionArnOrPrefix) {
  JobListPlan name = Plan({{.name = "JOB_DEFINITION", .values = {"render"}}});
  JobListPlan revision = Plan({{.name = "JOB_DEFINITION", .values = {"render:4"}}});
  JobListPlan arn = Plan({{.name = "JOB_DEFINITION", .values = {kJd3}}});
  JobListPlan prefix = Plan({{.name = "JOB_DEFINITION", .values = {"rend*"}}});

  EXPECT_TRUE(name.Matches(JobNamed("a", kJd3)));
  EXPECT_TRUE(name.Matches(JobNamed("a", kJd4)));
  EXPECT_FALSE(name.Matches(JobNamed("a", kOther)));
  EXPECT_FALSE(revision.Matches(JobNamed("a", kJd3)));
  EXPECT_TRUE(revision.Matches(JobNamed("a", kJd4)));
  EXPECT_TRUE(arn.Matches(JobNamed("a", kJd3)));
  EXPECT_FALSE(arn.Matches(JobNamed("a", kJd4)));
  EXPECT_TRUE(prefix.Matches(JobNamed("a", kOther)));
}

TEST(JobListPlanTest, CreatedAtFiltersBecomeInclusiveStoreBounds) {
  JobListPlan before = Plan({{.name = "BEFORE_CREATED_AT", .values = {"1700000000000"}}});
  JobListPlan after = Plan({{.name = "AFTER_CREATED_AT", .values = {"5"}}});

  EXPECT_EQ(before.store_filter().created_before, FromEpochMillis(1'700'000'000'000));
  EXPECT_FALSE(before.store_filter().created_after);
  EXPECT_EQ(after.store_filter().created_after, FromEpochMillis(5));
}

TEST(JobListPlanTest, ShareIdentifierKeepsTheStatus) {
  JobListPlan plan = Plan({{.name = "SHARE_IDENTIFIER", .values = {"A"}}}, JobStatus::kRunnable);
  Job in_share = JobNamed("a", kJd3);
  in_share.share_identifier = "A";

  EXPECT_FALSE(plan.has_filters());
  EXPECT_EQ(plan.store_filter().statuses, std::vector<JobStatus>{JobStatus::kRunnable});
  EXPECT_TRUE(plan.Matches(in_share));
  EXPECT_FALSE(plan.Matches(JobNamed("a", kJd3)));
}

TEST(JobListPlanTest, MalformedFiltersAreInvalid) {
  const std::vector<std::vector<KeyValues>> cases = {
      {{.name = "JOB_STATUS", .values = {"x"}}},
      {{.name = "JOB_NAME", .values = {}}},
      {{.name = "JOB_NAME", .values = {"a"}}, {.name = "JOB_DEFINITION", .values = {"b"}}},
      {{.name = "JOB_NAME", .values = {"a"}}, {.name = "JOB_NAME", .values = {"b"}}},
      {{.name = "BEFORE_CREATED_AT", .values = {"yesterday"}}},
      {{.name = "AFTER_CREATED_AT", .values = {"-5"}}},
      {{.name = "JOB_DEFINITION", .values = {kJd3 + "*"}}},
      {{.name = "JOB_DEFINITION", .values = {"jd:zero"}}},
  };
  for (const auto& filters : cases) {
    auto plan = JobListPlan::Make("q", std::nullopt, filters);
    ASSERT_FALSE(plan) << filters.front().name;
    EXPECT_EQ(plan.error().code, ErrorCode::kInvalidArgument);
  }
  EXPECT_EQ(JobListPlan::Make("q", std::nullopt,
                              {{.name = "JOB_NAME", .values = {"a"}},
                               {.name = "AFTER_CREATED_AT", .values = {"1"}}})
                .error()
                .message,
            "only one filter can be used at a time (SHARE_IDENTIFIER aside)");
}

}  // namespace
}  // namespace barge::control
