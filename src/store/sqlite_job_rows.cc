// SqliteTransaction's jobs and log lines (migrations/0002_jobs.sql,
// 0003_array_jobs.sql, 0004_job_stopped_at.sql).
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "codec/job_codec.h"
#include "core/array_job.h"
#include "store/job_expiry.h"
#include "store/sqlite_transaction.h"

namespace barge {
namespace {

// Columns: id, queue, status, name, created_at, version, doc, array_parent,
// array_index.
constexpr std::string_view kJobColumns =
    "SELECT id, queue, status, name, created_at, version, doc, array_parent, array_index"
    " FROM jobs";

// `json`, when given, receives the document as built before dumping. An
// array child's document is its own state alone (migrations/0003).
Result<std::string> EncodeJob(const Job& job, codec::Json* json = nullptr) {
  try {
    if (IsArrayChild(job)) return codec::ArrayChildStateToJson(job).dump();
    if (json == nullptr) return codec::ToJson(job).dump();
    *json = codec::ToJson(job);
    return json->dump();
  } catch (const codec::Json::exception& e) {
    return InvalidArgument("job " + job.id + " cannot be stored: " + e.what());
  }
}

// A top-level job's row (array_parent NULL).
Result<Job> ReadJob(const sqlite::Statement& stmt) {
  std::string id = stmt.ColumnText(0);
  std::string what = "stored job " + id;
  codec::Json json = codec::Json::parse(stmt.ColumnText(6), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return Internal(what + " is not json");
  Result<Job> job = codec::JobFromJson(json);
  if (!job) return Internal(what + " does not decode: " + job.error().message);
  std::optional<JobStatus> status = ParseJobStatus(stmt.ColumnText(2));
  if (!status) return Internal(what + " has an unknown status");
  job->id = std::move(id);
  job->queue = stmt.ColumnText(1);
  job->status = *status;
  job->name = stmt.ColumnText(3);
  job->created_at = FromEpochMillis(stmt.ColumnInt64(4));
  job->version = stmt.ColumnInt64(5);
  return job;
}

// An array child's row: `parent` is its parent's job as stored.
Result<Job> ReadArrayChild(const sqlite::Statement& stmt, const Job& parent) {
  std::string id = stmt.ColumnText(0);
  std::string what = "stored array child " + id;
  int64_t index = stmt.ColumnInt64(8);
  if (!IsArrayParent(parent) || index < 0 || index >= parent.array->size) {
    return Internal(what + " does not belong to array job " + parent.id);
  }
  codec::Json json = codec::Json::parse(stmt.ColumnText(6), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return Internal(what + " is not json");
  Job child = MakeArrayChild(parent, static_cast<int32_t>(index));
  if (Status applied = codec::ApplyArrayChildState(json, child); !applied) {
    return Internal(what + " does not decode: " + applied.error().message);
  }
  std::optional<JobStatus> status = ParseJobStatus(stmt.ColumnText(2));
  if (!status) return Internal(what + " has an unknown status");
  if (child.id != id) return Internal(what + " has a malformed id");
  child.status = *status;
  child.version = stmt.ColumnInt64(5);
  return child;
}

// Binds the key columns shared by insert and update: ?1 id, ?2 queue,
// ?3 status, ?4 name, ?5 created_at, ?6 doc, ?8 stopped_at (NULL until the
// job ended).
void BindJob(sqlite::Statement& stmt, const Job& job, const std::string& doc) {
  stmt.Bind(1, job.id);
  stmt.Bind(2, job.queue);
  stmt.Bind(3, ToString(job.status));
  stmt.Bind(4, job.name);
  stmt.Bind(5, ToEpochMillis(job.created_at));
  stmt.Bind(6, doc);
  if (std::optional<Timestamp> ended = JobEndedAt(job)) {
    stmt.Bind(8, ToEpochMillis(*ended));
  } else {
    stmt.BindNull(8);
  }
}

// The SELECT for `filter`. Parameters: ?1 queue, ?2 created_after,
// ?3 created_before, ?4/?5 cursor created_at/id, ?6 limit (-1 = none),
// ?7 ended_since, ?10.. the statuses. One SQL text per filter shape, each
// cached by the Database, so SQLite plans each shape once and uses the
// indexes.
std::string ListJobsSql(const JobListFilter& filter) {
  std::string sql(kJobColumns);
  std::string_view joiner = " WHERE ";
  auto add = [&](std::string_view condition) {
    sql += joiner;
    sql += condition;
    joiner = " AND ";
  };
  if (!filter.statuses.empty()) {
    std::string in = "status IN (";
    for (size_t i = 0; i < filter.statuses.size(); ++i) {
      if (i > 0) in += ", ";
      in += "?" + std::to_string(10 + i);
    }
    add(in + ")");
  }
  if (filter.queue) add("queue = ?1");
  if (filter.created_after) add("created_at >= ?2");
  if (filter.created_before) add("created_at <= ?3");
  // stopped_at is set exactly while a job is SUCCEEDED or FAILED (0004), and
  // the comparison implies NOT NULL, so jobs_by_stopped_at can serve it.
  if (filter.ended_since) add("stopped_at >= ?7");
  if (filter.scope == JobScope::kTopLevel) add("array_parent IS NULL");
  bool newest_first = filter.order == JobOrder::kNewestFirst;
  if (filter.start_after)
    add(newest_first ? "(created_at, id) < (?4, ?5)" : "(created_at, id) > (?4, ?5)");
  sql += newest_first ? " ORDER BY created_at DESC, id DESC" : " ORDER BY created_at, id";
  sql += " LIMIT ?6";
  return sql;
}

}  // namespace

Result<Job> SqliteTransaction::GetJob(const std::string& id) {
  if (cache_ != nullptr && !written_jobs_.contains(id)) {
    if (auto cached = cache_->live_jobs.find(id); cached != cache_->live_jobs.end()) {
      return cached->second;
    }
  }
  Result<sqlite::Statement> stmt = db_.Prepare(std::string(kJobColumns) + " WHERE id = ?1");
  if (!stmt) return stmt.error();
  stmt->Bind(1, id);
  Result<bool> row = stmt->Step("get job " + id);
  if (!row) return row.error();
  if (!row.value()) return NotFound("job " + id + " does not exist");
  return ReadRow(*stmt);
}

Result<Job> SqliteTransaction::ReadRow(const sqlite::Statement& stmt) {
  if (stmt.ColumnIsNull(7)) return ReadJob(stmt);
  Result<Job> parent = ArrayParent(stmt.ColumnText(7));
  if (!parent && parent.error().code == ErrorCode::kNotFound) {
    // The retention sweep deletes ended jobs oldest first, a parent maybe a
    // moment before its last children: such a child is gone too.
    return NotFound("job " + stmt.ColumnText(0) + " does not exist");
  }
  if (!parent) return Internal("array child " + stmt.ColumnText(0) + ": " + parent.error().message);
  return ReadArrayChild(stmt, *parent);
}

Result<Job> SqliteTransaction::ArrayParent(const std::string& id) {
  bool cacheable = cache_ != nullptr && !written_jobs_.contains(id);
  if (cacheable) {
    if (auto cached = cache_->array_parents.find(id); cached != cache_->array_parents.end()) {
      return cached->second;
    }
  }
  // A statement of its own (the caller's, maybe GetJob's, is still leased).
  Result<sqlite::Statement> stmt =
      db_.Prepare(std::string(kJobColumns) + " WHERE id = ?1 AND array_parent IS NULL");
  if (!stmt) return stmt.error();
  stmt->Bind(1, id);
  Result<bool> row = stmt->Step("get array job " + id);
  if (!row) return row.error();
  if (!row.value()) return NotFound("array job " + id + " does not exist");
  Result<Job> parent = ReadJob(*stmt);
  if (parent && cacheable) {
    if (cache_->array_parents.size() >= SqliteResourceCache::kMaxArrayParents) {
      cache_->array_parents.clear();
    }
    cache_->array_parents.insert_or_assign(id, *parent);
  }
  return parent;
}

Result<std::vector<Job>> SqliteTransaction::ListArrayChildren(const ArrayChildFilter& filter) {
  // The children's ids are the primary key range "<parent>:" .. "<parent>;"
  // (';' follows ':'), in text order: SQLite sorts the matches by index.
  std::string sql = std::string(kJobColumns) +
                    " WHERE id > ?4 AND id < ?5 AND array_parent = ?1";
  if (filter.after_index) sql += " AND array_index > ?2";
  if (!filter.statuses.empty()) {
    sql += " AND +status IN (";  // "+": scan the id range, not jobs_by_status.
    for (size_t i = 0; i < filter.statuses.size(); ++i) {
      if (i > 0) sql += ", ";
      sql += "?" + std::to_string(10 + i);
    }
    sql += ")";
  }
  sql += " ORDER BY array_index LIMIT ?3";
  Result<sqlite::Statement> stmt = db_.Prepare(sql);
  if (!stmt) return stmt.error();
  stmt->Bind(1, filter.parent_id);
  stmt->Bind(4, filter.parent_id + ":");
  stmt->Bind(5, filter.parent_id + ";");
  if (filter.after_index) stmt->Bind(2, int64_t{*filter.after_index});
  stmt->Bind(3, filter.limit == 0 ? int64_t{-1} : static_cast<int64_t>(filter.limit));
  for (size_t i = 0; i < filter.statuses.size(); ++i) {
    stmt->Bind(static_cast<int>(10 + i), ToString(filter.statuses[i]));
  }
  std::vector<Job> children;
  while (true) {
    Result<bool> more = stmt->Step("list children of array job " + filter.parent_id);
    if (!more) return more.error();
    if (!more.value()) return children;
    Result<Job> child = ReadRow(*stmt);
    if (!child && child.error().code == ErrorCode::kNotFound) continue;  // Expiring.
    if (!child) return child.error();
    children.push_back(std::move(child).value());
  }
}

Result<std::vector<Job>> SqliteTransaction::ListJobs(const JobListFilter& filter) {
  Result<sqlite::Statement> stmt = db_.Prepare(ListJobsSql(filter));
  if (!stmt) return stmt.error();
  for (size_t i = 0; i < filter.statuses.size(); ++i) {
    stmt->Bind(static_cast<int>(10 + i), ToString(filter.statuses[i]));
  }
  if (filter.queue) stmt->Bind(1, *filter.queue);
  if (filter.created_after) stmt->Bind(2, ToEpochMillis(*filter.created_after));
  if (filter.created_before) stmt->Bind(3, ToEpochMillis(*filter.created_before));
  if (filter.ended_since) stmt->Bind(7, ToEpochMillis(*filter.ended_since));
  if (filter.start_after) {
    stmt->Bind(4, ToEpochMillis(filter.start_after->created_at));
    stmt->Bind(5, filter.start_after->id);
  }
  stmt->Bind(6, filter.limit == 0 ? int64_t{-1} : static_cast<int64_t>(filter.limit));
  std::vector<Job> jobs;
  while (true) {
    Result<bool> more = stmt->Step("list jobs");
    if (!more) return more.error();
    if (!more.value()) return jobs;
    Result<Job> job = ReadRow(*stmt);
    if (!job && job.error().code == ErrorCode::kNotFound) continue;  // Expiring.
    if (!job) return job.error();
    jobs.push_back(std::move(job).value());
  }
}

Status SqliteTransaction::InsertJob(const Job& job) {
  // Nothing to drop from the caches: an id is inserted once (a refused
  // insert changes nothing), and 10,000 children are inserted at a time.
  Result<std::string> doc = EncodeJob(job);
  if (!doc) return doc.error();
  Result<sqlite::Statement> stmt = db_.Prepare(
      "INSERT INTO jobs (id, queue, status, name, created_at, version, doc, stopped_at,"
      " array_parent, array_index) VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?8, ?9, ?10)");
  if (!stmt) return stmt.error();
  BindJob(*stmt, job, doc.value());
  if (IsArrayChild(job)) {
    std::optional<ArrayChildRef> ref = ParseArrayChildId(job.id);
    if (!ref || ref->index != *job.array->index) {
      return InvalidArgument("array child " + job.id + " has an id that does not match its index");
    }
    stmt->Bind(9, ref->parent_id);
    stmt->Bind(10, int64_t{ref->index});
  } else {
    stmt->BindNull(9);
    stmt->BindNull(10);
  }
  if (Status done = stmt->Run("insert job " + job.id); !done) {
    if (done.error().code == ErrorCode::kAlreadyExists) {
      return AlreadyExists("job " + job.id + " already exists");
    }
    return done;
  }
  return Ok();
}

void SqliteTransaction::WroteJob(const std::string& id) {
  if (cache_ == nullptr) return;
  cache_->live_jobs.erase(id);
  cache_->array_parents.erase(id);
  written_jobs_[id] = std::nullopt;
}

Status SqliteTransaction::UpdateJob(const Job& job) {
  WroteJob(job.id);
  codec::Json json;
  Result<std::string> doc = EncodeJob(job, &json);
  if (!doc) return doc.error();
  // A job's queue, name and createdAt never change in practice, and an UPDATE
  // that sets a column SQLite re-indexes every index holding it (even to the
  // same value): so the usual update sets status, stopped_at, doc and version
  // alone (stopped_at is in a partial index of ended jobs only), on
  // the condition that the other keys are as stored. Only when that matches
  // no row does the full update run (keys that did change, or the
  // conflict / not-found cases below).
  std::string what = "update job " + job.id;
  bool updated = false;
  for (std::string_view sql :
       {"UPDATE jobs SET status = ?3, stopped_at = ?8, doc = ?6, version = version + 1"
        " WHERE id = ?1 AND version = ?7 AND queue = ?2 AND name = ?4 AND created_at = ?5",
        "UPDATE jobs SET queue = ?2, status = ?3, name = ?4, created_at = ?5, doc = ?6,"
        " stopped_at = ?8, version = version + 1 WHERE id = ?1 AND version = ?7"}) {
    Result<sqlite::Statement> stmt = db_.Prepare(sql);
    if (!stmt) return stmt.error();
    BindJob(*stmt, job, doc.value());
    stmt->Bind(7, job.version);
    BARGE_RETURN_IF_ERROR(stmt->Run(what));
    if (db_.changes() == 1) {
      updated = true;
      break;
    }
  }
  if (updated) {
    if (cache_ != nullptr &&
        (job.status == JobStatus::kStarting || job.status == JobStatus::kRunning)) {
      // What ReadRow would make of the row just written.
      Result<Job> stored = IsArrayChild(job) ? Result<Job>(job) : codec::JobFromJson(json);
      if (stored) {
        stored->id = job.id;
        stored->queue = job.queue;
        stored->status = job.status;
        stored->name = job.name;
        stored->created_at = FromEpochMillis(ToEpochMillis(job.created_at));
        stored->version = job.version + 1;
        written_jobs_[job.id] = std::move(stored).value();
      }
    }
    return Ok();
  }
  Result<sqlite::Statement> exists = db_.Prepare("SELECT 1 FROM jobs WHERE id = ?1");
  if (!exists) return exists.error();
  exists->Bind(1, job.id);
  Result<bool> found = exists->Step("check job " + job.id);
  if (!found) return found.error();
  if (!found.value()) return NotFound("job " + job.id + " does not exist");
  return Conflict("job " + job.id + " changed since version " + std::to_string(job.version));
}

Result<size_t> SqliteTransaction::DeleteJobsEndedBefore(Timestamp cutoff, size_t limit) {
  if (limit == 0) return size_t{0};
  struct Expired {
    std::string id{};
    std::vector<std::string> streams{};
  };
  // Read the batch first, then delete: no row is deleted under a running
  // SELECT. jobs_by_stopped_at serves both the range and the order; the
  // unary + keeps SQLite from choosing jobs_by_status for the status term
  // instead (it does without ANALYZE statistics), which would read every
  // ended job and sort them. The status term only guards: stopped_at is set
  // for ended jobs alone.
  std::vector<Expired> expired;
  {
    Result<sqlite::Statement> stmt = db_.Prepare(
        "SELECT id, doc FROM jobs WHERE stopped_at < ?1 AND +status IN ('SUCCEEDED', 'FAILED')"
        " ORDER BY stopped_at, id LIMIT ?2");
    if (!stmt) return stmt.error();
    stmt->Bind(1, ToEpochMillis(cutoff));
    stmt->Bind(2, static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
    while (true) {
      Result<bool> more = stmt->Step("list expired jobs");
      if (!more) return more.error();
      if (!more.value()) break;
      Expired job{.id = stmt->ColumnText(0)};
      // The streams are named in the document. One that no longer decodes is
      // expired all the same (nothing could read it anyway): a sweep must not
      // stop at one bad row; only its log lines, if any, stay behind.
      codec::Json json =
          codec::Json::parse(stmt->ColumnText(1), nullptr, /*allow_exceptions=*/false);
      if (!json.is_discarded()) {
        if (Result<Job> decoded = codec::JobFromJson(json)) job.streams = JobLogStreams(*decoded);
      }
      expired.push_back(std::move(job));
    }
  }
  for (const Expired& job : expired) {
    if (cache_ != nullptr) {
      cache_->live_jobs.erase(job.id);
      written_jobs_[job.id] = std::nullopt;
    }
    Result<sqlite::Statement> row = db_.Prepare("DELETE FROM jobs WHERE id = ?1");
    if (!row) return row.error();
    row->Bind(1, job.id);
    BARGE_RETURN_IF_ERROR(row->Run("delete job " + job.id));
    for (const std::string& stream : job.streams) {
      Result<sqlite::Statement> lines = db_.Prepare("DELETE FROM log_lines WHERE stream = ?1");
      if (!lines) return lines.error();
      lines->Bind(1, stream);
      BARGE_RETURN_IF_ERROR(lines->Run("delete log stream " + stream));
    }
  }
  return expired.size();
}

void SqliteTransaction::Committed() {
  if (cache_ == nullptr) return;
  for (auto& [id, job] : written_jobs_) {
    if (!job) continue;
    if (cache_->live_jobs.size() >= SqliteResourceCache::kMaxLiveJobs) cache_->live_jobs.clear();
    cache_->live_jobs.insert_or_assign(id, std::move(*job));
  }
  written_jobs_.clear();
}

Status SqliteTransaction::AppendLogEvents(const std::string& stream,
                                          const std::vector<LogEvent>& events) {
  std::string what = "append to log stream " + stream;
  for (const LogEvent& event : events) {
    // One lease per row: ending it resets the cached statement for the next.
    Result<sqlite::Statement> stmt = db_.Prepare(
        "INSERT OR IGNORE INTO log_lines"
        " (stream, sequence, timestamp_ms, ingested_at_ms, message) VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!stmt) return stmt.error();
    stmt->Bind(1, stream);
    stmt->Bind(2, event.sequence);
    stmt->Bind(3, ToEpochMillis(event.timestamp));
    stmt->Bind(4, ToEpochMillis(event.ingested_at));
    stmt->Bind(5, event.message);
    BARGE_RETURN_IF_ERROR(stmt->Run(what));
  }
  return Ok();
}

Result<std::vector<LogEvent>> SqliteTransaction::ReadLogEvents(const LogQuery& query) {
  bool backward = query.direction == LogDirection::kBackward;
  std::string sql =
      "SELECT sequence, timestamp_ms, ingested_at_ms, message FROM log_lines WHERE stream = ?1";
  if (query.from_sequence) sql += backward ? " AND sequence <= ?2" : " AND sequence >= ?2";
  if (query.start_time) sql += " AND timestamp_ms >= ?3";
  if (query.end_time) sql += " AND timestamp_ms < ?4";
  sql += backward ? " ORDER BY sequence DESC LIMIT ?5" : " ORDER BY sequence LIMIT ?5";
  Result<sqlite::Statement> stmt = db_.Prepare(sql);
  if (!stmt) return stmt.error();
  stmt->Bind(1, query.stream);
  if (query.from_sequence) stmt->Bind(2, *query.from_sequence);
  if (query.start_time) stmt->Bind(3, ToEpochMillis(*query.start_time));
  if (query.end_time) stmt->Bind(4, ToEpochMillis(*query.end_time));
  stmt->Bind(5, query.limit == 0 ? int64_t{-1} : static_cast<int64_t>(query.limit));
  std::vector<LogEvent> events;
  while (true) {
    Result<bool> more = stmt->Step("read log stream " + query.stream);
    if (!more) return more.error();
    if (!more.value()) break;
    events.push_back(LogEvent{.sequence = stmt->ColumnInt64(0),
                              .timestamp = FromEpochMillis(stmt->ColumnInt64(1)),
                              .ingested_at = FromEpochMillis(stmt->ColumnInt64(2)),
                              .message = stmt->ColumnText(3)});
  }
  if (backward) std::reverse(events.begin(), events.end());
  return events;
}

}  // namespace barge
