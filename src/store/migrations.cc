#include "store/migrations.h"

#include <string>

#include "core/check.h"

namespace barge {
namespace {

constexpr Migration kMigrations[] = {
#include "store/migrations_sql.inc"
};

// Reads user_version and applies the next migration, all under one write
// lock. Returns the version the database is at afterwards.
Result<int32_t> ApplyNext(sqlite::Database& db) {
  Result<int64_t> current = db.QueryInt64("PRAGMA user_version");
  if (!current) return current.error();
  int64_t latest = LatestSchemaVersion();
  if (current.value() > latest) {
    return FailedPrecondition("database schema version " + std::to_string(current.value()) +
                              " is newer than this barge supports (" + std::to_string(latest) +
                              "); upgrade barge or restore a backup");
  }
  if (current.value() < 0) {
    return Internal("database schema version " + std::to_string(current.value()) +
                    " is negative; not a barge database");
  }
  if (current.value() == latest) return static_cast<int32_t>(latest);

  const Migration& next = kMigrations[current.value()];
  if (Status applied = db.Exec(next.sql); !applied) {
    return Internal("migration " + std::string(next.name) + " failed: " +
                    applied.error().message);
  }
  // PRAGMA takes no bound parameters; the number is ours, not input.
  BARGE_RETURN_IF_ERROR(db.Exec("PRAGMA user_version = " + std::to_string(next.version)));
  return next.version;
}

}  // namespace

std::span<const Migration> Migrations() { return kMigrations; }

int32_t LatestSchemaVersion() { return kMigrations[std::size(kMigrations) - 1].version; }

Status ApplyMigrations(sqlite::Database& db) {
  for (size_t i = 0; i < std::size(kMigrations); ++i) {
    BARGE_CHECK(kMigrations[i].version == static_cast<int32_t>(i + 1),
                "migrations are numbered 1, 2, 3, ...");
  }
  while (true) {
    // IMMEDIATE takes the write lock before user_version is read, so two
    // processes opening a new file cannot both apply the same migration.
    BARGE_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
    Result<int32_t> version = ApplyNext(db);
    if (!version) {
      if (db.in_transaction()) (void)db.Exec("ROLLBACK");  // Keep the first error.
      return version.error();
    }
    if (Status committed = db.Exec("COMMIT"); !committed) {
      if (db.in_transaction()) (void)db.Exec("ROLLBACK");
      return committed;
    }
    if (version.value() == LatestSchemaVersion()) return Ok();
  }
}

}  // namespace barge
