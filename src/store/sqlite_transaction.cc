#include "store/sqlite_transaction.h"

#include <optional>
#include <string_view>
#include <utility>

#include "codec/codec.h"

namespace barge {
namespace {

// A table of resources keyed by name; the three such kinds share all SQL.
struct NamedTable {
  std::string_view table;
  std::string_view noun;  // For messages: "compute environment x does not exist".
};
constexpr NamedTable kComputeEnvironments{"compute_environments", "compute environment"};
constexpr NamedTable kJobQueues{"job_queues", "job queue"};
constexpr NamedTable kSchedulingPolicies{"scheduling_policies", "scheduling policy"};

template <typename Row>
using Decoder = Result<Row> (*)(const codec::Json&);

std::string Describe(std::string_view noun, std::string_view key) {
  return std::string(noun) + " " + std::string(key);
}

std::string DefinitionKey(const std::string& name, int32_t revision) {
  return name + ":" + std::to_string(revision);
}

// nlohmann throws on dump() of a string that is not UTF-8; that is bad input.
template <typename Row>
Result<std::string> Encode(const Row& row, std::string_view what) {
  try {
    return codec::ToJson(row).dump();
  } catch (const codec::Json::exception& e) {
    return InvalidArgument(std::string(what) + " cannot be stored: " + e.what());
  }
}

template <typename Row>
Result<Row> Decode(const std::string& doc, Decoder<Row> decode, std::string_view what) {
  codec::Json json = codec::Json::parse(doc, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return Internal("stored " + std::string(what) + " is not json");
  Result<Row> row = decode(json);
  if (!row) {
    return Internal("stored " + std::string(what) + " does not decode: " + row.error().message);
  }
  return row;
}

// Columns: name, arn, version, doc.
constexpr std::string_view kNamedColumns = "SELECT name, arn, version, doc FROM ";

template <typename Row>
Result<Row> ReadNamedRow(const sqlite::Statement& stmt, const NamedTable& t,
                         Decoder<Row> decode) {
  std::string name = stmt.ColumnText(0);
  Result<Row> row = Decode(stmt.ColumnText(3), decode, Describe(t.noun, name));
  if (!row) return row;
  row->name = std::move(name);
  row->arn = stmt.ColumnText(1);
  row->version = stmt.ColumnInt64(2);
  return row;
}

template <typename Row>
Result<Row> GetNamed(sqlite::Database& db, const NamedTable& t, Decoder<Row> decode,
                     const std::string& name) {
  Result<sqlite::Statement> stmt =
      db.Prepare(std::string(kNamedColumns) + std::string(t.table) + " WHERE name = ?1");
  if (!stmt) return stmt.error();
  stmt->Bind(1, name);
  Result<bool> row = stmt->Step("get " + Describe(t.noun, name));
  if (!row) return row.error();
  if (!row.value()) return NotFound(Describe(t.noun, name) + " does not exist");
  return ReadNamedRow(*stmt, t, decode);
}

template <typename Row, typename ReadRow>
Result<std::vector<Row>> ReadAll(sqlite::Statement& stmt, std::string_view what,
                                 ReadRow read_row) {
  std::vector<Row> rows;
  while (true) {
    Result<bool> more = stmt.Step(what);
    if (!more) return more.error();
    if (!more.value()) return rows;
    Result<Row> row = read_row(stmt);
    if (!row) return row.error();
    rows.push_back(std::move(row).value());
  }
}

template <typename Row>
Result<std::vector<Row>> ListNamed(sqlite::Database& db, const NamedTable& t,
                                   Decoder<Row> decode) {
  Result<sqlite::Statement> stmt =
      db.Prepare(std::string(kNamedColumns) + std::string(t.table) + " ORDER BY name");
  if (!stmt) return stmt.error();
  return ReadAll<Row>(*stmt, "list " + std::string(t.table), [&](const sqlite::Statement& s) {
    return ReadNamedRow(s, t, decode);
  });
}

// Words a failed write: which uniqueness rule it broke, or SQLite's own text.
Error WriteError(sqlite::Database& db, Error error, std::string_view what, std::string_view arn) {
  if (error.code != ErrorCode::kAlreadyExists) return error;
  if (db.extended_error_code() == SQLITE_CONSTRAINT_PRIMARYKEY) {
    return AlreadyExists(std::string(what) + " already exists");
  }
  if (db.extended_error_code() == SQLITE_CONSTRAINT_UNIQUE) {
    return AlreadyExists("another resource already has arn " + std::string(arn));
  }
  return error;
}

template <typename Row>
Status InsertNamed(sqlite::Database& db, const NamedTable& t, const Row& row) {
  std::string what = Describe(t.noun, row.name);
  Result<std::string> doc = Encode(row, what);
  if (!doc) return doc.error();
  Result<sqlite::Statement> stmt =
      db.Prepare("INSERT INTO " + std::string(t.table) +
                 " (name, arn, version, doc) VALUES (?1, ?2, 1, ?3)");
  if (!stmt) return stmt.error();
  stmt->Bind(1, row.name);
  stmt->BindTextOrNull(2, row.arn);
  stmt->Bind(3, doc.value());
  if (Status done = stmt->Run("insert " + what); !done) {
    return WriteError(db, done.error(), what, row.arn);
  }
  return Ok();
}

// Tells a lost compare-and-set (kConflict) from a row that is gone.
Status ConflictOrNotFound(sqlite::Database& db, std::string_view exists_sql,
                          const std::string& name, std::optional<int32_t> revision,
                          const std::string& what, int64_t version) {
  Result<sqlite::Statement> stmt = db.Prepare(exists_sql);
  if (!stmt) return stmt.error();
  stmt->Bind(1, name);
  if (revision) stmt->Bind(2, int64_t{*revision});
  Result<bool> exists = stmt->Step("check " + what);
  if (!exists) return exists.error();
  if (!exists.value()) return NotFound(what + " does not exist");
  return Conflict(what + " changed since version " + std::to_string(version));
}

template <typename Row>
Status UpdateNamed(sqlite::Database& db, const NamedTable& t, const Row& row) {
  std::string what = Describe(t.noun, row.name);
  Result<std::string> doc = Encode(row, what);
  if (!doc) return doc.error();
  Result<sqlite::Statement> stmt =
      db.Prepare("UPDATE " + std::string(t.table) +
                 " SET arn = ?2, doc = ?3, version = version + 1"
                 " WHERE name = ?1 AND version = ?4");
  if (!stmt) return stmt.error();
  stmt->Bind(1, row.name);
  stmt->BindTextOrNull(2, row.arn);
  stmt->Bind(3, doc.value());
  stmt->Bind(4, row.version);
  if (Status done = stmt->Run("update " + what); !done) {
    return WriteError(db, done.error(), what, row.arn);
  }
  if (db.changes() == 1) return Ok();
  return ConflictOrNotFound(db, "SELECT 1 FROM " + std::string(t.table) + " WHERE name = ?1",
                            row.name, std::nullopt, what, row.version);
}

Status DeleteNamed(sqlite::Database& db, const NamedTable& t, const std::string& name) {
  std::string what = Describe(t.noun, name);
  Result<sqlite::Statement> stmt =
      db.Prepare("DELETE FROM " + std::string(t.table) + " WHERE name = ?1");
  if (!stmt) return stmt.error();
  stmt->Bind(1, name);
  BARGE_RETURN_IF_ERROR(stmt->Run("delete " + what));
  if (db.changes() == 0) return NotFound(what + " does not exist");
  return Ok();
}

// Columns: name, revision, status, arn, version, doc.
constexpr std::string_view kDefinitionColumns =
    "SELECT name, revision, status, arn, version, doc FROM job_definitions";

Result<JobDefinition> ReadDefinition(const sqlite::Statement& stmt) {
  std::string name = stmt.ColumnText(0);
  int64_t revision = stmt.ColumnInt64(1);
  std::string what = "job definition " + name + ":" + std::to_string(revision);
  if (revision < INT32_MIN || revision > INT32_MAX) {
    return Internal("stored " + what + " has a revision out of range");
  }
  std::optional<JobDefinitionStatus> status = ParseJobDefinitionStatus(stmt.ColumnText(2));
  if (!status) return Internal("stored " + what + " has an unknown status");
  Result<JobDefinition> definition =
      Decode<JobDefinition>(stmt.ColumnText(5), &codec::JobDefinitionFromJson, what);
  if (!definition) return definition;
  definition->name = std::move(name);
  definition->revision = static_cast<int32_t>(revision);
  definition->status = *status;
  definition->arn = stmt.ColumnText(3);
  definition->version = stmt.ColumnInt64(4);
  return definition;
}

}  // namespace

Result<ComputeEnvironment> SqliteTransaction::GetComputeEnvironment(const std::string& name) {
  return GetNamed<ComputeEnvironment>(db_, kComputeEnvironments,
                                      &codec::ComputeEnvironmentFromJson, name);
}
Result<std::vector<ComputeEnvironment>> SqliteTransaction::ListComputeEnvironments() {
  bool cacheable = cache_ != nullptr && !wrote_environments_;
  if (cacheable && cache_->environments) return *cache_->environments;
  Result<std::vector<ComputeEnvironment>> listed = ListNamed<ComputeEnvironment>(
      db_, kComputeEnvironments, &codec::ComputeEnvironmentFromJson);
  if (cacheable && listed) cache_->environments = *listed;
  return listed;
}
void SqliteTransaction::WroteEnvironments() {
  wrote_environments_ = true;
  if (cache_ != nullptr) cache_->environments.reset();
}
Status SqliteTransaction::InsertComputeEnvironment(const ComputeEnvironment& ce) {
  WroteEnvironments();
  return InsertNamed(db_, kComputeEnvironments, ce);
}
Status SqliteTransaction::UpdateComputeEnvironment(const ComputeEnvironment& ce) {
  WroteEnvironments();
  return UpdateNamed(db_, kComputeEnvironments, ce);
}
Status SqliteTransaction::DeleteComputeEnvironment(const std::string& name) {
  WroteEnvironments();
  return DeleteNamed(db_, kComputeEnvironments, name);
}

Result<JobQueue> SqliteTransaction::GetJobQueue(const std::string& name) {
  return GetNamed<JobQueue>(db_, kJobQueues, &codec::JobQueueFromJson, name);
}
Result<std::vector<JobQueue>> SqliteTransaction::ListJobQueues() {
  bool cacheable = cache_ != nullptr && !wrote_queues_;
  if (cacheable && cache_->queues) return *cache_->queues;
  Result<std::vector<JobQueue>> listed =
      ListNamed<JobQueue>(db_, kJobQueues, &codec::JobQueueFromJson);
  if (cacheable && listed) cache_->queues = *listed;
  return listed;
}
void SqliteTransaction::WroteQueues() {
  wrote_queues_ = true;
  if (cache_ != nullptr) cache_->queues.reset();
}
Status SqliteTransaction::InsertJobQueue(const JobQueue& queue) {
  WroteQueues();
  return InsertNamed(db_, kJobQueues, queue);
}
Status SqliteTransaction::UpdateJobQueue(const JobQueue& queue) {
  WroteQueues();
  return UpdateNamed(db_, kJobQueues, queue);
}
Status SqliteTransaction::DeleteJobQueue(const std::string& name) {
  WroteQueues();
  return DeleteNamed(db_, kJobQueues, name);
}

Result<SchedulingPolicy> SqliteTransaction::GetSchedulingPolicy(const std::string& name) {
  return GetNamed<SchedulingPolicy>(db_, kSchedulingPolicies, &codec::SchedulingPolicyFromJson,
                                    name);
}
Result<std::vector<SchedulingPolicy>> SqliteTransaction::ListSchedulingPolicies() {
  return ListNamed<SchedulingPolicy>(db_, kSchedulingPolicies,
                                     &codec::SchedulingPolicyFromJson);
}
Status SqliteTransaction::InsertSchedulingPolicy(const SchedulingPolicy& policy) {
  return InsertNamed(db_, kSchedulingPolicies, policy);
}
Status SqliteTransaction::UpdateSchedulingPolicy(const SchedulingPolicy& policy) {
  return UpdateNamed(db_, kSchedulingPolicies, policy);
}
Status SqliteTransaction::DeleteSchedulingPolicy(const std::string& name) {
  return DeleteNamed(db_, kSchedulingPolicies, name);
}

Result<JobDefinition> SqliteTransaction::GetJobDefinition(const std::string& name,
                                                          int32_t revision) {
  std::string what = "job definition " + DefinitionKey(name, revision);
  Result<sqlite::Statement> stmt =
      db_.Prepare(std::string(kDefinitionColumns) + " WHERE name = ?1 AND revision = ?2");
  if (!stmt) return stmt.error();
  stmt->Bind(1, name);
  stmt->Bind(2, int64_t{revision});
  Result<bool> row = stmt->Step("get " + what);
  if (!row) return row.error();
  if (!row.value()) return NotFound(what + " does not exist");
  return ReadDefinition(*stmt);
}

Result<std::vector<JobDefinition>> SqliteTransaction::ListJobDefinitions(
    const JobDefinitionFilter& filter) {
  bool cacheable = cache_ != nullptr && !wrote_definitions_ && filter.name &&
                   filter.status == JobDefinitionStatus::kActive;
  if (cacheable) {
    auto cached = cache_->active_definitions.find(*filter.name);
    if (cached != cache_->active_definitions.end()) return cached->second;
  }
  Result<std::vector<JobDefinition>> listed = ListDefinitionsFromDb(filter);
  if (cacheable && listed) {
    if (cache_->active_definitions.size() >= SqliteResourceCache::kMaxDefinitionNames) {
      cache_->active_definitions.clear();
    }
    cache_->active_definitions.emplace(*filter.name, *listed);
  }
  return listed;
}

void SqliteTransaction::WroteDefinitions() {
  wrote_definitions_ = true;
  if (cache_ != nullptr) cache_->active_definitions.clear();
}

Result<std::vector<JobDefinition>> SqliteTransaction::ListDefinitionsFromDb(
    const JobDefinitionFilter& filter) {
  // One statement per filter shape (at most four, each cached) rather than
  // "?1 IS NULL OR name = ?1", which would keep SQLite off the indexes.
  std::string sql(kDefinitionColumns);
  if (filter.name && filter.status) {
    sql += " WHERE name = ?1 AND status = ?2";
  } else if (filter.name) {
    sql += " WHERE name = ?1";
  } else if (filter.status) {
    sql += " WHERE status = ?2";
  }
  sql += " ORDER BY name, revision";
  Result<sqlite::Statement> stmt = db_.Prepare(sql);
  if (!stmt) return stmt.error();
  if (filter.name) stmt->Bind(1, *filter.name);
  if (filter.status) stmt->Bind(2, ToString(*filter.status));
  return ReadAll<JobDefinition>(*stmt, "list job definitions", &ReadDefinition);
}

Result<int32_t> SqliteTransaction::MaxJobDefinitionRevision(const std::string& name) {
  Result<sqlite::Statement> stmt = db_.Prepare(
      "SELECT COALESCE(MAX(revision), 0) FROM job_definitions WHERE name = ?1");
  if (!stmt) return stmt.error();
  stmt->Bind(1, name);
  Result<bool> row = stmt->Step("max revision of job definition " + name);
  if (!row) return row.error();
  if (!row.value()) return Internal("max revision of job definition " + name + ": no row");
  return static_cast<int32_t>(stmt->ColumnInt64(0));
}

Status SqliteTransaction::InsertJobDefinition(const JobDefinition& definition) {
  WroteDefinitions();
  std::string what = "job definition " + DefinitionKey(definition.name, definition.revision);
  Result<std::string> doc = Encode(definition, what);
  if (!doc) return doc.error();
  Result<sqlite::Statement> stmt = db_.Prepare(
      "INSERT INTO job_definitions (name, revision, status, arn, version, doc)"
      " VALUES (?1, ?2, ?3, ?4, 1, ?5)");
  if (!stmt) return stmt.error();
  stmt->Bind(1, definition.name);
  stmt->Bind(2, int64_t{definition.revision});
  stmt->Bind(3, ToString(definition.status));
  stmt->BindTextOrNull(4, definition.arn);
  stmt->Bind(5, doc.value());
  if (Status done = stmt->Run("insert " + what); !done) {
    return WriteError(db_, done.error(), what, definition.arn);
  }
  return Ok();
}

Status SqliteTransaction::UpdateJobDefinition(const JobDefinition& definition) {
  WroteDefinitions();
  std::string what = "job definition " + DefinitionKey(definition.name, definition.revision);
  Result<std::string> doc = Encode(definition, what);
  if (!doc) return doc.error();
  Result<sqlite::Statement> stmt = db_.Prepare(
      "UPDATE job_definitions SET status = ?3, arn = ?4, doc = ?5, version = version + 1"
      " WHERE name = ?1 AND revision = ?2 AND version = ?6");
  if (!stmt) return stmt.error();
  stmt->Bind(1, definition.name);
  stmt->Bind(2, int64_t{definition.revision});
  stmt->Bind(3, ToString(definition.status));
  stmt->BindTextOrNull(4, definition.arn);
  stmt->Bind(5, doc.value());
  stmt->Bind(6, definition.version);
  if (Status done = stmt->Run("update " + what); !done) {
    return WriteError(db_, done.error(), what, definition.arn);
  }
  if (db_.changes() == 1) return Ok();
  return ConflictOrNotFound(db_, "SELECT 1 FROM job_definitions WHERE name = ?1 AND revision = ?2",
                            definition.name, definition.revision, what, definition.version);
}

}  // namespace barge
