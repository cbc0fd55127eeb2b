#pragma once
// StringHash: hashes std::string and std::string_view alike (transparent),
// so a table keyed by std::string is searched with a view and no copy, and
// a table keyed by views is searched with a std::string. Use it with
// std::equal_to<> for heterogeneous lookup.
#include <cstddef>
#include <functional>
#include <string_view>

namespace barge {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

}  // namespace barge
