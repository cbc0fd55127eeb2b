#pragma once
// SqliteStore: the default Store, one SQLite file in WAL mode. Built through
// Open() so that a failed open is a returned Error, not a thrown exception.
//
// Durability: synchronous=FULL, so a Transact that returned OK survives
// kill -9 and power loss. Each Transact is BEGIN IMMEDIATE ... COMMIT: the
// write lock is taken up front, so a transaction never fails halfway for lock
// reasons; another process holding the lock longer than the busy timeout
// (5 s) gives kUnavailable.
//
// Owns its connection. Thread-safety: one thread at a time, like every Store;
// nested Transact calls are a programmer error and abort.
#include <memory>
#include <string>

#include "core/result.h"
#include "store/sqlite_transaction.h"
#include "store/store.h"

namespace barge {

namespace sqlite {
class Database;
}  // namespace sqlite

class SqliteStore final : public Store {
 public:
  // Opens or creates the database at `path` (":memory:" for a private
  // in-memory one, as tests use), sets the pragmas and applies the embedded
  // migrations (store/migrations.h). Errors: kFailedPrecondition when the
  // file was written by a newer barge (its schema version is past ours);
  // kUnavailable when another process keeps it locked; kInternal when the
  // file cannot be opened or is not a SQLite database.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path);

  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  // Errors: whatever `work` returned (after rolling back); kUnavailable when
  // the write lock stays busy; kInternal when BEGIN or COMMIT fails otherwise
  // (disk full, I/O error), also after rolling back.
  Status Transact(const Work& work) override;

 private:
  explicit SqliteStore(std::unique_ptr<sqlite::Database> db);
  // PRAGMA data_version: changes when another connection commits.
  Result<int64_t> DataVersion();

  std::unique_ptr<sqlite::Database> db_;
  bool in_transaction_ = false;
  SqliteResourceCache cache_{};
};

}  // namespace barge
