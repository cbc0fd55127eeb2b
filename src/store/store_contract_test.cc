// The Store contract: the same cases run against every implementation
// (InMemoryStore, SqliteStore in memory, SqliteStore on a file), so the fake
// that unit tests use cannot drift from the real backends.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "codec/codec.h"
#include "store/sqlite_store.h"
#include "store/store.h"
#include "store/store_test_backends.h"
#include "testing/in_memory_store.h"
#include "testing/sample_resources.h"
#include "testing/temp_dir.h"

namespace barge {
namespace {

// Everything a row-level test needs to know about one name-keyed kind.
struct ComputeEnvironments {
  using Row = ComputeEnvironment;
  static Row Make(const std::string& name) { return testing::SampleComputeEnvironment(name); }
  static void Change(Row& row) { row.compute_resources->max_vcpus = 128; }
  static Result<Row> Get(StoreTransaction& txn, const std::string& name) {
    return txn.GetComputeEnvironment(name);
  }
  static Result<std::vector<Row>> List(StoreTransaction& txn) {
    return txn.ListComputeEnvironments();
  }
  static Status Insert(StoreTransaction& txn, const Row& row) {
    return txn.InsertComputeEnvironment(row);
  }
  static Status Update(StoreTransaction& txn, const Row& row) {
    return txn.UpdateComputeEnvironment(row);
  }
  static Status Delete(StoreTransaction& txn, const std::string& name) {
    return txn.DeleteComputeEnvironment(name);
  }
};

struct JobQueues {
  using Row = JobQueue;
  static Row Make(const std::string& name) { return testing::SampleJobQueue(name); }
  static void Change(Row& row) { row.priority = 99; }
  static Result<Row> Get(StoreTransaction& txn, const std::string& name) {
    return txn.GetJobQueue(name);
  }
  static Result<std::vector<Row>> List(StoreTransaction& txn) { return txn.ListJobQueues(); }
  static Status Insert(StoreTransaction& txn, const Row& row) { return txn.InsertJobQueue(row); }
  static Status Update(StoreTransaction& txn, const Row& row) { return txn.UpdateJobQueue(row); }
  static Status Delete(StoreTransaction& txn, const std::string& name) {
    return txn.DeleteJobQueue(name);
  }
};

struct SchedulingPolicies {
  using Row = SchedulingPolicy;
  static Row Make(const std::string& name) { return testing::SampleSchedulingPolicy(name); }
  static void Change(Row& row) { row.fairshare_policy->share_decay_seconds = 60; }
  static Result<Row> Get(StoreTransaction& txn, const std::string& name) {
    return txn.GetSchedulingPolicy(name);
  }
  static Result<std::vector<Row>> List(StoreTransaction& txn) {
    return txn.ListSchedulingPolicies();
  }
  static Status Insert(StoreTransaction& txn, const Row& row) {
    return txn.InsertSchedulingPolicy(row);
  }
  static Status Update(StoreTransaction& txn, const Row& row) {
    return txn.UpdateSchedulingPolicy(row);
  }
  static Status Delete(StoreTransaction& txn, const std::string& name) {
    return txn.DeleteSchedulingPolicy(name);
  }
};

// Rows have no operator==; their codec documents describe every field, and
// `version` (which the codec leaves out) is compared on its own. Compared as
// text because gtest would print a Json as a container, recursing forever.
template <typename Row>
void ExpectSameRow(const Row& actual, const Row& expected) {
  EXPECT_EQ(codec::ToJson(actual).dump(), codec::ToJson(expected).dump());
  EXPECT_EQ(actual.aws_only, expected.aws_only);
  EXPECT_EQ(actual.version, expected.version);
}

template <typename Row>
Row WithVersion(Row row, int64_t version) {
  row.version = version;
  return row;
}

// ---------------------------------------------------------------------------
// Name-keyed kinds: every backend times every kind.

template <typename BackendT, typename KindT>
struct Case {
  using BackendFactory = BackendT;
  using Kind = KindT;
};

template <typename C>
class NamedResourceContractTest : public ::testing::Test {
 protected:
  using KindType = typename C::Kind;
  using Row = typename KindType::Row;

