#include "testing/in_memory_store.h"

namespace barge::testing {

Status InMemoryStore::Transact(const Work& work) {
  return store_.Transact([&](StoreTransaction& txn) -> Status {
    Status status = work(txn);
    if (!status || commit_failures_.empty()) return status;
    // Failing the work rolls back what it wrote, as a failed commit does.
    Error error = std::move(commit_failures_.front());
    commit_failures_.pop_front();
    return error;
  });
}

}  // namespace barge::testing
