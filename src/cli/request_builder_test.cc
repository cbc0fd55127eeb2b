#include "cli/request_builder.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "cli/batch_operations.h"
#include "cli/command_line.h"

namespace barge::cli {
namespace {

// Parses a full command line (as typed after `barge`) and builds its request.
Result<ApiRequest> Build(const std::vector<std::string>& args) {
  Result<Invocation> invocation = ParseCommandLine(args, Environment{});
  if (!invocation) return invocation.error();
  return BuildRequest(*invocation->op, invocation->words);
}

ApiRequest MustBuild(const std::vector<std::string>& args) {
  Result<ApiRequest> request = Build(args);
  EXPECT_TRUE(request) << (request ? "" : request.error().message);
  return request ? *request : ApiRequest{};
}

// A file in a fresh temp dir, removed with the fixture.
class TempFile {
 public:
  explicit TempFile(const std::string& contents) {
    char name[] = "/tmp/barge_cli_test_XXXXXX";
    int fd = mkstemp(name);
    EXPECT_GE(fd, 0);
    close(fd);
    path_ = name;
    std::ofstream(path_) << contents;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  std::string uri() const { return "file://" + path_; }

 private:
  std::string path_;
};

TEST(RequestBuilderTest, CreateJobQueueMapsIntegerAndShorthandStructureList) {
  ApiRequest request = MustBuild({"create-job-queue", "--job-queue-name", "q1", "--priority", "10",
                                  "--compute-environment-order", "order=1,computeEnvironment=ce1",
                                  "order=2,computeEnvironment=ce2", "--state", "ENABLED"});

  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.path, "/v1/createjobqueue");
  EXPECT_EQ(request.query, "");
  EXPECT_EQ(request.body, Json::parse(R"({
      "jobQueueName": "q1", "state": "ENABLED", "priority": 10,
      "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "ce1"},
                                  {"order": 2, "computeEnvironment": "ce2"}]})"));
}

TEST(RequestBuilderTest, StructureListAcceptsJson) {
  ApiRequest request =
      MustBuild({"update-job-queue", "--job-queue", "q1", "--compute-environment-order",
                 R"([{"order":1,"computeEnvironment":"ce1"}])"});

  EXPECT_EQ(request.body, Json::parse(R"({"jobQueue":"q1",
      "computeEnvironmentOrder":[{"order":1,"computeEnvironment":"ce1"}]})"));
}

TEST(RequestBuilderTest, StringListTakesOneWordPerElementOrAJsonList) {
  EXPECT_EQ(
      MustBuild({"describe-compute-environments", "--compute-environments", "a", "b", "c"}).body,
      Json::parse(R"({"computeEnvironments":["a","b","c"]})"));
  EXPECT_EQ(MustBuild({"describe-job-queues", "--job-queues", R"(["a","b"])"}).body,
            Json::parse(R"({"jobQueues":["a","b"]})"));
}

TEST(RequestBuilderTest, ComputeResourcesShorthandIsTypedByTheModel) {
  ApiRequest request = MustBuild(
      {"create-compute-environment", "--compute-environment-name", "ce1", "--type", "MANAGED",
       "--compute-resources",
       "type=EC2,minvCpus=0,maxvCpus=8,instanceTypes=optimal,subnets=s1,s2,securityGroupIds=sg1",
       "--tags", "team=barge,env=dev"});

  EXPECT_EQ(request.body, Json::parse(R"({
      "computeEnvironmentName": "ce1", "type": "MANAGED",
      "computeResources": {"type": "EC2", "minvCpus": 0, "maxvCpus": 8,
                           "instanceTypes": ["optimal"], "subnets": ["s1", "s2"],
                           "securityGroupIds": ["sg1"]},
      "tags": {"team": "barge", "env": "dev"}})"));
}

TEST(RequestBuilderTest, RegisterJobDefinitionMapsJsonStructureShorthandAndBoolean) {
  ApiRequest request =
      MustBuild({"register-job-definition", "--job-definition-name", "jd", "--type", "container",
                 "--container-properties", R"({"image":"busybox","command":["echo","hi"]})",
                 "--retry-strategy", "attempts=2", "--timeout", "attemptDurationSeconds=60",
                 "--no-propagate-tags", "--parameters", R"({"codec":"mp4"})"});

  EXPECT_EQ(request.body, Json::parse(R"({
      "jobDefinitionName": "jd", "type": "container", "parameters": {"codec": "mp4"},
      "containerProperties": {"image": "busybox", "command": ["echo", "hi"]},
      "retryStrategy": {"attempts": 2}, "propagateTags": false,
      "timeout": {"attemptDurationSeconds": 60}})"));
}

TEST(RequestBuilderTest, FairsharePolicyShorthandNestsListsOfStructures) {
  ApiRequest request =
      MustBuild({"create-scheduling-policy", "--name", "fair", "--fairshare-policy",
                 "shareDecaySeconds=3600,computeReservation=1,"
                 "shareDistribution=[{shareIdentifier=A*,weightFactor=0.5},{shareIdentifier=B}]"});

  EXPECT_EQ(request.body, Json::parse(R"({"name": "fair", "fairsharePolicy": {
      "shareDecaySeconds": 3600, "computeReservation": 1,
      "shareDistribution": [{"shareIdentifier": "A*", "weightFactor": 0.5},
                            {"shareIdentifier": "B"}]}})"));
}

