#pragma once
// JobRetentionSweeper: expires completed jobs. A job that ended (SUCCEEDED or
// FAILED) more than the retention period ago is deleted from the store, with
// the log lines of its attempts; from then on DescribeJobs, ListJobs and
// GetLogEvents no longer find it, as AWS Batch stops showing a job some days
// after it ended. `barge server --job-retention` sets the period (default 7
// days).
//
// Each Tick deletes at most `batch` jobs in one transaction, oldest end
// first, so a backlog (the first start with a short retention over a large
// store) is worked off a batch per tick without ever holding the store for
// one huge transaction. Best effort like the TimeoutSweeper: a job expires at
// the first Tick after it is due.
//
// Owned by the composition root; control thread only.
#include <cstddef>

#include "core/clock.h"
#include "core/result.h"
#include "core/time.h"
#include "store/store.h"

namespace barge::control {

struct JobRetentionOptions {
  // How long an ended job stays; expired once strictly more has passed since
  // its stoppedAt. Must be positive (a server with retention off builds no
  // sweeper).
  Duration retention = std::chrono::hours(24 * 7);
  size_t batch = 500;  // Jobs deleted per Tick at most.
};

class JobRetentionSweeper {
 public:
  // Both not owned.
  JobRetentionSweeper(Store& store, const Clock& clock, JobRetentionOptions options = {});

  // Deletes up to `batch` expired jobs; returns how many. A result equal to
  // `batch` means more may be due. Errors are the store's.
  Result<size_t> Tick();

  const JobRetentionOptions& options() const { return options_; }

 private:
  Store& store_;
  const Clock& clock_;
  JobRetentionOptions options_;
};

}  // namespace barge::control
