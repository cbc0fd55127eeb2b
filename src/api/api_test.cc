#include "api/api.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "api/error_response.h"
#include "api/test_resource_services.h"
#include "control/resource_status_reconciler.h"
#include "testing/in_memory_store.h"

namespace barge::api {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kCeArn = "arn:aws:batch:us-east-1:123456789012:compute-environment/ce1";
// kCeArn as the AWS clients put it in the tags path: one segment, ':' and '/' escaped.
constexpr std::string_view kEncodedCeArn =
    "arn%3Aaws%3Abatch%3Aus-east-1%3A123456789012%3Acompute-environment%2Fce1";

// The whole route graph over an in-memory store, driven through Api::Handle.
class ApiTest : public ::testing::Test {
 protected:
  HttpReply Call(std::string method, std::string target, std::string body) {
    HttpRequest request{.method = std::move(method),
                        .target = std::move(target),
                        .headers = {{"Host", "127.0.0.1"}},
                        .body = std::move(body)};
    if (request.method == "POST") request.headers.emplace_back("Content-Type", "application/json");
    return api_.Handle(request);
  }
  HttpReply Post(const std::string& op, const Json& body) {
    return Call("POST", "/v1/" + op, body.dump());
  }
  // Posts and expects 200; returns the parsed body.
  Json Ok(const std::string& op, const Json& body) {
    HttpReply reply = Post(op, body);
    EXPECT_EQ(reply.status, 200) << op << ": " << reply.body;
    return Json::parse(reply.body);
  }
  void CreateUnmanaged(const std::string& name, Json tags = Json::object()) {
    Json body = {{"computeEnvironmentName", name}, {"type", "UNMANAGED"}};
    if (!tags.empty()) body["tags"] = tags;
    Ok("createcomputeenvironment", body);
  }

  static std::string Header(const HttpReply& reply, std::string_view name) {
    return std::string(FindHeader(reply.headers, name).value_or(""));
  }
  static void ExpectError(const HttpReply& reply, int status, std::string_view type) {
    EXPECT_EQ(reply.status, status) << reply.body;
    EXPECT_EQ(Header(reply, "x-amzn-ErrorType"), type);
    Json body = Json::parse(reply.body);
    EXPECT_EQ(body["__type"], type);
    EXPECT_TRUE(body["message"].is_string());
    EXPECT_FALSE(Header(reply, "x-amzn-RequestId").empty());
    EXPECT_EQ(Header(reply, "Content-Type"), "application/json");
  }
  static std::string Message(const HttpReply& reply) {
    return Json::parse(reply.body).value("message", "");
  }

