#pragma once
// Durations as people type them on a command line: "7d", "12h", "30m",
// "90s", or a plain number of seconds ("3600"). "off" reads as zero, for
// flags where zero turns a feature off (barge server --job-retention).
// Pure functions; any thread.
#include <chrono>
#include <optional>
#include <string_view>

namespace barge {

// The duration `text` names, or nullopt when it is not one: empty, negative,
// a fraction, a unit other than s/m/h/d, or beyond a century.
std::optional<std::chrono::seconds> ParseDurationText(std::string_view text);

}  // namespace barge