  Status Insert(const Row& row) {
    return store().Transact([&](StoreTransaction& txn) { return KindType::Insert(txn, row); });
  }
  Status Update(const Row& row) {
    return store().Transact([&](StoreTransaction& txn) { return KindType::Update(txn, row); });
  }
  Status Delete(const std::string& name) {
    return store().Transact([&](StoreTransaction& txn) { return KindType::Delete(txn, name); });
  }
  Result<Row> Get(const std::string& name) {
    std::optional<Result<Row>> out;
    Status status = store().Transact([&](StoreTransaction& txn) {
      out.emplace(KindType::Get(txn, name));
      return Ok();
    });
    EXPECT_TRUE(status);
    return *out;
  }
  std::vector<Row> List() {
    std::vector<Row> rows;
    Status status = store().Transact([&](StoreTransaction& txn) -> Status {
      auto listed = KindType::List(txn);
      if (!listed) return listed.error();
      rows = std::move(listed).value();
      return Ok();
    });
    EXPECT_TRUE(status) << status.error().message;
    return rows;
  }
  Store& store() { return *backend_.store; }

  void SetUp() override { ASSERT_NE(backend_.store, nullptr); }

  Backend backend_ = C::BackendFactory::Make();
};

using NamedCases = ::testing::Types<
    Case<InMemoryBackend, ComputeEnvironments>, Case<InMemoryBackend, JobQueues>,
    Case<InMemoryBackend, SchedulingPolicies>, Case<SqliteMemoryBackend, ComputeEnvironments>,
    Case<SqliteMemoryBackend, JobQueues>, Case<SqliteMemoryBackend, SchedulingPolicies>,
    Case<SqliteFileBackend, ComputeEnvironments>, Case<SqliteFileBackend, JobQueues>,
    Case<SqliteFileBackend, SchedulingPolicies>>;
TYPED_TEST_SUITE(NamedResourceContractTest, NamedCases);

TYPED_TEST(NamedResourceContractTest, InsertedRowReadsBackWithVersionOne) {
  using Kind = typename TestFixture::KindType;
  auto row = Kind::Make("alpha");
  row.version = 7;  // Ignored: inserts always store version 1.

  ASSERT_TRUE(this->Insert(row));
  auto got = this->Get("alpha");

  ASSERT_TRUE(got) << got.error().message;
  ExpectSameRow(got.value(), WithVersion(row, 1));
}

TYPED_TEST(NamedResourceContractTest, GetOfMissingNameIsNotFound) {
  auto got = this->Get("missing");

  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, ErrorCode::kNotFound);
}

TYPED_TEST(NamedResourceContractTest, InsertingAnExistingNameIsAlreadyExists) {
  using Kind = typename TestFixture::KindType;
  ASSERT_TRUE(this->Insert(Kind::Make("alpha")));
  auto again = Kind::Make("alpha");
  again.arn.clear();

  Status status = this->Insert(again);

  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kAlreadyExists);
}

TYPED_TEST(NamedResourceContractTest, InsertingAnotherNameWithATakenArnIsAlreadyExists) {
  using Kind = typename TestFixture::KindType;
  ASSERT_TRUE(this->Insert(Kind::Make("alpha")));
  auto other = Kind::Make("beta");
  other.arn = Kind::Make("alpha").arn;

  Status status = this->Insert(other);

  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kAlreadyExists);
}

TYPED_TEST(NamedResourceContractTest, EmptyArnsDoNotCollide) {
  using Kind = typename TestFixture::KindType;
  auto first = Kind::Make("alpha");
  auto second = Kind::Make("beta");
  first.arn.clear();
  second.arn.clear();

  ASSERT_TRUE(this->Insert(first));
  Status status = this->Insert(second);

  EXPECT_TRUE(status) << status.error().message;
  auto got = this->Get("beta");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->arn, "");
}

TYPED_TEST(NamedResourceContractTest, ListIsOrderedByName) {
  using Kind = typename TestFixture::KindType;
  for (const char* name : {"charlie", "alpha", "bravo"}) {
    ASSERT_TRUE(this->Insert(Kind::Make(name)));
  }

  auto rows = this->List();

  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].name, "alpha");
  EXPECT_EQ(rows[1].name, "bravo");
  EXPECT_EQ(rows[2].name, "charlie");
  ExpectSameRow(rows[0], WithVersion(Kind::Make("alpha"), 1));
}

TYPED_TEST(NamedResourceContractTest, ListOfEmptyStoreIsEmpty) {
  EXPECT_TRUE(this->List().empty());
}

