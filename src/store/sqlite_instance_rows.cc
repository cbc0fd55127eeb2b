// SqliteTransaction's managed instances (migrations/0005_instances.sql).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "codec/instance_codec.h"
#include "store/sqlite_transaction.h"

namespace barge {
namespace {

constexpr std::string_view kInstanceColumns =
    "SELECT id, compute_environment, state, launched_at, version, doc FROM instances";

Result<Instance> ReadInstance(const sqlite::Statement& stmt) {
  std::string id = stmt.ColumnText(0);
  std::string what = "stored instance " + id;
  codec::Json json = codec::Json::parse(stmt.ColumnText(5), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return Internal(what + " is not json");
  Result<Instance> instance = codec::InstanceFromJson(json);
  if (!instance) return Internal(what + " does not decode: " + instance.error().message);
  std::optional<InstanceState> state = ParseInstanceState(stmt.ColumnText(2));
  if (!state) return Internal(what + " has an unknown state");
  instance->id = std::move(id);
  instance->compute_environment = stmt.ColumnText(1);
  instance->state = *state;
  instance->launched_at = FromEpochMillis(stmt.ColumnInt64(3));
  instance->version = stmt.ColumnInt64(4);
  return instance;
}

Result<std::string> EncodeInstance(const Instance& instance) {
  try {
    return codec::ToJson(instance).dump();
  } catch (const codec::Json::exception& e) {
    return InvalidArgument("instance " + instance.id + " cannot be stored: " + e.what());
  }
}

void BindTerminatedAt(sqlite::Statement& stmt, int index, const Instance& instance) {
  if (instance.state == InstanceState::kTerminated) {
    stmt.Bind(index, ToEpochMillis(instance.terminated_at.value_or(instance.launched_at)));
  } else {
    stmt.BindNull(index);
  }
}

}  // namespace

Result<Instance> SqliteTransaction::GetInstance(const std::string& id) {
  Result<sqlite::Statement> stmt = db_.Prepare(std::string(kInstanceColumns) + " WHERE id = ?1");
  if (!stmt) return stmt.error();
  stmt->Bind(1, id);
  Result<bool> row = stmt->Step("get instance " + id);
  if (!row) return row.error();
  if (!row.value()) return NotFound("instance " + id + " does not exist");
  return ReadInstance(*stmt);
}

Result<std::vector<Instance>> SqliteTransaction::ListInstances(const InstanceFilter& filter) {
  std::string sql(kInstanceColumns);
  std::vector<std::string> conditions;
  if (filter.live_only) conditions.push_back("terminated_at IS NULL");
  if (filter.compute_environment) conditions.push_back("compute_environment = ?1");
  if (filter.alive_since) conditions.push_back("(terminated_at IS NULL OR terminated_at >= ?2)");
  for (size_t i = 0; i < conditions.size(); ++i) {
    sql += (i == 0 ? " WHERE " : " AND ") + conditions[i];
  }
  sql += " ORDER BY launched_at, id";
  Result<sqlite::Statement> stmt = db_.Prepare(sql);
  if (!stmt) return stmt.error();
  if (filter.compute_environment) stmt->Bind(1, *filter.compute_environment);
  if (filter.alive_since) stmt->Bind(2, ToEpochMillis(*filter.alive_since));
  std::vector<Instance> instances;
  while (true) {
    Result<bool> more = stmt->Step("list instances");
    if (!more) return more.error();
    if (!more.value()) return instances;
    Result<Instance> instance = ReadInstance(*stmt);
    if (!instance) return instance.error();
    instances.push_back(std::move(instance).value());
  }
}

Status SqliteTransaction::InsertInstance(const Instance& instance) {
  Result<std::string> doc = EncodeInstance(instance);
  if (!doc) return doc.error();
  Result<sqlite::Statement> stmt = db_.Prepare(
      "INSERT INTO instances (id, compute_environment, state, launched_at, terminated_at,"
      " version, doc) VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6)");
  if (!stmt) return stmt.error();
  stmt->Bind(1, instance.id);
  stmt->Bind(2, instance.compute_environment);
  stmt->Bind(3, ToString(instance.state));
  stmt->Bind(4, ToEpochMillis(instance.launched_at));
  BindTerminatedAt(*stmt, 5, instance);
  stmt->Bind(6, doc.value());
  if (Status done = stmt->Run("insert instance " + instance.id); !done) {
    if (done.error().code == ErrorCode::kAlreadyExists) {
      return AlreadyExists("instance " + instance.id + " already exists");
    }
    return done;
  }
  return Ok();
}

Status SqliteTransaction::UpdateInstance(const Instance& instance) {
  Result<std::string> doc = EncodeInstance(instance);
  if (!doc) return doc.error();
  Result<sqlite::Statement> stmt = db_.Prepare(
      "UPDATE instances SET compute_environment = ?2, state = ?3, launched_at = ?4,"
      " terminated_at = ?5, doc = ?6, version = version + 1 WHERE id = ?1 AND version = ?7");
  if (!stmt) return stmt.error();
  stmt->Bind(1, instance.id);
  stmt->Bind(2, instance.compute_environment);
  stmt->Bind(3, ToString(instance.state));
  stmt->Bind(4, ToEpochMillis(instance.launched_at));
  BindTerminatedAt(*stmt, 5, instance);
  stmt->Bind(6, doc.value());
  stmt->Bind(7, instance.version);
  BARGE_RETURN_IF_ERROR(stmt->Run("update instance " + instance.id));
  if (db_.changes() == 1) return Ok();
  Result<sqlite::Statement> exists = db_.Prepare("SELECT 1 FROM instances WHERE id = ?1");
  if (!exists) return exists.error();
  exists->Bind(1, instance.id);
  Result<bool> found = exists->Step("check instance " + instance.id);
  if (!found) return found.error();
  if (!found.value()) return NotFound("instance " + instance.id + " does not exist");
  return Conflict("instance " + instance.id + " changed since version " +
                  std::to_string(instance.version));
}

}  // namespace barge
