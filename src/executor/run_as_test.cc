#include "executor/run_as.h"

#include <gtest/gtest.h>

namespace barge::executor {
namespace {

Timestamp At(int64_t ms) { return FromEpochMillis(ms); }

TEST(RunAsCacheTest, AnswersLikeResolveRunAsAndRemembersOnlySuccesses) {
  RunAsCache cache;
  Result<RunAs> direct = ResolveRunAs(std::nullopt, 0);
  ASSERT_TRUE(direct);
  for (int64_t ms : {0, 10}) {
    Result<RunAs> cached = cache.Resolve(std::nullopt, 0, At(ms));
    ASSERT_TRUE(cached);
    EXPECT_TRUE(cached->switch_user);
    EXPECT_EQ(cached->uid, direct->uid);
    EXPECT_EQ(cached->gid, direct->gid);
    EXPECT_EQ(cached->groups, direct->groups);
  }
  std::optional<std::string> unknown = "barge-no-such-user";
  EXPECT_FALSE(cache.Resolve(unknown, 0, At(20)));
  EXPECT_FALSE(cache.Resolve(unknown, 0, At(30)));
  // Past its age an answer is looked up again (same result here).
  Result<RunAs> later =
      cache.Resolve(std::nullopt, 0, At(ToEpochMillis(At(0) + RunAsCache::kMaxAge) + 1));
  ASSERT_TRUE(later);
  EXPECT_EQ(later->uid, direct->uid);
}

TEST(RunAsCacheTest, NonRootAgentRunsJobsAsItself) {
  RunAsCache cache;
  Result<RunAs> run_as = cache.Resolve(std::string("root"), 1000, At(0));
  ASSERT_TRUE(run_as);
  EXPECT_FALSE(run_as->switch_user);
}

}  // namespace
}  // namespace barge::executor
