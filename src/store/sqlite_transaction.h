#pragma once
// SqliteTransaction: StoreTransaction over one open SQLite transaction.
// SqliteStore::Transact creates one per unit of work after BEGIN IMMEDIATE and
// commits or rolls back when the work returns; this class only reads and
// writes rows.
//
// Rows keep the resource as codec JSON in `doc` plus key columns (see
// migrations/0001_resources.sql, 0002_jobs.sql, 0003_array_jobs.sql, 0004_job_stopped_at.sql,
// 0005_instances.sql).
// Reads decode `doc` and then take the keys (name, arn, revision, status; a
// job's id, queue, status, name, created_at) and `version` from the columns,
// so what a read returns always agrees with what SQL filtered on. A document
// that no longer decodes gives kInternal naming the row.
//
// Lives on the stack inside Transact; same thread as the Store.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/sqlite_db.h"
#include "store/store.h"

namespace barge {

// The committed compute environments and job queues as last listed, kept by
// the SqliteStore across transactions: every scheduling pass lists both, and
// they rarely change. A list is served from here only while it is known to be
// current: the store drops the cache when another connection committed
// (PRAGMA data_version), and a transaction drops a list when it writes that
// table (and then neither reads from nor fills it until it ends, since what
// it sees is not committed yet).
//
// It also keeps the jobs this store last wrote as STARTING or RUNNING, decoded
// from the document written (so exactly what a read would return): the
// agent's started and exited events read them back moments later. A job
// leaves it when it is written in any other status, and a transaction that
// writes a job drops its entry at once and puts the new one in only once it
// committed (SqliteTransaction::Committed).
struct SqliteResourceCache {
  static constexpr size_t kMaxLiveJobs = 10000;  // Past it, the cache starts over.

  int64_t data_version = -1;
  std::optional<std::vector<ComputeEnvironment>> environments{};
  std::optional<std::vector<JobQueue>> queues{};
  // The ACTIVE revisions per job definition name (every SubmitJob resolves
  // one), dropped whole when a transaction writes any job definition.
  std::map<std::string, std::vector<JobDefinition>, std::less<>> active_definitions{};
  static constexpr size_t kMaxDefinitionNames = 1000;  // Past it, they start over.
  std::unordered_map<std::string, Job> live_jobs{};
  // Array parents read to complete their children's rows (every child read
  // needs its parent, and a parent rarely changes); dropped when written.
  static constexpr size_t kMaxArrayParents = 1000;
  std::unordered_map<std::string, Job> array_parents{};
};

class SqliteTransaction final : public StoreTransaction {
 public:
  // Not owned; `cache` may be null (no caching).
  explicit SqliteTransaction(sqlite::Database& db, SqliteResourceCache* cache = nullptr)
      : db_(db), cache_(cache) {}

  Result<ComputeEnvironment> GetComputeEnvironment(const std::string& name) override;
  Result<std::vector<ComputeEnvironment>> ListComputeEnvironments() override;
  Status InsertComputeEnvironment(const ComputeEnvironment& ce) override;
  Status UpdateComputeEnvironment(const ComputeEnvironment& ce) override;
  Status DeleteComputeEnvironment(const std::string& name) override;

  Result<JobQueue> GetJobQueue(const std::string& name) override;
  Result<std::vector<JobQueue>> ListJobQueues() override;
  Status InsertJobQueue(const JobQueue& queue) override;
  Status UpdateJobQueue(const JobQueue& queue) override;
  Status DeleteJobQueue(const std::string& name) override;

  Result<SchedulingPolicy> GetSchedulingPolicy(const std::string& name) override;
  Result<std::vector<SchedulingPolicy>> ListSchedulingPolicies() override;
  Status InsertSchedulingPolicy(const SchedulingPolicy& policy) override;
  Status UpdateSchedulingPolicy(const SchedulingPolicy& policy) override;
  Status DeleteSchedulingPolicy(const std::string& name) override;

  Result<JobDefinition> GetJobDefinition(const std::string& name, int32_t revision) override;
  Result<std::vector<JobDefinition>> ListJobDefinitions(
      const JobDefinitionFilter& filter) override;
  Result<int32_t> MaxJobDefinitionRevision(const std::string& name) override;
  Status InsertJobDefinition(const JobDefinition& definition) override;
  Status UpdateJobDefinition(const JobDefinition& definition) override;

  // Jobs and log lines: sqlite_job_rows.cc.
  Result<Job> GetJob(const std::string& id) override;
  Result<std::vector<Job>> ListJobs(const JobListFilter& filter) override;
  Result<std::vector<Job>> ListArrayChildren(const ArrayChildFilter& filter) override;
  Status InsertJob(const Job& job) override;
  Status UpdateJob(const Job& job) override;
  using StoreTransaction::UpdateJob;
  Result<size_t> DeleteJobsEndedBefore(Timestamp cutoff, size_t limit) override;
  Status AppendLogEvents(const std::string& stream, const std::vector<LogEvent>& events) override;
  Result<std::vector<LogEvent>> ReadLogEvents(const LogQuery& query) override;

  // Managed instances: sqlite_instance_rows.cc.
  Result<Instance> GetInstance(const std::string& id) override;
  Result<std::vector<Instance>> ListInstances(const InstanceFilter& filter) override;
  Status InsertInstance(const Instance& instance) override;
  Status UpdateInstance(const Instance& instance) override;

  // Called by the store after COMMIT succeeded: the jobs written here go into
  // the cache.
  void Committed();

 private:
  // Drop the cached list of that table (see SqliteResourceCache).
  void WroteEnvironments();
  void WroteQueues();
  void WroteDefinitions();
  Result<std::vector<JobDefinition>> ListDefinitionsFromDb(const JobDefinitionFilter& filter);
  // A job row as kJobColumns selects it; an array child is completed from
  // its parent's row.
  Result<Job> ReadRow(const sqlite::Statement& stmt);
  Result<Job> ArrayParent(const std::string& id);
  // Drops what the caches hold of a job this transaction writes.
  void WroteJob(const std::string& id);

  sqlite::Database& db_;
  SqliteResourceCache* cache_;
  bool wrote_environments_ = false;
  bool wrote_queues_ = false;
  bool wrote_definitions_ = false;
  // Jobs written in this transaction: as stored if they are to be cached,
  // nullopt if not.
  std::unordered_map<std::string, std::optional<Job>> written_jobs_{};
};

}  // namespace barge