TEST(RequestBuilderTest, CliInputJsonIsTheBaseAndFlagsOverrideIt) {
  ApiRequest request = MustBuild({"create-job-queue", "--cli-input-json",
                                  R"({"jobQueueName":"from-json","priority":1,"state":"DISABLED"})",
                                  "--priority", "5"});

  EXPECT_EQ(request.body,
            Json::parse(R"({"jobQueueName":"from-json","state":"DISABLED","priority":5})"));
}

TEST(RequestBuilderTest, CliInputJsonAndValuesCanComeFromFiles) {
  TempFile input(R"({"jobQueueName":"q-file","priority":3})");
  TempFile order(R"([{"order":1,"computeEnvironment":"ce1"}])");

  ApiRequest request = MustBuild({"create-job-queue", "--cli-input-json", input.uri(),
                                  "--compute-environment-order", order.uri()});

  EXPECT_EQ(request.body, Json::parse(R"({"jobQueueName":"q-file","priority":3,
      "computeEnvironmentOrder":[{"order":1,"computeEnvironment":"ce1"}]})"));
}

TEST(RequestBuilderTest, CliInputJsonRejectsUnknownMembers) {
  Result<ApiRequest> request =
      Build({"delete-job-queue", "--cli-input-json", R"({"jobQueue":"q","bogus":1})"});

  ASSERT_FALSE(request);
  EXPECT_EQ(request.error().message,
            "Unknown parameter in input: \"bogus\", must be one of: jobQueue");
}

TEST(RequestBuilderTest, MissingRequiredMembersAreListedByFlag) {
  Result<ApiRequest> request = Build({"create-job-queue", "--state", "ENABLED"});

  ASSERT_FALSE(request);
  EXPECT_EQ(request.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(request.error().message,
            "the following arguments are required: --job-queue-name, --priority");
}

TEST(RequestBuilderTest, RequiredMembersMayComeFromCliInputJson) {
  EXPECT_TRUE(
      Build({"delete-compute-environment", "--cli-input-json", R"({"computeEnvironment":"ce1"})"}));
}

TEST(RequestBuilderTest, BadValuesAreParameterErrors) {
  Result<ApiRequest> bad_int =
      Build({"create-job-queue", "--job-queue-name", "q", "--priority", "x"});
  Result<ApiRequest> bad_json =
      Build({"update-job-queue", "--job-queue", "q", "--compute-environment-order", "[{oops"});
  Result<ApiRequest> bad_shorthand =
      Build({"register-job-definition", "--job-definition-name", "jd", "--type", "container",
             "--retry-strategy", "attempts"});
  Result<ApiRequest> bad_map = Build({"tag-resource", "--resource-arn", "a", "--tags", "k=1,2"});
  Result<ApiRequest> missing_file =
      Build({"delete-job-queue", "--job-queue", "file:///nonexistent/barge"});

  ASSERT_FALSE(bad_int);
  EXPECT_EQ(bad_int.error().message,
            "Error parsing parameter '--priority': invalid integer value: 'x'");
  ASSERT_FALSE(bad_json);
  EXPECT_NE(bad_json.error().message.find("Invalid JSON"), std::string::npos);
  ASSERT_FALSE(bad_shorthand);
  EXPECT_NE(bad_shorthand.error().message.find(
                "Error parsing parameter '--retry-strategy': Expected: '='"),
            std::string::npos);
  ASSERT_FALSE(bad_map);
  EXPECT_NE(bad_map.error().message.find("valid types: string"), std::string::npos);
  ASSERT_FALSE(missing_file);
  EXPECT_NE(missing_file.error().message.find("Unable to load paramfile"), std::string::npos);
}

TEST(RequestBuilderTest, TagResourcePutsTheEncodedArnInOnePathSegment) {
  ApiRequest request =
      MustBuild({"tag-resource", "--resource-arn",
                 "arn:aws:batch:us-east-1:123456789012:job-queue/my-queue", "--tags", "a=1"});

  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.path,
            "/v1/tags/arn%3Aaws%3Abatch%3Aus-east-1%3A123456789012%3Ajob-queue%2Fmy-queue");
  EXPECT_EQ(request.body, Json::parse(R"({"tags":{"a":"1"}})"));
}

