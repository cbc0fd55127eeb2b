#pragma once
// FakeExecutor: an Executor that runs nothing. Tests see what was started,
// killed, signalled and removed, make attempts print lines and end, and set what
// Recover() finds. Tests only.
#include <map>
#include <set>
#include <utility>

#include "executor/executor.h"

namespace barge::agent {

class FakeExecutor final : public executor::Executor {
 public:
  void SetExitCallback(executor::ExitCallback on_exit) override { on_exit_ = std::move(on_exit); }
  bool ReportsRunning(const protocol::Assignment& a) const override {
    return a.executor == protocol::kExecutorContainer;
  }
  void SetRunningCallback(executor::RunningCallback on_running) override {
    on_running_ = std::move(on_running);
  }

  Status Start(const protocol::Assignment& assignment) override {
    const std::string& id = assignment.attempt_id;
    if (known.contains(id)) return AlreadyExists("attempt " + id + " is known");
    if (auto it = start_errors.find(id); it != start_errors.end()) return it->second;
    known.insert(id);
    running.emplace(id, assignment);
    started.push_back(id);
    return Ok();
  }

  Status Kill(std::string_view attempt_id, Duration grace) override {
    if (!running.contains(std::string(attempt_id))) return NotFound("not running");
    kills.emplace_back(std::string(attempt_id), grace);
    return Ok();
  }

  Status Signal(std::string_view attempt_id, int signal) override {
    if (!running.contains(std::string(attempt_id))) return NotFound("not running");
    signals.emplace_back(std::string(attempt_id), signal);
    return Ok();
  }

  std::vector<std::string> Running() const override {
    std::vector<std::string> ids;
    for (const auto& [id, assignment] : running) ids.push_back(id);
    return ids;
  }

  Result<std::vector<executor::RecoveredAttempt>> Recover() override {
    for (const executor::RecoveredAttempt& found : to_recover) {
      known.insert(found.attempt_id);
      if (!found.result) running.emplace(found.attempt_id, protocol::Assignment{});
    }
    return to_recover;
  }

  Result<executor::LogBatch> ReadLog(std::string_view attempt_id, executor::LogCursor from,
                                     executor::LogReadLimits limits) override {
    std::string id(attempt_id);
    if (!known.contains(id)) return NotFound("no attempt " + id);
    const std::vector<protocol::LogLine>& all = output[id];
    executor::LogBatch batch{.next = from};
    for (size_t i = static_cast<size_t>(from.sequence);
         i < all.size() && batch.lines.size() < limits.max_lines; ++i) {
      batch.lines.push_back(all[i]);
    }
    batch.next.sequence = from.sequence + static_cast<int64_t>(batch.lines.size());
    batch.next.offset = batch.next.sequence;
    return batch;
  }

  Status Remove(std::string_view attempt_id) override {
    std::string id(attempt_id);
    if (running.contains(id)) return FailedPrecondition("running");
    known.erase(id);
    removed.insert(id);
    return Ok();
  }

  // Test controls.
  void Print(const std::string& id, std::string message, int64_t at_ms = 1) {
    output[id].push_back(protocol::LogLine{.timestamp_ms = at_ms, .message = std::move(message)});
  }
  // A container attempt (ReportsRunning) now runs.
  void Run(const std::string& id, int64_t at_ms) { on_running_(id, at_ms); }
  void End(const std::string& id, int32_t exit_code,
           std::string reason = std::string(executor::kReasonExited)) {
    running.erase(id);
    on_exit_(executor::AttemptResult{.attempt_id = id,
                                     .exit_code = exit_code,
                                     .reason = std::move(reason),
                                     .started_at_ms = 1,
                                     .stopped_at_ms = 2});
  }

  std::set<std::string> known{};
  std::map<std::string, protocol::Assignment> running{};
  std::vector<std::string> started{};
  std::vector<std::pair<std::string, Duration>> kills{};
  std::vector<std::pair<std::string, int>> signals{};  // Signal() calls, in order.
  std::set<std::string> removed{};
  std::map<std::string, std::vector<protocol::LogLine>> output{};
  std::map<std::string, Status> start_errors{};
  std::vector<executor::RecoveredAttempt> to_recover{};

 private:
  executor::ExitCallback on_exit_{};
  executor::RunningCallback on_running_{};
};

}  // namespace barge::agent
