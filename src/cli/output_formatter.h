#pragma once
// Renders a successful reply: JSON for programs (pretty, two spaces; nothing
// for `{}`, like the AWS CLI), or a table for people. Tables show one row per
// item of Operation::rows_key with Operation::columns, and any other reply as
// key/value rows with dotted member paths. Integers in members named *At are
// epoch milliseconds and print as ISO-8601 UTC.
//
// Pure functions; any thread.
#include <cstdint>
#include <string>
#include <vector>

#include "cli/operation.h"
#include "cli/shorthand.h"

namespace barge::cli {

enum class OutputFormat { kJson, kTable };

// The text to print on stdout, ending in a newline, or "" when there is
// nothing to show.
std::string FormatReply(const Operation& op, const Json& reply, OutputFormat format);

// 1764038412345 -> "2025-11-25T02:40:12Z" (seconds precision).
std::string FormatTimestamp(int64_t epoch_ms);

// Rows of cells in columns two spaces apart (the tables above), one line per
// row, each ending in a newline.
std::string RenderTable(const std::vector<std::vector<std::string>>& rows);

}  // namespace barge::cli
