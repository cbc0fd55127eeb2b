#include "control/job_mutation.h"

#include "control/transact.h"

namespace barge::control {

Result<std::optional<Job>> MutateJob(Store& store, const std::string& job_id,
                                     const JobMutation& mutate) {
  std::optional<Job> written;
  Status status = TransactWithRetry(store, [&](StoreTransaction& txn) -> Status {
    written.reset();
    Result<Job> job = txn.GetJob(job_id);
    if (!job) {
      if (job.error().code == ErrorCode::kNotFound) return Ok();
      return job.error();
    }
    Job changed = std::move(job).value();
    Result<Applied> applied = mutate(changed);
    if (!applied) return applied.error();
    if (*applied == Applied::kIgnored) return Ok();
    BARGE_RETURN_IF_ERROR(txn.UpdateJob(changed));
    ++changed.version;
    written = std::move(changed);
    return Ok();
  });
  if (!status) return status.error();
  return written;
}

}  // namespace barge::control
