#include "store/sqlite_db.h"

#include <utility>

#include "core/check.h"

namespace barge::sqlite {

Error ToError(sqlite3* db, int rc, std::string_view what) {
  // sqlite3_errmsg describes the connection's most recent error, which is the
  // one `rc` came from; without a connection (open failed to allocate one)
  // fall back to the generic text for the code.
  std::string message(what);
  message += ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {  // Primary result code.
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Unavailable(std::move(message));
    case SQLITE_CONSTRAINT:
      return AlreadyExists(std::move(message));
    default:
      return Internal(std::move(message));
  }
}

Statement::Statement(sqlite3* db, sqlite3_stmt* stmt, bool* leased)
    : db_(db), stmt_(stmt), leased_(leased) {
  *leased_ = true;
}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_),
      stmt_(other.stmt_),
      leased_(std::exchange(other.leased_, nullptr)),
      bind_error_(std::move(other.bind_error_)) {}

Statement::~Statement() {
  if (leased_ == nullptr) return;  // Moved from.
  // Reset also ends any read the statement still holds open, so an
  // unfinished SELECT never keeps a snapshot alive past its lease.
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  *leased_ = false;
}

void Statement::RecordBind(int rc, int index) {
  // SQLITE_RANGE means the SQL and the code disagree about parameters: a bug.
  BARGE_CHECK(rc != SQLITE_RANGE, "bind index out of range");
  if (rc != SQLITE_OK && !bind_error_) {
    bind_error_ = ToError(db_, rc, "bind parameter " + std::to_string(index));
  }
}

void Statement::Bind(int index, int64_t value) {
  RecordBind(sqlite3_bind_int64(stmt_, index, value), index);
}

void Statement::Bind(int index, std::string_view text) {
  RecordBind(sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT,
                                 SQLITE_UTF8),
             index);
}

void Statement::BindNull(int index) { RecordBind(sqlite3_bind_null(stmt_, index), index); }

void Statement::BindTextOrNull(int index, std::string_view text) {
  if (text.empty()) {
    BindNull(index);
  } else {
    Bind(index, text);
  }
}

Result<bool> Statement::Step(std::string_view what) {
  if (bind_error_) return *bind_error_;
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return ToError(db_, rc, what);
}

Status Statement::Run(std::string_view what) {
  while (true) {
    Result<bool> row = Step(what);
    if (!row) return row.error();
    if (!row.value()) return Ok();
  }
}

int64_t Statement::ColumnInt64(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::ColumnText(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  int size = sqlite3_column_bytes(stmt_, column);
  return std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(size));
}

bool Statement::ColumnIsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

Result<std::unique_ptr<Database>> Database::Open(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                           nullptr);
  // sqlite3_open_v2 hands back a connection even when it fails; the
  // Database owns it from here so every path closes it.
  auto database = std::unique_ptr<Database>(new Database(db));
  if (rc != SQLITE_OK) return ToError(db, rc, "open " + path);
  sqlite3_extended_result_codes(db, 1);
  return database;
}

Database::~Database() {
  for (auto& [sql, cached] : cache_) {
    BARGE_CHECK(!cached.leased, "statement outlives its database");
    sqlite3_finalize(cached.stmt);
  }
  sqlite3_close(db_);
}

Status Database::Exec(std::string_view sql) {
  std::string text(sql);  // sqlite3_exec wants a terminated string.
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return ToError(db_, rc, text);
  return Ok();
}

Status Database::Run(std::string_view sql) {
  Result<Statement> stmt = Prepare(sql);
  if (!stmt) return stmt.error();
  return stmt->Run(sql);
}

Result<int64_t> Database::QueryInt64(std::string_view sql) {
  Result<Statement> stmt = Prepare(sql);
  if (!stmt) return stmt.error();
  Result<bool> row = stmt->Step(sql);
  if (!row) return row.error();
  if (!row.value()) return Internal(std::string(sql) + ": no row");
  return stmt->ColumnInt64(0);
}

Result<std::string> Database::QueryText(std::string_view sql) {
  Result<Statement> stmt = Prepare(sql);
  if (!stmt) return stmt.error();
  Result<bool> row = stmt->Step(sql);
  if (!row) return row.error();
  if (!row.value()) return Internal(std::string(sql) + ": no row");
  return stmt->ColumnText(0);
}

Result<Statement> Database::Prepare(std::string_view sql) {
  auto [it, inserted] = cache_.try_emplace(std::string(sql));
  CachedStatement& cached = it->second;
  if (inserted) {
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &cached.stmt, nullptr);
    if (rc != SQLITE_OK || cached.stmt == nullptr) {
      // A null statement with SQLITE_OK means the text held no SQL at all.
      Error error = rc != SQLITE_OK ? ToError(db_, rc, "prepare " + std::string(sql))
                                    : Internal("prepare " + std::string(sql) + ": no statement");
      sqlite3_finalize(cached.stmt);
      cache_.erase(it);
      return error;
    }
  }
  BARGE_CHECK(!cached.leased, "the same statement leased twice at once");
  return Statement(db_, cached.stmt, &cached.leased);
}

}  // namespace barge::sqlite
