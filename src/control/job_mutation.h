#pragma once
// Read-modify-write of one job in one Store transaction, for the code that
// applies attempt outcomes (agent events, timeouts, host loss). The change is
// a function of the job as read, so a lost compare-and-set is simply run
// again on the fresh job (TransactWithRetry).
//
// Control thread only, like the Store.
#include <functional>
#include <optional>
#include <string>

#include "control/attempt_transitions.h"
#include "core/job.h"
#include "core/result.h"
#include "store/store.h"

namespace barge::control {

using JobMutation = std::function<Result<Applied>(Job&)>;

// Reads job `job_id`, runs `mutate` on it and writes it back when it returns
// kChanged. Returns the job as written, or nullopt when `mutate` ignored it or
// there is no such job. Errors are the store's and `mutate`'s.
Result<std::optional<Job>> MutateJob(Store& store, const std::string& job_id,
                                     const JobMutation& mutate);

}  // namespace barge::control
