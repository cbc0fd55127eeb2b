#include "control/cost_service.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "control/resource_ref.h"

namespace barge::control {
namespace {

// The attempts of `job` that held one of `instances`.
void AddAttempts(const Job& job, const std::unordered_set<std::string>& instances, Timestamp now,
                 std::vector<fleet::CostAttempt>& out) {
  for (const Attempt& attempt : job.attempts) {
    if (!attempt.started_at || !instances.contains(attempt.instance_id)) continue;
    // A stopped attempt always has its stoppedAt; a terminal job's last one
    // without it (never written by barge) ends with the job.
    Timestamp until = attempt.stopped_at                         ? *attempt.stopped_at
                      : IsTerminal(job.status) && job.stopped_at ? *job.stopped_at
                                                                 : now;
    out.push_back({.job_id = job.id,
                   .job_name = job.name,
                   .queue = job.queue,
                   .instance_id = attempt.instance_id,
                   .vcpus = static_cast<double>(job.request.millicpus) / 1000.0,
                   .held_from = *attempt.started_at,
                   .held_until = until});
  }
}

// The name in an optional name-or-ARN reference of `kind`.
Result<std::optional<std::string>> NameOf(const std::optional<std::string>& reference,
                                          ResourceKind kind, std::string_view noun) {
  if (!reference) return std::optional<std::string>();
  std::optional<std::string> name = NameFromNameOrArn(*reference, kind);
  if (!name || name->empty()) {
    return InvalidArgument(*reference + " is not a " + std::string(noun) + " name or ARN");
  }
  return name;
}

}  // namespace

CostService::CostService(Store& store, const Clock& clock) : store_(store), clock_(clock) {}

Result<fleet::CostReport> CostService::Report(const CostQuery& query) {
  Timestamp now = clock_.Now();
  Timestamp until = std::min(query.until.value_or(now), now);
  Timestamp since = query.since.value_or(until - kDefaultCostPeriod);
  if (since >= until) {
    return InvalidArgument("since (" + std::to_string(ToEpochMillis(since)) +
                           ") must be before until (" + std::to_string(ToEpochMillis(until)) +
                           ", at most now)");
  }
  Result<std::optional<std::string>> queue =
      NameOf(query.queue, ResourceKind::kJobQueue, "job queue");
  if (!queue) return queue.error();
  Result<std::optional<std::string>> environment =
      NameOf(query.compute_environment, ResourceKind::kComputeEnvironment, "compute environment");
  if (!environment) return environment.error();
  std::vector<Instance> instances;
  std::vector<fleet::CostAttempt> attempts;
  Status read = store_.Transact([&](StoreTransaction& txn) -> Status {
    instances.clear();
    attempts.clear();
    Result<std::vector<Instance>> listed =
        txn.ListInstances({.compute_environment = *environment, .alive_since = since});
    if (!listed) return listed.error();
    instances = std::move(listed).value();
    std::unordered_set<std::string> ids;
    for (const Instance& instance : instances) ids.insert(instance.id);
    // Every job on those instances, whatever its queue: a queue's share of
    // an oversubscribed instance depends on the other queues' jobs.
    for (const JobListFilter& filter :
         {JobListFilter{.ended_since = since},
          JobListFilter{
              .statuses = {JobStatus::kRunnable, JobStatus::kStarting, JobStatus::kRunning}}}) {
      Result<std::vector<Job>> jobs = txn.ListJobs(filter);
      if (!jobs) return jobs.error();
      for (const Job& job : jobs.value()) AddAttempts(job, ids, now, attempts);
    }
    return Ok();
  });
  if (!read) return read.error();
  return fleet::ComputeCost(
      instances, attempts,
      {.since = since, .until = until, .queue = *queue, .compute_environment = *environment});
}

Result<std::vector<Instance>> CostService::Instances(const InstanceQuery& query) {
  Result<std::optional<std::string>> environment =
      NameOf(query.compute_environment, ResourceKind::kComputeEnvironment, "compute environment");
  if (!environment) return environment.error();
  std::vector<Instance> instances;
  Status read = store_.Transact([&](StoreTransaction& txn) -> Status {
    Result<std::vector<Instance>> listed = txn.ListInstances({.compute_environment = *environment});
    if (!listed) return listed.error();
    instances = std::move(listed).value();
    return Ok();
  });
  if (!read) return read.error();
  if (!query.states.empty()) {
    std::erase_if(instances, [&](const Instance& instance) {
      return std::ranges::find(query.states, instance.state) == query.states.end();
    });
  }
  return instances;
}

}  // namespace barge::control
