#include "control/timeout_sweeper.h"

#include <chrono>
#include <string>
#include <vector>

#include "control/attempt_transitions.h"
#include "control/job_mutation.h"

namespace barge::control {

TimeoutSweeper::TimeoutSweeper(Store& store, const Clock& clock, AgentRegistry& registry,
                               int64_t kill_grace_ms)
    : store_(store), clock_(clock), registry_(registry), kill_grace_ms_(kill_grace_ms) {}

Result<int> TimeoutSweeper::Tick() {
  Timestamp now = clock_.Now();
  struct Due {
    std::string job_id{};
    std::string attempt_id{};
  };
  std::vector<Due> due;
  BARGE_RETURN_IF_ERROR(store_.Transact([&](StoreTransaction& txn) -> Status {
    due.clear();
    Result<std::vector<Job>> running = txn.ListJobs({.statuses = {JobStatus::kRunning}});
    if (!running) return running.error();
    for (const Job& job : *running) {
      const Attempt* attempt = job.current_attempt();
      if (!job.attempt_duration_seconds || attempt == nullptr || !attempt->started_at) continue;
      if (*attempt->started_at + std::chrono::seconds(*job.attempt_duration_seconds) > now) {
        continue;
      }
      due.push_back({.job_id = job.id, .attempt_id = attempt->id});
    }
    return Ok();
  }));

  int timed_out = 0;
  for (const Due& d : due) {
    auto failed = MutateJob(store_, d.job_id,
                            [&](Job& job) { return RecordTimedOut(job, d.attempt_id, now); });
    if (!failed) return failed.error();
    if (!*failed) continue;
    ++timed_out;
    registry_.QueueKill({.attempt_id = d.attempt_id,
                         .reason = std::string(kAttemptTimedOut),
                         .grace_ms = kill_grace_ms_});
  }
  return timed_out;
}

}  // namespace barge::control
