#include "util/duration_text.h"

#include <gtest/gtest.h>

namespace barge {
namespace {

using std::chrono::seconds;

TEST(DurationTextTest, ReadsEveryUnitAndPlainSeconds) {
  EXPECT_EQ(ParseDurationText("7d"), seconds(7 * 86400));
  EXPECT_EQ(ParseDurationText("12h"), seconds(12 * 3600));
  EXPECT_EQ(ParseDurationText("30m"), seconds(30 * 60));
  EXPECT_EQ(ParseDurationText("90s"), seconds(90));
  EXPECT_EQ(ParseDurationText("3600"), seconds(3600));
}

TEST(DurationTextTest, ZeroAndOffAreZero) {
  EXPECT_EQ(ParseDurationText("0"), seconds(0));
  EXPECT_EQ(ParseDurationText("0d"), seconds(0));
  EXPECT_EQ(ParseDurationText("off"), seconds(0));
}

TEST(DurationTextTest, RefusesWhatIsNotADuration) {
  for (const char* text :
       {"", "d", "-1", "-1d", "1.5h", "1w", "7 d", " 7d", "7dd", "1h30m", "Off", "0x10", "+5"}) {
    EXPECT_EQ(ParseDurationText(text), std::nullopt) << text;
  }
}

TEST(DurationTextTest, RefusesMoreThanACentury) {
  EXPECT_EQ(ParseDurationText("36500d"), seconds(int64_t{36500} * 86400));
  EXPECT_EQ(ParseDurationText("36501d"), std::nullopt);
  EXPECT_EQ(ParseDurationText("99999999999999999999999"), std::nullopt);
}

}  // namespace
}  // namespace barge
