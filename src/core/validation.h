#pragma once
// AWS Batch input rules that more than one use case needs: resource and job
// names, tags, the trailing-'*' globs of retryStrategy.evaluateOnExit, share
// identifiers, retry strategies, timeouts, container environments and
// resource requirements. Pure functions of their arguments, safe on any thread.
//
// Each Validate* returns OK or a kInvalidArgument whose message names the
// offending member and value, in the lowercase style of STYLE.md. `field` is
// the wire member name the value came from ("computeEnvironmentName",
// "containerOverrides.environment", ...), so messages point at the request.
#include <cstddef>
#include <string_view>
#include <vector>

#include "core/common_types.h"
#include "core/job_definition.h"
#include "core/result.h"

namespace barge {

inline constexpr size_t kMaxResourceNameLength = 128;
inline constexpr size_t kMaxTags = 50;
inline constexpr size_t kMaxTagKeyLength = 128;
inline constexpr size_t kMaxTagValueLength = 256;
inline constexpr size_t kMaxGlobLength = 512;
inline constexpr size_t kMaxShareIdentifierLength = 255;
inline constexpr size_t kMaxEvaluateOnExit = 5;
inline constexpr int32_t kMinRetryAttempts = 1;
inline constexpr int32_t kMaxRetryAttempts = 10;
inline constexpr int32_t kMinAttemptDurationSeconds = 60;
inline constexpr int32_t kMinMemoryMib = 4;

// computeEnvironmentName, jobQueueName, jobDefinitionName, scheduling policy
// name, jobName: 1..128 of [A-Za-z0-9_-], the first a letter or digit.
Status ValidateResourceName(std::string_view field, std::string_view name);

// At most 50 tags; keys 1..128 characters not starting with "aws:" (any
// case); values at most 256 characters.
Status ValidateTags(const Tags& tags);
// One key, as TagResource and UntagResource take them.
Status ValidateTagKey(std::string_view key);

// True when `text` matches `pattern`: exactly, or by prefix when the pattern
// ends in '*' ("*" alone matches everything). No other wildcard exists.
bool MatchesGlob(std::string_view pattern, std::string_view text);
// evaluateOnExit.onExitCode: 1..512 characters, digits with an optional
// trailing '*'.
Status ValidateExitCodeGlob(std::string_view pattern);
// evaluateOnExit.onReason / onStatusReason: 1..512 characters of letters,
// digits, '.', ':', spaces and tabs, with an optional trailing '*'.
Status ValidateReasonGlob(std::string_view field, std::string_view pattern);

// A job's shareIdentifier (SubmitJob): 1..255 characters of letters, digits,
// '-', '_' and '.'. AWS documents only alphanumerics; the wider set is
// accepted on purpose so scripts with "team-a" keep working.
Status ValidateShareIdentifier(std::string_view share_identifier);
// A shareDistribution entry of a fair-share policy: a share identifier, or a
// prefix of one followed by '*'.
Status ValidateSharePattern(std::string_view pattern);
// True when some share identifier would match both patterns (equal, or one is
// a '*' prefix covering the other).
bool SharePatternsOverlap(std::string_view a, std::string_view b);

// retryStrategy: attempts 1..10 when set; at most 5 evaluateOnExit entries,
// each with action RETRY or EXIT (any case) and valid globs.
Status ValidateRetryStrategy(std::string_view field, const RetryStrategy& strategy);
// timeout.attemptDurationSeconds >= 60 when set.
Status ValidateTimeout(std::string_view field, const JobTimeout& timeout);

// Environment variables: names are non-empty, contain no '=', and do not
// begin with the reserved prefix AWS_BATCH.
Status ValidateEnvironment(std::string_view field, const std::vector<KeyValuePair>& environment);

struct ResourceRequirementRules {
  // Fargate takes fractional VCPU values (0.25, 0.5, ...) and no GPUs.
  bool fargate = false;
};
// Types VCPU, MEMORY or GPU, each at most once, with positive numeric values:
// VCPU an integer >= 1 (positive decimal on Fargate), MEMORY an integer >= 4
// (MiB), GPU an integer >= 1.
Status ValidateResourceRequirements(std::string_view field,
                                    const std::vector<ResourceRequirement>& requirements,
                                    const ResourceRequirementRules& rules);

}  // namespace barge
