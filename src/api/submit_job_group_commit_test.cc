// SubmitJob through Api::HandleAsync when the JobService group-commits: the
// reply waits for the flush, a failed commit is a ServerException for every
// member, and a job is visible to DescribeJobs as soon as its reply is out.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api/api.h"
#include "api/test_resource_services.h"
#include "control/dependency_resolver.h"
#include "control/resource_status_reconciler.h"
#include "testing/fake_clock.h"
#include "testing/in_memory_store.h"

namespace barge::api {
namespace {

using Json = nlohmann::json;

class SubmitJobGroupCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Post("createcomputeenvironment", {{"computeEnvironmentName", "ce"}, {"type", "UNMANAGED"}});
    Post("createjobqueue",
         {{"jobQueueName", "q"},
          {"priority", 1},
          {"computeEnvironmentOrder", {{{"order", 1}, {"computeEnvironment", "ce"}}}}});
    Post("registerjobdefinition", Json::parse(R"({"jobDefinitionName": "jd", "type": "container",
                         "containerProperties": {"image": "busybox", "command": ["true"],
                           "resourceRequirements": [{"type": "VCPU", "value": "1"},
                                                    {"type": "MEMORY", "value": "64"}]}})"));
    ASSERT_EQ(replies_.size(), 3u);
    for (const auto& reply : replies_) ASSERT_TRUE(reply && reply->status == 200) << reply->body;
    replies_.clear();
  }

  // Sends the request; its reply lands in replies_[returned index] when it comes.
  size_t Post(const std::string& op, const Json& body) {
    size_t slot = replies_.size();
    replies_.emplace_back();
    api_.HandleAsync({.method = "POST",
                      .target = "/v1/" + op,
                      .headers = {{"Host", "127.0.0.1"}, {"Content-Type", "application/json"}},
                      .body = body.dump()},
                     [this, slot](HttpReply reply) { replies_[slot] = std::move(reply); });
    return slot;
  }
  size_t Submit(const std::string& name) {
    return Post("submitjob", {{"jobName", name}, {"jobQueue", "q"}, {"jobDefinition", "jd"}});
  }

  testing::FakeClock clock_;
  TestResourceServices resources_;
  control::NoJobEvents events_;
  int flushes_scheduled_ = 0;
  control::DependencyResolver dependencies_{resources_.store, clock_, events_};
  control::JobService jobs_{
      resources_.store,
      clock_,
      resources_.arns,
      resources_.job_definitions,
      events_,
      dependencies_,
      control::JobServiceOptions{.schedule_flush = [this] { ++flushes_scheduled_; }}};
  control::ResourceStatusReconciler reconciler_{resources_.store};
  Api api_{resources_.Services(&jobs_),
           ApiOptions{.verifier = nullptr, .after_mutation = [this] { (void)reconciler_.Tick(); }}};
  std::vector<std::optional<HttpReply>> replies_;
};

TEST_F(SubmitJobGroupCommitTest, RepliesComeAfterTheFlushAndTheJobsAreThenDescribable) {
  size_t a = Submit("a");
  size_t b = Submit("b");
  EXPECT_FALSE(replies_[a] || replies_[b]);
  EXPECT_EQ(flushes_scheduled_, 1);

  jobs_.FlushSubmits();

  ASSERT_TRUE(replies_[a] && replies_[b]);
  ASSERT_EQ(replies_[a]->status, 200) << replies_[a]->body;
  ASSERT_EQ(replies_[b]->status, 200) << replies_[b]->body;
  std::string id = Json::parse(replies_[a]->body).value("jobId", "");
  size_t described = Post("describejobs", {{"jobs", {id}}});
  ASSERT_TRUE(replies_[described]);
  Json jobs = Json::parse(replies_[described]->body)["jobs"];
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0]["jobName"], "a");
  EXPECT_EQ(jobs[0]["status"], "RUNNABLE");
}

TEST_F(SubmitJobGroupCommitTest, InvalidSubmitIsAnsweredAtOnce) {
  size_t bad = Post("submitjob", {{"jobName", "a"}, {"jobQueue", "nope"}, {"jobDefinition", "jd"}});

  ASSERT_TRUE(replies_[bad]);
  EXPECT_EQ(replies_[bad]->status, 400);
  EXPECT_EQ(Json::parse(replies_[bad]->body)["__type"], "ClientException");
  EXPECT_EQ(flushes_scheduled_, 0);
}

TEST_F(SubmitJobGroupCommitTest, FailedCommitIsAServerExceptionForEveryMember) {
  size_t a = Submit("a");
  size_t b = Submit("b");
  resources_.store.FailNextCommit(Internal("disk I/O error"));

  jobs_.FlushSubmits();

  for (size_t slot : {a, b}) {
    ASSERT_TRUE(replies_[slot]);
    EXPECT_EQ(replies_[slot]->status, 500);
    EXPECT_EQ(Json::parse(replies_[slot]->body)["__type"], "ServerException");
  }
  size_t listed = Post("listjobs", {{"jobQueue", "q"}, {"jobStatus", "RUNNABLE"}});
  ASSERT_TRUE(replies_[listed]);
  EXPECT_TRUE(Json::parse(replies_[listed]->body)["jobSummaryList"].empty());
}

}  // namespace
}  // namespace barge::api
