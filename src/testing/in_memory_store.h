#pragma once
// InMemoryStore: the Store fake for unit tests. It is store/memory_store.h's
// MemoryStore (the same semantics as SqliteStore; the store contract tests
// run against both) plus fault injection for the commit.
//
// Thread-safety: like every Store, called from one thread at a time. Nested
// Transact calls are a programmer error and abort.
#include <deque>
#include <utility>

#include "core/result.h"
#include "store/memory_store.h"
#include "store/store.h"

namespace barge::testing {

class InMemoryStore final : public Store {
 public:
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
  MemoryStore store_;
  std::deque<Error> commit_failures_;
};

}  // namespace barge::testing
