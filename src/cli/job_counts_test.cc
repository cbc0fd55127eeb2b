#include "cli/job_counts.h"

#include <gtest/gtest.h>

#include "cli/shorthand.h"

namespace barge::cli {
namespace {

constexpr int64_t kAt = 1764038412345;  // 2025-11-25T02:40:12Z

QueueJobCounts Queue(std::string name, std::array<int64_t, 7> counts) {
  return {.queue = std::move(name), .counts = counts};
}

TEST(JobCountsTest, TableHasATitleAndOneRightAlignedRowPerQueue) {
  JobCountsSnapshot snapshot{.taken_at_ms = kAt,
                             .queues = {Queue("default", {0, 1, 23, 4, 5, 678, 9})}};

  std::string table =
      RenderJobCountsTable(snapshot, {.endpoint = "http://h:1", .interval_seconds = 2});

  EXPECT_EQ(table,
            "Job counts at 2025-11-25T02:40:12Z, every 2s (http://h:1)\n"
            "\n"
            "QUEUE    SUBMITTED  PENDING  RUNNABLE  STARTING  RUNNING  SUCCEEDED  FAILED\n"
            "default          0        1        23         4        5        678       9\n");
}

TEST(JobCountsTest, CappedCountsShowAPlusAndSeveralQueuesGetATotalRow) {
  QueueJobCounts big = Queue("big", {0, 0, 2, 0, 1, 1000, 3});
  big.capped[5] = true;
  JobCountsSnapshot snapshot{.taken_at_ms = kAt,
                             .queues = {big, Queue("a-long-name", {1, 0, 0, 0, 0, 7, 0})}};

  std::string table = RenderJobCountsTable(snapshot, {.interval_seconds = 0.5});

  EXPECT_EQ(table,
            "Job counts at 2025-11-25T02:40:12Z, every 0.5s\n"
            "\n"
            "QUEUE        SUBMITTED  PENDING  RUNNABLE  STARTING  RUNNING  SUCCEEDED  FAILED\n"
            "big                  0        0         2         0        1      1000+       3\n"
            "a-long-name          1        0         0         0        0          7       0\n"
            "TOTAL                1        0         2         0        1      1007+       3\n");
}

TEST(JobCountsTest, OneOffTableWithoutQueuesSaysSo) {
  std::string table = RenderJobCountsTable({.taken_at_ms = kAt}, {});

  EXPECT_EQ(table, "Job counts at 2025-11-25T02:40:12Z\n\nNo job queues.\n");
}

TEST(JobCountsTest, JsonIsOneLinePerSnapshotWithEveryStateAndTheCappedOnes) {
  QueueJobCounts queue = Queue("q", {1, 2, 3, 4, 5, 6, 7});
  queue.capped[6] = true;

  std::string line = RenderJobCountsJson({.taken_at_ms = kAt, .queues = {queue}});

  ASSERT_EQ(line.find('\n'), line.size() - 1);
  Json json = Json::parse(line);
  EXPECT_EQ(json["timestamp"], kAt);
  ASSERT_EQ(json["queues"].size(), 1u);
  EXPECT_EQ(json["queues"][0]["jobQueueName"], "q");
  EXPECT_EQ(json["queues"][0]["counts"].dump(),
            R"({"SUBMITTED":1,"PENDING":2,"RUNNABLE":3,"STARTING":4,"RUNNING":5,)"
            R"("SUCCEEDED":6,"FAILED":7})");
  EXPECT_EQ(json["queues"][0]["capped"], Json::array({"FAILED"}));
}

}  // namespace
}  // namespace barge::cli
