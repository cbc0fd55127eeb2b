#pragma once
// Backoff: when to try a failed request again. The delay doubles from
// `initial` up to `max` with each failure in a row and resets on success.
// No jitter: one agent retries a handful of request kinds, and the server
// already spreads agents by their own start times.
//
// A plain value that reads no clock: callers pass `now`. One thread.
#include <algorithm>

#include "core/time.h"

namespace barge::agent {

class Backoff {
 public:
  Backoff(Duration initial, Duration max) : initial_(initial), max_(max), delay_(initial) {}

  bool Ready(Timestamp now) const { return now >= next_at_; }
  bool failing() const { return failures_ > 0; }
  int failures() const { return failures_; }

  void Failed(Timestamp now) {
    next_at_ = now + delay_;
    delay_ = std::min(delay_ * 2, max_);
    ++failures_;
  }
  void Succeeded() {
    next_at_ = Timestamp{};
    delay_ = initial_;
    failures_ = 0;
  }

 private:
  Duration initial_;
  Duration max_;
  Duration delay_;
  Timestamp next_at_{};
  int failures_ = 0;
};

}  // namespace barge::agent