TYPED_TEST(NamedResourceContractTest, UpdateAtCurrentVersionStoresRowAndBumpsVersion) {
  using Kind = typename TestFixture::KindType;
  ASSERT_TRUE(this->Insert(Kind::Make("alpha")));
  auto row = this->Get("alpha").value();
  Kind::Change(row);

  Status status = this->Update(row);

  ASSERT_TRUE(status) << status.error().message;
  auto got = this->Get("alpha");
  ASSERT_TRUE(got);
  ExpectSameRow(got.value(), WithVersion(row, 2));
}

TYPED_TEST(NamedResourceContractTest, UpdateWithStaleVersionIsAConflict) {
  using Kind = typename TestFixture::KindType;
  ASSERT_TRUE(this->Insert(Kind::Make("alpha")));
  auto row = this->Get("alpha").value();
  ASSERT_TRUE(this->Update(row));  // Now at version 2; `row` still says 1.
  Kind::Change(row);

  Status stale = this->Update(row);

  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::kConflict);
  auto got = this->Get("alpha");
  ASSERT_TRUE(got);
  ExpectSameRow(got.value(), WithVersion(Kind::Make("alpha"), 2));
}

TYPED_TEST(NamedResourceContractTest, UpdateOfMissingNameIsNotFound) {
  using Kind = typename TestFixture::KindType;

  Status status = this->Update(WithVersion(Kind::Make("ghost"), 1));

  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kNotFound);
}

TYPED_TEST(NamedResourceContractTest, UpdateToAnotherRowsArnIsAlreadyExists) {
  using Kind = typename TestFixture::KindType;
  ASSERT_TRUE(this->Insert(Kind::Make("alpha")));
  ASSERT_TRUE(this->Insert(Kind::Make("beta")));
  auto beta = this->Get("beta").value();
  beta.arn = Kind::Make("alpha").arn;

  Status status = this->Update(beta);

  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kAlreadyExists);
}

TYPED_TEST(NamedResourceContractTest, DeleteRemovesOnlyThatRow) {
  using Kind = typename TestFixture::KindType;
  ASSERT_TRUE(this->Insert(Kind::Make("alpha")));
  ASSERT_TRUE(this->Insert(Kind::Make("beta")));

  Status status = this->Delete("alpha");

  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(this->Get("alpha").error().code, ErrorCode::kNotFound);
  auto rows = this->List();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].name, "beta");
}

TYPED_TEST(NamedResourceContractTest, DeleteOfMissingNameIsNotFound) {
  Status status = this->Delete("ghost");

  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kNotFound);
}

TYPED_TEST(NamedResourceContractTest, NameCanBeReusedAfterDelete) {
  using Kind = typename TestFixture::KindType;
  ASSERT_TRUE(this->Insert(Kind::Make("alpha")));
  ASSERT_TRUE(this->Delete("alpha"));

  Status status = this->Insert(Kind::Make("alpha"));

  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(this->Get("alpha")->version, 1);
}

// ---------------------------------------------------------------------------
// Transactions and job definitions: every backend.

template <typename BackendFactory>
class StoreContractTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NE(backend_.store, nullptr); }

  Status Run(const Store::Work& work) { return backend_.store->Transact(work); }

  // Runs `read` in its own transaction and returns what it produced.
  template <typename T>
  Result<T> Read(const std::function<Result<T>(StoreTransaction&)>& read) {
    std::optional<Result<T>> out;
    Status status = Run([&](StoreTransaction& txn) {
      out.emplace(read(txn));
      return Ok();
    });
    EXPECT_TRUE(status);
    return *out;
  }

  Status InsertDefinition(const JobDefinition& definition) {
    return Run([&](StoreTransaction& txn) { return txn.InsertJobDefinition(definition); });
  }
  Status UpdateDefinition(const JobDefinition& definition) {
    return Run([&](StoreTransaction& txn) { return txn.UpdateJobDefinition(definition); });
  }
  Result<JobDefinition> GetDefinition(const std::string& name, int32_t revision) {
    return Read<JobDefinition>(
        [&](StoreTransaction& txn) { return txn.GetJobDefinition(name, revision); });
  }
  // "name:revision" of each definition the filter lists, in order.
  std::vector<std::string> ListDefinitions(const JobDefinitionFilter& filter) {
    auto listed = Read<std::vector<JobDefinition>>(
        [&](StoreTransaction& txn) { return txn.ListJobDefinitions(filter); });
    EXPECT_TRUE(listed) << listed.error().message;
    std::vector<std::string> keys;
    if (!listed) return keys;
    for (const JobDefinition& definition : listed.value()) {
      keys.push_back(definition.name + ":" + std::to_string(definition.revision));
    }
    return keys;
  }
  Result<int32_t> MaxRevision(const std::string& name) {
    return Read<int32_t>(
        [&](StoreTransaction& txn) { return txn.MaxJobDefinitionRevision(name); });
  }
  // Registers the given revisions of `name`, marking `inactive` ones INACTIVE.
  void Register(const std::string& name, std::vector<int32_t> revisions,
                std::vector<int32_t> inactive = {}) {
    for (int32_t revision : revisions) {
      JobDefinition definition = testing::SampleJobDefinition(name, revision);
      if (std::find(inactive.begin(), inactive.end(), revision) != inactive.end()) {
        definition.status = JobDefinitionStatus::kInactive;
      }
      ASSERT_TRUE(InsertDefinition(definition));
    }
  }

  Backend backend_ = BackendFactory::Make();
};

