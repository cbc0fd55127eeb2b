#include "core/array_job.h"

#include <gtest/gtest.h>

namespace barge {
namespace {

Job Parent() {
  Job parent;
  parent.id = "p";
  parent.name = "render";
  parent.queue = "q";
  parent.status = JobStatus::kPending;
  parent.created_at = FromEpochMillis(1000);
  parent.container.mutable_value().command = {"echo", "hi"};
  parent.retry_strategy.mutable_value().attempts = 3;
  parent.attempt_duration_seconds = 90;
  parent.tags = {{"team", "a"}};
  parent.request = {.millicpus = 1000, .memory_mib = 64};
  parent.array = ArrayJob{.size = 4};
  return parent;
}

TEST(ArrayJobTest, ChildIdsRoundTrip) {
  EXPECT_EQ(ArrayChildId("abc", 17), "abc:17");
  auto ref = ParseArrayChildId("abc:17");
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->parent_id, "abc");
  EXPECT_EQ(ref->index, 17);
  EXPECT_EQ(ParseArrayChildId("abc:0")->index, 0);
}

TEST(ArrayJobTest, NonChildIdsAreRefused) {
  for (std::string_view id : {"abc", ":1", "abc:", "abc:01", "abc:-1", "abc:1x", "abc:99999999999"}) {
    EXPECT_FALSE(ParseArrayChildId(id)) << id;
  }
}

TEST(ArrayJobTest, ChildInheritsTheParentsJobButNotItsTags) {
  Job child = MakeArrayChild(Parent(), 2);

  EXPECT_EQ(child.id, "p:2");
  EXPECT_EQ(child.name, "render");
  EXPECT_EQ(child.queue, "q");
  EXPECT_EQ(child.status, JobStatus::kPending);
  EXPECT_EQ(child.created_at, FromEpochMillis(1000));
  EXPECT_EQ(child.container->command, (std::vector<std::string>{"echo", "hi"}));
  EXPECT_EQ(child.retry_strategy->attempts, 3);
  EXPECT_EQ(child.attempt_duration_seconds, 90);
  EXPECT_EQ(child.request.millicpus, 1000);
  EXPECT_TRUE(child.tags->empty());
  ASSERT_TRUE(child.array);
  EXPECT_EQ(child.array->size, 4);
  EXPECT_EQ(child.array->index, 2);
  EXPECT_TRUE(IsArrayChild(child));
  EXPECT_FALSE(IsArrayParent(child));
}

TEST(ArrayJobTest, ChildShowsItsSequentialAndNToNDependencies) {
  Job parent = Parent();
  parent.depends_on = {{.job_id = "", .type = "SEQUENTIAL"},
                       {.job_id = "a", .type = "N_TO_N"},
                       {.job_id = "plain", .type = std::nullopt}};

  EXPECT_EQ(MakeArrayChild(parent, 0).depends_on,
            (std::vector<JobDependency>{{.job_id = "a:0", .type = "N_TO_N"}}));
  EXPECT_EQ(MakeArrayChild(parent, 3).depends_on,
            (std::vector<JobDependency>{{.job_id = "p:2", .type = "SEQUENTIAL"},
                                        {.job_id = "a:3", .type = "N_TO_N"}}));
}

TEST(ArrayJobTest, SizeBoundsAreAws) {
  EXPECT_FALSE(ValidateArraySize(1));
  EXPECT_TRUE(ValidateArraySize(2));
  EXPECT_TRUE(ValidateArraySize(10000));
  EXPECT_FALSE(ValidateArraySize(10001));
}

}  // namespace
}  // namespace barge
