#include "testing/in_memory_store.h"

#include <algorithm>
#include <iterator>
#include <optional>
#include <tuple>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/check.h"
#include "store/job_expiry.h"

namespace barge::testing {
namespace {

template <typename Row>
using NamedRows = std::map<std::string, Row>;
using DefinitionKey = std::pair<std::string, int32_t>;

std::string DefinitionName(const std::string& name, int32_t revision) {
  return name + ":" + std::to_string(revision);
}

// SqliteStore keeps an empty ARN as NULL, which UNIQUE ignores; mirror that.
template <typename Row>
bool ArnTakenByAnother(const NamedRows<Row>& rows, const Row& row) {
  if (row.arn.empty()) return false;
  for (const auto& [name, other] : rows) {
    if (name != row.name && other.arn == row.arn) return true;
  }
  return false;
}

template <typename Row>
Result<Row> GetNamed(const NamedRows<Row>& rows, std::string_view noun, const std::string& name) {
  auto it = rows.find(name);
  if (it == rows.end()) return NotFound(std::string(noun) + " " + name + " does not exist");
  return it->second;
}

template <typename Key, typename Row>
std::vector<Row> ListAll(const std::map<Key, Row>& rows) {
  std::vector<Row> out;
  out.reserve(rows.size());
  for (const auto& [key, row] : rows) out.push_back(row);
  return out;
}

template <typename Row>
Status InsertNamed(NamedRows<Row>& rows, std::string_view noun, const Row& row) {
  if (rows.contains(row.name)) {
    return AlreadyExists(std::string(noun) + " " + row.name + " already exists");
  }
  if (ArnTakenByAnother(rows, row)) {
    return AlreadyExists(std::string(noun) + " with arn " + row.arn + " already exists");
  }
  Row stored = row;
  stored.version = 1;
  rows.emplace(row.name, std::move(stored));
  return Ok();
}

template <typename Row>
Status UpdateNamed(NamedRows<Row>& rows, std::string_view noun, const Row& row) {
  auto it = rows.find(row.name);
  if (it == rows.end()) return NotFound(std::string(noun) + " " + row.name + " does not exist");
  if (it->second.version != row.version) {
    return Conflict(std::string(noun) + " " + row.name + " changed since version " +
                    std::to_string(row.version));
  }
  if (ArnTakenByAnother(rows, row)) {
    return AlreadyExists(std::string(noun) + " with arn " + row.arn + " already exists");
  }
  it->second = row;
  it->second.version = row.version + 1;
  return Ok();
}

template <typename Row>
Status DeleteNamed(NamedRows<Row>& rows, std::string_view noun, const std::string& name) {
  if (rows.erase(name) == 0) return NotFound(std::string(noun) + " " + name + " does not exist");
  return Ok();
}

bool JobMatches(const Job& job, const JobListFilter& filter) {
  if (filter.queue && job.queue != *filter.queue) return false;
  if (!filter.statuses.empty() && std::find(filter.statuses.begin(), filter.statuses.end(),
                                            job.status) == filter.statuses.end()) {
    return false;
  }
  if (filter.created_after && job.created_at < *filter.created_after) return false;
  if (filter.created_before && job.created_at > *filter.created_before) return false;
  if (filter.ended_since) {
    std::optional<Timestamp> ended = JobEndedAt(job);
    if (!ended || *ended < *filter.ended_since) return false;
  }
  if (filter.scope == JobScope::kTopLevel && job.array && job.array->index) return false;
  return true;
}

std::vector<Job> ListChildren(const std::map<std::string, Job>& jobs,
                              const ArrayChildFilter& filter) {
  std::vector<const Job*> matching;
  for (const auto& [id, job] : jobs) {
    if (!job.array || !job.array->index) continue;
    if (id.size() <= filter.parent_id.size() || id.compare(0, filter.parent_id.size(), filter.parent_id) != 0 ||
        id[filter.parent_id.size()] != ':') {
      continue;
    }
    if (filter.after_index && *job.array->index <= *filter.after_index) continue;
    if (!filter.statuses.empty() && std::find(filter.statuses.begin(), filter.statuses.end(),
                                              job.status) == filter.statuses.end()) {
      continue;
    }
    matching.push_back(&job);
  }
  std::sort(matching.begin(), matching.end(),
            [](const Job* a, const Job* b) { return *a->array->index < *b->array->index; });
  if (filter.limit != 0 && matching.size() > filter.limit) matching.resize(filter.limit);
  std::vector<Job> out;
  for (const Job* job : matching) out.push_back(*job);
  return out;
}

std::vector<Job> ListMatchingJobs(const std::map<std::string, Job>& jobs,
                                  const JobListFilter& filter) {
  using Key = std::pair<Timestamp, std::string>;
  bool newest_first = filter.order == JobOrder::kNewestFirst;
  std::optional<Key> cursor;
  if (filter.start_after) cursor = Key{filter.start_after->created_at, filter.start_after->id};
  std::vector<const Job*> matching;
  for (const auto& [id, job] : jobs) {
    if (!JobMatches(job, filter)) continue;
    Key key{job.created_at, job.id};
    if (cursor && (newest_first ? key >= *cursor : key <= *cursor)) continue;
    matching.push_back(&job);
  }
  std::sort(matching.begin(), matching.end(), [&](const Job* a, const Job* b) {
    Key ka{a->created_at, a->id};
    Key kb{b->created_at, b->id};
    return newest_first ? kb < ka : ka < kb;
  });
  if (filter.limit != 0 && matching.size() > filter.limit) matching.resize(filter.limit);
  std::vector<Job> out;
  out.reserve(matching.size());
  for (const Job* job : matching) out.push_back(*job);
  return out;
}

std::vector<LogEvent> ReadStream(const std::map<std::string, std::map<int64_t, LogEvent>>& streams,
                                 const LogQuery& query) {
  std::vector<LogEvent> out;
  auto stream = streams.find(query.stream);
  if (stream == streams.end()) return out;
  auto admits = [&](const LogEvent& event) {
    if (query.start_time && event.timestamp < *query.start_time) return false;
    if (query.end_time && event.timestamp >= *query.end_time) return false;
    return true;
  };
  auto full = [&] { return query.limit != 0 && out.size() >= query.limit; };
  const std::map<int64_t, LogEvent>& lines = stream->second;
  if (query.direction == LogDirection::kForward) {
    auto it = query.from_sequence ? lines.lower_bound(*query.from_sequence) : lines.begin();
    for (; it != lines.end() && !full(); ++it) {
      if (admits(it->second)) out.push_back(it->second);
    }
    return out;
  }
  auto end = query.from_sequence ? lines.upper_bound(*query.from_sequence) : lines.end();
  for (auto it = std::make_reverse_iterator(end); it != lines.rend() && !full(); ++it) {
    if (admits(it->second)) out.push_back(it->second);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

// Reads and writes one State: the copy that Transact swaps in on success.
class InMemoryTransaction final : public StoreTransaction {
 public:
  explicit InMemoryTransaction(InMemoryStore::State& state) : state_(state) {}

  Result<ComputeEnvironment> GetComputeEnvironment(const std::string& name) override {
    return GetNamed(state_.compute_environments, kCe, name);
  }
  Result<std::vector<ComputeEnvironment>> ListComputeEnvironments() override {
    return ListAll(state_.compute_environments);
  }
  Status InsertComputeEnvironment(const ComputeEnvironment& ce) override {
    return InsertNamed(state_.compute_environments, kCe, ce);
  }
  Status UpdateComputeEnvironment(const ComputeEnvironment& ce) override {
    return UpdateNamed(state_.compute_environments, kCe, ce);
  }
  Status DeleteComputeEnvironment(const std::string& name) override {
    return DeleteNamed(state_.compute_environments, kCe, name);
  }

  Result<JobQueue> GetJobQueue(const std::string& name) override {
    return GetNamed(state_.job_queues, kQueue, name);
  }
  Result<std::vector<JobQueue>> ListJobQueues() override { return ListAll(state_.job_queues); }
  Status InsertJobQueue(const JobQueue& queue) override {
    return InsertNamed(state_.job_queues, kQueue, queue);
  }
  Status UpdateJobQueue(const JobQueue& queue) override {
    return UpdateNamed(state_.job_queues, kQueue, queue);
  }
  Status DeleteJobQueue(const std::string& name) override {
    return DeleteNamed(state_.job_queues, kQueue, name);
  }

  Result<SchedulingPolicy> GetSchedulingPolicy(const std::string& name) override {
    return GetNamed(state_.scheduling_policies, kPolicy, name);
  }
  Result<std::vector<SchedulingPolicy>> ListSchedulingPolicies() override {
    return ListAll(state_.scheduling_policies);
  }
  Status InsertSchedulingPolicy(const SchedulingPolicy& policy) override {
    return InsertNamed(state_.scheduling_policies, kPolicy, policy);
  }
  Status UpdateSchedulingPolicy(const SchedulingPolicy& policy) override {
    return UpdateNamed(state_.scheduling_policies, kPolicy, policy);
  }
  Status DeleteSchedulingPolicy(const std::string& name) override {
    return DeleteNamed(state_.scheduling_policies, kPolicy, name);
  }

  Result<JobDefinition> GetJobDefinition(const std::string& name, int32_t revision) override {
    auto it = state_.job_definitions.find(DefinitionKey{name, revision});
    if (it == state_.job_definitions.end()) {
      return NotFound("job definition " + DefinitionName(name, revision) + " does not exist");
    }
    return it->second;
  }

  Result<std::vector<JobDefinition>> ListJobDefinitions(
      const JobDefinitionFilter& filter) override {
    std::vector<JobDefinition> out;
    for (const auto& [key, definition] : state_.job_definitions) {
      if (filter.name && key.first != *filter.name) continue;
      if (filter.status && definition.status != *filter.status) continue;
      out.push_back(definition);
    }
    return out;
  }

  Result<int32_t> MaxJobDefinitionRevision(const std::string& name) override {
    // Keys sort by (name, revision): the last key below (name + 1, *) wins.
    auto it = state_.job_definitions.upper_bound(DefinitionKey{name, INT32_MAX});
    if (it == state_.job_definitions.begin()) return 0;
    --it;
    return it->first.first == name ? it->first.second : 0;
  }

  Status InsertJobDefinition(const JobDefinition& definition) override {
    JobDefinition stored = definition;
    stored.version = 1;
    auto [it, inserted] = state_.job_definitions.emplace(
        DefinitionKey{definition.name, definition.revision}, std::move(stored));
    if (!inserted) {
      return AlreadyExists("job definition " +
                           DefinitionName(definition.name, definition.revision) +
                           " already exists");
    }
    return Ok();
  }

  Status UpdateJobDefinition(const JobDefinition& definition) override {
    std::string key_text = DefinitionName(definition.name, definition.revision);
    auto it = state_.job_definitions.find(DefinitionKey{definition.name, definition.revision});
    if (it == state_.job_definitions.end()) {
      return NotFound("job definition " + key_text + " does not exist");
    }
    if (it->second.version != definition.version) {
      return Conflict("job definition " + key_text + " changed since version " +
                      std::to_string(definition.version));
    }
    it->second = definition;
    it->second.version = definition.version + 1;
    return Ok();
  }

  Result<Job> GetJob(const std::string& id) override {
    auto it = state_.jobs.find(id);
    if (it == state_.jobs.end()) return NotFound("job " + id + " does not exist");
    return it->second;
  }

  Result<std::vector<Job>> ListJobs(const JobListFilter& filter) override {
    return ListMatchingJobs(state_.jobs, filter);
  }

  Result<std::vector<Job>> ListArrayChildren(const ArrayChildFilter& filter) override {
    return ListChildren(state_.jobs, filter);
  }

  Status InsertJob(const Job& job) override {
    Job stored = job;
    stored.version = 1;
    if (!state_.jobs.emplace(job.id, std::move(stored)).second) {
      return AlreadyExists("job " + job.id + " already exists");
    }
    return Ok();
  }

  Status UpdateJob(const Job& job) override {
    auto it = state_.jobs.find(job.id);
    if (it == state_.jobs.end()) return NotFound("job " + job.id + " does not exist");
    if (it->second.version != job.version) {
      return Conflict("job " + job.id + " changed since version " + std::to_string(job.version));
    }
    it->second = job;
    it->second.version = job.version + 1;
    return Ok();
  }

  Result<size_t> DeleteJobsEndedBefore(Timestamp cutoff, size_t limit) override {
    using Key = std::pair<Timestamp, std::string>;  // (ended at, id): the deletion order.
    std::vector<Key> expired;
    for (const auto& [id, job] : state_.jobs) {
      std::optional<Timestamp> ended = JobEndedAt(job);
      if (ended && *ended < cutoff) expired.emplace_back(*ended, id);
    }
    std::sort(expired.begin(), expired.end());
    if (expired.size() > limit) expired.resize(limit);
    for (const auto& [ended, id] : expired) {
      auto it = state_.jobs.find(id);
      for (const std::string& stream : JobLogStreams(it->second)) state_.log_streams.erase(stream);
      state_.jobs.erase(it);
    }
    return expired.size();
  }

  Status AppendLogEvents(const std::string& stream, const std::vector<LogEvent>& events) override {
    std::map<int64_t, LogEvent>& lines = state_.log_streams[stream];
    for (const LogEvent& event : events) lines.emplace(event.sequence, event);  // First copy wins.
    return Ok();
  }

  Result<std::vector<LogEvent>> ReadLogEvents(const LogQuery& query) override {
    return ReadStream(state_.log_streams, query);
  }

  Result<Instance> GetInstance(const std::string& id) override {
    auto it = state_.instances.find(id);
    if (it == state_.instances.end()) return NotFound("instance " + id + " does not exist");
    return it->second;
  }
  Result<std::vector<Instance>> ListInstances(const InstanceFilter& filter) override {
    std::vector<Instance> out;
    for (const auto& [id, instance] : state_.instances) {
      if (filter.live_only && !instance.IsLive()) continue;
      if (filter.compute_environment && instance.compute_environment != *filter.compute_environment) {
        continue;
      }
      if (filter.alive_since && !instance.IsLive() &&
          instance.terminated_at.value_or(instance.launched_at) < *filter.alive_since) {
        continue;
      }
      out.push_back(instance);
    }
    std::sort(out.begin(), out.end(), [](const Instance& a, const Instance& b) {
      return std::tie(a.launched_at, a.id) < std::tie(b.launched_at, b.id);
    });
    return out;
  }
  Status InsertInstance(const Instance& instance) override {
    if (state_.instances.contains(instance.id)) {
      return AlreadyExists("instance " + instance.id + " already exists");
    }
    Instance stored = instance;
    stored.version = 1;
    state_.instances.emplace(instance.id, std::move(stored));
    return Ok();
  }
  Status UpdateInstance(const Instance& instance) override {
    auto it = state_.instances.find(instance.id);
    if (it == state_.instances.end()) return NotFound("instance " + instance.id + " does not exist");
    if (it->second.version != instance.version) {
      return Conflict("instance " + instance.id + " changed since version " +
                      std::to_string(instance.version));
    }
    it->second = instance;
    it->second.version = instance.version + 1;
    return Ok();
  }

 private:
  static constexpr std::string_view kCe = "compute environment";
  static constexpr std::string_view kQueue = "job queue";
  static constexpr std::string_view kPolicy = "scheduling policy";

  InMemoryStore::State& state_;
};

}  // namespace

Status InMemoryStore::Transact(const Work& work) {
  BARGE_CHECK(!in_transaction_, "Transact called from inside a transaction");
  State copy = state_;
  Status status = Ok();
  {
    // Cleared on every exit, including an exception escaping `work`.
    struct Reentry {
      bool& flag;
      ~Reentry() { flag = false; }
    } reentry{in_transaction_};
    in_transaction_ = true;
    InMemoryTransaction txn(copy);
    status = work(txn);
  }
  if (!status) return status;
  if (!commit_failures_.empty()) {
    Error error = std::move(commit_failures_.front());
    commit_failures_.pop_front();
    return error;
  }
  state_ = std::move(copy);
  return Ok();
}

}  // namespace barge::testing
