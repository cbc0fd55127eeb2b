// The job operations through Api::Handle over an in-memory store: AWS reply
// shapes, errors and ListJobs paging.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/api.h"
#include "api/test_resource_services.h"
#include "control/dependency_resolver.h"
#include "control/resource_status_reconciler.h"
#include "testing/fake_clock.h"
#include "testing/in_memory_store.h"

namespace barge::api {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kPrefix = "arn:aws:batch:us-east-1:123456789012:";

class JobRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Ok("createcomputeenvironment", {{"computeEnvironmentName", "ce"}, {"type", "UNMANAGED"}});
    Ok("createjobqueue",
       {{"jobQueueName", "q"},
        {"priority", 1},
        {"computeEnvironmentOrder", {{{"order", 1}, {"computeEnvironment", "ce"}}}}});
    Ok("registerjobdefinition", Json::parse(R"({"jobDefinitionName": "jd", "type": "container",
                       "parameters": {"msg": "default"},
                       "containerProperties": {"image": "busybox",
                         "command": ["echo", "Ref::msg"],
                         "resourceRequirements": [{"type": "VCPU", "value": "1"},
                                                  {"type": "MEMORY", "value": "64"}]}})"));
  }

  HttpReply Post(const std::string& op, const Json& body) {
    return api_.Handle({.method = "POST",
                        .target = "/v1/" + op,
                        .headers = {{"Host", "127.0.0.1"}, {"Content-Type", "application/json"}},
                        .body = body.dump()});
  }
  Json Ok(const std::string& op, const Json& body) {
    HttpReply reply = Post(op, body);
    EXPECT_EQ(reply.status, 200) << op << ": " << reply.body;
    return Json::parse(reply.body);
  }
  // Expects a 400 ClientException and returns its message.
  std::string ClientError(const std::string& op, const Json& body) {
    HttpReply reply = Post(op, body);
    EXPECT_EQ(reply.status, 400) << op << ": " << reply.body;
    Json parsed = Json::parse(reply.body);
    EXPECT_EQ(parsed["__type"], "ClientException");
    return parsed.value("message", "");
  }
  std::string Submit(const std::string& name, Json extra = Json::object()) {
    Json body = {{"jobName", name}, {"jobQueue", "q"}, {"jobDefinition", "jd"}};
    body.update(extra);
    Json reply = Ok("submitjob", body);
    clock_.Advance(Duration(10));
    return reply.value("jobId", "");
  }
  Json Describe(const std::string& id) {
    Json jobs = Ok("describejobs", {{"jobs", {id}}})["jobs"];
    EXPECT_EQ(jobs.size(), 1u);
    return jobs.empty() ? Json::object() : jobs[0];
  }

  testing::FakeClock clock_;
  TestResourceServices resources_;
  control::NoJobEvents events_;
  control::DependencyResolver dependencies_{resources_.store, clock_, events_};
  control::JobService jobs_{resources_.store,           clock_,  resources_.arns,
                            resources_.job_definitions, events_, dependencies_};
  control::ResourceStatusReconciler reconciler_{resources_.store};
  Api api_{resources_.Services(&jobs_),
           ApiOptions{.verifier = nullptr, .after_mutation = [this] { (void)reconciler_.Tick(); }}};
};

TEST_F(JobRoutesTest, SubmitJobRepliesArnNameAndId) {
  Json reply = Ok("submitjob", {{"jobName", "hello"}, {"jobQueue", "q"}, {"jobDefinition", "jd"}});

  ASSERT_TRUE(reply["jobId"].is_string());
  std::string id = reply["jobId"];
  EXPECT_EQ(
      reply,
      (Json{{"jobArn", std::string(kPrefix) + "job/" + id}, {"jobName", "hello"}, {"jobId", id}}));
}

