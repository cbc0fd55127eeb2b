#include "core/validation.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <optional>
#include <set>
#include <string>

namespace barge {
namespace {

bool IsAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Appends instead of `"'" + std::string(value)`, which trips GCC 12's false
// -Wrestrict at -O3 (GCC bug 105329).
std::string Quoted(std::string_view value) {
  std::string out;
  out.reserve(value.size() + 2);
  out += '\'';
  out += value;
  out += '\'';
  return out;
}

std::string Join(std::string_view field, std::string_view member) {
  std::string out(field);
  if (!out.empty()) out += '.';
  out += member;
  return out;
}

// Splits off an optional trailing '*' and checks every other character.
template <typename Allowed>
bool GlobBodyAllowed(std::string_view pattern, Allowed allowed) {
  if (pattern.ends_with('*')) pattern.remove_suffix(1);
  return std::ranges::all_of(pattern, allowed);
}

bool IsReasonChar(char c) { return IsAlnum(c) || c == '.' || c == ':' || c == ' ' || c == '\t'; }
bool IsShareChar(char c) { return IsAlnum(c) || c == '-' || c == '_' || c == '.'; }

// Parses a whole string as a positive integer; nullopt otherwise.
std::optional<int64_t> ParsePositiveInteger(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value <= 0) return std::nullopt;
  return value;
}

// A plain positive decimal such as "0.25" or "2" (no sign, no exponent).
bool IsPositiveDecimal(std::string_view text) {
  size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view fraction = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  if (whole.empty() && fraction.empty()) return false;
  if (dot != std::string_view::npos && fraction.empty()) return false;
  if (!std::ranges::all_of(whole, IsDigit) || !std::ranges::all_of(fraction, IsDigit)) return false;
  return std::ranges::any_of(text, [](char c) { return c >= '1' && c <= '9'; });
}

}  // namespace

Status ValidateResourceName(std::string_view field, std::string_view name) {
  if (name.empty()) return InvalidArgument(std::string(field) + " is required");
  bool valid = name.size() <= kMaxResourceNameLength && IsAlnum(name.front()) &&
               std::ranges::all_of(name, [](char c) { return IsAlnum(c) || c == '-' || c == '_'; });
  if (!valid) {
    return InvalidArgument(std::string(field) + " " + Quoted(name) +
                           " is invalid: it must be 1 to 128 letters, numbers, hyphens or "
                           "underscores, and start with a letter or number");
  }
  return Ok();
}

Status ValidateTagKey(std::string_view key) {
  if (key.empty() || key.size() > kMaxTagKeyLength) {
    return InvalidArgument("tag key " + Quoted(key) +
                           " is invalid: it must be 1 to 128 characters");
  }
  std::string prefix(key.substr(0, 4));
  std::ranges::transform(prefix, prefix.begin(), [](unsigned char c) { return std::tolower(c); });
  if (prefix == "aws:") {
    return InvalidArgument("tag key " + Quoted(key) +
                           " is invalid: the aws: prefix is reserved for AWS use");
  }
  return Ok();
}

Status ValidateTags(const Tags& tags) {
  if (tags.size() > kMaxTags) {
    return InvalidArgument("too many tags: " + std::to_string(tags.size()) +
                           " given, a resource can have at most 50");
  }
  for (const auto& [key, value] : tags) {
    BARGE_RETURN_IF_ERROR(ValidateTagKey(key));
    if (value.size() > kMaxTagValueLength) {
      return InvalidArgument("tag value of key " + Quoted(key) +
                             " is invalid: it must be at most 256 characters");
    }
  }
  return Ok();
}

bool MatchesGlob(std::string_view pattern, std::string_view text) {
  if (pattern.ends_with('*')) return text.starts_with(pattern.substr(0, pattern.size() - 1));
  return pattern == text;
}

Status ValidateExitCodeGlob(std::string_view pattern) {
  if (pattern.empty() || pattern.size() > kMaxGlobLength || !GlobBodyAllowed(pattern, IsDigit)) {
    return InvalidArgument("onExitCode " + Quoted(pattern) +
                           " is invalid: it must be up to 512 digits, optionally ending in *");
  }
  return Ok();
}

Status ValidateReasonGlob(std::string_view field, std::string_view pattern) {
  if (pattern.empty() || pattern.size() > kMaxGlobLength ||
      !GlobBodyAllowed(pattern, IsReasonChar)) {
    return InvalidArgument(std::string(field) + " " + Quoted(pattern) +
                           " is invalid: it must be up to 512 letters, numbers, periods, colons "
                           "and spaces, optionally ending in *");
  }
  return Ok();
}

Status ValidateShareIdentifier(std::string_view share_identifier) {
  if (share_identifier.empty() || share_identifier.size() > kMaxShareIdentifierLength ||
      !std::ranges::all_of(share_identifier, IsShareChar)) {
    return InvalidArgument("shareIdentifier " + Quoted(share_identifier) +
                           " is invalid: it must be 1 to 255 letters, numbers, hyphens, "
                           "underscores or periods");
  }
  return Ok();
}

