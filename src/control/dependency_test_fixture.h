#pragma once
// DependencyResolverTest: JobService and the DependencyResolver wired as the
// server wires them: every write goes through a JobEndReportingStore whose
// listener is the resolver. A job "ends" here by a write of its terminal
// status through that store, as every real path does. Shared by the
// dependency and array job tests.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "control/control_test_fixture.h"
#include "control/dependency_resolver.h"
#include "control/job_end_reporting_store.h"
#include "control/job_service.h"
#include "control/recording_job_events.h"
#include "testing/fake_clock.h"

namespace barge::control {

class DependencyResolverTest : public ControlServicesTest {
 protected:
  void SetUp() override {
    CreateValid(Unmanaged("ce"));
    CreateQueue(QueueOn("q", {"ce"}));
    ASSERT_TRUE(definitions_.Register(ContainerDefinition("jd"), 100));
    reporting_.SetListener(
        [this](const std::vector<JobWrite>& ended) { resolver_->JobsWritten(ended); });
  }

  static JobDependency On(const std::string& id, std::optional<std::string> type = std::nullopt) {
    return {.job_id = id, .type = std::move(type)};
  }

  Result<SubmittedJob> TrySubmit(std::vector<JobDependency> depends_on,
                                 JobService* jobs = nullptr,
                                 std::optional<ArrayProperties> array = std::nullopt) {
    JobSubmission submission{.job_name = "j", .job_queue = "q", .job_definition = "jd"};
    submission.depends_on = std::move(depends_on);
    submission.array_properties = array;
    return (jobs != nullptr ? *jobs : *jobs_).Submit(submission, 100);
  }

  std::string Submit(std::vector<JobDependency> depends_on = {}) {
    auto submitted = TrySubmit(std::move(depends_on));
    EXPECT_TRUE(submitted) << submitted.error().message;
    return submitted ? submitted->job_id : "";
  }

  Job Get(const std::string& id) {
    auto described = jobs_->Describe({id});
    EXPECT_TRUE(described && described->size() == 1) << id;
    return described && described->size() == 1 ? described->front() : Job{};
  }
  JobStatus StatusOf(const std::string& id) { return Get(id).status; }

  // Writes `id` SUCCEEDED or FAILED, as an agent's exit report would;
  // unreported when written straight to store_ (a server about to die).
  void End(const std::string& id, JobStatus status, Store* through = nullptr) {
    clock_.Advance(std::chrono::seconds(1));
    ASSERT_TRUE(
        (through != nullptr ? *through : reporting_).Transact([&](StoreTransaction& txn) -> Status {
          auto job = txn.GetJob(id);
          if (!job) return job.error();
          job->status = status;
          job->stopped_at = clock_.Now();
          return txn.UpdateJob(*job);
        }));
  }

  std::vector<std::string> RunnableIds() const {
    std::vector<std::string> ids;
    for (const Job& job : events_.runnable) ids.push_back(job.id);
    return ids;
  }

  size_t StoredJobs() {
    size_t count = 0;
    EXPECT_TRUE(store_.Transact([&](StoreTransaction& txn) -> Status {
      auto jobs = txn.ListJobs({});
      if (!jobs) return jobs.error();
      count = jobs->size();
      return Ok();
    }));
    return count;
  }

  // A server restart: a new resolver (and JobService) over the same store.
  void Restart() {
    jobs_.reset();
    resolver_ = std::make_unique<DependencyResolver>(reporting_, clock_, events_);
    jobs_ =
        std::make_unique<JobService>(reporting_, clock_, arns_, definitions_, events_, *resolver_);
    events_ = {};
    Status rebuilt = resolver_->Rebuild();
    ASSERT_TRUE(rebuilt) << rebuilt.error().message;
  }

  testing::FakeClock clock_;
  RecordingJobEvents events_;
  JobEndReportingStore reporting_{store_};
  std::unique_ptr<DependencyResolver> resolver_ =
      std::make_unique<DependencyResolver>(reporting_, clock_, events_);
  std::unique_ptr<JobService> jobs_ =
      std::make_unique<JobService>(reporting_, clock_, arns_, definitions_, events_, *resolver_);
};

}  // namespace barge::control
