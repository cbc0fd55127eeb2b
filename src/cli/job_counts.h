#pragma once
// What `barge watch` shows: how many jobs each job queue holds in each state,
// at one instant, and its two renderings (a table for people, one line of
// JSON per refresh for programs).
//
// A count is a lower bound when it reached the watch's cap (`capped`): the
// counts come from paging through ListJobs, which stops there so a queue
// with a million finished jobs costs no more than one with a thousand.
//
// Plain data and pure functions; any thread.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace barge::cli {

// The AWS Batch job states in lifecycle order: the table's columns.
inline constexpr std::array<std::string_view, 7> kJobStates = {
    "SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED", "FAILED"};

struct QueueJobCounts {
  std::string queue{};                          // jobQueueName.
  std::array<int64_t, kJobStates.size()> counts{};  // Indexed like kJobStates.
  std::array<bool, kJobStates.size()> capped{};     // True: "at least counts[i]".
};

struct JobCountsSnapshot {
  int64_t taken_at_ms = 0;  // Epoch milliseconds.
  std::vector<QueueJobCounts> queues{};
};

struct TableHeader {
  std::string endpoint{};  // Shown so people know which server they watch.
  double interval_seconds = 0;  // 0: a one-off (--once), no "every" shown.
};

// A title line, a blank line, then QUEUE and one right-aligned column per
// state; a TOTAL row when there is more than one queue. A capped count shows
// as "1000+". Ends with a newline.
std::string RenderJobCountsTable(const JobCountsSnapshot& snapshot, const TableHeader& header);

// One line (no newline inside, one at the end):
// {"timestamp":<ms>,"queues":[{"jobQueueName":"q","counts":{"SUBMITTED":0,...},
//  "capped":["SUCCEEDED"]}]}. `capped` lists the states whose count is a lower
// bound.
std::string RenderJobCountsJson(const JobCountsSnapshot& snapshot);

}  // namespace barge::cli
