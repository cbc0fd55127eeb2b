#pragma once
// Use cases for job definitions: RegisterJobDefinition (revisions start at 1
// and increase per name, even past deregistered ones), DescribeJobDefinitions
// and DeregisterJobDefinition (the revision becomes INACTIVE).
//
// Runs on the control thread; one Store transaction per call.
#include <optional>
#include <string>
#include <vector>

#include "core/arn.h"
#include "core/job_definition.h"
#include "core/result.h"
#include "store/store.h"

namespace barge::control {

struct JobDefinitionQuery {
  // Each is "name", "name:revision" or an ARN; exclusive with the other members.
  std::vector<std::string> job_definitions{};
  std::optional<std::string> name{};
  std::optional<JobDefinitionStatus> status{};
};

class JobDefinitionService {
 public:
  static constexpr size_t kMaxDefinitionBytes = 24 * 1024;

  JobDefinitionService(Store& store, const ArnFormatter& arns);  // Not owned.

  // Validates `spec` (name, type, container or node properties, retry rules,
  // timeout >= 60 s, reserved AWS_BATCH* environment names, ...) and stores it
  // as the next revision of its name, ACTIVE. `request_bytes` is the size of
  // the request as received, checked against the 24 KiB limit ("job
  // definition size exceeds the 24 KiB limit (N bytes given)").
  // kInvalidArgument.
  Result<JobDefinition> Register(JobDefinition spec, size_t request_bytes);

  // Ordered by name then revision, each revision once. With job_definitions,
  // a bare name stands for every revision of that name (ACTIVE or not), and
  // unknown entries are left out. Otherwise filtered by name and/or status
  // (nothing set = all). kInvalidArgument for a malformed query (more than
  // 100 entries, a malformed entry, job_definitions combined with the others).
  Result<std::vector<JobDefinition>> Describe(const JobDefinitionQuery& query);

  // `job_definition` is "name:revision" or an ARN; a bare name is
  // kInvalidArgument. kNotFound when there is no such revision. Deregistering
  // an INACTIVE revision again succeeds and changes nothing.
  Status Deregister(const std::string& job_definition);

  // Resolves "name" (latest ACTIVE revision), "name:revision" or an ARN.
  // kInvalidArgument (malformed), kNotFound (no such name or revision),
  // kFailedPrecondition when the named revision is INACTIVE ("job definition
  // <arn> is INACTIVE") or a bare name has only INACTIVE revisions. Used by
  // SubmitJob.
  Result<JobDefinition> Resolve(const std::string& job_definition);

 private:
  Store& store_;
  const ArnFormatter& arns_;
};

}  // namespace barge::control
