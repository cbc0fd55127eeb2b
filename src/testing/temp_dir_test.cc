#include "testing/temp_dir.h"

#include <gtest/gtest.h>

#include <fstream>

#include "testing/fake_clock.h"

namespace barge::testing {
namespace {

TEST(TempDirTest, IsFreshAndRemovedWithItsContents) {
  std::filesystem::path path;
  {
    auto dir = TempDir::Create();
    ASSERT_TRUE(dir) << dir.error().message;
    path = dir->path();
    EXPECT_TRUE(std::filesystem::is_empty(path));
    std::ofstream(dir->File("a.txt")) << "x";
  }

  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(TempDirTest, TwoDirectoriesAreDistinct) {
  auto a = TempDir::Create();
  auto b = TempDir::Create();

  ASSERT_TRUE(a);
  ASSERT_TRUE(b);
  EXPECT_NE(a->path(), b->path());
}

TEST(FakeClockTest, MovesOnlyWhenAdvanced) {
  FakeClock clock;
  Timestamp start = clock.Now();

  clock.Advance(std::chrono::seconds(61));

  EXPECT_EQ(clock.Now() - start, std::chrono::seconds(61));
  EXPECT_EQ(clock.Now(), clock.Now());
}

}  // namespace
}  // namespace barge::testing
