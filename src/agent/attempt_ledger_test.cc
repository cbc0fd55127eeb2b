#include "agent/attempt_ledger.h"

#include <gtest/gtest.h>

#include <fstream>

#include "testing/temp_dir.h"

namespace barge::agent {
namespace {

class AttemptLedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = barge::testing::TempDir::Create();
    ASSERT_TRUE(dir);
    dir_.emplace(std::move(*dir));
  }
  AttemptLedger Open() {
    auto ledger = AttemptLedger::Open(dir_->path());
    EXPECT_TRUE(ledger) << ledger.error().message;
    return std::move(*ledger);
  }
  std::optional<barge::testing::TempDir> dir_;
};

TEST_F(AttemptLedgerTest, LastSaveOfEachAttemptSurvivesAReopen) {
  {
    AttemptLedger ledger = Open();
    ASSERT_TRUE(ledger.Save({.attempt_id = "a", .started_at_ms = 5}));
    ASSERT_TRUE(ledger.Save({.attempt_id = "b"}));
    ASSERT_TRUE(ledger.Save({.attempt_id = "a",
                             .started_at_ms = 5,
                             .started_acked = true,
                             .result = executor::AttemptResult{.attempt_id = "a", .exit_code = 3},
                             .shipped = {.sequence = 7, .offset = 70}}));
    ledger.Remove("b");
  }

  AttemptLedger reopened = Open();

  ASSERT_EQ(reopened.entries().size(), 1u);
  const AttemptProgress& a = reopened.entries().at("a");
  EXPECT_TRUE(a.started_acked);
  EXPECT_FALSE(a.exited_acked);
  ASSERT_TRUE(a.result.has_value());
  EXPECT_EQ(a.result->exit_code, std::optional<int32_t>(3));
  EXPECT_EQ(a.shipped.sequence, 7);
  EXPECT_EQ(a.shipped.offset, 70);
}

TEST_F(AttemptLedgerTest, TornLastLineIsIgnored) {
  {
    AttemptLedger ledger = Open();
    ASSERT_TRUE(ledger.Save({.attempt_id = "a"}));
  }
  std::ofstream(dir_->File("ledger.jsonl"), std::ios::app) << R"({"attempt_id":"b","star)";

  AttemptLedger reopened = Open();

  EXPECT_EQ(reopened.entries().size(), 1u);
  EXPECT_TRUE(reopened.entries().contains("a"));
}

TEST_F(AttemptLedgerTest, JournalIsCompactedAsItGrows) {
  AttemptLedger ledger = Open();

  for (int i = 0; i < 10000; ++i) ASSERT_TRUE(ledger.Save({.attempt_id = "a", .started_at_ms = i}));

  std::ifstream journal(dir_->File("ledger.jsonl"));
  size_t lines = 0;
  for (std::string line; std::getline(journal, line);) ++lines;
  EXPECT_LT(lines, 5000u);
  EXPECT_EQ(Open().entries().at("a").started_at_ms, 9999);
}

}  // namespace
}  // namespace barge::agent
