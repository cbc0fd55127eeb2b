#include "control/job_end_reporting_store.h"

#include <utility>

namespace barge::control {
namespace {

// Forwards every call to the wrapped transaction and notes the jobs it wrote
// terminal.
class ReportingTransaction final : public StoreTransaction {
 public:
  ReportingTransaction(StoreTransaction& inner, std::vector<JobWrite>& ended)
      : inner_(inner), ended_(ended) {}

  Result<ComputeEnvironment> GetComputeEnvironment(const std::string& name) override {
    return inner_.GetComputeEnvironment(name);
  }
  Result<std::vector<ComputeEnvironment>> ListComputeEnvironments() override {
    return inner_.ListComputeEnvironments();
  }
  Status InsertComputeEnvironment(const ComputeEnvironment& ce) override {
    return inner_.InsertComputeEnvironment(ce);
  }
  Status UpdateComputeEnvironment(const ComputeEnvironment& ce) override {
    return inner_.UpdateComputeEnvironment(ce);
  }
  Status DeleteComputeEnvironment(const std::string& name) override {
    return inner_.DeleteComputeEnvironment(name);
  }

  Result<JobQueue> GetJobQueue(const std::string& name) override {
    return inner_.GetJobQueue(name);
  }
  Result<std::vector<JobQueue>> ListJobQueues() override { return inner_.ListJobQueues(); }
  std::optional<uint64_t> TopologyVersion() override { return inner_.TopologyVersion(); }
  Status InsertJobQueue(const JobQueue& queue) override { return inner_.InsertJobQueue(queue); }
  Status UpdateJobQueue(const JobQueue& queue) override { return inner_.UpdateJobQueue(queue); }
  Status DeleteJobQueue(const std::string& name) override { return inner_.DeleteJobQueue(name); }

  Result<SchedulingPolicy> GetSchedulingPolicy(const std::string& name) override {
    return inner_.GetSchedulingPolicy(name);
  }
  Result<std::vector<SchedulingPolicy>> ListSchedulingPolicies() override {
    return inner_.ListSchedulingPolicies();
  }
  Status InsertSchedulingPolicy(const SchedulingPolicy& policy) override {
    return inner_.InsertSchedulingPolicy(policy);
  }
  Status UpdateSchedulingPolicy(const SchedulingPolicy& policy) override {
    return inner_.UpdateSchedulingPolicy(policy);
  }
  Status DeleteSchedulingPolicy(const std::string& name) override {
    return inner_.DeleteSchedulingPolicy(name);
  }

  Result<JobDefinition> GetJobDefinition(const std::string& name, int32_t revision) override {
    return inner_.GetJobDefinition(name, revision);
  }
  Result<std::vector<JobDefinition>> ListJobDefinitions(
      const JobDefinitionFilter& filter) override {
    return inner_.ListJobDefinitions(filter);
  }
  Result<int32_t> MaxJobDefinitionRevision(const std::string& name) override {
    return inner_.MaxJobDefinitionRevision(name);
  }
  Status InsertJobDefinition(const JobDefinition& definition) override {
    return inner_.InsertJobDefinition(definition);
  }
  Status UpdateJobDefinition(const JobDefinition& definition) override {
    return inner_.UpdateJobDefinition(definition);
  }

  Result<Job> GetJob(const std::string& id) override { return inner_.GetJob(id); }
  Result<std::vector<Job>> ListJobs(const JobListFilter& filter) override {
    return inner_.ListJobs(filter);
  }
  Status VisitJobs(const JobListFilter& filter,
                   const std::function<void(const Job&)>& visit) override {
    return inner_.VisitJobs(filter, visit);
  }
  Result<std::vector<Job>> ListArrayChildren(const ArrayChildFilter& filter) override {
    return inner_.ListArrayChildren(filter);
  }
  Status InsertJob(const Job& job) override { return Note(job, inner_.InsertJob(job)); }
  Status UpdateJob(const Job& job) override { return Note(job, inner_.UpdateJob(job)); }
  Status UpdateJob(Job&& job) override {
    std::optional<JobWrite> ended = Ending(job);
    Status written = inner_.UpdateJob(std::move(job));
    if (written && ended) ended_.push_back(std::move(*ended));
    return written;
  }
  Result<bool> MutateJob(const std::string& id, const JobMutation& mutate) override {
    std::optional<JobWrite> ended;
    Result<bool> changed = inner_.MutateJob(id, [&](Job& job) -> Result<bool> {
      Result<bool> result = mutate(job);
      ended = result && *result ? Ending(job) : std::nullopt;
      return result;
    });
    if (changed && *changed && ended) ended_.push_back(std::move(*ended));
    return changed;
  }
  // Expired jobs ended long ago, and were reported then.
  Result<size_t> DeleteJobsEndedBefore(Timestamp cutoff, size_t limit) override {
    return inner_.DeleteJobsEndedBefore(cutoff, limit);
  }

  Status AppendLogEvents(const std::string& stream, const std::vector<LogEvent>& events) override {
    return inner_.AppendLogEvents(stream, events);
  }
  Result<std::vector<LogEvent>> ReadLogEvents(const LogQuery& query) override {
    return inner_.ReadLogEvents(query);
  }

  Result<Instance> GetInstance(const std::string& id) override { return inner_.GetInstance(id); }
  Result<std::vector<Instance>> ListInstances(const InstanceFilter& filter) override {
    return inner_.ListInstances(filter);
  }
  Status InsertInstance(const Instance& instance) override {
    return inner_.InsertInstance(instance);
  }
  Status UpdateInstance(const Instance& instance) override {
    return inner_.UpdateInstance(instance);
  }

 private:
  Status Note(const Job& job, Status written) {
    if (!written) return written;
    if (std::optional<JobWrite> ended = Ending(job)) ended_.push_back(std::move(*ended));
    return written;
  }
  // What writing `job` reports, if anything.
  static std::optional<JobWrite> Ending(const Job& job) {
    bool child = job.array && job.array->index;
    if (!child && !IsTerminal(job.status)) return std::nullopt;
    return JobWrite{.job_id = job.id,
                    .status = job.status,
                    .array_parent = job.array && !job.array->index,
                    .array_child = child};
  }

  StoreTransaction& inner_;
  std::vector<JobWrite>& ended_;
};

}  // namespace

JobEndReportingStore::JobEndReportingStore(Store& inner) : inner_(inner) {}

Status JobEndReportingStore::Transact(const Work& work) {
  std::vector<JobWrite> ended;
  Status status = inner_.Transact([&](StoreTransaction& txn) -> Status {
    ended.clear();  // A work function may run more than once per call on some backends.
    ReportingTransaction reporting(txn, ended);
    return work(reporting);
  });
  if (status && !ended.empty() && listener_) listener_(ended);
  return status;
}

}  // namespace barge::control
