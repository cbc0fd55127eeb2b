#include "util/uuid.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace barge {
namespace {

TEST(UuidTest, IsAVersionFourUuidInLowercaseHex) {
  for (int i = 0; i < 100; ++i) {
    std::string id = NewUuid();
    ASSERT_EQ(id.size(), 36u) << id;
    for (size_t at = 0; at < id.size(); ++at) {
      if (at == 8 || at == 13 || at == 18 || at == 23) {
        EXPECT_EQ(id[at], '-') << id;
      } else {
        EXPECT_NE(std::string("0123456789abcdef").find(id[at]), std::string::npos) << id;
      }
    }
    EXPECT_EQ(id[14], '4') << id;
    EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;
  }
}

TEST(UuidTest, EveryCallGivesANewOne) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(NewUuid());
  EXPECT_EQ(seen.size(), 1000u);
}

}  // namespace
}  // namespace barge
