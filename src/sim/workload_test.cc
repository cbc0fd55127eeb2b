#include "sim/workload.h"

#include <gtest/gtest.h>

namespace barge::sim {
namespace {

using std::chrono::seconds;

TEST(WorkloadTest, ParsesEveryFieldAndAppliesDefaults) {
  Result<Workload> parsed = ParseWorkload(
      "{\"submitAt\": 1.5, \"queue\": \"q\", \"vcpus\": 0.25, \"memory\": 512, "
      "\"duration\": 60, \"exitCode\": 3}\n"
      "\n"
      "{\"submitAt\": 0, \"duration\": 10}\n");

  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->jobs.size(), 2u);
  const WorkloadJob& first = parsed->jobs[0];
  EXPECT_EQ(first.line, 1);
  EXPECT_EQ(first.submit_at, std::chrono::milliseconds(1500));
  EXPECT_EQ(first.queue, "q");
  EXPECT_EQ(first.request.millicpus, 250);
  EXPECT_EQ(first.request.memory_mib, 512);
  EXPECT_EQ(first.duration, seconds(60));
  EXPECT_EQ(first.exit_code, 3);
  const WorkloadJob& second = parsed->jobs[1];
  EXPECT_EQ(second.line, 3);
  EXPECT_EQ(second.queue, "default");
  EXPECT_EQ(second.request.millicpus, 1000);
  EXPECT_EQ(second.request.memory_mib, 2048);
  EXPECT_EQ(second.exit_code, 0);
}

TEST(WorkloadTest, ErrorsNameTheLineAndTheField) {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"{\"submitAt\": 0, \"duration\": 1}\nnot json\n", "workload line 2: not valid JSON"},
      {"[1, 2]", "workload line 1: expected a JSON object"},
      {"{\"duration\": 1}", "workload line 1: submitAt is required"},
      {"{\"submitAt\": 0}", "workload line 1: duration is required"},
      {"{\"submitAt\": \"soon\", \"duration\": 1}",
       "workload line 1: submitAt must be a number of seconds"},
      {"{\"submitAt\": -1, \"duration\": 1}",
       "workload line 1: submitAt must be between 0 and 315360000 seconds"},
      {"{\"submitAt\": 0, \"duration\": 1, \"vcpus\": 0}",
       "workload line 1: vcpus must be a positive number"},
      {"{\"submitAt\": 0, \"duration\": 1, \"memory\": 1.5}",
       "workload line 1: memory must be a positive whole number of MiB"},
      {"{\"submitAt\": 0, \"duration\": 1, \"exitCode\": 256}",
       "workload line 1: exitCode must be a whole number from 0 to 255"},
      {"{\"submitAt\": 0, \"duration\": 1, \"queue\": \"\"}",
       "workload line 1: queue must be a non-empty string"},
      {"{\"submitAt\": 0, \"duration\": 1, \"vcpu\": 2}",
       "workload line 1: unknown field 'vcpu' (expected submitAt, queue, vcpus, memory, "
       "duration, exitCode)"},
      {"\n\n", "workload has no jobs"},
  };
  for (const Case& c : cases) {
    Result<Workload> parsed = ParseWorkload(c.text);

    ASSERT_FALSE(parsed) << c.text;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(parsed.error().message, c.message);
  }
}

TEST(WorkloadTest, AMissingFileIsNotFound) {
  Result<Workload> loaded = LoadWorkload("/nonexistent/workload.jsonl");

  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code, ErrorCode::kNotFound);
}

TEST(WorkloadTest, GeneratedWorkloadsRepeatForASeedAndRoundTripThroughJsonLines) {
  Workload a = GenerateWorkload({.jobs = 200, .seed = 7});
  Workload b = GenerateWorkload({.jobs = 200, .seed = 7});
  Workload other = GenerateWorkload({.jobs = 200, .seed = 8});

  std::string text = ToJsonLines(a);
  Result<Workload> parsed = ParseWorkload(text);

  EXPECT_EQ(text, ToJsonLines(b));
  EXPECT_NE(text, ToJsonLines(other));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(ToJsonLines(*parsed), text);
  ASSERT_EQ(a.jobs.size(), 200u);
  for (const WorkloadJob& job : a.jobs) {
    EXPECT_GE(job.duration, seconds(60));
    EXPECT_LE(job.duration, seconds(1800));
    EXPECT_TRUE(job.request.millicpus == 1000 || job.request.millicpus == 2000);
    EXPECT_LE(job.request.memory_mib, 2048);
  }
  EXPECT_LE(a.jobs.front().submit_at, a.jobs.back().submit_at);
}

TEST(WorkloadTest, FractionsAreWrittenWithTheirDecimals) {
  Workload workload{.jobs = {{.submit_at = std::chrono::milliseconds(1500),
                              .queue = "q",
                              .request = {.millicpus = 250, .memory_mib = 512},
                              .duration = seconds(2),
                              .exit_code = 1}}};

  EXPECT_EQ(ToJsonLines(workload),
            "{\"submitAt\":1.5,\"queue\":\"q\",\"vcpus\":0.25,\"memory\":512,\"duration\":2,"
            "\"exitCode\":1}\n");
}

}  // namespace
}  // namespace barge::sim
