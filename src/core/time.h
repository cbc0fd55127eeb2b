#pragma once
// Time units used across barge: millisecond precision, like the AWS wire
// (every timestamp there is epoch milliseconds).
#include <chrono>
#include <cstdint>

namespace barge {

using Duration = std::chrono::milliseconds;
using Timestamp = std::chrono::sys_time<Duration>;

inline int64_t ToEpochMillis(Timestamp t) { return t.time_since_epoch().count(); }
inline Timestamp FromEpochMillis(int64_t ms) { return Timestamp{Duration{ms}}; }

}  // namespace barge
