#pragma once
// A small RAII layer over the SQLite C API, used only inside store/:
// Database owns one connection and a cache of prepared statements; Statement
// is a lease on one cached statement that binds, steps and reads columns and
// resets itself when the lease ends. SQLite result codes become barge Errors
// here (ToError), so nothing above this file sees an `int rc`.
//
// Thread-safety: a Database and its Statements are used by one thread at a
// time (the Store's caller). Statements must not outlive their Database, and
// a statement's SQL may be leased by one Statement at a time.
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/result.h"

namespace barge::sqlite {

// Maps a SQLite result code to an Error whose message is
// "<what>: <sqlite's message>". SQLITE_BUSY and SQLITE_LOCKED give
// kUnavailable (another connection holds the lock: retry), SQLITE_CONSTRAINT
// gives kAlreadyExists, anything else kInternal.
Error ToError(sqlite3* db, int rc, std::string_view what);

class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();  // Resets the statement and clears its bindings.

  // Parameters are 1-based, as in the SQL (?1, ?2, ...). A failed bind is
  // remembered and returned by the next Step or Run.
  void Bind(int index, int64_t value);
  void Bind(int index, std::string_view text);  // Copied by SQLite.
  void BindNull(int index);
  // Binds NULL for an empty string (how the schema stores an absent ARN).
  void BindTextOrNull(int index, std::string_view text);

  // Advances one row: true when a row is available, false when done.
  // Errors are named after `what` ("insert compute environment x").
  Result<bool> Step(std::string_view what);
  // Steps until done, for statements that return no rows.
  Status Run(std::string_view what);

  // Columns are 0-based. Valid only after Step returned true.
  int64_t ColumnInt64(int column) const;
  std::string ColumnText(int column) const;  // "" for NULL.
  bool ColumnIsNull(int column) const;

 private:
  friend class Database;
  Statement(sqlite3* db, sqlite3_stmt* stmt, bool* leased);
  void RecordBind(int rc, int index);

  sqlite3* db_;          // Not owned.
  sqlite3_stmt* stmt_;   // Owned by the Database's cache.
  bool* leased_;         // The cache entry's lease flag; null once moved from.
  std::optional<Error> bind_error_{};
};

class Database {
 public:
  // Opens or creates the database at `path` (":memory:" for a private
  // in-memory one) with extended result codes on. No pragmas are set here.
  static Result<std::unique_ptr<Database>> Open(const std::string& path);
  ~Database();  // Finalizes cached statements, then closes the connection.
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one or more SQL statements that need no parameters (pragmas, DDL,
  // BEGIN/COMMIT). Rows they return are ignored.
  Status Exec(std::string_view sql);
  // Runs one statement that needs no parameters through the statement cache,
  // so a statement run often (BEGIN IMMEDIATE, COMMIT) is compiled once.
  Status Run(std::string_view sql);
  // Runs one statement and returns the first column of its first row as an
  // integer (for PRAGMA user_version and the like); kInternal when no row.
  Result<int64_t> QueryInt64(std::string_view sql);
  // Runs one statement and returns the first column of its first row as text.
  Result<std::string> QueryText(std::string_view sql);

  // Returns a lease on the prepared statement for `sql`, compiling and caching
  // it on first use. kInternal when the SQL does not compile.
  Result<Statement> Prepare(std::string_view sql);

  // The extended result code of the connection's most recent failed call
  // (SQLITE_CONSTRAINT_PRIMARYKEY vs SQLITE_CONSTRAINT_UNIQUE, say), for
  // callers that word an error by which constraint failed.
  int extended_error_code() const { return sqlite3_extended_errcode(db_); }
  // Rows changed by the most recent INSERT, UPDATE or DELETE.
  int64_t changes() const { return sqlite3_changes64(db_); }
  // True between BEGIN and COMMIT/ROLLBACK (including an implicit rollback
  // SQLite did itself after an error).
  bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

 private:
  struct CachedStatement {
    sqlite3_stmt* stmt = nullptr;
    bool leased = false;
  };
  explicit Database(sqlite3* db) : db_(db) {}

  sqlite3* db_;  // Owned.
  std::unordered_map<std::string, CachedStatement> cache_;
};

}  // namespace barge::sqlite
