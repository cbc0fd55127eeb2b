#include "control/job_definition_service.h"

#include <map>
#include <utility>

#include "control/job_definition_validation.h"
#include "control/resource_ref.h"
#include "control/transact.h"

namespace barge::control {
namespace {

constexpr size_t kMaxDescribe = 100;

Error Malformed(std::string_view field, std::string_view text, std::string_view expected) {
  return InvalidArgument(std::string(field) + " '" + std::string(text) +
                         "' is invalid: it must be " + std::string(expected));
}

}  // namespace

JobDefinitionService::JobDefinitionService(Store& store, const ArnFormatter& arns)
    : store_(store), arns_(arns) {}

Result<JobDefinition> JobDefinitionService::Register(JobDefinition spec, size_t request_bytes) {
  if (request_bytes > kMaxDefinitionBytes) {
    return InvalidArgument("job definition size exceeds the 24 KiB limit (" +
                           std::to_string(request_bytes) + " bytes given)");
  }
  BARGE_RETURN_IF_ERROR(ValidateJobDefinition(spec));
  spec.status = JobDefinitionStatus::kActive;
  spec.version = 0;

  JobDefinition registered;
  Status status = TransactWithRetry(store_, [&](StoreTransaction& txn) -> Status {
    auto latest = txn.MaxJobDefinitionRevision(spec.name);
    if (!latest) return latest.error();
    JobDefinition definition = spec;
    definition.revision = latest.value() + 1;
    definition.arn = arns_.JobDefinition(definition.name, definition.revision);
    BARGE_RETURN_IF_ERROR(txn.InsertJobDefinition(definition));
    auto stored = txn.GetJobDefinition(definition.name, definition.revision);
    if (!stored) return stored.error();
    registered = std::move(stored).value();
    return Ok();
  });
  if (!status) return status.error();
  return registered;
}

Result<std::vector<JobDefinition>> JobDefinitionService::Describe(const JobDefinitionQuery& query) {
  if (!query.job_definitions.empty() && (query.name || query.status)) {
    return InvalidArgument("jobDefinitions cannot be combined with jobDefinitionName or status");
  }
  if (query.job_definitions.size() > kMaxDescribe) {
    return InvalidArgument("jobDefinitions can hold at most 100 entries, got " +
                           std::to_string(query.job_definitions.size()));
  }
  std::vector<JobDefinitionRef> refs;
  for (const std::string& text : query.job_definitions) {
    auto ref = ParseJobDefinitionRef(text);
    if (!ref) {
      return Malformed("jobDefinitions entry", text, "name, name:revision or a job definition ARN");
    }
    refs.push_back(std::move(*ref));
  }

  std::vector<JobDefinition> found;
  Status status = TransactWithRetry(store_, [&](StoreTransaction& txn) -> Status {
    if (refs.empty()) {
      auto listed = txn.ListJobDefinitions({.name = query.name, .status = query.status});
      if (!listed) return listed.error();
      found = std::move(listed).value();
      return Ok();
    }
    // Keyed by (name, revision): ordered like ListJobDefinitions, and an entry
    // named twice is returned once.
    std::map<std::pair<std::string, int32_t>, JobDefinition> by_key;
    for (const JobDefinitionRef& ref : refs) {
      if (!ref.revision) {
        auto listed = txn.ListJobDefinitions({.name = ref.name});
        if (!listed) return listed.error();
        for (JobDefinition& definition : listed.value()) {
          by_key.insert_or_assign({definition.name, definition.revision}, std::move(definition));
        }
        continue;
      }
      auto definition = txn.GetJobDefinition(ref.name, *ref.revision);
      if (definition) {
        by_key.insert_or_assign({ref.name, *ref.revision}, std::move(definition).value());
      } else if (definition.error().code != ErrorCode::kNotFound) {
        return definition.error();
      }
    }
    found.clear();
    for (auto& [key, definition] : by_key) found.push_back(std::move(definition));
    return Ok();
  });
  if (!status) return status.error();
  return found;
}

Status JobDefinitionService::Deregister(const std::string& job_definition) {
  auto ref = ParseJobDefinitionRef(job_definition);
  if (!ref || !ref->revision) {
    return Malformed("jobDefinition", job_definition, "name:revision or a job definition ARN");
  }
  return TransactWithRetry(store_, [&](StoreTransaction& txn) -> Status {
    auto loaded = txn.GetJobDefinition(ref->name, *ref->revision);
    if (!loaded) {
      if (loaded.error().code != ErrorCode::kNotFound) return loaded.error();
      return NotFound("job definition " + arns_.JobDefinition(ref->name, *ref->revision) +
                      " does not exist");
    }
    JobDefinition definition = std::move(loaded).value();
    if (definition.status == JobDefinitionStatus::kInactive) return Ok();  // Idempotent.
    definition.status = JobDefinitionStatus::kInactive;
    return txn.UpdateJobDefinition(definition);
  });
}

Result<JobDefinition> JobDefinitionService::Resolve(const std::string& job_definition) {
  if (job_definition.empty()) return InvalidArgument("jobDefinition is required");
  auto ref = ParseJobDefinitionRef(job_definition);
  if (!ref) {
    return Malformed("jobDefinition", job_definition,
                     "name, name:revision or a job definition ARN");
  }
  JobDefinition resolved;
  Status status = TransactWithRetry(store_, [&](StoreTransaction& txn) -> Status {
    if (!ref->revision) {
      auto active =
          txn.ListJobDefinitions({.name = ref->name, .status = JobDefinitionStatus::kActive});
      if (!active) return active.error();
      if (active->empty()) {
        auto latest = txn.MaxJobDefinitionRevision(ref->name);
        if (!latest) return latest.error();
        if (latest.value() == 0) {
          return NotFound("job definition " + ref->name + " does not exist");
        }
        return FailedPrecondition("job definition " + ref->name + " has no ACTIVE revision");
      }
      resolved = active->back();  // Lists are ordered by revision.
      for (const JobDefinition& definition : active.value()) {
        if (definition.revision > resolved.revision) resolved = definition;
      }
      return Ok();
    }
    std::string arn = arns_.JobDefinition(ref->name, *ref->revision);
    auto definition = txn.GetJobDefinition(ref->name, *ref->revision);
    if (!definition) {
      if (definition.error().code != ErrorCode::kNotFound) return definition.error();
      return NotFound("job definition " + arn + " does not exist");
    }
    if (definition->status == JobDefinitionStatus::kInactive) {
      return FailedPrecondition("job definition " + arn + " is INACTIVE");
    }
    resolved = std::move(definition).value();
    return Ok();
  });
  if (!status) return status.error();
  return resolved;
}

}  // namespace barge::control
