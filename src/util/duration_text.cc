#include "util/duration_text.h"

#include <charconv>
#include <cstdint>

namespace barge {
namespace {

// Seconds per unit suffix; 0 when `suffix` is not one.
int64_t UnitSeconds(char suffix) {
  switch (suffix) {
    case 's': return 1;
    case 'm': return 60;
    case 'h': return 3600;
    case 'd': return 86400;
    default: return 0;
  }
}

}  // namespace

std::optional<std::chrono::seconds> ParseDurationText(std::string_view text) {
  if (text == "off") return std::chrono::seconds(0);
  int64_t unit = 1;  // No suffix: seconds.
  if (!text.empty() && UnitSeconds(text.back()) != 0) {
    unit = UnitSeconds(text.back());
    text.remove_suffix(1);
  }
  if (text.empty() || text.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  int64_t count = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), count);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  constexpr int64_t kCentury = int64_t{100} * 365 * 86400;
  if (count > kCentury / unit) return std::nullopt;
  return std::chrono::seconds(count * unit);
}

}  // namespace barge
