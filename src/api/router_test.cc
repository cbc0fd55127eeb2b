#include "api/router.h"

#include <gtest/gtest.h>

namespace barge::api {
namespace {

Route Named(std::string name) {
  return Route{.name = std::move(name),
               .effect = RouteEffect::kReadOnly,
               .handler = [](const RouteRequest&) -> Result<nlohmann::json> {
                 return nlohmann::json::object();
               }};
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.AddOperation("describejobqueues", Named("DescribeJobQueues"));
    router_.AddTagsMethod("GET", Named("ListTagsForResource"));
    router_.AddTagsMethod("POST", Named("TagResource"));
    router_.AddTagsMethod("DELETE", Named("UntagResource"));
    router_.AddTarget("Logs_20140328.GetLogEvents", Named("GetLogEvents"));
  }
  Router router_;
};

TEST_F(RouterTest, MatchesPostOperation) {
  RouteMatch match = router_.Match("POST", "/v1/describejobqueues");

  ASSERT_EQ(match.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(match.route->name, "DescribeJobQueues");
}

TEST_F(RouterTest, DecodesTheArnSegmentWhole) {
  RouteMatch match = router_.Match(
      "DELETE", "/v1/tags/arn%3Aaws%3Abatch%3Aus-east-1%3A123456789012%3Ajob-queue%2Fmy-queue");

  ASSERT_EQ(match.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(match.route->name, "UntagResource");
  EXPECT_EQ(match.resource_arn, "arn:aws:batch:us-east-1:123456789012:job-queue/my-queue");
}

TEST_F(RouterTest, OtherMethodOnAnOperationIsNotAllowed) {
  RouteMatch match = router_.Match("GET", "/v1/describejobqueues");

  EXPECT_EQ(match.kind, RouteMatch::Kind::kMethodNotAllowed);
  EXPECT_EQ(match.allowed, "POST");
}

TEST_F(RouterTest, OtherMethodOnTagsListsTheAllowedOnes) {
  RouteMatch match = router_.Match("PUT", "/v1/tags/arn");

  EXPECT_EQ(match.kind, RouteMatch::Kind::kMethodNotAllowed);
  EXPECT_EQ(match.allowed, "DELETE, GET, POST");
}

TEST_F(RouterTest, UnknownPathsAreNotFound) {
  for (std::string_view path : {"", "/", "/v1/", "/v1/submitjob", "/v1/tags", "/v1/tags/",
                                "/v1/tags/a/b", "/v1/tags/%zz", "/v1/describejobqueues/"}) {
    EXPECT_EQ(router_.Match("POST", path).kind, RouteMatch::Kind::kNotFound) << path;
  }
}

TEST_F(RouterTest, MatchesPostRootByAmzTarget) {
  RouteMatch match = router_.Match("POST", "/", "Logs_20140328.GetLogEvents");

  ASSERT_EQ(match.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(match.route->name, "GetLogEvents");
}

TEST_F(RouterTest, UnknownAmzTargetIsItsOwnKind) {
  EXPECT_EQ(router_.Match("POST", "/", "Logs_20140328.PutLogEvents").kind,
            RouteMatch::Kind::kUnknownTarget);
  EXPECT_EQ(router_.Match("GET", "/", "Logs_20140328.GetLogEvents").kind,
            RouteMatch::Kind::kMethodNotAllowed);
  // Only the root path looks at the header.
  EXPECT_EQ(router_.Match("POST", "/v1/describejobqueues", "Logs_20140328.GetLogEvents").kind,
            RouteMatch::Kind::kFound);
  EXPECT_EQ(router_.Match("POST", "/x", "Logs_20140328.GetLogEvents").kind,
            RouteMatch::Kind::kNotFound);
}

}  // namespace
}  // namespace barge::api