using Backends = ::testing::Types<InMemoryBackend, SqliteMemoryBackend, SqliteFileBackend>;
TYPED_TEST_SUITE(StoreContractTest, Backends);

TYPED_TEST(StoreContractTest, FailedTransactStoresNothingAndReturnsTheWorksError) {
  Status status = this->Run([](StoreTransaction& txn) -> Status {
    BARGE_RETURN_IF_ERROR(txn.InsertComputeEnvironment(testing::SampleComputeEnvironment("ce")));
    BARGE_RETURN_IF_ERROR(txn.InsertJobQueue(testing::SampleJobQueue("q")));
    BARGE_RETURN_IF_ERROR(txn.InsertSchedulingPolicy(testing::SampleSchedulingPolicy("p")));
    BARGE_RETURN_IF_ERROR(txn.InsertJobDefinition(testing::SampleJobDefinition("d", 1)));
    return FailedPrecondition("changed my mind about ce");
  });

  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(status.error().message, "changed my mind about ce");
  Status empty = this->Run([](StoreTransaction& txn) {
    EXPECT_EQ(txn.GetComputeEnvironment("ce").error().code, ErrorCode::kNotFound);
    EXPECT_TRUE(txn.ListComputeEnvironments()->empty());
    EXPECT_TRUE(txn.ListJobQueues()->empty());
    EXPECT_TRUE(txn.ListSchedulingPolicies()->empty());
    EXPECT_TRUE(txn.ListJobDefinitions({})->empty());
    EXPECT_EQ(txn.MaxJobDefinitionRevision("d").value(), 0);
    return Ok();
  });
  EXPECT_TRUE(empty);
}

TYPED_TEST(StoreContractTest, FailedTransactLeavesEarlierCommitsUntouched) {
  ASSERT_TRUE(this->Run([](StoreTransaction& txn) {
    return txn.InsertJobQueue(testing::SampleJobQueue("q"));
  }));

  Status status = this->Run([](StoreTransaction& txn) -> Status {
    JobQueue queue = txn.GetJobQueue("q").value();
    queue.priority = 1;
    BARGE_RETURN_IF_ERROR(txn.UpdateJobQueue(queue));
    BARGE_RETURN_IF_ERROR(txn.DeleteJobQueue("q"));
    return Conflict("lost a race");
  });

  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kConflict);
  auto queue = this->template Read<JobQueue>(
      [](StoreTransaction& txn) { return txn.GetJobQueue("q"); });
  ASSERT_TRUE(queue);
  ExpectSameRow(queue.value(), WithVersion(testing::SampleJobQueue("q"), 1));
}

