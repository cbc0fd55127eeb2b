#pragma once
// FakeClock: a Clock that moves only when the test says so, so time-driven
// code is tested by advancing it and calling Tick(), never by sleeping.
//
// Not thread-safe: tests that use it drive the code under test from the test
// thread.
#include "core/clock.h"
#include "core/time.h"

namespace barge::testing {

class FakeClock final : public Clock {
 public:
  // Starts about thirty years after the epoch, so that "now minus a timeout"
  // never goes negative in tests.
  explicit FakeClock(Timestamp start = Timestamp{} + std::chrono::hours{24 * 365 * 30})
      : now_(start) {}

  Timestamp Now() const override { return now_; }
  void Advance(Duration by) { now_ += by; }
  void Set(Timestamp to) { now_ = to; }

 private:
  Timestamp now_;
};

}  // namespace barge::testing
