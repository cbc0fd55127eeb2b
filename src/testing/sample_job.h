#pragma once
// A fully populated sample Job for tests: every field set to something other
// than its default (a finished attempt, a current one, overrides applied), so
// a round trip through a store or codec that drops a field shows up as a
// difference. Pure function; any thread.
#include <string>

#include "core/job.h"
#include "core/time.h"

namespace barge::testing {

// A RUNNING job `id` in `queue`, created at `created_at`, on its second attempt.
Job SampleJob(const std::string& id, const std::string& queue, Timestamp created_at);

}  // namespace barge::testing