// A store that keeps a topology version changes it with every write of an
// environment or queue, and with a rollback (a reader that listed inside the
// rolled-back transaction saw rows that are gone); other writes may leave it.
TYPED_TEST(StoreContractTest, TopologyVersionChangesWithEnvironmentsAndQueues) {
  auto version = [&] {
    return this->template Read<std::optional<uint64_t>>(
        [](StoreTransaction& txn) -> Result<std::optional<uint64_t>> {
          return txn.TopologyVersion();
        });
  };
  std::optional<uint64_t> first = version().value();
  if (!first) {  // A store that keeps none never has one: readers always list.
    ASSERT_TRUE(this->Run([](StoreTransaction& txn) {
      return txn.InsertComputeEnvironment(testing::SampleComputeEnvironment("ce"));
    }));
    EXPECT_EQ(version().value(), std::nullopt);
    return;
  }
  std::vector<std::optional<uint64_t>> seen{first};
  auto changed = [&](const Store::Work& work, bool succeeds) {
    Status status = this->Run(work);
    EXPECT_EQ(static_cast<bool>(status), succeeds) << (status ? "" : status.error().message);
    std::optional<uint64_t> now = version().value();
    EXPECT_TRUE(std::ranges::find(seen, now) == seen.end()) << "version repeats: " << *now;
    seen.push_back(now);
  };
  changed(
      [](StoreTransaction& txn) {
        return txn.InsertComputeEnvironment(testing::SampleComputeEnvironment("ce"));
      },
      true);
  changed([](StoreTransaction& txn) { return txn.InsertJobQueue(testing::SampleJobQueue("q")); },
          true);
  changed(
      [](StoreTransaction& txn) -> Status {
        ComputeEnvironment ce = txn.GetComputeEnvironment("ce").value();
        ce.state = ResourceState::kDisabled;
        return txn.UpdateComputeEnvironment(ce);
      },
      true);
  changed(
      [](StoreTransaction& txn) -> Status {
        JobQueue queue = txn.GetJobQueue("q").value();
        queue.priority = 7;
        return txn.UpdateJobQueue(queue);
      },
      true);
  // Written, seen inside (without the queue), then rolled back: what was seen
  // inside is not what the store holds after.
  changed(
      [&](StoreTransaction& txn) -> Status {
        BARGE_RETURN_IF_ERROR(txn.DeleteJobQueue("q"));
        std::optional<uint64_t> inside = txn.TopologyVersion();
        EXPECT_TRUE(std::ranges::find(seen, inside) == seen.end());
        seen.push_back(inside);
        return Conflict("lost a race");
      },
      false);
  changed([](StoreTransaction& txn) { return txn.DeleteJobQueue("q"); }, true);
  changed([](StoreTransaction& txn) { return txn.DeleteComputeEnvironment("ce"); }, true);
}

TYPED_TEST(StoreContractTest, TransactionSeesItsOwnWrites) {
  Status status = this->Run([](StoreTransaction& txn) -> Status {
    BARGE_RETURN_IF_ERROR(txn.InsertComputeEnvironment(testing::SampleComputeEnvironment("ce")));
    auto ce = txn.GetComputeEnvironment("ce");
    if (!ce) return ce.error();
    EXPECT_EQ(ce->version, 1);
    BARGE_RETURN_IF_ERROR(txn.UpdateComputeEnvironment(ce.value()));
    EXPECT_EQ(txn.GetComputeEnvironment("ce")->version, 2);
    return Ok();
  });

  ASSERT_TRUE(status) << status.error().message;
  auto ce = this->template Read<ComputeEnvironment>(
      [](StoreTransaction& txn) { return txn.GetComputeEnvironment("ce"); });
  ASSERT_TRUE(ce);
  EXPECT_EQ(ce->version, 2);
}

TYPED_TEST(StoreContractTest, WorkMayRecoverFromAFailedWriteAndStillCommit) {
  ASSERT_TRUE(this->Run([](StoreTransaction& txn) {
    return txn.InsertJobQueue(testing::SampleJobQueue("q"));
  }));

  Status status = this->Run([](StoreTransaction& txn) -> Status {
    Status duplicate = txn.InsertJobQueue(testing::SampleJobQueue("q"));
    EXPECT_EQ(duplicate.error().code, ErrorCode::kAlreadyExists);
    return txn.InsertJobQueue(testing::SampleJobQueue("r"));
  });

  ASSERT_TRUE(status) << status.error().message;
  auto queues = this->template Read<std::vector<JobQueue>>(
      [](StoreTransaction& txn) { return txn.ListJobQueues(); });
  ASSERT_TRUE(queues);
  EXPECT_EQ(queues->size(), 2u);
}