TEST_F(JobRoutesTest, DescribeJobsShowsTheJobDetail) {
  std::string id = Submit(
      "hello", {{"parameters", {{"msg", "hi"}}},
                {"containerOverrides", {{"environment", {{{"name", "A"}, {"value", "1"}}}}}}});

  Json job = Describe(id);

  EXPECT_EQ(job["jobId"], id);
  EXPECT_EQ(job["jobArn"], std::string(kPrefix) + "job/" + id);
  EXPECT_EQ(job["jobName"], "hello");
  EXPECT_EQ(job["jobQueue"], std::string(kPrefix) + "job-queue/q");
  EXPECT_EQ(job["jobDefinition"], std::string(kPrefix) + "job-definition/jd:1");
  EXPECT_EQ(job["status"], "RUNNABLE");
  EXPECT_EQ(job["createdAt"], ToEpochMillis(clock_.Now()) - 10);
  EXPECT_EQ(job["container"]["command"], (Json{"echo", "hi"}));
  EXPECT_EQ(job["container"]["environment"], (Json{{{"name", "A"}, {"value", "1"}}}));
  EXPECT_EQ(job["parameters"], (Json{{"msg", "hi"}}));
  EXPECT_EQ(job["attempts"], Json::array());
  EXPECT_EQ(job["dependsOn"], Json::array());
  EXPECT_EQ(job["isCancelled"], false);
  EXPECT_FALSE(job.contains("startedAt"));
}

TEST_F(JobRoutesTest, SubmitJobTakesDependsOnAndDescribeJobsShowsIt) {
  std::string first = Submit("first");

  std::string dependent =
      Submit("dependent", {{"dependsOn", {{{"jobId", first}, {"type", "AFTER_ANY"}}}}});
  std::string unknown = ClientError("submitjob", {{"jobName", "bad"},
                                                  {"jobQueue", "q"},
                                                  {"jobDefinition", "jd"},
                                                  {"dependsOn", {{{"jobId", "nope"}}}}});

  Json job = Describe(dependent);
  EXPECT_EQ(job["status"], "PENDING");
  EXPECT_EQ(job["dependsOn"], (Json{{{"jobId", first}, {"type", "AFTER_ANY"}}}));
  EXPECT_EQ(unknown, "dependsOn: job nope does not exist");
}

TEST_F(JobRoutesTest, DescribeJobsLeavesUnknownIdsOut) {
  Json reply = Ok("describejobs", {{"jobs", {"nope", "nope:0"}}});

  EXPECT_EQ(reply, (Json{{"jobs", Json::array()}}));
  EXPECT_EQ(ClientError("describejobs", Json::object()), "jobs is required");
}

TEST_F(JobRoutesTest, ListJobsDefaultsToRunningAndAlwaysHasTheList) {
  Submit("a");

  Json running = Ok("listjobs", {{"jobQueue", "q"}});
  Json runnable = Ok("listjobs", {{"jobQueue", "q"}, {"jobStatus", "RUNNABLE"}});

  EXPECT_EQ(running, (Json{{"jobSummaryList", Json::array()}}));
  ASSERT_EQ(runnable["jobSummaryList"].size(), 1u);
  Json summary = runnable["jobSummaryList"][0];
  EXPECT_EQ(summary["jobName"], "a");
  EXPECT_EQ(summary["status"], "RUNNABLE");
  EXPECT_EQ(summary["jobDefinition"], std::string(kPrefix) + "job-definition/jd:1");
  EXPECT_FALSE(runnable.contains("nextToken"));
}

TEST_F(JobRoutesTest, ListJobsPagesWithNextToken) {
  for (const char* name : {"a", "b", "c"}) Submit(name);
  Json request = {{"jobQueue", std::string(kPrefix) + "job-queue/q"},
                  {"jobStatus", "RUNNABLE"},
                  {"maxResults", 2}};

  Json first = Ok("listjobs", request);
  ASSERT_TRUE(first["nextToken"].is_string());
  request["nextToken"] = first["nextToken"];
  Json second = Ok("listjobs", request);

  ASSERT_EQ(first["jobSummaryList"].size(), 2u);
  EXPECT_EQ(first["jobSummaryList"][0]["jobName"], "a");
  EXPECT_EQ(first["jobSummaryList"][1]["jobName"], "b");
  ASSERT_EQ(second["jobSummaryList"].size(), 1u);
  EXPECT_EQ(second["jobSummaryList"][0]["jobName"], "c");
  EXPECT_FALSE(second.contains("nextToken"));
  request["nextToken"] = "zz";
  EXPECT_EQ(ClientError("listjobs", request), "invalid nextToken");
}

