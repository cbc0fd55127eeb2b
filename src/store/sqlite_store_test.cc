// SqliteStore beyond the shared contract: what happens to the file between
// runs (durability, migrations, databases this binary must refuse).
#include "store/sqlite_store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "codec/codec.h"
#include "codec/job_codec.h"
#include "store/migrations.h"
#include "store/sqlite_db.h"
#include "testing/sample_job.h"
#include "testing/sample_resources.h"
#include "testing/temp_dir.h"

namespace barge {
namespace {

template <typename Row>
void ExpectSameRow(const Row& actual, const Row& expected) {
  EXPECT_EQ(codec::ToJson(actual).dump(), codec::ToJson(expected).dump());
  EXPECT_EQ(actual.aws_only, expected.aws_only);
  EXPECT_EQ(actual.version, expected.version);
}

void ExpectSameJob(const Job& actual, const Job& expected) {
  EXPECT_EQ(codec::ToJson(actual).dump(), codec::ToJson(expected).dump());
  EXPECT_EQ(actual.id, expected.id);
  EXPECT_EQ(actual.queue, expected.queue);
  EXPECT_EQ(actual.status, expected.status);
  EXPECT_EQ(actual.name, expected.name);
  EXPECT_EQ(actual.created_at, expected.created_at);
  EXPECT_EQ(actual.version, expected.version);
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = testing::TempDir::Create();
    ASSERT_TRUE(dir) << dir.error().message;
    dir_.emplace(std::move(dir).value());
    path_ = dir_->File("barge.db");
  }

  std::unique_ptr<SqliteStore> OpenStore() {
    auto store = SqliteStore::Open(path_);
    EXPECT_TRUE(store) << store.error().message;
    return store ? std::move(store).value() : nullptr;
  }

  // A plain connection to the same file, bypassing the store, for looking at
  // or tampering with what is on disk.
  std::unique_ptr<sqlite::Database> OpenRaw() {
    auto db = sqlite::Database::Open(path_);
    EXPECT_TRUE(db) << db.error().message;
    return db ? std::move(db).value() : nullptr;
  }

  std::optional<testing::TempDir> dir_;
  std::string path_;
};

TEST_F(SqliteStoreTest, DataSurvivesClosingAndReopening) {
  ComputeEnvironment ce = testing::SampleComputeEnvironment("ce");
  JobQueue queue = testing::SampleJobQueue("q");
  SchedulingPolicy policy = testing::SampleSchedulingPolicy("p");
  JobDefinition first = testing::SampleJobDefinition("d", 1);
  JobDefinition second = testing::SampleJobDefinition("d", 2);
  {
    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Transact([&](StoreTransaction& txn) -> Status {
      BARGE_RETURN_IF_ERROR(txn.InsertComputeEnvironment(ce));
      BARGE_RETURN_IF_ERROR(txn.InsertJobQueue(queue));
      BARGE_RETURN_IF_ERROR(txn.InsertSchedulingPolicy(policy));
      BARGE_RETURN_IF_ERROR(txn.InsertJobDefinition(first));
      return txn.InsertJobDefinition(second);
    }));
    // Version 2 for the queue and the first revision, which is deregistered.
    queue.version = 1;
    queue.priority = 77;
    first.version = 1;
    first.status = JobDefinitionStatus::kInactive;
    ASSERT_TRUE(store->Transact([&](StoreTransaction& txn) -> Status {
      BARGE_RETURN_IF_ERROR(txn.UpdateJobQueue(queue));
      return txn.UpdateJobDefinition(first);
    }));
  }

  auto store = OpenStore();

  ASSERT_NE(store, nullptr);
  Status read = store->Transact([&](StoreTransaction& txn) -> Status {
    auto got_ce = txn.GetComputeEnvironment("ce");
    auto got_queue = txn.GetJobQueue("q");
    auto got_policy = txn.GetSchedulingPolicy("p");
    auto got_first = txn.GetJobDefinition("d", 1);
    auto got_second = txn.GetJobDefinition("d", 2);
    if (!got_ce || !got_queue || !got_policy || !got_first || !got_second) {
      return Internal("a row is missing after reopening");
    }
    ce.version = 1;
    ExpectSameRow(got_ce.value(), ce);
    EXPECT_EQ(got_ce->arn, ce.arn);
    EXPECT_EQ(got_ce->compute_resources->aws_only, ce.compute_resources->aws_only);
    queue.version = 2;
    ExpectSameRow(got_queue.value(), queue);
    policy.version = 1;
    ExpectSameRow(got_policy.value(), policy);
    first.version = 2;
    ExpectSameRow(got_first.value(), first);
    EXPECT_EQ(got_first->status, JobDefinitionStatus::kInactive);
    second.version = 1;
    ExpectSameRow(got_second.value(), second);
    EXPECT_EQ(got_second->container_properties->aws_only,
              second.container_properties->aws_only);
    EXPECT_EQ(txn.MaxJobDefinitionRevision("d").value(), 2);
    return Ok();
  });
  EXPECT_TRUE(read) << read.error().message;
}

