#pragma once
// Test-only: the Store backends every contract test runs against
// (InMemoryStore, SqliteStore in memory, SqliteStore on a file). Included by
// the store_test sources only.
#include <gtest/gtest.h>

#include <memory>
#include <optional>

#include "store/sqlite_store.h"
#include "store/store.h"
#include "testing/in_memory_store.h"
#include "testing/temp_dir.h"

namespace barge {

// A store plus whatever it lives in. `dir` is declared first so the store is
// closed before its directory is removed.
struct Backend {
  std::optional<testing::TempDir> dir{};
  std::unique_ptr<Store> store{};
};

struct InMemoryBackend {
  static Backend Make() { return {.store = std::make_unique<testing::InMemoryStore>()}; }
};
struct SqliteMemoryBackend {
  static Backend Make() {
    auto store = SqliteStore::Open(":memory:");
    EXPECT_TRUE(store) << store.error().message;
    return {.store = store ? std::move(store).value() : nullptr};
  }
};
struct SqliteFileBackend {
  static Backend Make() {
    auto dir = testing::TempDir::Create();
    EXPECT_TRUE(dir) << dir.error().message;
    if (!dir) return {};
    auto store = SqliteStore::Open(dir->File("barge.db"));
    EXPECT_TRUE(store) << store.error().message;
    return {.dir = std::move(dir).value(), .store = store ? std::move(store).value() : nullptr};
  }
};

}  // namespace barge
