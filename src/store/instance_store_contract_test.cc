// The Store contract for managed instances, run against every backend like
// store_contract_test.cc.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "store/store.h"
#include "store/store_test_backends.h"

namespace barge {
namespace {

Timestamp At(int64_t ms) { return FromEpochMillis(ms); }

Instance MakeInstance(std::string id, std::string ce, int64_t launched_ms) {
  return Instance{
      .id = std::move(id),
      .compute_environment = std::move(ce),
      .type = InstanceType{.name = "c5.large",
                           .family = "c5",
                           .vcpus = 2,
                           .memory_mib = 4096,
                           .architecture = "x86_64",
                           .on_demand_per_hour = 0.085,
                           .spot_per_hour = 0.035},
      .capacity = CapacityType::kSpot,
      .state = InstanceState::kLaunching,
      .provider = "local",
      .launched_at = At(launched_ms),
  };
}

template <typename BackendFactory>
class InstanceStoreContractTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NE(backend_.store, nullptr); }

  Status Insert(const Instance& instance) {
    return backend_.store->Transact(
        [&](StoreTransaction& txn) { return txn.InsertInstance(instance); });
  }
  Status Update(const Instance& instance) {
    return backend_.store->Transact(
        [&](StoreTransaction& txn) { return txn.UpdateInstance(instance); });
  }
  Result<Instance> Get(const std::string& id) {
    std::optional<Result<Instance>> out;
    EXPECT_TRUE(backend_.store->Transact([&](StoreTransaction& txn) {
      out.emplace(txn.GetInstance(id));
      return Ok();
    }));
    return *out;
  }
  std::vector<std::string> ListIds(const InstanceFilter& filter) {
    std::vector<std::string> ids;
    EXPECT_TRUE(backend_.store->Transact([&](StoreTransaction& txn) {
      Result<std::vector<Instance>> listed = txn.ListInstances(filter);
      if (!listed) return Status(listed.error());
      for (const Instance& instance : *listed) ids.push_back(instance.id);
      return Ok();
    }));
    return ids;
  }

  Backend backend_ = BackendFactory::Make();
};

using Backends = ::testing::Types<InMemoryBackend, SqliteMemoryBackend, SqliteFileBackend>;
TYPED_TEST_SUITE(InstanceStoreContractTest, Backends);

TYPED_TEST(InstanceStoreContractTest, InsertedInstanceReadsBackWholeAtVersionOne) {
  Instance instance = MakeInstance("i-1", "ce", 1000);
  instance.provider_data = "4242";

  ASSERT_TRUE(this->Insert(instance));
  Result<Instance> read = this->Get("i-1");

  ASSERT_TRUE(read) << read.error().message;
  instance.version = 1;
  EXPECT_EQ(*read, instance);
}

TYPED_TEST(InstanceStoreContractTest, ASecondInsertOfTheSameIdIsRefused) {
  ASSERT_TRUE(this->Insert(MakeInstance("i-1", "ce", 1000)));

  Status again = this->Insert(MakeInstance("i-1", "other", 2000));

  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(this->Get("i-1")->compute_environment, "ce");
}

TYPED_TEST(InstanceStoreContractTest, UpdateIsACompareAndSet) {
  ASSERT_TRUE(this->Insert(MakeInstance("i-1", "ce", 1000)));
  Instance running = *this->Get("i-1");
  running.state = InstanceState::kRunning;
  running.running_at = At(1500);
  ASSERT_TRUE(this->Update(running));

  Status stale = this->Update(running);
  Instance missing = MakeInstance("i-404", "ce", 1000);
  missing.version = 1;
  Status gone = this->Update(missing);

  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::kConflict);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ErrorCode::kNotFound);
  Result<Instance> read = this->Get("i-1");
  EXPECT_EQ(read->state, InstanceState::kRunning);
  EXPECT_EQ(read->version, 2);
}

TYPED_TEST(InstanceStoreContractTest, ListingsFilterByEnvironmentLivenessAndPeriod) {
  ASSERT_TRUE(this->Insert(MakeInstance("i-b", "ce", 2000)));
  ASSERT_TRUE(this->Insert(MakeInstance("i-a", "ce", 2000)));
  ASSERT_TRUE(this->Insert(MakeInstance("i-c", "other", 1000)));
  Instance ended = MakeInstance("i-d", "ce", 500);
  ASSERT_TRUE(this->Insert(ended));
  ended.version = 1;
  ended.state = InstanceState::kTerminated;
  ended.terminated_at = At(1200);
  ASSERT_TRUE(this->Update(ended));

  std::vector<std::string> all = this->ListIds({});
  std::vector<std::string> live = this->ListIds({.live_only = true});
  std::vector<std::string> in_ce = this->ListIds({.compute_environment = "ce"});
  std::vector<std::string> since_1100 = this->ListIds({.alive_since = At(1100)});
  std::vector<std::string> since_1300 = this->ListIds({.alive_since = At(1300)});

  EXPECT_EQ(all, (std::vector<std::string>{"i-d", "i-c", "i-a", "i-b"}));
  EXPECT_EQ(live, (std::vector<std::string>{"i-c", "i-a", "i-b"}));
  EXPECT_EQ(in_ce, (std::vector<std::string>{"i-d", "i-a", "i-b"}));
  EXPECT_EQ(since_1100, (std::vector<std::string>{"i-d", "i-c", "i-a", "i-b"}));
  EXPECT_EQ(since_1300, (std::vector<std::string>{"i-c", "i-a", "i-b"}));
}

TYPED_TEST(InstanceStoreContractTest, AFailedUnitOfWorkLeavesNoInstance) {
  Status failed = this->backend_.store->Transact([&](StoreTransaction& txn) -> Status {
    BARGE_RETURN_IF_ERROR(txn.InsertInstance(MakeInstance("i-1", "ce", 1000)));
    return Status(Unavailable("provider refused"));
  });

  ASSERT_FALSE(failed);
  EXPECT_EQ(this->Get("i-1").error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace barge

namespace barge {
namespace {

TYPED_TEST(InstanceStoreContractTest, AFailedUnitOfWorkLeavesAnUpdatedInstanceAsItWas) {
  ASSERT_TRUE(this->Insert(MakeInstance("i-1", "ce", 1000)));
  Instance instance = this->Get("i-1").value();

  Status failed = this->backend_.store->Transact([&](StoreTransaction& txn) -> Status {
    instance.state = InstanceState::kTerminated;
    instance.terminated_at = At(2000);
    BARGE_RETURN_IF_ERROR(txn.UpdateInstance(instance));
    return Status(Unavailable("provider refused"));
  });

  ASSERT_FALSE(failed);
  EXPECT_EQ(this->Get("i-1")->state, InstanceState::kLaunching);
  EXPECT_EQ(this->Get("i-1")->version, 1);
  EXPECT_EQ(this->ListIds({.live_only = true}), std::vector<std::string>{"i-1"});
}

}  // namespace
}  // namespace barge
