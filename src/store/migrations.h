#pragma once
// The SQLite schema as numbered migrations, and the code that brings a
// database up to date. The SQL lives in src/store/migrations/NNNN_name.sql
// and is compiled into the library (embed_migrations.cmake), so a binary
// always carries exactly the schema it was built for.
//
// A database records the last migration applied in `PRAGMA user_version`
// (0 for a new file). Each migration runs in its own transaction together
// with the user_version bump, so a crash leaves the database at a whole
// version. Used only by SqliteStore::Open; same threading as sqlite::Database.
#include <cstdint>
#include <span>
#include <string_view>

#include "core/result.h"
#include "store/sqlite_db.h"

namespace barge {

struct Migration {
  int32_t version = 0;       // 1, 2, 3, ... in order.
  std::string_view name{};   // File name without ".sql", e.g. "0001_resources".
  std::string_view sql{};
};

// Every migration this binary knows, in version order.
std::span<const Migration> Migrations();

// The schema version this binary writes: the last migration's version.
int32_t LatestSchemaVersion();

// Applies the migrations `db` lacks, in order. Safe against another process
// migrating the same file at the same time (each step re-reads user_version
// under the write lock). Errors: kFailedPrecondition when the database is
// newer than this binary (it was written by a later barge: refuse rather than
// misread it); kUnavailable when the lock stays busy; kInternal when a
// migration fails (the database stays at the last whole version).
Status ApplyMigrations(sqlite::Database& db);

}  // namespace barge
