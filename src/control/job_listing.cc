#include "control/job_listing.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "control/resource_ref.h"
#include "core/validation.h"

namespace barge::control {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return out;
}

Result<Timestamp> ParseMillis(const std::string& filter, const std::string& value) {
  int64_t ms = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), ms);
  if (value.empty() || ec != std::errc{} || end != value.data() + value.size() || ms < 0) {
    return InvalidArgument("filters " + filter + " value '" + value +
                           "' is invalid: it must be epoch milliseconds");
  }
  return FromEpochMillis(ms);
}

}  // namespace

Result<JobListPlan> JobListPlan::Make(const std::string& queue_name,
                                      std::optional<JobStatus> job_status,
                                      const std::vector<KeyValues>& filters) {
  JobListPlan plan;
  plan.store_filter_.queue = queue_name;
  std::set<std::string> seen;
  int exclusive = 0;  // Filters other than SHARE_IDENTIFIER.
  for (const KeyValues& filter : filters) {
    if (!seen.insert(filter.name).second) {
      return InvalidArgument("filters name " + filter.name + " is given more than once");
    }
    if (filter.values.empty()) {
      return InvalidArgument("filters " + filter.name + " must have at least one value");
    }
    if (filter.name == "SHARE_IDENTIFIER") {
      plan.share_identifiers_ = filter.values;
      continue;
    }
    ++exclusive;
    if (filter.name == "JOB_NAME") {
      for (const std::string& value : filter.values) plan.name_patterns_.push_back(Lower(value));
    } else if (filter.name == "JOB_DEFINITION") {
      for (const std::string& value : filter.values) {
        bool prefix = value.ends_with('*');
        if (prefix && value.starts_with("arn:")) {
          return InvalidArgument("filters JOB_DEFINITION value '" + value +
                                 "' is invalid: '*' is not supported with an ARN");
        }
        std::string text = prefix ? value.substr(0, value.size() - 1) : value;
        if (prefix) {
          plan.definition_patterns_.push_back({.name = text, .prefix = true});
          continue;
        }
        auto ref = ParseJobDefinitionRef(text);
        if (!ref) {
          return InvalidArgument("filters JOB_DEFINITION value '" + value +
                                 "' is invalid: it must be a name, name:revision or a job "
                                 "definition ARN");
        }
        plan.definition_patterns_.push_back({.name = ref->name, .revision = ref->revision});
      }
    } else if (filter.name == "BEFORE_CREATED_AT" || filter.name == "AFTER_CREATED_AT") {
      // Several values: the widest bound, so that any value matching suffices.
      std::optional<Timestamp> bound;
      bool before = filter.name == "BEFORE_CREATED_AT";
      for (const std::string& value : filter.values) {
        auto at = ParseMillis(filter.name, value);
        if (!at) return at.error();
        if (!bound || (before ? *at > *bound : *at < *bound)) bound = *at;
      }
      (before ? plan.store_filter_.created_before : plan.store_filter_.created_after) = bound;
    } else {
      return InvalidArgument("filters name '" + filter.name +
                             "' is invalid: it must be JOB_NAME, JOB_DEFINITION, "
                             "BEFORE_CREATED_AT, AFTER_CREATED_AT or SHARE_IDENTIFIER");
    }
  }
  if (exclusive > 1) {
    return InvalidArgument("only one filter can be used at a time (SHARE_IDENTIFIER aside)");
  }
  plan.has_filters_ = exclusive > 0;
  if (plan.has_filters_) {
    plan.store_filter_.order = JobOrder::kNewestFirst;  // jobStatus is ignored.
  } else {
    plan.store_filter_.statuses = {job_status.value_or(JobStatus::kRunning)};
  }
  return plan;
}

bool JobListPlan::Matches(const Job& job) const {
  if (!share_identifiers_.empty() &&
      (!job.share_identifier || std::find(share_identifiers_.begin(), share_identifiers_.end(),
                                          *job.share_identifier) == share_identifiers_.end())) {
    return false;
  }
  if (!name_patterns_.empty()) {
    std::string name = Lower(job.name);
    bool any = std::any_of(name_patterns_.begin(), name_patterns_.end(),
                           [&](const std::string& pattern) { return MatchesGlob(pattern, name); });
    if (!any) return false;
  }
  if (!definition_patterns_.empty()) {
    std::optional<JobDefinitionRef> ref = ParseJobDefinitionRef(*job.job_definition_arn);
    std::string name = ref ? ref->name : job.job_definition_name;
    bool any = std::any_of(definition_patterns_.begin(), definition_patterns_.end(),
                           [&](const DefinitionPattern& pattern) {
                             if (pattern.prefix) return name.starts_with(pattern.name);
                             if (name != pattern.name) return false;
                             return !pattern.revision || (ref && ref->revision == pattern.revision);
                           });
    if (!any) return false;
  }
  return true;
}

}  // namespace barge::control
