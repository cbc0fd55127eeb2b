#pragma once
// InMemoryStore: the Store fake for unit tests, with the same semantics as
// SqliteStore (the typed contract test in store/store_contract_test.cc runs the
// same cases against both): versions start at 1 and move by compare-and-set,
// lists are ordered by key, a non-empty ARN is unique per kind (job definitions
// aside), and a failed unit of work changes nothing.
//
// Transact runs the work on a copy of the whole state and swaps the copy in
// only when the work returns OK, so rollback is exact. That is O(state) per
// transaction, which is fine at test sizes.
//
// Thread-safety: like every Store, called from one thread at a time. Nested
// Transact calls are a programmer error and abort.
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <utility>

#include "core/compute_environment.h"
#include "core/instance.h"
#include "core/job.h"
#include "core/job_definition.h"
#include "core/job_queue.h"
#include "core/result.h"
#include "core/scheduling_policy.h"
#include "store/store.h"

namespace barge::testing {

class InMemoryStore final : public Store {
 public:
  // Everything the store holds; copied per transaction.
  struct State {
    std::map<std::string, ComputeEnvironment> compute_environments{};
    std::map<std::string, JobQueue> job_queues{};
    std::map<std::string, SchedulingPolicy> scheduling_policies{};
    std::map<std::pair<std::string, int32_t>, JobDefinition> job_definitions{};
    std::map<std::string, Job> jobs{};
    std::map<std::string, std::map<int64_t, LogEvent>> log_streams{};  // stream -> sequence -> line
    std::map<std::string, Instance> instances{};
  };

  InMemoryStore() = default;
  InMemoryStore(const InMemoryStore&) = delete;
  InMemoryStore& operator=(const InMemoryStore&) = delete;

  Status Transact(const Work& work) override;

  // Fault injection, in the spirit of leveldb's ErrorEnv: the next Transact
  // whose work succeeds discards that work and returns `error` instead of
  // committing, as a real backend does when the commit itself fails
  // (kUnavailable for a busy database, kConflict for a lost race). Calls queue
  // up: each such Transact consumes one.
  void FailNextCommit(Error error) { commit_failures_.push_back(std::move(error)); }

 private:
  State state_;
  std::deque<Error> commit_failures_;
  bool in_transaction_ = false;
};

}  // namespace barge::testing
