#pragma once
// The agent protocol: HTTP/JSON under /agent/v1/, between `barge agent` and
// the server. Not part of the AWS API. Every request carries
// `Authorization: Bearer <join token>`; every message that is about an
// attempt names it by attempt id, so a repeated message is harmless.
//
//   POST /agent/v1/register   RegisterRequest   -> RegisterReply
//   POST /agent/v1/heartbeat  HeartbeatRequest  -> HeartbeatReply
//   POST /agent/v1/poll       PollRequest       -> PollReply   (long-poll: answers at once
//                                                               when work is waiting, else
//                                                               after wait_ms with nothing)
//   POST /agent/v1/events     EventsRequest     -> {}
//   POST /agent/v1/logs       LogsRequest       -> {}
//
// A server that does not know the agent (it restarted and lost its registry,
// or the lease expired) answers heartbeat/poll/events with 410 Gone; the
// agent then registers again, listing the attempts it still runs or has
// finished but not reported, and re-sends their events.
// Plain structs; codecs in protocol/codec.h. kProtocolVersion changes when a
// message changes incompatibly.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/copy_on_write.h"
#include "core/job_definition.h"

namespace barge::protocol {

inline constexpr int kProtocolVersion = 1;

// How an attempt runs on its agent: the command directly on the host, or in
// a runc container from the job's image. An agent lists the ones it can run
// in RegisterRequest::executors; the compute environment's `barge:executor`
// tag decides which one its jobs need.
inline constexpr std::string_view kExecutorProcess = "process";
inline constexpr std::string_view kExecutorContainer = "container";

struct Capacity {
  int64_t millicpus = 0;  // 1000 per vCPU
  int64_t memory_mib = 0;
  int64_t gpus = 0;
};

struct RegisterRequest {
  int protocol_version = kProtocolVersion;
  std::string agent_id{};  // Empty on first start; the id the server gave before, after a restart.
  std::string compute_environment{};  // Name of the environment the agent joins.
  std::string instance_id{};  // "i-..."; the agent makes one up when not launched by a provider.
  std::string instance_type{};
  std::string hostname{};
  std::string private_ipv4{};
  Capacity capacity{};
  std::map<std::string, std::string> labels{};
  std::vector<std::string> executors{};         // kExecutorProcess, kExecutorContainer
  std::vector<std::string> running_attempts{};  // Attempt ids still running on this host.
};

struct RegisterReply {
  std::string agent_id{};
  int64_t lease_ms = 0;      // The lease expires this long after the last heartbeat/poll/event.
  int64_t heartbeat_ms = 0;  // How often to heartbeat.
  std::vector<std::string> kill_attempts{};  // Running attempts the server no longer wants.
};

struct HeartbeatRequest {
  std::string agent_id{};
  std::vector<std::string> running_attempts{};
};

// The interruption notice of the agent's instance, as EC2's instance
// metadata gives a spot instance's (spot/instance-action): the instance is to
// be `action`ed at `time_ms`. JSON: "instanceAction": {"action": "terminate",
// "time": <epoch ms>}, a member older peers ignore.
struct InstanceAction {
  std::string action = "terminate";  // EC2 also knows "stop" and "hibernate".
  int64_t time_ms = 0;               // Epoch milliseconds of the reclaim.

  bool operator==(const InstanceAction&) const = default;
};

struct HeartbeatReply {
  int64_t lease_ms = 0;
  std::vector<std::string> kill_attempts{};
  // In every reply while the agent's instance has a notice.
  std::optional<InstanceAction> instance_action{};
};

// One attempt to run. The command is final (Ref:: parameters substituted);
// environment already holds the job's variables and AWS_BATCH_*.
struct Assignment {
  std::string attempt_id{};
  std::string job_id{};
  std::string job_name{};
  int32_t attempt_number = 1;
  std::vector<std::string> command{};
  std::map<std::string, std::string> environment{};
  std::string image{};
  std::optional<std::string> user{};
  Capacity resources{};
  std::optional<int32_t> timeout_seconds{};
  std::string log_stream_name{};
  std::string executor = std::string(kExecutorProcess);
  // The container as the job runs it (the definition's, with the submit
  // overrides): volumes, mount points, ulimits, readonlyRootFilesystem,
  // privileged, linuxParameters are what the container executor reads from
  // it; command, image, user and environment above are authoritative.
  // Shared with the job it was built from (core/copy_on_write.h).
  CopyOnWrite<ContainerProperties> container{};
};

struct PollRequest {
  std::string agent_id{};
  int64_t wait_ms = 25000;
};

struct KillOrder {
  std::string attempt_id{};
  std::string reason{};
  int64_t grace_ms = 30000;  // SIGTERM, then SIGKILL after this long.
};

// An assignment is built once and shared, unchanged, by the server's mailbox
// (which keeps it for redelivery until acknowledged) and the poll replies
// that carry it.
using SharedAssignment = std::shared_ptr<const Assignment>;
inline SharedAssignment Share(Assignment assignment) {
  return std::make_shared<const Assignment>(std::move(assignment));
}

struct PollReply {
  std::vector<SharedAssignment> assignments{};
  std::vector<KillOrder> kills{};
  // Sent once (a new notice answers a parked poll at once); heartbeat
  // replies repeat it.
  std::optional<InstanceAction> instance_action{};
};

enum class EventKind { kStarted, kExited };

struct AttemptEvent {
  std::string attempt_id{};
  EventKind kind = EventKind::kStarted;
  int64_t at_ms = 0;                   // Epoch milliseconds, agent clock.
  std::optional<int32_t> exit_code{};  // kExited: 0..255, or 128+signal for a signal death.
  std::string reason{};  // kExited: container reason ("OutOfMemoryError: Container killed due to
                         // memory usage", "Essential container in task exited", ...).
};

struct EventsRequest {
  std::string agent_id{};
  std::vector<AttemptEvent> events{};
};

struct LogLine {
  int64_t timestamp_ms = 0;
  std::string message{};  // One line, without its newline.
};

struct LogsRequest {
  std::string agent_id{};
  std::string attempt_id{};
  // Sequence number of lines[0] within the attempt: repeats are dropped.
  int64_t first_sequence = 0;
  std::vector<LogLine> lines{};
};

}  // namespace barge::protocol