TEST_F(SqliteStoreTest, OpenMigratesANewFileToTheLatestSchemaInWalMode) {
  ASSERT_NE(OpenStore(), nullptr);  // Opened and closed again.

  auto raw = OpenRaw();

  ASSERT_NE(raw, nullptr);
  EXPECT_EQ(raw->QueryInt64("PRAGMA user_version").value(), LatestSchemaVersion());
  EXPECT_EQ(raw->QueryText("PRAGMA journal_mode").value(), "wal");
}

TEST_F(SqliteStoreTest, ReopeningAnUpToDateFileAppliesNothingAgain) {
  ASSERT_NE(OpenStore(), nullptr);

  // Re-running 0001 would fail on CREATE TABLE of an existing table.
  auto store = OpenStore();

  ASSERT_NE(store, nullptr);
  EXPECT_EQ(OpenRaw()->QueryInt64("PRAGMA user_version").value(), LatestSchemaVersion());
}

// 0004 adds jobs.stopped_at: jobs that had ended before it take their end
// from the document, so the retention sweep finds them.
TEST_F(SqliteStoreTest, MigrationGivesJobsThatEndedBeforeItTheirStoppedAt) {
  {
    auto raw = OpenRaw();
    ASSERT_NE(raw, nullptr);
    for (const Migration& migration : Migrations().first(2)) ASSERT_TRUE(raw->Exec(migration.sql));
    ASSERT_TRUE(raw->Exec("PRAGMA user_version = 2"));
    auto insert = [&](const Job& job) {
      auto stmt = raw->Prepare(
          "INSERT INTO jobs (id, queue, status, name, created_at, version, doc)"
          " VALUES (?1, 'q', ?2, 'n', ?3, 1, ?4)");
      ASSERT_TRUE(stmt);
      stmt->Bind(1, job.id);
      stmt->Bind(2, ToString(job.status));
      stmt->Bind(3, ToEpochMillis(job.created_at));
      stmt->Bind(4, codec::ToJson(job).dump());
      ASSERT_TRUE(stmt->Run("insert"));
    };
    Job ended = testing::SampleJob("ended", "q", FromEpochMillis(100));
    ended.status = JobStatus::kSucceeded;
    ended.stopped_at = FromEpochMillis(1000);
    insert(ended);
    Job unstamped = testing::SampleJob("unstamped", "q", FromEpochMillis(500));
    unstamped.status = JobStatus::kFailed;  // No stoppedAt: counts as ended at createdAt.
    insert(unstamped);
    insert(testing::SampleJob("running", "q", FromEpochMillis(100)));
  }
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(OpenRaw()->QueryInt64("SELECT stopped_at FROM jobs WHERE id = 'ended'").value(), 1000);
  EXPECT_EQ(OpenRaw()->QueryInt64("SELECT count(*) FROM jobs WHERE stopped_at IS NULL").value(), 1);

  ASSERT_TRUE(store->Transact([](StoreTransaction& txn) -> Status {
    EXPECT_EQ(txn.DeleteJobsEndedBefore(FromEpochMillis(1000), 10).value(), 1u);  // unstamped
    EXPECT_EQ(txn.DeleteJobsEndedBefore(FromEpochMillis(1001), 10).value(), 1u);  // ended
    EXPECT_EQ(txn.DeleteJobsEndedBefore(FromEpochMillis(1'000'000), 10).value(), 0u);
    EXPECT_TRUE(txn.GetJob("running"));
    return Ok();
  }));
}

TEST_F(SqliteStoreTest, RefusesADatabaseWrittenByANewerBarge) {
  ASSERT_NE(OpenStore(), nullptr);
  const int64_t future = LatestSchemaVersion() + 1;
  ASSERT_TRUE(OpenRaw()->Exec("PRAGMA user_version = " + std::to_string(future)));

  auto store = SqliteStore::Open(path_);

  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(store.error().message.find("newer"), std::string::npos) << store.error().message;
  EXPECT_NE(store.error().message.find(std::to_string(future)), std::string::npos);
  EXPECT_EQ(OpenRaw()->QueryInt64("PRAGMA user_version").value(), future);  // Untouched.
}

