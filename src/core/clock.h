#pragma once
// Source of "now". Every component that reads time takes a `const Clock&`;
// nothing else calls std::chrono::system_clock::now(). Implementations are
// safe to call from any thread.
#include "core/time.h"

namespace barge {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Timestamp Now() const override {
    return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
  }
};

}  // namespace barge