TEST_F(JobRoutesTest, ListJobsFiltersNewestFirst) {
  for (const char* name : {"pg-1", "x", "pg-2"}) Submit(name);

  Json reply = Ok("listjobs", {{"jobQueue", "q"},
                               {"jobStatus", "SUCCEEDED"},
                               {"filters", {{{"name", "JOB_NAME"}, {"values", {"PG-*"}}}}}});

  ASSERT_EQ(reply["jobSummaryList"].size(), 2u);
  EXPECT_EQ(reply["jobSummaryList"][0]["jobName"], "pg-2");
  EXPECT_EQ(reply["jobSummaryList"][1]["jobName"], "pg-1");
}

TEST_F(JobRoutesTest, CancelJobRepliesEmptyAndFailsTheJob) {
  std::string id = Submit("a");

  Json reply = Ok("canceljob", {{"jobId", id}, {"reason", "not needed"}});

  EXPECT_EQ(reply, Json::object());
  Json job = Describe(id);
  EXPECT_EQ(job["status"], "FAILED");
  EXPECT_EQ(job["statusReason"], "not needed");
  EXPECT_EQ(job["isCancelled"], true);
  EXPECT_TRUE(job["stoppedAt"].is_number_integer());
}

TEST_F(JobRoutesTest, TerminateJobRepliesEmpty) {
  std::string id = Submit("a");

  EXPECT_EQ(Ok("terminatejob", {{"jobId", id}, {"reason", "bye"}}), Json::object());
  EXPECT_EQ(Describe(id)["status"], "FAILED");
  EXPECT_EQ(ClientError("terminatejob", {{"jobId", id}}), "reason is required");
  EXPECT_EQ(ClientError("canceljob", {{"jobId", "nope"}, {"reason", "r"}}),
            "job nope does not exist");
}

TEST_F(JobRoutesTest, BulkCallsReplySuccessfulAndErrors) {
  std::string a = Submit("a");

  Json cancelled = Ok("canceljobs", {{"jobs", {a, "nope"}}, {"reason", "bulk"}});
  Json terminated = Ok("terminatejobs", {{"jobs", {a}}, {"reason", "bulk"}});

  EXPECT_EQ(cancelled, (Json{{"successful", {a}},
                             {"errors",
                              {{{"job", "nope"},
                                {"code", "ClientException"},
                                {"message", "job nope does not exist"}}}}}));
  EXPECT_EQ(terminated, (Json{{"successful", {a}}, {"errors", Json::array()}}));
  Json too_many = {{"jobs", std::vector<std::string>(51, a)}, {"reason", "r"}};
  EXPECT_EQ(ClientError("canceljobs", too_many), "jobs may list at most 50 items, not 51");
}

TEST_F(JobRoutesTest, SubmitJobErrorsAreClientExceptions) {
  Json unknown_queue = {{"jobName", "a"}, {"jobQueue", "nope"}, {"jobDefinition", "jd"}};
  Json array = {{"jobName", "a"},
                {"jobQueue", "q"},
                {"jobDefinition", "jd"},
                {"arrayProperties", {{"size", 1}}}};
  Json bad_type = {{"jobName", "a"}, {"jobQueue", "q"}, {"jobDefinition", "jd"}, {"tags", "x"}};

  EXPECT_EQ(ClientError("submitjob", unknown_queue), "job queue nope does not exist");
  EXPECT_EQ(ClientError("submitjob", array),
            "arrayProperties.size must be between 2 and 10000, not 1");
  EXPECT_EQ(ClientError("submitjob", bad_type), "tags must be an object");
  EXPECT_EQ(Ok("listjobs", {{"jobQueue", "q"}, {"jobStatus", "FAILED"}})["jobSummaryList"],
            Json::array());
}

TEST_F(JobRoutesTest, SubmitJobOverThirtyKibIsRejected) {
  Json body = {{"jobName", "a"},
               {"jobQueue", "q"},
               {"jobDefinition", "jd"},
               {"parameters", {{"big", std::string(31 * 1024, 'x')}}}};

  std::string message = ClientError("submitjob", body);

  EXPECT_EQ(message.rfind("SubmitJob request size exceeds the 30 KiB limit", 0), 0u) << message;
}

}  // namespace
}  // namespace barge::api
