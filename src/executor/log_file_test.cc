#include "executor/log_file.h"

#include <gtest/gtest.h>

#include <fstream>

#include "executor/attempt_files.h"
#include "testing/temp_dir.h"

namespace barge::executor {
namespace {

TEST(LineSplitterTest, SplitsOnNewlinesAndKeepsThePartialLine) {
  LineSplitter splitter('o');
  std::string out;

  splitter.Add("one\ntw", 5, out);
  splitter.Add("o\n\nthree", 6, out);
  std::string before_flush = out;
  splitter.Flush(7, out);

  EXPECT_EQ(before_flush, "5 o one\n6 o two\n6 o \n");
  EXPECT_EQ(out, "5 o one\n6 o two\n6 o \n7 o three\n");
}

TEST(LineSplitterTest, CutsOverlongLines) {
  LineSplitter splitter('e');
  std::string out;

  splitter.Add(std::string(kMaxLineBytes + 10, 'x'), 1, out);
  splitter.Flush(2, out);

  EXPECT_EQ(out, "1 e " + std::string(kMaxLineBytes, 'x') + "\n2 e " + std::string(10, 'x') + "\n");
}

TEST(ReadLogFileTest, ReadsCompleteRecordsAndAdvancesTheCursor) {
  auto dir = testing::TempDir::Create();
  ASSERT_TRUE(dir);
  std::string path = dir->File("output.log");
  std::ofstream(path) << "10 o first\n11 e second line\n12 o thi";

  auto first = ReadLogFile(path, LogCursor{}, 1);
  ASSERT_TRUE(first);
  auto rest = ReadLogFile(path, first->next, 10);
  ASSERT_TRUE(rest);
  auto nothing = ReadLogFile(path, rest->next, 10);
  ASSERT_TRUE(nothing);

  ASSERT_EQ(first->lines.size(), 1u);
  EXPECT_EQ(first->lines[0].timestamp_ms, 10);
  EXPECT_EQ(first->lines[0].message, "first");
  EXPECT_EQ(first->next.sequence, 1);
  ASSERT_EQ(rest->lines.size(), 1u);  // The third record is not complete yet.
  EXPECT_EQ(rest->lines[0].message, "second line");
  EXPECT_EQ(rest->next.sequence, 2);
  EXPECT_TRUE(nothing->lines.empty());
  EXPECT_EQ(nothing->next.offset, rest->next.offset);
}

TEST(ReadLogFileTest, ByteLimitCutsTheBatchButNeverBelowOneLongestLine) {
  auto dir = testing::TempDir::Create();
  ASSERT_TRUE(dir);
  std::string path = dir->File("output.log");
  std::string content;
  for (int i = 0; i < 2000; ++i) AppendLogRecord(content, 1, 'o', std::string(94, 'x'));
  std::ofstream(path) << content;

  auto batch = ReadLogFile(path, LogCursor{}, 10000, /*max_bytes=*/1);

  ASSERT_TRUE(batch);
  EXPECT_GT(batch->lines.size(), 0u);
  EXPECT_LT(batch->lines.size(), 2000u);
  EXPECT_LE(static_cast<size_t>(batch->next.offset), kMaxLineBytes + 64);
}

TEST(ReadLogFileTest, MissingFileReadsAsEmpty) {
  auto batch = ReadLogFile("/nonexistent/barge/output.log", LogCursor{.sequence = 3}, 10);

  ASSERT_TRUE(batch);
  EXPECT_TRUE(batch->lines.empty());
  EXPECT_EQ(batch->next.sequence, 3);
}

TEST(AttemptFilesTest, ResultRoundTripsThroughAnAtomicWrite) {
  auto dir = testing::TempDir::Create();
  ASSERT_TRUE(dir);
  AttemptResult result{.attempt_id = "a1",
                       .exit_code = 137,
                       .reason = std::string(kReasonOutOfMemory),
                       .oom_killed = true,
                       .started_at_ms = 5,
                       .stopped_at_ms = 9};

  ASSERT_TRUE(WriteFileAtomically(dir->File("exit.json"), EncodeResult(result)));
  auto text = ReadWholeFile(dir->File("exit.json"));
  ASSERT_TRUE(text);
  auto decoded = DecodeResult(*text);

  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(decoded->attempt_id, "a1");
  EXPECT_EQ(decoded->exit_code, std::optional<int32_t>(137));
  EXPECT_EQ(decoded->reason, kReasonOutOfMemory);
  EXPECT_TRUE(decoded->oom_killed);
  EXPECT_EQ(decoded->stopped_at_ms, 9);
  EXPECT_FALSE(std::filesystem::exists(dir->File("exit.json.tmp")));
}

TEST(AttemptFilesTest, AttemptIdsMustBeSafeFileNames) {
  EXPECT_TRUE(IsSafeAttemptId("7f3a-12:3.b_c"));
  EXPECT_FALSE(IsSafeAttemptId(""));
  EXPECT_FALSE(IsSafeAttemptId(".."));
  EXPECT_FALSE(IsSafeAttemptId("a/b"));
  EXPECT_FALSE(IsSafeAttemptId("a b"));
}

}  // namespace
}  // namespace barge::executor
