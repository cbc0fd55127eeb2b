#include "control/job_mutation.h"

#include "control/transact.h"

namespace barge::control {

Result<std::optional<Job>> MutateJob(Store& store, const std::string& job_id,
                                     const JobMutation& mutate) {
  std::optional<Job> written;
  Status status = TransactWithRetry(store, [&](StoreTransaction& txn) -> Status {
    written.reset();
    Result<bool> changed = txn.MutateJob(job_id, [&](Job& job) -> Result<bool> {
      Result<Applied> applied = mutate(job);
      if (!applied) return applied.error();
      if (*applied == Applied::kIgnored) return false;
      written = job;
      ++written->version;  // As written.
      return true;
    });
    if (!changed && changed.error().code != ErrorCode::kNotFound) return changed.error();
    return Ok();
  });
  if (!status) return status.error();
  return written;
}

}  // namespace barge::control