TEST_F(SqliteStoreTest, RefusesAFileThatIsNotADatabase) {
  std::ofstream(path_) << "this is a text file, not a database, and long enough to tell\n";

  auto store = SqliteStore::Open(path_);

  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ErrorCode::kInternal);
}

TEST_F(SqliteStoreTest, ADocumentThatNoLongerDecodesIsAnInternalErrorNamingTheRow) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Transact([](StoreTransaction& txn) {
    return txn.InsertJobQueue(testing::SampleJobQueue("q"));
  }));
  ASSERT_TRUE(OpenRaw()->Exec("UPDATE job_queues SET doc = '{not json' WHERE name = 'q'"));

  Status status = store->Transact([](StoreTransaction& txn) -> Status {
    auto queue = txn.GetJobQueue("q");
    if (!queue) return queue.error();
    return Ok();
  });

  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kInternal);
  EXPECT_NE(status.error().message.find("job queue q"), std::string::npos)
      << status.error().message;
}

// The environments and queues are cached between transactions (every
// scheduling pass lists them); what another connection or a rolled-back
// transaction did must still show.
TEST_F(SqliteStoreTest, ListsOfEnvironmentsAndQueuesSeeEveryCommittedChange) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto names = [&]() {
    std::string out;
    EXPECT_TRUE(store->Transact([&](StoreTransaction& txn) -> Status {
      out.clear();
      auto environments = txn.ListComputeEnvironments();
      if (!environments) return environments.error();
      auto queues = txn.ListJobQueues();
      if (!queues) return queues.error();
      for (const ComputeEnvironment& ce : *environments) out += ce.name + " ";
      for (const JobQueue& queue : *queues) {
        out += queue.name + ":" + std::to_string(queue.priority) + " ";
      }
      return Ok();
    }));
    return out;
  };
  ASSERT_TRUE(store->Transact([](StoreTransaction& txn) -> Status {
    BARGE_RETURN_IF_ERROR(txn.InsertComputeEnvironment(testing::SampleComputeEnvironment("ce")));
    return txn.InsertJobQueue(testing::SampleJobQueue("q"));
  }));
  EXPECT_EQ(names(), "ce q:10 ");

  // Written and listed in one transaction, then rolled back.
  Status rolled_back = store->Transact([](StoreTransaction& txn) -> Status {
    BARGE_RETURN_IF_ERROR(txn.InsertJobQueue(testing::SampleJobQueue("gone")));
    auto queues = txn.ListJobQueues();
    if (!queues) return queues.error();
    EXPECT_EQ(queues->size(), 2u);
    return Internal("roll back");
  });
  EXPECT_FALSE(rolled_back);
  EXPECT_EQ(names(), "ce q:10 ");

  // Another connection to the same file.
  auto other = OpenStore();
  ASSERT_NE(other, nullptr);
  ASSERT_TRUE(other->Transact([](StoreTransaction& txn) -> Status {
    BARGE_RETURN_IF_ERROR(txn.InsertComputeEnvironment(testing::SampleComputeEnvironment("ce2")));
    auto stored = txn.GetJobQueue("q");
    if (!stored) return stored.error();
    stored->priority = 77;
    return txn.UpdateJobQueue(*stored);
  }));
  EXPECT_EQ(names(), "ce ce2 q:77 ");

  // This store's own update.
  ASSERT_TRUE(store->Transact([](StoreTransaction& txn) -> Status {
    auto stored = txn.GetJobQueue("q");
    if (!stored) return stored.error();
    stored->priority = 5;
    return txn.UpdateJobQueue(*stored);
  }));
  EXPECT_EQ(names(), "ce ce2 q:5 ");
}