TEST(RequestBuilderTest, UntagResourceRepeatsTagKeysInTheQuery) {
  ApiRequest request =
      MustBuild({"untag-resource", "--resource-arn",
                 "arn:aws:batch:us-east-1:123456789012:job-queue/q1", "--tag-keys", "a", "b c"});

  EXPECT_EQ(request.method, "DELETE");
  EXPECT_EQ(request.path, "/v1/tags/arn%3Aaws%3Abatch%3Aus-east-1%3A123456789012%3Ajob-queue%2Fq1");
  EXPECT_EQ(request.query, "tagKeys=a&tagKeys=b%20c");
  EXPECT_EQ(request.body, Json::object());
}

TEST(RequestBuilderTest, ListTagsForResourceIsAGet) {
  ApiRequest request = MustBuild({"list-tags-for-resource", "--resource-arn", "arn:x/y"});

  EXPECT_EQ(request.method, "GET");
  EXPECT_EQ(request.path, "/v1/tags/arn%3Ax%2Fy");
}

TEST(RequestBuilderTest, OperationWithoutFlagsSendsAnEmptyObject) {
  EXPECT_EQ(MustBuild({"list-scheduling-policies"}).body, Json::object());
}

TEST(RequestBuilderTest, SubmitJobMapsOverridesParametersAndRetryShorthand) {
  ApiRequest request = MustBuild(
      {"submit-job", "--job-name", "hello", "--job-queue", "q", "--job-definition", "jd:1",
       "--parameters", "msg=hi,n=2", "--container-overrides",
       R"({"command":["echo","Ref::msg"],"environment":[{"name":"A","value":"1"}]})",
       "--retry-strategy", "attempts=2", "--timeout", "attemptDurationSeconds=90",
       "--scheduling-priority-override", "5", "--propagate-tags"});

  EXPECT_EQ(request.path, "/v1/submitjob");
  EXPECT_EQ(request.body, Json::parse(R"({
      "jobName": "hello", "jobQueue": "q", "schedulingPriorityOverride": 5,
      "jobDefinition": "jd:1", "parameters": {"msg": "hi", "n": "2"},
      "containerOverrides": {"command": ["echo", "Ref::msg"],
                             "environment": [{"name": "A", "value": "1"}]},
      "retryStrategy": {"attempts": 2}, "propagateTags": true,
      "timeout": {"attemptDurationSeconds": 90}})"));
}

TEST(RequestBuilderTest, ContainerOverridesShorthandTypesVcpusAndMemory) {
  ApiRequest request = MustBuild({"submit-job", "--job-name", "a", "--job-queue", "q",
                                  "--job-definition", "jd", "--container-overrides",
                                  "vcpus=2,memory=256,command=[echo,hi]"});

  EXPECT_EQ(request.body["containerOverrides"],
            Json::parse(R"({"vcpus": 2, "memory": 256, "command": ["echo", "hi"]})"));
}

TEST(RequestBuilderTest, ListJobsTakesStatusFiltersAndPaging) {
  ApiRequest request =
      MustBuild({"list-jobs", "--job-queue", "q", "--job-status", "RUNNABLE", "--filters",
                 "name=JOB_NAME,values=pg-*", "--max-results", "2"});

  EXPECT_EQ(request.path, "/v1/listjobs");
  EXPECT_EQ(request.body, Json::parse(R"({"jobQueue": "q", "jobStatus": "RUNNABLE",
      "maxResults": 2, "filters": [{"name": "JOB_NAME", "values": ["pg-*"]}]})"));
}

TEST(RequestBuilderTest, JobVerbsNeedTheirRequiredMembers) {
  EXPECT_EQ(MustBuild({"describe-jobs", "--jobs", "a", "b"}).body,
            Json::parse(R"({"jobs": ["a", "b"]})"));
  EXPECT_EQ(MustBuild({"cancel-job", "--job-id", "j", "--reason", "why"}).body,
            Json::parse(R"({"jobId": "j", "reason": "why"})"));
  EXPECT_EQ(MustBuild({"terminate-job", "--job-id", "j", "--reason", "why"}).path,
            "/v1/terminatejob");
  EXPECT_FALSE(Build({"cancel-job", "--job-id", "j"}));
  EXPECT_FALSE(Build({"submit-job", "--job-name", "a", "--job-queue", "q"}));
  EXPECT_FALSE(Build({"describe-jobs"}));
}

TEST(RequestBuilderTest, EveryOperationHasAPathAndUniqueFlags) {
  for (const Operation& op : BatchOperations()) {
    EXPECT_TRUE(op.path.starts_with("/v1/")) << op.verb;
    for (size_t i = 0; i < op.params.size(); ++i) {
      for (size_t j = i + 1; j < op.params.size(); ++j) {
        EXPECT_NE(op.params[i].flag, op.params[j].flag) << op.verb;
      }
    }
  }
}

}  // namespace
}  // namespace barge::cli
