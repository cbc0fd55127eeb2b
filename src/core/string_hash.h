#pragma once
// StringHash: hashes std::string and std::string_view alike (transparent),
// so a table keyed by std::string is searched with a view and no copy, and
// a table keyed by views is searched with a std::string. Use it with
// std::equal_to<> for heterogeneous lookup. It hashes with Abseil's string
// hash, which takes a fraction of std::hash's time on the short ids barge
// looks up most (agent, attempt, job and instance ids).
#include <cstddef>
#include <string_view>

#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"

namespace barge {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const {
    return absl::Hash<absl::string_view>{}(absl::string_view(s.data(), s.size()));
  }
};

}  // namespace barge