  TestResourceServices resources_;
  control::ResourceStatusReconciler reconciler_{resources_.store};
  int mutations_ = 0;
  Api api_{resources_.Services(), ApiOptions{.verifier = nullptr, .after_mutation = [this] {
                                               ++mutations_;
                                               (void)reconciler_.Tick();
                                             }}};
};

TEST_F(ApiTest, CreateComputeEnvironmentRepliesNameAndArnWithAwsHeaders) {
  HttpReply reply =
      Post("createcomputeenvironment", {{"computeEnvironmentName", "ce1"}, {"type", "UNMANAGED"}});

  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(Json::parse(reply.body),
            (Json{{"computeEnvironmentName", "ce1"}, {"computeEnvironmentArn", kCeArn}}));
  EXPECT_EQ(Header(reply, "Content-Type"), "application/json");
  EXPECT_EQ(Header(reply, "x-amzn-RequestId").size(), 36u);
  EXPECT_EQ(mutations_, 1);
}

TEST_F(ApiTest, EveryReplyHasItsOwnRequestId) {
  HttpReply first = Post("describejobqueues", Json::object());
  HttpReply second = Post("nosuchoperation", Json::object());

  EXPECT_FALSE(Header(first, "x-amzn-RequestId").empty());
  EXPECT_NE(Header(first, "x-amzn-RequestId"), Header(second, "x-amzn-RequestId"));
}

TEST_F(ApiTest, EnvironmentIsValidByTheNextRequest) {
  CreateUnmanaged("ce1");

  Json described = Ok("describecomputeenvironments", {{"computeEnvironments", {"ce1"}}});

  ASSERT_EQ(described["computeEnvironments"].size(), 1u);
  EXPECT_EQ(described["computeEnvironments"][0]["status"], "VALID");
  EXPECT_FALSE(described.contains("nextToken"));
}

TEST_F(ApiTest, ReadsAndFailuresDoNotRunTheMutationHook) {
  Post("describecomputeenvironments", Json::object());
  Post("deletecomputeenvironment", {{"computeEnvironment", "missing"}});

  EXPECT_EQ(mutations_, 0);
}

TEST_F(ApiTest, EmptyBodyReadsAsEmptyObject) {
  HttpReply reply = Call("POST", "/v1/describecomputeenvironments", "");

  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(Json::parse(reply.body), (Json{{"computeEnvironments", Json::array()}}));
}

TEST_F(ApiTest, UnknownOperationIs404) {
  ExpectError(Post("submitjob", {{"jobName", "x"}}), 404, "UnknownOperationException");
  ExpectError(Call("POST", "/", ""), 404, "UnknownOperationException");
  ExpectError(Call("POST", "/v2/createjobqueue", "{}"), 404, "UnknownOperationException");
  ExpectError(Call("POST", "/v1/createjobqueue/", "{}"), 404, "UnknownOperationException");
  ExpectError(Call("POST", "/v1/CreateJobQueue", "{}"), 404, "UnknownOperationException");
}

TEST_F(ApiTest, WrongMethodIs405WithAllow) {
  HttpReply reply = Call("GET", "/v1/describejobqueues", "");

  ExpectError(reply, 405, "MethodNotAllowedException");
  EXPECT_EQ(Header(reply, "Allow"), "POST");
  ExpectError(Call("PUT", std::string("/v1/tags/") + std::string(kEncodedCeArn), "{}"), 405,
              "MethodNotAllowedException");
}

TEST_F(ApiTest, MalformedJsonIsClientException) {
  HttpReply reply =
      Call("POST", "/v1/createcomputeenvironment", R"({"computeEnvironmentName": "x", "type": )");

  ExpectError(reply, 400, "ClientException");
  EXPECT_EQ(Message(reply).rfind("request body is not valid JSON: ", 0), 0u) << Message(reply);
}

// The parser reports a number beyond a double's range as out_of_range, not
// parse_error; found by the fuzzer (it was a 500).
TEST_F(ApiTest, NumberTooLargeIsClientException) {
  HttpReply reply = Call("POST", "/v1/describecomputeenvironments", R"({"maxResults": 775e7775})");

  ExpectError(reply, 400, "ClientException");
  EXPECT_EQ(Message(reply).rfind("request body is not valid JSON: ", 0), 0u) << Message(reply);
  EXPECT_NE(Message(reply).find("number overflow"), std::string::npos) << Message(reply);
}

TEST_F(ApiTest, NonObjectBodyIsClientException) {
  for (std::string body : {"[]", "3", "\"x\"", "null"}) {
    HttpReply reply = Call("POST", "/v1/describejobqueues", body);
    ExpectError(reply, 400, "ClientException");
  }
}

TEST_F(ApiTest, WrongMemberTypeNamesTheMember) {
  HttpReply reply = Post("createcomputeenvironment",
                         {{"computeEnvironmentName", "x"},
                          {"type", "MANAGED"},
                          {"computeResources", {{"type", "EC2"}, {"maxvCpus", "lots"}}}});

  ExpectError(reply, 400, "ClientException");
  EXPECT_NE(Message(reply).find("maxvCpus"), std::string::npos) << Message(reply);
}

TEST_F(ApiTest, BodyOverOneMebibyteIs413AndChangesNothing) {
  Json body = {{"computeEnvironmentName", "big"},
               {"type", "UNMANAGED"},
               {"tags", {{"pad", std::string(kMaxRequestBodyBytes, 'x')}}}};

  HttpReply reply = Post("createcomputeenvironment", body);

  ExpectError(reply, 413, "ClientException");
  EXPECT_EQ(Ok("describecomputeenvironments", Json::object())["computeEnvironments"].size(), 0u);
}

TEST_F(ApiTest, DeeplyNestedBodyIsRejectedWithoutCrashing) {
  std::string body = "{\"a\":" + std::string(200000, '[') + std::string(200000, ']') + "}";

  ExpectError(Call("POST", "/v1/createcomputeenvironment", body), 400, "ClientException");
}

TEST_F(ApiTest, GarbageNeverCrashes) {
  for (std::string target : {"", "?", "/v1/tags/", "/v1/tags/%", "/v1/tags/%zz", "/v1/tags/a?%",
                             "/v1/tags/a?tagKeys=%4", "\xff\xfe", "/v1/tags/%ff%fe"}) {
    for (std::string method : {"GET", "POST", "DELETE", ""}) {
      HttpReply reply = Call(method, target, "\xff{");
      EXPECT_GE(reply.status, 400) << method << " " << target;
      EXPECT_FALSE(Header(reply, "x-amzn-ErrorType").empty());
      EXPECT_TRUE(Json::accept(reply.body));
    }
  }
}

TEST_F(ApiTest, ServiceErrorsAreClientExceptions) {
  HttpReply reply = Post("deletecomputeenvironment", {{"computeEnvironment", "missing"}});

  ExpectError(reply, 400, "ClientException");
  EXPECT_NE(Message(reply).find("missing"), std::string::npos);
}

TEST_F(ApiTest, RequiredMembersAreChecked) {
  ExpectError(Post("deletecomputeenvironment", Json::object()), 400, "ClientException");
  ExpectError(Post("deletejobqueue", {{"jobQueue", 3}}), 400, "ClientException");
  ExpectError(Post("describeschedulingpolicies", Json::object()), 400, "ClientException");
  ExpectError(Post("describejobqueues", {{"jobQueues", "q"}}), 400, "ClientException");
}

TEST_F(ApiTest, TagsRoundTripThroughThePercentEncodedArn) {
  CreateUnmanaged("ce1", {{"team", "barge"}});
  std::string path = "/v1/tags/" + std::string(kEncodedCeArn);

  HttpReply tagged = Call("POST", path, R"({"tags":{"a":"1","b":"2"}})");
  HttpReply untagged = Call("DELETE", path + "?tagKeys=a&tagKeys=team", "");
  HttpReply listed = Call("GET", path, "");

  ASSERT_EQ(tagged.status, 200) << tagged.body;
  EXPECT_EQ(tagged.body, "{}");
  ASSERT_EQ(untagged.status, 200) << untagged.body;
  EXPECT_EQ(untagged.body, "{}");
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(Json::parse(listed.body),
            (Json{{"tags", {{"b", "2"}, {"barge:executor", "container"}}}}));
}

TEST_F(ApiTest, ListTagsOfUntaggedResourceIsEmptyObject) {
  CreateUnmanaged("ce1");
  HttpReply queue =
      Post("createjobqueue",
           {{"jobQueueName", "q1"},
            {"priority", 1},
            {"computeEnvironmentOrder", {{{"order", 1}, {"computeEnvironment", "ce1"}}}}});
  ASSERT_EQ(queue.status, 200) << queue.body;

  HttpReply listed =
      Call("GET", "/v1/tags/arn%3Aaws%3Abatch%3Aus-east-1%3A123456789012%3Ajob-queue%2Fq1", "");

  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(listed.body, R"({"tags":{}})");
}

TEST_F(ApiTest, EnvironmentCreatedWithoutExecutorShowsContainer) {
  CreateUnmanaged("ce1");

  Json described = Ok("describecomputeenvironments", {{"computeEnvironments", {"ce1"}}});
  HttpReply listed = Call("GET", "/v1/tags/" + std::string(kEncodedCeArn), "");

  EXPECT_EQ(described["computeEnvironments"][0]["tags"], (Json{{"barge:executor", "container"}}));
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(listed.body, R"({"tags":{"barge:executor":"container"}})");
}

TEST_F(ApiTest, UnknownExecutorIsAClientExceptionNamingTheAllowedValues) {
  HttpReply created = Post("createcomputeenvironment", {{"computeEnvironmentName", "ce1"},
                                                        {"type", "UNMANAGED"},
                                                        {"tags", {{"barge:executor", "docker"}}}});

  ExpectError(created, 400, "ClientException");
  EXPECT_EQ(Message(created),
            "tag barge:executor 'docker' is invalid: it must be container (jobs run in a "
            "container from their image) or process (jobs run directly on the host)");
  EXPECT_TRUE(Ok("describecomputeenvironments", Json::object())["computeEnvironments"].empty());
  CreateUnmanaged("ce1");
  HttpReply retag =
      Call("POST", "/v1/tags/" + std::string(kEncodedCeArn), R"({"tags":{"barge:executor":"vm"}})");
  HttpReply untagged =
      Call("DELETE", "/v1/tags/" + std::string(kEncodedCeArn) + "?tagKeys=barge%3Aexecutor", "");
  ExpectError(retag, 400, "ClientException");
  ExpectError(untagged, 400, "ClientException");
  EXPECT_NE(Message(untagged).find("cannot be removed"), std::string::npos);
}

TEST_F(ApiTest, TagsOfUnknownResourceIsClientException) {
  std::string missing = "arn%3Aaws%3Abatch%3Aus-east-1%3A123456789012%3Ajob-queue%2Fnope";

  ExpectError(Call("GET", "/v1/tags/" + missing, ""), 400, "ClientException");
}

TEST_F(ApiTest, TagsPathWithAnUnencodedSlashIsUnknown) {
  ExpectError(Call("GET", "/v1/tags/arn:aws:batch:us-east-1:123456789012:job-queue/q1", ""), 404,
              "UnknownOperationException");
}

TEST_F(ApiTest, UntagWithoutKeysIsClientException) {
  CreateUnmanaged("ce1");

  ExpectError(Call("DELETE", "/v1/tags/" + std::string(kEncodedCeArn), ""), 400, "ClientException");
}

TEST_F(ApiTest, TagResourceNeedsTags) {
  CreateUnmanaged("ce1");
  std::string path = "/v1/tags/" + std::string(kEncodedCeArn);

  ExpectError(Call("POST", path, "{}"), 400, "ClientException");
  ExpectError(Call("POST", path, R"({"tags":{"a":1}})"), 400, "ClientException");
}

TEST_F(ApiTest, PaginationWalksEveryEnvironmentOnce) {
  for (int i = 0; i < 5; ++i) CreateUnmanaged("page-" + std::to_string(i));

  std::vector<std::string> names;
  std::set<std::string> tokens;
  Json request = {{"maxResults", 2}};
  for (int pages = 0; pages < 10; ++pages) {
    Json page = Ok("describecomputeenvironments", request);
    EXPECT_LE(page["computeEnvironments"].size(), 2u);
    for (const Json& ce : page["computeEnvironments"])
      names.push_back(ce["computeEnvironmentName"]);
    if (!page.contains("nextToken")) break;
    EXPECT_TRUE(tokens.insert(page["nextToken"].get<std::string>()).second);
    request["nextToken"] = page["nextToken"];
  }

  EXPECT_EQ(names, (std::vector<std::string>{"page-0", "page-1", "page-2", "page-3", "page-4"}));
  EXPECT_EQ(tokens.size(), 2u);
}

TEST_F(ApiTest, MalformedNextTokenAndMaxResultsAreClientExceptions) {
  HttpReply bad_token = Post("describejobqueues", {{"nextToken", "not-a-token"}});
  ExpectError(bad_token, 400, "ClientException");
  EXPECT_EQ(Message(bad_token), "invalid nextToken");
  ExpectError(Post("describejobqueues", {{"nextToken", 5}}), 400, "ClientException");
  ExpectError(Post("describejobqueues", {{"maxResults", 0}}), 400, "ClientException");
  ExpectError(Post("describejobqueues", {{"maxResults", 101}}), 400, "ClientException");
  ExpectError(Post("describejobqueues", {{"maxResults", "2"}}), 400, "ClientException");
}

TEST_F(ApiTest, JobQueueLifecycle) {
  CreateUnmanaged("ce1");

  Json created = Ok("createjobqueue",
                    {{"jobQueueName", "q1"},
                     {"priority", 1},
                     {"computeEnvironmentOrder", {{{"order", 1}, {"computeEnvironment", "ce1"}}}}});
  Json updated = Ok("updatejobqueue", {{"jobQueue", "q1"}, {"priority", 5}});
  Json described = Ok("describejobqueues", {{"jobQueues", {"q1"}}});
  Ok("updatejobqueue", {{"jobQueue", "q1"}, {"state", "DISABLED"}});
  Json deleted = Ok("deletejobqueue", {{"jobQueue", "q1"}});

  Json name_and_arn = {{"jobQueueName", "q1"},
                       {"jobQueueArn", "arn:aws:batch:us-east-1:123456789012:job-queue/q1"}};
  EXPECT_EQ(created, name_and_arn);
  EXPECT_EQ(updated, name_and_arn);
  ASSERT_EQ(described["jobQueues"].size(), 1u);
  EXPECT_EQ(described["jobQueues"][0]["priority"], 5);
  EXPECT_EQ(deleted, Json::object());
}

TEST_F(ApiTest, ComputeEnvironmentUpdateAndDelete) {
  CreateUnmanaged("ce1");

  Json updated =
      Ok("updatecomputeenvironment", {{"computeEnvironment", "ce1"}, {"state", "DISABLED"}});
  Json deleted = Ok("deletecomputeenvironment", {{"computeEnvironment", kCeArn}});

  EXPECT_EQ(updated, (Json{{"computeEnvironmentName", "ce1"}, {"computeEnvironmentArn", kCeArn}}));
  EXPECT_EQ(deleted, Json::object());
}

TEST_F(ApiTest, JobDefinitionRevisionsAndDeregistration) {
  Json spec = {{"jobDefinitionName", "jd"},
               {"type", "container"},
               {"containerProperties", {{"image", "busybox"}, {"command", {"true"}}}}};

  Json first = Ok("registerjobdefinition", spec);
  Json second = Ok("registerjobdefinition", spec);
  Ok("deregisterjobdefinition", {{"jobDefinition", "jd:1"}});
  Json active = Ok("describejobdefinitions", {{"jobDefinitionName", "jd"}, {"status", "ACTIVE"}});
  Json page = Ok("describejobdefinitions", {{"jobDefinitionName", "jd"}, {"maxResults", 1}});

  EXPECT_EQ(first,
            (Json{{"jobDefinitionName", "jd"},
                  {"jobDefinitionArn", "arn:aws:batch:us-east-1:123456789012:job-definition/jd:1"},
                  {"revision", 1}}));
  EXPECT_EQ(second["revision"], 2);
  ASSERT_EQ(active["jobDefinitions"].size(), 1u);
  EXPECT_EQ(active["jobDefinitions"][0]["revision"], 2);
  EXPECT_EQ(page["jobDefinitions"].size(), 1u);
  EXPECT_TRUE(page.contains("nextToken"));
}

TEST_F(ApiTest, DescribeJobDefinitionsRejectsUnknownStatus) {
  ExpectError(Post("describejobdefinitions", {{"status", "GONE"}}), 400, "ClientException");
}

TEST_F(ApiTest, SchedulingPolicyLifecycle) {
  std::string arn = "arn:aws:batch:us-east-1:123456789012:scheduling-policy/fair";

  Json created = Ok("createschedulingpolicy",
                    {{"name", "fair"}, {"fairsharePolicy", {{"shareDecaySeconds", 3600}}}});
  Json listed = Ok("listschedulingpolicies", Json::object());
  Json updated = Ok("updateschedulingpolicy",
                    {{"arn", arn}, {"fairsharePolicy", {{"shareDecaySeconds", 7200}}}});
  Json described = Ok("describeschedulingpolicies", {{"arns", {arn}}});
  Json deleted = Ok("deleteschedulingpolicy", {{"arn", arn}});

  EXPECT_EQ(created, (Json{{"name", "fair"}, {"arn", arn}}));
  EXPECT_EQ(listed, (Json{{"schedulingPolicies", {{{"arn", arn}}}}}));
  EXPECT_EQ(updated, Json::object());
  ASSERT_EQ(described["schedulingPolicies"].size(), 1u);
  EXPECT_EQ(described["schedulingPolicies"][0]["fairsharePolicy"]["shareDecaySeconds"], 7200);
  EXPECT_EQ(deleted, Json::object());
}

TEST(ErrorResponseTest, MapsEveryErrorCodeToTheTwoAwsTypes) {
  EXPECT_EQ(ToErrorShape(ErrorCode::kInvalidArgument).http_status, 400);
  EXPECT_EQ(ToErrorShape(ErrorCode::kNotFound).aws_type, "ClientException");
  EXPECT_EQ(ToErrorShape(ErrorCode::kAlreadyExists).aws_type, "ClientException");
  EXPECT_EQ(ToErrorShape(ErrorCode::kFailedPrecondition).http_status, 400);
  EXPECT_EQ(ToErrorShape(ErrorCode::kConflict).http_status, 500);
  EXPECT_EQ(ToErrorShape(ErrorCode::kUnavailable).aws_type, "ServerException");
  EXPECT_EQ(ToErrorShape(ErrorCode::kInternal).http_status, 500);
}

TEST(ErrorResponseTest, ErrorReplyHasHeaderAndBody) {
  HttpReply reply = ErrorReply(Unavailable("database is locked"));

  EXPECT_EQ(reply.status, 500);
  EXPECT_EQ(FindHeader(reply.headers, "x-amzn-errortype"), "ServerException");
  EXPECT_EQ(Json::parse(reply.body),
            (Json{{"__type", "ServerException"}, {"message", "database is locked"}}));
}

TEST(ErrorResponseTest, InvalidUtf8InMessagesIsReplacedNotThrown) {
  HttpReply reply = ErrorReply(NotFound("resource \xff\xfe not found"));

  EXPECT_EQ(reply.status, 400);
  EXPECT_TRUE(Json::accept(reply.body));
}

}  // namespace
}  // namespace barge::api