TYPED_TEST(StoreContractTest, JobDefinitionReadsBackByNameAndRevision) {
  JobDefinition definition = testing::SampleJobDefinition("sleep", 2);
  definition.version = 9;  // Ignored.
  ASSERT_TRUE(this->InsertDefinition(testing::SampleJobDefinition("sleep", 1)));
  ASSERT_TRUE(this->InsertDefinition(definition));

  auto got = this->GetDefinition("sleep", 2);

  ASSERT_TRUE(got) << got.error().message;
  ExpectSameRow(got.value(), WithVersion(definition, 1));
}

TYPED_TEST(StoreContractTest, JobDefinitionOfMissingRevisionIsNotFound) {
  this->Register("sleep", {1});

  auto got = this->GetDefinition("sleep", 2);

  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, ErrorCode::kNotFound);
}

TYPED_TEST(StoreContractTest, RegisteringAnExistingRevisionIsAlreadyExists) {
  this->Register("sleep", {1});

  Status status = this->InsertDefinition(testing::SampleJobDefinition("sleep", 1));

  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kAlreadyExists);
}

TYPED_TEST(StoreContractTest, JobDefinitionsListByNameThenNumericRevision) {
  this->Register("b", {1});
  this->Register("a", {10, 2, 1});

  auto keys = this->ListDefinitions({});

  EXPECT_EQ(keys, (std::vector<std::string>{"a:1", "a:2", "a:10", "b:1"}));
}

TYPED_TEST(StoreContractTest, JobDefinitionFiltersCombine) {
  this->Register("a", {1, 2, 3}, /*inactive=*/{2});
  this->Register("ab", {1}, /*inactive=*/{1});
  this->Register("b", {1});

  EXPECT_EQ(this->ListDefinitions({.name = "a"}),
            (std::vector<std::string>{"a:1", "a:2", "a:3"}));
  EXPECT_EQ(this->ListDefinitions({.status = JobDefinitionStatus::kActive}),
            (std::vector<std::string>{"a:1", "a:3", "b:1"}));
  EXPECT_EQ(this->ListDefinitions({.status = JobDefinitionStatus::kInactive}),
            (std::vector<std::string>{"a:2", "ab:1"}));
  EXPECT_EQ(this->ListDefinitions({.name = "a", .status = JobDefinitionStatus::kInactive}),
            (std::vector<std::string>{"a:2"}));
  EXPECT_TRUE(this->ListDefinitions({.name = "zzz"}).empty());
}

TYPED_TEST(StoreContractTest, MaxRevisionCountsInactiveRevisionsAndOnlyThatName) {
  this->Register("a", {1, 2, 3}, /*inactive=*/{3});
  this->Register("ab", {7});

  EXPECT_EQ(this->MaxRevision("a").value(), 3);
  EXPECT_EQ(this->MaxRevision("ab").value(), 7);
  EXPECT_EQ(this->MaxRevision("").value(), 0);
  EXPECT_EQ(this->MaxRevision("none").value(), 0);
}

TYPED_TEST(StoreContractTest, DeregisteringIsAnUpdateThatBumpsVersion) {
  this->Register("sleep", {1});
  JobDefinition definition = this->GetDefinition("sleep", 1).value();
  definition.status = JobDefinitionStatus::kInactive;

  Status status = this->UpdateDefinition(definition);

  ASSERT_TRUE(status) << status.error().message;
  auto got = this->GetDefinition("sleep", 1);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status, JobDefinitionStatus::kInactive);
  ExpectSameRow(got.value(), WithVersion(definition, 2));
  EXPECT_EQ(this->ListDefinitions({.status = JobDefinitionStatus::kInactive}),
            (std::vector<std::string>{"sleep:1"}));
}

TYPED_TEST(StoreContractTest, JobDefinitionUpdateWithStaleVersionIsAConflict) {
  this->Register("sleep", {1});
  JobDefinition definition = this->GetDefinition("sleep", 1).value();
  ASSERT_TRUE(this->UpdateDefinition(definition));
  definition.status = JobDefinitionStatus::kInactive;

  Status stale = this->UpdateDefinition(definition);

  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::kConflict);
  EXPECT_EQ(this->GetDefinition("sleep", 1)->status, JobDefinitionStatus::kActive);
}

TYPED_TEST(StoreContractTest, JobDefinitionUpdateOfMissingRevisionIsNotFound) {
  this->Register("sleep", {1});

  Status status = this->UpdateDefinition(WithVersion(testing::SampleJobDefinition("sleep", 2), 1));

  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace barge
