#include "control/tag_service.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "control/resource_ref.h"
#include "control/transact.h"
#include "core/compute_environment.h"
#include "core/validation.h"

namespace barge::control {
namespace {

const std::string kExecutorKey(kExecutorTag);

Error Missing(const std::string& arn) { return NotFound("resource " + arn + " does not exist"); }

// A job shares its tags between its copies (core/job.h); the others hold them.
const Tags& Held(const Tags& tags) { return tags; }
const Tags& Held(const CopyOnWrite<Tags>& tags) { return *tags; }

template <typename T>
Result<Tags> TagsOf(Result<T> loaded, const std::string& arn) {
  if (!loaded) {
    if (loaded.error().code == ErrorCode::kNotFound) return Missing(arn);
    return loaded.error();
  }
  return Held(loaded->tags);
}

template <typename T, typename Write>
Status ReplaceTags(Result<T> loaded, const std::string& arn, const Tags& tags, Write write) {
  if (!loaded) {
    if (loaded.error().code == ErrorCode::kNotFound) return Missing(arn);
    return loaded.error();
  }
  T resource = std::move(loaded).value();
  resource.tags = tags;
  return write(resource);
}

// A parsed ARN, checked to be one TagService can address.
struct TagTarget {
  std::string arn{};
  ResourceKind kind = ResourceKind::kJob;
  std::string name{};
  int32_t revision = 0;  // Job definitions only.
};

Result<TagTarget> ParseTarget(const std::string& arn) {
  if (arn.empty()) return InvalidArgument("resourceArn is required");
  std::optional<ParsedArn> parsed = ParseArn(arn);
  if (!parsed) return InvalidArgument("'" + arn + "' is not a valid AWS Batch resource ARN");
  TagTarget target{.arn = arn, .kind = parsed->kind, .name = parsed->id};
  if (parsed->kind == ResourceKind::kJob && parsed->id.find_first_of(":#") != std::string::npos) {
    // AWS: array children ("id:index") and multi-node nodes ("id#node") carry no tags.
    return InvalidArgument("job " + parsed->id + " cannot be tagged: tag its parent job instead");
  }
  if (parsed->kind == ResourceKind::kJobDefinition) {
    auto ref = ParseJobDefinitionRef(arn);
    if (!ref || !ref->revision) {
      return InvalidArgument("'" + arn + "' is not a valid AWS Batch resource ARN");
    }
    target.name = ref->name;
    target.revision = *ref->revision;
  }
  return target;
}

Result<Tags> ReadTags(StoreTransaction& txn, const TagTarget& target) {
  switch (target.kind) {
    case ResourceKind::kComputeEnvironment:
      return TagsOf(txn.GetComputeEnvironment(target.name), target.arn);
    case ResourceKind::kJobQueue:
      return TagsOf(txn.GetJobQueue(target.name), target.arn);
    case ResourceKind::kSchedulingPolicy:
      return TagsOf(txn.GetSchedulingPolicy(target.name), target.arn);
    case ResourceKind::kJobDefinition:
      return TagsOf(txn.GetJobDefinition(target.name, target.revision), target.arn);
    case ResourceKind::kJob:
      return TagsOf(txn.GetJob(target.name), target.arn);
  }
  return Internal("tags of " + target.arn + " cannot be read");
}

Status WriteTags(StoreTransaction& txn, const TagTarget& target, const Tags& tags) {
  switch (target.kind) {
    case ResourceKind::kComputeEnvironment:
      return ReplaceTags(txn.GetComputeEnvironment(target.name), target.arn, tags,
                         [&](const auto& ce) { return txn.UpdateComputeEnvironment(ce); });
    case ResourceKind::kJobQueue:
      return ReplaceTags(txn.GetJobQueue(target.name), target.arn, tags,
                         [&](const auto& queue) { return txn.UpdateJobQueue(queue); });
    case ResourceKind::kSchedulingPolicy:
      return ReplaceTags(txn.GetSchedulingPolicy(target.name), target.arn, tags,
                         [&](const auto& policy) { return txn.UpdateSchedulingPolicy(policy); });
    case ResourceKind::kJobDefinition:
      return ReplaceTags(
          txn.GetJobDefinition(target.name, target.revision), target.arn, tags,
          [&](const auto& definition) { return txn.UpdateJobDefinition(definition); });
    case ResourceKind::kJob:
      return ReplaceTags(txn.GetJob(target.name), target.arn, tags,
                         [&](const auto& job) { return txn.UpdateJob(job); });
  }
  return Internal("tags of " + target.arn + " cannot be written");
}

}  // namespace

TagService::TagService(Store& store, const ArnFormatter& arns) : store_(store), arns_(arns) {}

Status TagService::Tag(const std::string& arn, const Tags& tags) {
  auto target = ParseTarget(arn);
  if (!target) return target.error();
  if (tags.empty()) return InvalidArgument("tags must hold at least one tag");
  BARGE_RETURN_IF_ERROR(ValidateTags(tags));
  bool environment = target->kind == ResourceKind::kComputeEnvironment;
  if (environment) BARGE_RETURN_IF_ERROR(ValidateExecutorTag(tags));
  return TransactWithRetry(store_, [&](StoreTransaction& txn) -> Status {
    auto current = ReadTags(txn, target.value());
    if (!current) return current.error();
    Tags merged = std::move(current).value();
    for (const auto& [key, value] : tags) merged[key] = value;
    // An environment's barge:executor is barge's own, outside AWS's 50.
    size_t counted = merged.size() - (environment && merged.contains(kExecutorKey) ? 1 : 0);
    if (counted > kMaxTags) {
      return InvalidArgument("resource " + arn + " would have " + std::to_string(counted) +
                             " tags: a resource can have at most 50");
    }
    return WriteTags(txn, target.value(), merged);
  });
}

Status TagService::Untag(const std::string& arn, const std::vector<std::string>& keys) {
  auto target = ParseTarget(arn);
  if (!target) return target.error();
  if (keys.empty()) return InvalidArgument("tagKeys must hold at least one key");
  for (const std::string& key : keys) BARGE_RETURN_IF_ERROR(ValidateTagKey(key));
  if (target->kind == ResourceKind::kComputeEnvironment &&
      std::ranges::find(keys, kExecutorKey) != keys.end()) {
    return InvalidArgument("tag " + kExecutorKey + " cannot be removed from compute environment " +
                           target->name +
                           ": it chooses how the environment's jobs run; set it to container or "
                           "process with TagResource instead");
  }
  return TransactWithRetry(store_, [&](StoreTransaction& txn) -> Status {
    auto current = ReadTags(txn, target.value());
    if (!current) return current.error();
    Tags remaining = std::move(current).value();
    size_t before = remaining.size();
    for (const std::string& key : keys) remaining.erase(key);
    if (remaining.size() == before) return Ok();  // Unknown keys are not an error.
    return WriteTags(txn, target.value(), remaining);
  });
}

Result<Tags> TagService::List(const std::string& arn) {
  auto target = ParseTarget(arn);
  if (!target) return target.error();
  Tags tags;
  Status status = TransactWithRetry(store_, [&](StoreTransaction& txn) -> Status {
    auto current = ReadTags(txn, target.value());
    if (!current) return current.error();
    tags = std::move(current).value();
    return Ok();
  });
  if (!status) return status.error();
  return tags;
}

}  // namespace barge::control
