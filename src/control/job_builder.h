#pragma once
// The rules that turn a SubmitJob request and the job definition it names
// into the Job to store, as pure functions (no store, no clock, no ids):
//
//  - container: the definition's containerProperties with the overrides
//    applied: a non-empty `command` replaces the definition's; `environment`
//    is merged by name and `resourceRequirements` by type, the override
//    winning; legacy `vcpus`/`memory` replace the definition's;
//  - parameters: the definition's defaults, overridden by the request's;
//  - `Ref::name` tokens in the command are replaced by parameters[name]
//    (SubstituteParameters);
//  - retryStrategy, timeout and propagateTags: the request's when given,
//    else the definition's; schedulingPriority: schedulingPriorityOverride,
//    else the definition's, else 0;
//  - tags: the request's; with propagateTags the definition's tags are added
//    under them (a key in both keeps the request's value);
//  - resources (ComputeResources).
//
// Every failure is kInvalidArgument naming the member at fault.
#include <map>
#include <string>
#include <vector>

#include "core/job.h"
#include "core/job_definition.h"
#include "core/job_submission.h"
#include "core/result.h"

namespace barge::control {

// Replaces each `Ref::name` in each argument, whole ("Ref::in") or inside
// one ("--in=Ref::in.txt"), by parameters[name]. A name is the longest run
// of letters, digits, '_' and '-' after "Ref::" that names a parameter; when
// it contains '-', shorter prefixes ending before a '-' are tried too
// ("Ref::a-b" is parameter "a-b" if set, else "a" followed by "-b"). A token
// that names no parameter is left as it is: AWS documents no behaviour for
// it, and keeping it makes the mistake visible in the job's command.
std::vector<std::string> SubstituteParameters(const std::vector<std::string>& command,
                                              const std::map<std::string, std::string>& parameters);

// What the container asks of a host: VCPU (fractions allowed, as millicpus),
// MEMORY (MiB) and GPU from resourceRequirements, with the legacy `vcpus`
// and `memory` as fallbacks. kInvalidArgument when vCPUs or memory end up
// unset ("job <name> requests no vCPUs: ...").
Result<Resources> ComputeResources(const std::string& job_name,
                                   const ContainerProperties& container);

// The job `submission` creates from `definition` (already resolved, ACTIVE,
// of type container): every field above, plus name, queue (`queue_name`),
// definition ARN and name, platform capabilities. Not set here: id, status,
// created_at (JobService does that). Validates the overrides (environment
// names, resourceRequirements, retry strategy, timeout, tags, scheduling
// priority).
Result<Job> BuildJob(const JobSubmission& submission, const JobDefinition& definition,
                     const std::string& queue_name);

}  // namespace barge::control
