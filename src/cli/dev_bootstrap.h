#pragma once
// What `barge dev` sets up on its server: for each environment, a compute
// environment and a job queue of the same name (MANAGED, EC2, minvCpus and
// maxvCpus as dev was told: by default 0 and the machine's cores), the environment tagged with its executor
// (`barge:executor`, see docs/containers.md "Choosing the executor").
// Existing ones are kept as they are, except that an environment without
// the executor tag (made by an older barge dev) gets it, and a MANAGED one
// whose minvCpus or maxvCpus differ from dev's gets dev's
// (UpdateComputeEnvironment).
// The server scales these environments with its local provider (barge dev
// starts it with --default-provider local).
//
// One thread; blocks on the HTTP calls (unsigned: dev's server verifies no
// signatures) and polls until the environment is VALID.
#include <cstdint>
#include <string>

#include "cli/transport.h"
#include "core/result.h"

namespace barge::cli {

struct DevEnvironment {
  std::string name{};      // Of the compute environment and of its job queue.
  std::string executor{};  // "process" or "container".
  int64_t min_vcpus = 0;
  int64_t max_vcpus = 1;
};

// Returns the executor the environment has now: `environment.executor`, or
// the value of the tag an existing environment already carried. Errors:
// kUnavailable (no connection), kFailedPrecondition (the server refused a
// call, or the environment is INVALID).
Result<std::string> EnsureDevEnvironment(Transport& transport, const DevEnvironment& environment);

// "arn:aws:batch:..." -> "arn%3Aaws%3Abatch%3A...": one path segment, as
// the AWS clients send it in /v1/tags/{resourceArn}.
std::string EncodePathSegment(const std::string& text);

}  // namespace barge::cli