// Jobs written as STARTING or RUNNING are kept decoded for the next read
// (the agent's events); a read must give exactly what the file holds.
TEST_F(SqliteStoreTest, ALiveJobReadsBackAsStoredAlsoAfterAnotherConnectionWroteIt) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Transact([](StoreTransaction& txn) -> Status {
    BARGE_RETURN_IF_ERROR(txn.InsertComputeEnvironment(testing::SampleComputeEnvironment("ce")));
    BARGE_RETURN_IF_ERROR(txn.InsertJobQueue(testing::SampleJobQueue("q")));
    return txn.InsertJob(testing::SampleJob("j", "q", FromEpochMillis(1000)));
  }));
  auto write = [](SqliteStore& on, JobStatus status, const std::string& reason) {
    return on.Transact([&](StoreTransaction& txn) -> Status {
      auto job = txn.GetJob("j");
      if (!job) return job.error();
      job->status = status;
      job->status_reason = reason;
      return txn.UpdateJob(*job);
    });
  };
  auto read = [](SqliteStore& on) {
    Job out;
    EXPECT_TRUE(on.Transact([&](StoreTransaction& txn) -> Status {
      auto job = txn.GetJob("j");
      if (!job) return job.error();
      out = std::move(job).value();
      return Ok();
    }));
    return out;
  };
  ASSERT_TRUE(write(*store, JobStatus::kRunning, "running"));
  auto fresh = OpenStore();  // Nothing cached.
  ASSERT_NE(fresh, nullptr);
  ExpectSameJob(read(*store), read(*fresh));
  EXPECT_EQ(read(*store).version, 2);

  // A rolled-back write leaves the stored job.
  Status rolled_back = store->Transact([](StoreTransaction& txn) -> Status {
    auto job = txn.GetJob("j");
    if (!job) return job.error();
    job->status_reason = "never";
    BARGE_RETURN_IF_ERROR(txn.UpdateJob(*job));
    return Internal("roll back");
  });
  EXPECT_FALSE(rolled_back);
  EXPECT_EQ(read(*store).status_reason, "running");

  // Written through another connection.
  ASSERT_TRUE(write(*fresh, JobStatus::kRunning, "elsewhere"));
  EXPECT_EQ(read(*store).status_reason, "elsewhere");
  EXPECT_EQ(read(*store).version, 3);
  ASSERT_TRUE(write(*store, JobStatus::kSucceeded, "done"));
  ExpectSameJob(read(*store), read(*fresh));
  EXPECT_EQ(read(*store).status, JobStatus::kSucceeded);
}

// UpdateJob sets only status, stopped_at, doc and version when the other
// keys are as stored; an update that does change them still stores them.
TEST_F(SqliteStoreTest, AnUpdateThatChangesAJobsKeysStoresThem) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Transact([](StoreTransaction& txn) -> Status {
    return txn.InsertJob(testing::SampleJob("j", "q", FromEpochMillis(1000)));
  }));
  ASSERT_TRUE(store->Transact([](StoreTransaction& txn) -> Status {
    auto job = txn.GetJob("j");
    if (!job) return job.error();
    job->queue = "q2";
    job->name = "renamed";
    job->created_at = FromEpochMillis(2000);
    return txn.UpdateJob(*job);
  }));
  ASSERT_TRUE(store->Transact([](StoreTransaction& txn) -> Status {
    auto listed = txn.ListJobs({.queue = "q2"});
    if (!listed) return listed.error();
    EXPECT_EQ(listed->size(), 1u);
    auto job = txn.GetJob("j");
    if (!job) return job.error();
    EXPECT_EQ(job->queue, "q2");
    EXPECT_EQ(job->name, "renamed");
    EXPECT_EQ(job->created_at, FromEpochMillis(2000));
    EXPECT_EQ(job->version, 2);
    return Ok();
  }));
}

// The ACTIVE revisions of a definition are cached for SubmitJob; every
// committed change must still show.
TEST_F(SqliteStoreTest, ActiveJobDefinitionsSeeEveryCommittedChange) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto active = [&](SqliteStore& on) {
    std::string out;
    EXPECT_TRUE(on.Transact([&](StoreTransaction& txn) -> Status {
      auto listed = txn.ListJobDefinitions({.name = "d", .status = JobDefinitionStatus::kActive});
      if (!listed) return listed.error();
      for (const JobDefinition& definition : *listed) {
        out += std::to_string(definition.revision) + " ";
      }
      return Ok();
    }));
    return out;
  };
  auto insert = [](SqliteStore& on, int32_t revision) {
    return on.Transact([&](StoreTransaction& txn) {
      return txn.InsertJobDefinition(testing::SampleJobDefinition("d", revision));
    });
  };
  ASSERT_TRUE(insert(*store, 1));
  EXPECT_EQ(active(*store), "1 ");
  auto other = OpenStore();
  ASSERT_NE(other, nullptr);
  ASSERT_TRUE(insert(*other, 2));
  EXPECT_EQ(active(*store), "1 2 ");
  ASSERT_TRUE(store->Transact([](StoreTransaction& txn) -> Status {
    auto definition = txn.GetJobDefinition("d", 1);
    if (!definition) return definition.error();
    definition->status = JobDefinitionStatus::kInactive;
    return txn.UpdateJobDefinition(*definition);
  }));
  EXPECT_EQ(active(*store), "2 ");
  EXPECT_EQ(active(*other), "2 ");
}

