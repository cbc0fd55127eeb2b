#pragma once
// What `barge cost` and `barge instances` print for people: the cost report
// (GetCostReport's reply) and the instance list (ListInstances') as text
// tables, and the times their flags take.
//
// Pure functions; any thread.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/result.h"

namespace barge::cli {

// A point in time as `--since` / `--until` take it, in epoch milliseconds:
//   1764038412345             epoch milliseconds (a plain integer)
//   2025-11-25T02:40:12Z      ISO-8601 UTC: a date, optionally "T" (or a
//   2025-11-25                space) and hh:mm[:ss[.fff]], optionally "Z";
//                             other UTC offsets are refused
//   24h, 30m, 7d, 90s         that long before `now_ms`
// kInvalidArgument naming `flag` otherwise.
Result<int64_t> ParseTimeArgument(std::string_view flag, std::string_view text, int64_t now_ms);

// The report as text: the period, a totals line (total, idle and its share,
// on-demand equivalent, savings and their share of it), then one table per
// compute environment, per job queue, and the `max_jobs` most expensive jobs
// (with "... and N more jobs" when there are more). Amounts are USD with four
// decimals, times in hours with two. Ends with a newline.
std::string RenderCostReport(const nlohmann::json& report, size_t max_jobs);

// ListInstances' reply as a table: INSTANCE ID, ENVIRONMENT, TYPE, CAPACITY,
// STATE, LAUNCHED, TERMINATED and $/H; "No instances." when there are none.
std::string RenderInstances(const nlohmann::json& reply);

// 0.00875 -> "$0.0088".
std::string FormatUsd(double amount);

}  // namespace barge::cli
