#pragma once
// Test-only: a JobEvents that records every call, for tests of the services
// that raise events. Not thread-safe, like the control thread it stands in for.
#include <string>
#include <utility>
#include <vector>

#include "control/job_events.h"

namespace barge::control {

class RecordingJobEvents final : public JobEvents {
 public:
  struct Stop {
    Job job{};
    std::string reason{};
  };

  void JobRunnable(const Job& job) override { runnable.push_back(job); }
  void StopAttempt(const Job& job, const std::string& reason) override {
    stops.push_back({.job = job, .reason = reason});
  }

  std::vector<Job> runnable{};
  std::vector<Stop> stops{};
};

}  // namespace barge::control