Status ValidateSharePattern(std::string_view pattern) {
  std::string_view body = pattern.ends_with('*') ? pattern.substr(0, pattern.size() - 1) : pattern;
  if (pattern.empty() || body.size() > kMaxShareIdentifierLength ||
      !std::ranges::all_of(body, IsShareChar)) {
    return InvalidArgument("shareIdentifier " + Quoted(pattern) +
                           " is invalid: it must be up to 255 letters, numbers, hyphens, "
                           "underscores or periods, optionally ending in *");
  }
  return Ok();
}

bool SharePatternsOverlap(std::string_view a, std::string_view b) {
  bool a_prefix = a.ends_with('*');
  bool b_prefix = b.ends_with('*');
  if (!a_prefix && !b_prefix) return a == b;
  if (a_prefix && b_prefix) {
    std::string_view pa = a.substr(0, a.size() - 1);
    std::string_view pb = b.substr(0, b.size() - 1);
    return pa.starts_with(pb) || pb.starts_with(pa);
  }
  return a_prefix ? MatchesGlob(a, b) : MatchesGlob(b, a);
}

Status ValidateRetryStrategy(std::string_view field, const RetryStrategy& strategy) {
  if (strategy.attempts &&
      (*strategy.attempts < kMinRetryAttempts || *strategy.attempts > kMaxRetryAttempts)) {
    return InvalidArgument(Join(field, "attempts") + " " + std::to_string(*strategy.attempts) +
                           " is invalid: it must be between 1 and 10");
  }
  if (strategy.evaluate_on_exit.size() > kMaxEvaluateOnExit) {
    return InvalidArgument(Join(field, "evaluateOnExit") + " has " +
                           std::to_string(strategy.evaluate_on_exit.size()) +
                           " entries: at most 5 are allowed");
  }
  for (const EvaluateOnExit& rule : strategy.evaluate_on_exit) {
    std::string action = rule.action;
    std::ranges::transform(action, action.begin(), [](unsigned char c) { return std::toupper(c); });
    if (action != "RETRY" && action != "EXIT") {
      return InvalidArgument(Join(field, "evaluateOnExit.action") + " " + Quoted(rule.action) +
                             " is invalid: it must be RETRY or EXIT");
    }
    if (rule.on_exit_code) BARGE_RETURN_IF_ERROR(ValidateExitCodeGlob(*rule.on_exit_code));
    if (rule.on_reason) BARGE_RETURN_IF_ERROR(ValidateReasonGlob("onReason", *rule.on_reason));
    if (rule.on_status_reason) {
      BARGE_RETURN_IF_ERROR(ValidateReasonGlob("onStatusReason", *rule.on_status_reason));
    }
  }
  return Ok();
}

Status ValidateTimeout(std::string_view field, const JobTimeout& timeout) {
  if (timeout.attempt_duration_seconds &&
      *timeout.attempt_duration_seconds < kMinAttemptDurationSeconds) {
    return InvalidArgument(Join(field, "attemptDurationSeconds") + " " +
                           std::to_string(*timeout.attempt_duration_seconds) +
                           " is invalid: the minimum timeout is 60 seconds");
  }
  return Ok();
}

Status ValidateEnvironment(std::string_view field, const std::vector<KeyValuePair>& environment) {
  for (const KeyValuePair& variable : environment) {
    if (variable.name.empty()) {
      return InvalidArgument(std::string(field) + ": environment variable names must not be empty");
    }
    if (variable.name.find('=') != std::string::npos) {
      return InvalidArgument(std::string(field) + ": invalid environment variable " +
                             variable.name + ": names must not contain '='");
    }
    if (variable.name.starts_with("AWS_BATCH")) {
      return InvalidArgument(std::string(field) + ": invalid environment variable " +
                             variable.name + ": names beginning with AWS_BATCH are reserved");
    }
  }
  return Ok();
}

Status ValidateResourceRequirements(std::string_view field,
                                    const std::vector<ResourceRequirement>& requirements,
                                    const ResourceRequirementRules& rules) {
  std::set<std::string> seen;
  for (const ResourceRequirement& requirement : requirements) {
    const std::string& type = requirement.type;
    std::string where = std::string(field) + " " + type + " value " + Quoted(requirement.value);
    if (type != "VCPU" && type != "MEMORY" && type != "GPU") {
      return InvalidArgument(std::string(field) + " type " + Quoted(type) +
                             " is invalid: it must be VCPU, MEMORY or GPU");
    }
    if (!seen.insert(type).second) {
      return InvalidArgument(std::string(field) + " lists type " + type + " more than once");
    }
    if (type == "VCPU" && rules.fargate) {
      if (!IsPositiveDecimal(requirement.value)) {
        return InvalidArgument(where + " is invalid: it must be a positive number");
      }
      continue;
    }
    std::optional<int64_t> value = ParsePositiveInteger(requirement.value);
    if (!value) return InvalidArgument(where + " is invalid: it must be a positive integer");
    if (type == "MEMORY" && *value < kMinMemoryMib) {
      return InvalidArgument(where + " is invalid: a job needs at least 4 MiB of memory");
    }
    if (type == "GPU" && rules.fargate) {
      return InvalidArgument(std::string(field) + ": GPU resources are not supported on FARGATE");
    }
  }
  return Ok();
}

}  // namespace barge
