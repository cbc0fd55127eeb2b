#pragma once
// A job as the control plane stores it, its attempts, and the AWS Batch job
// state machine. Plain data, no I/O; `version` belongs to the Store, which
// bumps it on every successful write. The only way code changes Job::status
// is Transition(), which refuses edges AWS Batch does not have.
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common_types.h"
#include "core/copy_on_write.h"
#include "core/job_definition.h"
#include "core/result.h"
#include "core/time.h"

namespace barge {

// AWS Batch lifecycle, enumerators in happy-path order.
enum class JobStatus { kSubmitted, kPending, kRunnable, kStarting, kRunning, kSucceeded, kFailed };

std::string_view ToString(JobStatus status);
std::optional<JobStatus> ParseJobStatus(std::string_view text);
bool IsTerminal(JobStatus status);

// What a job asks of a host. vCPUs are in thousandths so that Fargate-style
// fractions (0.25) and whole EC2 vCPUs share one integer type.
struct Resources {
  int64_t millicpus = 0;
  int64_t memory_mib = 0;
  int64_t gpus = 0;
  friend bool operator==(const Resources&, const Resources&) = default;
};

// One trip RUNNABLE -> ... -> terminal (AWS AttemptDetail plus barge's ids).
struct Attempt {
  std::string id{};    // UUID; its log stream is LogStreamName(job, id).
  int32_t number = 0;  // 1-based; AWS_BATCH_JOB_ATTEMPT.
  std::string agent_id{};
  std::string instance_id{};
  std::string compute_environment{};  // Name.
  std::optional<Timestamp> started_at{};
  std::optional<Timestamp> stopped_at{};
  std::optional<int32_t> exit_code{};
  std::string reason{};         // container.reason ("OutOfMemoryError: ...").
  std::string status_reason{};  // Attempt-level reason ("Host EC2 (instance i-1) terminated.").
};

// One entry of a job's dependsOn, as SubmitJob gave it and DescribeJobs
// shows it. `type` is the wire text: absent for AWS's plain (afterok)
// dependency; N_TO_N | SEQUENTIAL for array jobs (AWS); AFTER_OK, AFTER_ANY,
// AFTER_NOT_OK are barge's opt-in types (core/dependency_graph.h).
struct JobDependency {
  std::string job_id{};
  std::optional<std::string> type{};
  friend bool operator==(const JobDependency&, const JobDependency&) = default;
};

// Children per status, indexed by static_cast<size_t>(JobStatus): AWS's
// arrayProperties.statusSummary.
using StatusSummary = std::array<int32_t, 7>;

// Array job membership (core/array_job.h). A parent has `size` children
// "<parent id>:<index>"; each child carries its index and the array's size.
struct ArrayJob {
  int32_t size = 0;
  std::optional<int32_t> index{};  // Set on a child.
  // Parent only, barge's extension: at most this many children STARTING or
  // RUNNING at once.
  std::optional<int32_t> max_concurrency{};
  // Parent only: the children's statuses when last counted (the control
  // plane fills it in when the parent is described, and stores it when the
  // array ends), and when they last changed.
  StatusSummary status_summary{};
  std::optional<Timestamp> status_summary_updated_at{};
  friend bool operator==(const ArrayJob&, const ArrayJob&) = default;
};

struct Job {
  std::string id{};  // UUIDv4; an array child's is "<parent id>:<index>".
  std::string name{};
  std::string queue{};  // Job queue name.
  // The definition's ARN, shared by the copies of a job (a heap string
  // otherwise copied with every copy: see `container` below).
  CopyOnWrite<std::string> job_definition_arn{};
  std::string job_definition_name{};
  JobStatus status = JobStatus::kSubmitted;
  // Set by CancelJob (and by TerminateJob, which cancels a job that never
  // started). On a PENDING job that still waits for dependencies it means
  // "cancel requested": AWS cancels such a job only once its dependencies
  // finish, so it stays PENDING until then and fails with `stop_reason`.
  bool is_cancelled = false;
  // Set by TerminateJob. On a STARTING or RUNNING job it means "stop
  // requested": the job keeps its status until the agent reports the exit
  // (or its lease expires), and then fails with `stop_reason`.
  bool is_terminated = false;
  // The reason of a pending stop: TerminateJob's on a STARTING or RUNNING
  // job, CancelJob's on a PENDING one. Mostly absent: shared when set.
  CopyOnWriteOptional<std::string> stop_reason{};
  std::string status_reason{};
  Timestamp created_at{};
  std::optional<Timestamp> started_at{};
  std::optional<Timestamp> stopped_at{};
  // The container as it runs: the definition's with SubmitJob's overrides
  // applied. It, the parameters, the tags, the retry strategy, the share
  // identifier and the array properties are shared by the copies of a job
  // (core/copy_on_write.h): a job is copied for every change of its status
  // (the store's undo copy, every read), and these parts are mostly fixed
  // at submission or absent, so a copy costs a pointer for each of them.
  CopyOnWrite<ContainerProperties> container{};
  CopyOnWrite<std::map<std::string, std::string>> parameters{};
  CopyOnWrite<RetryStrategy> retry_strategy{};
  std::optional<int32_t> attempt_duration_seconds{};
  CopyOnWrite<Tags> tags{};
  bool propagate_tags = false;
  int32_t scheduling_priority = 0;
  CopyOnWriteOptional<std::string> share_identifier{};
  Resources request{};
  std::vector<Attempt> attempts{};  // Finished ones, then the current one if any.
  // From the job definition (EC2, FARGATE); shared by the copies of a job.
  CopyOnWrite<std::vector<std::string>> platform_capabilities{};
  std::vector<JobDependency> depends_on{};  // SubmitJob's dependsOn, kept for good.
  CopyOnWriteOptional<ArrayJob> array{};    // Array parents and children only.
  int64_t version = 0;

  // The attempt in flight (STARTING or RUNNING), if any.
  const Attempt* current_attempt() const;
  Attempt* current_attempt();
};

// Moves `job` along one edge of the state machine and stamps the times AWS
// stamps (startedAt on RUNNING, stoppedAt on a terminal status). An edge the
// machine does not have gives kFailedPrecondition and leaves `job` untouched.
Status Transition(Job& job, JobStatus to, Timestamp now, std::string status_reason = {});
bool IsAllowedEdge(JobStatus from, JobStatus to);

// The log stream of `job`'s attempt `attempt_id`:
// "<jobDefinitionName>/default/<attempt id>", as AWS names it. Worked out
// where it is needed rather than kept with each attempt: a job's definition
// name never changes.
std::string LogStreamName(const Job& job, std::string_view attempt_id);

}  // namespace barge
