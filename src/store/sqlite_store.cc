#include "store/sqlite_store.h"

#include <utility>

#include "core/check.h"
#include "store/migrations.h"
#include "store/sqlite_db.h"
#include "store/sqlite_transaction.h"

namespace barge {

SqliteStore::SqliteStore(std::unique_ptr<sqlite::Database> db) : db_(std::move(db)) {}

SqliteStore::~SqliteStore() = default;

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path) {
  Result<std::unique_ptr<sqlite::Database>> db = sqlite::Database::Open(path);
  if (!db) return db.error();
  auto store = std::unique_ptr<SqliteStore>(new SqliteStore(std::move(db).value()));
  sqlite::Database& database = *store->db_;
  // busy_timeout first, so the pragmas below wait for a lock instead of failing.
  BARGE_RETURN_IF_ERROR(database.Exec("PRAGMA busy_timeout = 5000"));
  // WAL lets readers run beside the writer; with synchronous=FULL every
  // commit syncs the log, which is what makes an OK commit power-loss safe
  // (NORMAL would be enough for kill -9 but not for power loss).
  // An in-memory database reports "memory" and keeps it, which is fine.
  BARGE_RETURN_IF_ERROR(database.Exec("PRAGMA journal_mode = WAL"));
  BARGE_RETURN_IF_ERROR(database.Exec("PRAGMA synchronous = FULL"));
  BARGE_RETURN_IF_ERROR(database.Exec("PRAGMA foreign_keys = ON"));
  // A 10,000-child array is one commit of ~10,000 rows in four b-trees: with
  // SQLite's default 2 MiB page cache, a store of a million jobs re-reads
  // index pages from the OS on every insert. 64 MiB keeps the hot pages.
  BARGE_RETURN_IF_ERROR(database.Exec("PRAGMA cache_size = -65536"));
  if (Status migrated = ApplyMigrations(database); !migrated) {
    Error error = migrated.error();
    error.message = path + ": " + error.message;
    return error;
  }
  return store;
}

Status SqliteStore::Transact(const Work& work) {
  BARGE_CHECK(!in_transaction_, "Transact called from inside a transaction");
  // Take the write lock up front. BEGIN and COMMIT run from the statement
  // cache: compiling them on every transaction was a visible share of the
  // control thread.
  BARGE_RETURN_IF_ERROR(db_->Run("BEGIN IMMEDIATE"));
  Status status = Ok();
  {
    // Rolls back if `work` throws, so the connection is never left inside a
    // transaction that the next BEGIN would trip over.
    struct Guard {
      SqliteStore& store;
      ~Guard() {
        store.in_transaction_ = false;
        if (store.db_->in_transaction()) (void)store.db_->Exec("ROLLBACK");
      }
    } guard{*this};
    in_transaction_ = true;
    // Another connection's commit may have changed anything we cached.
    Result<int64_t> version = DataVersion();
    if (!version) return version.error();
    if (*version != cache_.data_version) cache_ = SqliteResourceCache{.data_version = *version};
    SqliteTransaction txn(*db_, &cache_);
    status = work(txn);
    if (status) status = db_->Run("COMMIT");
    if (status) txn.Committed();
    // On any error the guard rolls back; the first error is the one returned.
  }
  return status;
}

Result<int64_t> SqliteStore::DataVersion() { return db_->QueryInt64("PRAGMA data_version"); }

}  // namespace barge
