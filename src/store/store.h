#pragma once
// The Store: durable state of the control plane and its single source of
// truth. Every unit of work runs inside one ACID transaction (Transact); the
// typed reads and writes live on StoreTransaction.
//
// Thread-safety: a Store is called from one thread at a time (the control
// thread). A StoreTransaction never outlives the callback it was passed to.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/compute_environment.h"
#include "core/job_definition.h"
#include "core/job_queue.h"
#include "core/result.h"
#include "core/scheduling_policy.h"

namespace barge {

struct JobDefinitionFilter {
  std::optional<std::string> name{};
  std::optional<JobDefinitionStatus> status{};
};

// Typed reads and writes inside one transaction.
//
// Versioning, the same for every kind: Insert stores version 1 (whatever the
// argument says). Update is a compare-and-set: it succeeds only when the stored
// version equals the argument's `version`, and then stores version + 1;
// otherwise kConflict (kNotFound when the row is gone). Reads return the
// stored version. Lists are ordered by name (job definitions by name, then
// revision), so pagination over them is stable.
class StoreTransaction {
 public:
  virtual ~StoreTransaction() = default;

  // Compute environments, keyed by name.
  virtual Result<ComputeEnvironment> GetComputeEnvironment(const std::string& name) = 0;  // kNotFound
  virtual Result<std::vector<ComputeEnvironment>> ListComputeEnvironments() = 0;
  virtual Status InsertComputeEnvironment(const ComputeEnvironment& ce) = 0;  // kAlreadyExists
  virtual Status UpdateComputeEnvironment(const ComputeEnvironment& ce) = 0;  // kConflict, kNotFound
  virtual Status DeleteComputeEnvironment(const std::string& name) = 0;       // kNotFound

  // Job queues, keyed by name.
  virtual Result<JobQueue> GetJobQueue(const std::string& name) = 0;  // kNotFound
  virtual Result<std::vector<JobQueue>> ListJobQueues() = 0;
  virtual Status InsertJobQueue(const JobQueue& queue) = 0;  // kAlreadyExists
  virtual Status UpdateJobQueue(const JobQueue& queue) = 0;  // kConflict, kNotFound
  virtual Status DeleteJobQueue(const std::string& name) = 0;  // kNotFound

  // Scheduling policies, keyed by name.
  virtual Result<SchedulingPolicy> GetSchedulingPolicy(const std::string& name) = 0;  // kNotFound
  virtual Result<std::vector<SchedulingPolicy>> ListSchedulingPolicies() = 0;
  virtual Status InsertSchedulingPolicy(const SchedulingPolicy& policy) = 0;  // kAlreadyExists
  virtual Status UpdateSchedulingPolicy(const SchedulingPolicy& policy) = 0;  // kConflict, kNotFound
  virtual Status DeleteSchedulingPolicy(const std::string& name) = 0;         // kNotFound

  // Job definitions, keyed by (name, revision). Revisions are never deleted
  // (deregistering makes one INACTIVE), so the highest revision ever
  // registered under a name is always known.
  virtual Result<JobDefinition> GetJobDefinition(const std::string& name, int32_t revision) = 0;
  virtual Result<std::vector<JobDefinition>> ListJobDefinitions(
      const JobDefinitionFilter& filter) = 0;
  // Highest revision registered under `name`, ACTIVE or not; 0 when none.
  virtual Result<int32_t> MaxJobDefinitionRevision(const std::string& name) = 0;
  virtual Status InsertJobDefinition(const JobDefinition& definition) = 0;  // kAlreadyExists
  virtual Status UpdateJobDefinition(const JobDefinition& definition) = 0;  // kConflict, kNotFound
};

class Store {
 public:
  using Work = std::function<Status(StoreTransaction&)>;
  virtual ~Store() = default;
  // Runs `work` in one ACID transaction. Commits iff `work` returns OK;
  // otherwise rolls back and returns the error from `work`. A commit that
  // returned OK is durable (survives kill -9 of the process).
  virtual Status Transact(const Work& work) = 0;
};

}  // namespace barge
