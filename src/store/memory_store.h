#pragma once
// MemoryStore: a Store that keeps everything in process memory, with the
// same semantics as SqliteStore (the contract tests in store/*_contract_test.cc
// run the same cases against both): versions start at 1 and move by
// compare-and-set, lists are ordered as store.h says, a non-empty ARN is
// unique per kind (job definitions aside), and a failed unit of work changes
// nothing.
//
// It is not durable: a commit is gone when the process ends. It is for
// `barge simulate` (sim/simulation.h), which runs the production control
// plane over hours of virtual time and needs the store to cost what an object
// update costs, and for unit tests. A server never uses it.
//
// Rows are kept as objects, with indexes for the reads the control plane
// makes often (jobs by status and by creation, ended jobs by end, array
// children by index, live instances). A transaction writes in place and
// records how to undo each write; a failed unit of work runs the undo log
// backwards, a successful one drops it. So a transaction costs what it
// touches, never O(state).
//
// Thread-safety: like every Store, called from one thread at a time. Nested
// Transact calls are a programmer error and abort.
#include <memory>

#include "core/result.h"
#include "store/store.h"

namespace barge {

class MemoryStore final : public Store {
 public:
  MemoryStore();
  ~MemoryStore() override;
  MemoryStore(const MemoryStore&) = delete;
  MemoryStore& operator=(const MemoryStore&) = delete;

  Status Transact(const Work& work) override;

  class State;  // The rows, their indexes and the undo log; memory_store.cc.

 private:
  std::unique_ptr<State> state_;
  bool in_transaction_ = false;
};

}  // namespace barge
