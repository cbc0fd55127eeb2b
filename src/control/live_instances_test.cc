#include "control/live_instances.h"

#include <gtest/gtest.h>

namespace barge::control {
namespace {

Timestamp At(int64_t ms) { return FromEpochMillis(ms); }

Instance Make(std::string id, std::string ce, int32_t vcpus, InstanceState state) {
  return Instance{.id = std::move(id),
                  .compute_environment = std::move(ce),
                  .type = InstanceType{.name = "t", .vcpus = vcpus},
                  .state = state};
}

TEST(DueTimesTest, DueIdsComeEarliestFirstAndAnIdHasOneTime) {
  DueTimes due;
  due.Set("b", At(200));
  due.Set("a", At(300));
  due.Set("c", At(100));
  due.Set("a", At(150));  // Moved.
  due.Erase("c");

  EXPECT_EQ(due.Due(At(99)), std::vector<std::string>{});
  EXPECT_EQ(due.Due(At(200)), (std::vector<std::string>{"a", "b"}));
}

TEST(LiveInstancesTest, IndexesFollowEveryChangeAndTerminatedInstancesLeave) {
  LiveInstances live;
  live.Put(Make("i-1", "ce1", 2, InstanceState::kLaunching));
  live.Put(Make("i-2", "ce1", 4, InstanceState::kLaunching));
  live.Put(Make("i-3", "ce2", 8, InstanceState::kRunning));
  EXPECT_EQ(live.launching(), (std::set<std::string>{"i-1", "i-2"}));
  EXPECT_EQ(live.VcpusOf("ce1"), 6);
  EXPECT_EQ(live.VcpusOf("ce2"), 8);

  Instance joined = *live.Find("i-1");
  joined.state = InstanceState::kRunning;
  live.Put(joined);
  Instance noticed = *live.Find("i-3");
  noticed.state = InstanceState::kDraining;
  noticed.reclaim_at = At(1000);
  live.Put(noticed);
  Instance gone = *live.Find("i-2");
  gone.state = InstanceState::kTerminated;
  live.Put(gone);

  EXPECT_EQ(live.launching(), std::set<std::string>{});
  EXPECT_EQ(live.VcpusOf("ce1"), 2);
  EXPECT_EQ(live.Find("i-2"), nullptr);
  EXPECT_EQ(live.ReclaimDue(At(999)), std::vector<std::string>{});
  EXPECT_EQ(live.ReclaimDue(At(1000)), std::vector<std::string>{"i-3"});

  Instance reclaimed = *live.Find("i-3");
  reclaimed.state = InstanceState::kTerminated;
  live.Put(reclaimed);
  EXPECT_EQ(live.ReclaimDue(At(2000)), std::vector<std::string>{});
  ASSERT_EQ(live.by_environment().size(), 1u);
  EXPECT_EQ(live.by_environment().begin()->first, "ce1");
  EXPECT_EQ(live.VcpusOf("ce1"), 2);
  EXPECT_EQ(live.all().size(), 1u);
}

}  // namespace
}  // namespace barge::control
