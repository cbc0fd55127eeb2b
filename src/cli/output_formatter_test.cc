#include "cli/output_formatter.h"

#include <gtest/gtest.h>

#include "cli/batch_operations.h"

namespace barge::cli {
namespace {

const Operation& Op(std::string_view verb) {
  const Operation* op = FindOperation(verb);
  EXPECT_NE(op, nullptr) << verb;
  return *op;
}

TEST(OutputFormatterTest, JsonIsPrettyWithTwoSpacesAndKeepsMemberOrder) {
  Json reply = Json::parse(R"({"jobQueueName":"q","jobQueueArn":"arn:q"})");

  EXPECT_EQ(FormatReply(Op("create-job-queue"), reply, OutputFormat::kJson),
            "{\n  \"jobQueueName\": \"q\",\n  \"jobQueueArn\": \"arn:q\"\n}\n");
}

TEST(OutputFormatterTest, EmptyReplyPrintsNothing) {
  EXPECT_EQ(FormatReply(Op("delete-job-queue"), Json::object(), OutputFormat::kJson), "");
  EXPECT_EQ(FormatReply(Op("delete-job-queue"), Json::object(), OutputFormat::kTable), "");
}

TEST(OutputFormatterTest, ComputeEnvironmentsTableHasOneRowPerItem) {
  Json reply = Json::parse(R"({"computeEnvironments":[
      {"computeEnvironmentName":"ce-one","computeEnvironmentArn":"arn:ce-one","type":"MANAGED",
       "state":"ENABLED","status":"VALID","computeResources":{"maxvCpus":16}},
      {"computeEnvironmentName":"b","computeEnvironmentArn":"arn:b","type":"UNMANAGED",
       "state":"DISABLED","status":"CREATING"}]})");

  EXPECT_EQ(FormatReply(Op("describe-compute-environments"), reply, OutputFormat::kTable),
            "NAME    TYPE       STATE     STATUS    MAXVCPUS  ARN\n"
            "ce-one  MANAGED    ENABLED   VALID     16        arn:ce-one\n"
            "b       UNMANAGED  DISABLED  CREATING  -         arn:b\n");
}

TEST(OutputFormatterTest, JobQueueEnvironmentsAreListedInOrder) {
  Json reply = Json::parse(R"({"jobQueues":[{"jobQueueName":"q","state":"ENABLED",
      "status":"VALID","priority":10,"computeEnvironmentOrder":[
        {"order":2,"computeEnvironment":"arn:aws:batch:r:1:compute-environment/second"},
        {"order":1,"computeEnvironment":"first"}]}]})");

  EXPECT_EQ(FormatReply(Op("describe-job-queues"), reply, OutputFormat::kTable),
            "NAME  STATE    STATUS  PRIORITY  ENVIRONMENTS\n"
            "q     ENABLED  VALID   10        first,second\n");
}

TEST(OutputFormatterTest, OddlyShapedRowsStillRender) {
  Json reply = Json::parse(R"({"jobQueues":[{"jobQueueName":["x"],"computeEnvironmentOrder":[
      "ce",{"order":"1","computeEnvironment":"b"}]}, 7]})");

  EXPECT_EQ(FormatReply(Op("describe-job-queues"), reply, OutputFormat::kTable),
            "NAME  STATE  STATUS  PRIORITY  ENVIRONMENTS\n"
            "x     -      -       -         -,b\n"
            "-     -      -       -         -\n");
}

TEST(OutputFormatterTest, JobDefinitionsShowTheImage) {
  Json reply = Json::parse(R"({"jobDefinitions":[{"jobDefinitionName":"jd","revision":3,
      "status":"ACTIVE","type":"container","containerProperties":{"image":"busybox"}}]})");

  EXPECT_EQ(FormatReply(Op("describe-job-definitions"), reply, OutputFormat::kTable),
            "NAME  REVISION  STATUS  TYPE       IMAGE\n"
            "jd    3         ACTIVE  container  busybox\n");
}

TEST(OutputFormatterTest, ListedSchedulingPoliciesTakeTheirNameFromTheArn) {
  Json reply = Json::parse(R"({"schedulingPolicies":[
      {"arn":"arn:aws:batch:us-east-1:123456789012:scheduling-policy/fair"}],"nextToken":"n1"})");

  EXPECT_EQ(FormatReply(Op("list-scheduling-policies"), reply, OutputFormat::kTable),
            "NAME  ARN\n"
            "fair  arn:aws:batch:us-east-1:123456789012:scheduling-policy/fair\n"
            "\n"
            "nextToken  n1\n");
}

TEST(OutputFormatterTest, JobsTableShowsStatusTimesAndExitCode) {
  Json reply = Json::parse(R"({"jobs":[
      {"jobId":"j-1","jobName":"done","status":"SUCCEEDED","createdAt":1764038412345,
       "startedAt":1764038413000,"stoppedAt":1764038414000,"container":{"exitCode":0}},
      {"jobId":"j-2","jobName":"waiting","status":"RUNNABLE","createdAt":1764038412345,
       "container":{"command":["true"]}}]})");

  EXPECT_EQ(FormatReply(Op("describe-jobs"), reply, OutputFormat::kTable),
            "JOBID  NAME     STATUS     CREATED               STARTED               "
            "STOPPED               EXIT\n"
            "j-1    done     SUCCEEDED  2025-11-25T02:40:12Z  2025-11-25T02:40:13Z  "
            "2025-11-25T02:40:14Z  0\n"
            "j-2    waiting  RUNNABLE   2025-11-25T02:40:12Z  -                     "
            "-                     -\n");
}

TEST(OutputFormatterTest, ListJobsUsesTheSummaryList) {
  Json reply = Json::parse(R"({"jobSummaryList":[
      {"jobId":"j-1","jobName":"a","status":"RUNNING","createdAt":0}]})");

  EXPECT_EQ(FormatReply(Op("list-jobs"), reply, OutputFormat::kTable),
            "JOBID  NAME  STATUS   CREATED               STARTED  STOPPED  EXIT\n"
            "j-1    a     RUNNING  1970-01-01T00:00:00Z  -        -        -\n");
}

TEST(OutputFormatterTest, OtherRepliesAreKeyValueRowsWithIsoTimestamps) {
  Json reply = Json::parse(R"({"name":"x","createdAt":1764038412345,
      "tags":{"team":"barge"},"list":["a","b"],"nested":[{"k":1}]})");

  EXPECT_EQ(FormatReply(Op("create-scheduling-policy"), reply, OutputFormat::kTable),
            "name         x\n"
            "createdAt    2025-11-25T02:40:12Z\n"
            "tags.team    barge\n"
            "list         a,b\n"
            "nested[0].k  1\n");
}

TEST(OutputFormatterTest, FormatsEpochMillisecondsAsIsoUtc) {
  EXPECT_EQ(FormatTimestamp(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatTimestamp(1764038412345), "2025-11-25T02:40:12Z");
}

}  // namespace
}  // namespace barge::cli
