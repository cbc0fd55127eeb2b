#pragma once
// Agent: the logic of `barge agent`, one worker host. It registers with the
// server, keeps its lease with heartbeats, always keeps one long poll
// outstanding (so an idle agent starts a new job within milliseconds of the
// server having it), starts assignments on the Executor, obeys kill orders,
// and reports back: a started and an exited event per attempt, and its output
// lines in batches with sequence numbers.
//
// Delivery. Events and log lines are sent until the server acknowledges them;
// what is acknowledged is kept in the AttemptLedger, so after a restart the
// agent sends exactly what was not acknowledged. An attempt is forgotten
// (its files removed) once its exited event and all its output are
// acknowledged. The exited event waits for the attempt's output to be shipped
// (so a client following the log sees all of it when the job ends), but never
// while log shipping is failing and never longer than exit_waits_for_logs.
//
// Failures. When the server is unreachable, jobs keep running and each
// request kind retries with its own Backoff. A 410 Gone (kNotFound) means the
// server has forgotten this agent: it registers again, listing the attempts it
// still runs or has not finished reporting, and re-sends what is pending.
//
// Restart. Start() recovers from the work dir: the executor adopts attempts
// still running and reports those that ended while the agent was down; the
// ledger says what was already acknowledged.
//
// Spot interruption notice. An instance action in a heartbeat or poll reply
// that the agent has not seen is written to <state dir>/spot/instance-action
// and signalled (SIGWINCH) to every running attempt's job; every attempt's
// environment names the file (agent/spot_notice.h).
//
// Time. Event-driven work (a poll answered, an attempt ended) is handled at
// once; everything time-driven (heartbeats, retries, log shipping) happens in
// Tick(), which the composition root calls every ~100 ms and tests call after
// advancing a FakeClock.
//
// Owned by the composition root; one thread (the io_context's that runs the
// channel's and executor's callbacks). Not owned: channel, executor, clock.
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agent/agent_channel.h"
#include "agent/agent_identity.h"
#include "agent/attempt_ledger.h"
#include "agent/backoff.h"
#include "agent/spot_notice.h"
#include "core/clock.h"
#include "executor/executor.h"

namespace barge::agent {

struct AgentOptions {
  std::filesystem::path state_dir{};  // agent.json (identity), ledger.jsonl, spot/.
  std::string compute_environment = "default";
  std::string instance_id{};  // Required.
  std::string instance_type{};
  std::string hostname{};
  std::string private_ipv4{};
  protocol::Capacity capacity{};
  std::map<std::string, std::string> labels{};

  Duration poll_wait = std::chrono::seconds(20);
  Duration retry_initial = std::chrono::milliseconds(200);
  Duration retry_max = std::chrono::seconds(10);
  // Used until the server says otherwise in its RegisterReply.
  Duration heartbeat_interval = std::chrono::seconds(5);
  // Grace for kill_attempts lists, which carry none.
  Duration kill_grace = std::chrono::seconds(30);
  size_t max_log_lines_per_request = 1000;
  // Keeps a logs request under the server's 1 MiB body limit even when JSON
  // escaping inflates the text (at most 6x).
  size_t max_log_bytes_per_request = 128 * 1024;
  size_t max_events_per_request = 100;
  Duration exit_waits_for_logs = std::chrono::seconds(2);
  size_t remembered_finished_attempts = 10000;  // Repeated assignments of these are ignored.
};

struct ShutdownOptions {
  bool kill_jobs = true;  // False: leave them running for the next agent to adopt.
  Duration grace = std::chrono::seconds(10);  // SIGTERM, then SIGKILL after this.
  // How long to keep trying to report the killed jobs' exits before giving up.
  Duration report_timeout = std::chrono::seconds(10);
};

class Agent {
 public:
  Agent(AgentChannel& channel, executor::Executor& executor, const Clock& clock,
        AgentOptions options);
  ~Agent();  // Cancels requests in flight; leaves jobs running.
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  // Loads the identity and the ledger, recovers the executor's attempts and
  // sends the first registration. kInternal when the state dir is unusable.
  Status Start();

  // Heartbeats, retries, log shipping, shutdown progress.
  void Tick();

  // Stops polling; kills the running jobs (unless !kill_jobs) and reports
  // their exits; then calls `done` once (from Tick or a callback). An
  // assignment that still arrives is not started (the server re-sends it when
  // the host registers again, or fails it as host loss).
  void Shutdown(ShutdownOptions options, std::function<void()> done);

  bool registered() const { return registered_; }
  const std::string& agent_id() const { return identity_.agent_id; }
  // Attempts not yet fully reported (running, or ended with something unacknowledged).
  std::vector<std::string> TrackedAttempts() const;

 private:
  struct Tracked {
    AttemptProgress progress{};
    bool log_drained = false;   // Output read to the end after the attempt ended.
    Timestamp ended_seen_at{};  // When this agent learned of the end.
    // The executor reports when the job really runs (a container): the
    // started event waits for that, or for the end.
    bool awaiting_run = false;
  };

  void Register();
  void OnRegistered(uint64_t generation, Result<protocol::RegisterReply> reply);
  void Reregister(uint64_t generation, const Error& error);
  void Heartbeat();
  void Poll();
  void OnPolled(uint64_t generation, Result<protocol::PollReply> reply);
  void StartAssignment(const protocol::Assignment& assignment);
  void OnRunning(const std::string& attempt_id, int64_t at_ms);
  void KillAttempt(const std::string& attempt_id, Duration grace);
  void OnInstanceAction(const std::optional<protocol::InstanceAction>& action);
  void OnExit(const executor::AttemptResult& result);
  void SendEvents();
  void ShipLogs();
  bool ExitEventReady(const Tracked& tracked) const;
  void Save(const Tracked& tracked);
  void ForgetIfDone(const std::string& attempt_id);
  void CheckShutdown();

  AgentChannel& channel_;
  executor::Executor& executor_;
  const Clock& clock_;
  AgentOptions options_;
  AgentIdentity identity_{};
  std::optional<AttemptLedger> ledger_{};
  std::optional<SpotNotice> spot_{};

  std::map<std::string, Tracked> attempts_{};
  std::set<std::string> finished_{};          // Recently forgotten attempts...
  std::deque<std::string> finished_order_{};  // ...oldest first.

  // Bumped at each registration: a 410 for an older one is stale.
  uint64_t generation_ = 0;
  bool registered_ = false;
  bool register_in_flight_ = false;
  bool heartbeat_in_flight_ = false;
  bool poll_in_flight_ = false;
  bool events_in_flight_ = false;
  bool logs_in_flight_ = false;
  Duration heartbeat_interval_{};
  Timestamp next_heartbeat_at_{};
  Backoff register_backoff_;
  Backoff poll_backoff_;
  Backoff events_backoff_;
  Backoff logs_backoff_;
  std::string next_log_attempt_{};  // Round-robin position of log shipping.

  bool stopping_ = false;
  ShutdownOptions shutdown_{};
  Timestamp shutdown_deadline_{};
  std::function<void()> shutdown_done_{};
};

}  // namespace barge::agent