TEST_F(SqliteStoreTest, CommittedWorkSurvivesKillMinusNine) {
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The child commits and dies without closing anything: no destructors,
    // no checkpoint, no atexit handlers.
    auto store = SqliteStore::Open(path_);
    if (!store) _exit(2);
    Status committed = store.value()->Transact([](StoreTransaction& txn) {
      return txn.InsertComputeEnvironment(testing::SampleComputeEnvironment("ce"));
    });
    if (!committed) _exit(3);
    raise(SIGKILL);
    _exit(4);
  }
  int wait_status = 0;
  ASSERT_EQ(waitpid(child, &wait_status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(wait_status)) << "child exited with " << WEXITSTATUS(wait_status);
  ASSERT_EQ(WTERMSIG(wait_status), SIGKILL);

  auto store = OpenStore();

  ASSERT_NE(store, nullptr);
  Status read = store->Transact([](StoreTransaction& txn) -> Status {
    auto ce = txn.GetComputeEnvironment("ce");
    if (!ce) return ce.error();
    EXPECT_EQ(ce->version, 1);
    return Ok();
  });
  EXPECT_TRUE(read) << read.error().message;
}

// A SubmitJob that returned has committed its job, and agents' log lines are
// acknowledged after commit: both must survive kill -9 as well.
TEST_F(SqliteStoreTest, CommittedJobsAndLogLinesSurviveKillMinusNine) {
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto store = SqliteStore::Open(path_);
    if (!store) _exit(2);
    Status committed = store.value()->Transact([](StoreTransaction& txn) -> Status {
      BARGE_RETURN_IF_ERROR(txn.InsertJob(testing::SampleJob("j1", "q", FromEpochMillis(5))));
      return txn.AppendLogEvents("jd/default/j1-a2", {{.sequence = 0, .message = "hello"}});
    });
    if (!committed) _exit(3);
    raise(SIGKILL);
    _exit(4);
  }
  int wait_status = 0;
  ASSERT_EQ(waitpid(child, &wait_status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(wait_status)) << "child exited with " << WEXITSTATUS(wait_status);

  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  Status read = store->Transact([](StoreTransaction& txn) -> Status {
    auto job = txn.GetJob("j1");
    if (!job) return job.error();
    EXPECT_EQ(job->attempts.size(), 2u);
    auto lines = txn.ReadLogEvents({.stream = "jd/default/j1-a2"});
    if (!lines) return lines.error();
    EXPECT_EQ(lines->size(), 1u);
    return Ok();
  });
  EXPECT_TRUE(read) << read.error().message;
}

TEST(SqliteErrorTest, LockContentionIsRetryableAndConstraintsAreCollisions) {
  EXPECT_EQ(sqlite::ToError(nullptr, SQLITE_BUSY, "x").code, ErrorCode::kUnavailable);
  EXPECT_EQ(sqlite::ToError(nullptr, SQLITE_BUSY_SNAPSHOT, "x").code, ErrorCode::kUnavailable);
  EXPECT_EQ(sqlite::ToError(nullptr, SQLITE_LOCKED, "x").code, ErrorCode::kUnavailable);
  EXPECT_EQ(sqlite::ToError(nullptr, SQLITE_CONSTRAINT_UNIQUE, "x").code,
            ErrorCode::kAlreadyExists);
  EXPECT_EQ(sqlite::ToError(nullptr, SQLITE_IOERR_FSYNC, "x").code, ErrorCode::kInternal);
  EXPECT_EQ(sqlite::ToError(nullptr, SQLITE_FULL, "write").message, "write: database or disk is full");
}

TEST(MigrationsTest, AreNumberedFromOneInFileOrder) {
  auto migrations = Migrations();

  ASSERT_FALSE(migrations.empty());
  for (size_t i = 0; i < migrations.size(); ++i) {
    EXPECT_EQ(migrations[i].version, static_cast<int32_t>(i + 1));
    std::string number = std::to_string(i + 1);
    EXPECT_EQ(migrations[i].name.substr(0, 5), std::string(4 - number.size(), '0') + number + "_");
    EXPECT_FALSE(migrations[i].sql.empty());
  }
  EXPECT_EQ(migrations[0].name, "0001_resources");
  EXPECT_EQ(LatestSchemaVersion(), static_cast<int32_t>(migrations.size()));
}

}  // namespace
}  // namespace barge
