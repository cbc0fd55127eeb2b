#pragma once
// ListJobs' request rules, as a pure function from the request to a plan:
// the Store filter (queue, statuses, creation bounds, order) plus the
// conditions SQL does not express (JOB_NAME, JOB_DEFINITION and
// SHARE_IDENTIFIER), which JobService applies to what the store returns.
//
// AWS semantics:
//  - no filters: only jobs in `jobStatus` (RUNNING when unset), oldest first;
//  - with a filter, `jobStatus` is ignored, every status matches and the
//    newest job comes first; only one filter at a time, except
//    SHARE_IDENTIFIER, which keeps jobStatus and may join another filter;
//  - JOB_NAME: case-insensitive, exact or prefix with a trailing '*';
//  - JOB_DEFINITION: a name (any revision) or name prefix with a trailing
//    '*', "name:revision", or an ARN (that revision; no '*');
//  - BEFORE_CREATED_AT / AFTER_CREATED_AT: epoch milliseconds as a string,
//    jobs created at or before / at or after that instant.
// A filter with several values matches when any value does.
//
// Pure functions; any thread.
#include <optional>
#include <string>
#include <vector>

#include "core/job.h"
#include "core/result.h"
#include "store/store.h"

namespace barge::control {

// ListJobs.filters[] on the wire (KeyValuesPair).
struct KeyValues {
  std::string name{};
  std::vector<std::string> values{};
};

class JobListPlan {
 public:
  // `queue_name` is the resolved queue. kInvalidArgument for an unknown or
  // repeated filter name, a filter without values, several filters at once,
  // a timestamp that is not an integer, or a malformed job definition.
  static Result<JobListPlan> Make(const std::string& queue_name,
                                  std::optional<JobStatus> job_status,
                                  const std::vector<KeyValues>& filters);

  // The store filter, without limit and cursor (JobService pages with those).
  const JobListFilter& store_filter() const { return store_filter_; }
  bool has_filters() const { return has_filters_; }
  // True when `job` passes the conditions the store filter cannot express.
  bool Matches(const Job& job) const;

 private:
  struct DefinitionPattern {
    std::string name{};  // Or name prefix when `prefix`.
    bool prefix = false;
    std::optional<int32_t> revision{};
  };

  JobListFilter store_filter_{};
  bool has_filters_ = false;
  std::vector<std::string> name_patterns_{};  // Lower case; trailing '*' kept.
  std::vector<DefinitionPattern> definition_patterns_{};
  std::vector<std::string> share_identifiers_{};
};

}  // namespace barge::control
