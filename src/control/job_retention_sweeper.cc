#include "control/job_retention_sweeper.h"

#include <optional>

namespace barge::control {

JobRetentionSweeper::JobRetentionSweeper(Store& store, const Clock& clock,
                                         JobRetentionOptions options)
    : store_(store), clock_(clock), options_(options) {}

Result<size_t> JobRetentionSweeper::Tick() {
  Timestamp cutoff = clock_.Now() - options_.retention;
  std::optional<size_t> deleted;
  BARGE_RETURN_IF_ERROR(store_.Transact([&](StoreTransaction& txn) -> Status {
    Result<size_t> done = txn.DeleteJobsEndedBefore(cutoff, options_.batch);
    if (!done) return done.error();
    deleted = done.value();
    return Ok();
  }));
  return deleted.value_or(0);
}

}  // namespace barge::control
