// CloudWatch Logs' GetLogEvents through Api::Handle over an in-memory store:
// X-Amz-Target routing, the AWS JSON 1.1 reply and error shapes, tokens, and
// a request signed by botocore for service "logs".
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/api.h"
#include "api/test_resource_services.h"
#include "testing/fake_clock.h"
#include "testing/in_memory_store.h"

namespace barge::api {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kTarget = "Logs_20140328.GetLogEvents";
constexpr std::string_view kStream = "jd/default/att-1";

class LogRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<LogEvent> events;
    for (int i = 0; i < 5; ++i) {
      events.push_back({.sequence = i,
                        .timestamp = FromEpochMillis(1000 + i),
                        .ingested_at = FromEpochMillis(2000 + i),
                        .message = "line " + std::to_string(i)});
    }
    ASSERT_TRUE(resources_.store.Transact(
        [&](StoreTransaction& txn) { return txn.AppendLogEvents(std::string(kStream), events); }));
  }

  HttpReply Post(const Json& body, std::string_view target = kTarget) {
    return api_.Handle({.method = "POST",
                        .target = "/",
                        .headers = {{"Host", "127.0.0.1"},
                                    {"Content-Type", "application/x-amz-json-1.1"},
                                    {"X-Amz-Target", std::string(target)}},
                        .body = body.dump()});
  }
  Json Ok(Json body) {
    if (!body.contains("logGroupIdentifier")) body.emplace("logGroupName", "/aws/batch/job");
    body.emplace("logStreamName", kStream);
    HttpReply reply = Post(body);
    EXPECT_EQ(reply.status, 200) << reply.body;
    EXPECT_EQ(FindHeader(reply.headers, "Content-Type"), "application/x-amz-json-1.1");
    return Json::parse(reply.body);
  }
  // Expects a 400 of `type` and returns its message.
  std::string Error400(const Json& body, std::string_view type) {
    HttpReply reply = Post(body);
    EXPECT_EQ(reply.status, 400) << reply.body;
    EXPECT_EQ(FindHeader(reply.headers, "x-amzn-ErrorType"), type);
    Json parsed = Json::parse(reply.body);
    EXPECT_EQ(parsed["__type"], type);
    return parsed.value("message", "");
  }
  static std::vector<std::string> Messages(const Json& reply) {
    std::vector<std::string> out;
    for (const Json& event : reply["events"]) out.push_back(event["message"]);
    return out;
  }

  testing::FakeClock clock_;
  TestResourceServices resources_;
  control::LogService logs_{resources_.store};
  Api api_{resources_.Services(nullptr, &logs_), ApiOptions{}};
};

TEST_F(LogRoutesTest, GetLogEventsFromHeadRepliesEventsAndTokens) {
  Json reply = Ok({{"startFromHead", true}, {"limit", 2}});

  EXPECT_EQ(reply["events"],
            (Json{{{"timestamp", 1000}, {"message", "line 0"}, {"ingestionTime", 2000}},
                  {{"timestamp", 1001}, {"message", "line 1"}, {"ingestionTime", 2001}}}));
  EXPECT_EQ(reply["nextForwardToken"], "f/00000000000000000002");
  EXPECT_EQ(reply["nextBackwardToken"], "b/00000000000000000000");
}

TEST_F(LogRoutesTest, ForwardTokenRepeatsAtTheEnd) {
  Json first = Ok({{"startFromHead", true}, {"limit", 3}});
  Json second =
      Ok({{"startFromHead", true}, {"limit", 3}, {"nextToken", first["nextForwardToken"]}});
  Json end = Ok({{"startFromHead", true}, {"limit", 3}, {"nextToken", second["nextForwardToken"]}});

  EXPECT_EQ(Messages(first), (std::vector<std::string>{"line 0", "line 1", "line 2"}));
  EXPECT_EQ(Messages(second), (std::vector<std::string>{"line 3", "line 4"}));
  EXPECT_EQ(end["events"], Json::array());
  EXPECT_EQ(end["nextForwardToken"], second["nextForwardToken"]);
}

TEST_F(LogRoutesTest, DefaultReadsTheTailAndBackwardTokensWalkToTheStart) {
  Json tail = Ok({{"limit", 2}});
  Json before = Ok({{"limit", 2}, {"nextToken", tail["nextBackwardToken"]}});
  Json start = Ok({{"limit", 2}, {"nextToken", before["nextBackwardToken"]}});
  Json end = Ok({{"limit", 2}, {"nextToken", start["nextBackwardToken"]}});

  EXPECT_EQ(Messages(tail), (std::vector<std::string>{"line 3", "line 4"}));
  EXPECT_EQ(Messages(before), (std::vector<std::string>{"line 1", "line 2"}));
  EXPECT_EQ(Messages(start), (std::vector<std::string>{"line 0"}));
  EXPECT_EQ(end["events"], Json::array());
  EXPECT_EQ(end["nextBackwardToken"], start["nextBackwardToken"]);
}

TEST_F(LogRoutesTest, TimeRangeAndLogGroupArn) {
  Json reply =
      Ok({{"logGroupIdentifier", "arn:aws:logs:us-east-1:123456789012:log-group:/aws/batch/job:*"},
          {"startTime", 1003},
          {"endTime", 1005},
          {"startFromHead", true}});

  EXPECT_EQ(Messages(reply), (std::vector<std::string>{"line 3", "line 4"}));
}

TEST_F(LogRoutesTest, UnknownGroupOrStreamIsResourceNotFound) {
  EXPECT_EQ(Error400({{"logGroupName", "/aws/lambda/f"}, {"logStreamName", kStream}},
                     "ResourceNotFoundException"),
            "The specified log group does not exist.");
  EXPECT_EQ(Error400({{"logGroupName", "/aws/batch/job"}, {"logStreamName", "jd/default/nope"}},
                     "ResourceNotFoundException"),
            "The specified log stream does not exist.");
}

TEST_F(LogRoutesTest, BadInputIsInvalidParameter) {
  Json base = {{"logGroupName", "/aws/batch/job"}, {"logStreamName", kStream}};
  for (const Json& extra :
       {Json{{"limit", 0}}, Json{{"limit", 10001}}, Json{{"limit", "2"}},
        Json{{"nextToken", "x/1"}}, Json{{"nextToken", "f/-1"}}, Json{{"startTime", -5}},
        Json{{"startFromHead", "yes"}}, Json{{"logGroupIdentifier", "/aws/batch/job"}}}) {
    Json body = base;
    body.update(extra);
    Error400(body, "InvalidParameterException");
  }
  Error400({{"logStreamName", kStream}}, "InvalidParameterException");
  HttpReply not_json = api_.Handle({.method = "POST",
                                    .target = "/",
                                    .headers = {{"X-Amz-Target", std::string(kTarget)}},
                                    .body = "{"});
  EXPECT_EQ(not_json.status, 400);
  EXPECT_EQ(FindHeader(not_json.headers, "x-amzn-ErrorType"), "InvalidParameterException");
}

TEST_F(LogRoutesTest, UnknownTargetIsUnknownOperation400) {
  HttpReply reply = Post({{"logGroupName", "/aws/batch/job"}}, "Logs_20140328.PutLogEvents");

  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(FindHeader(reply.headers, "x-amzn-ErrorType"), "UnknownOperationException");
}

TEST_F(LogRoutesTest, WithoutALogServiceTheTargetIsUnknown) {
  Api batch_only(resources_.Services(), ApiOptions{});

  HttpReply reply = batch_only.Handle({.method = "POST",
                                       .target = "/",
                                       .headers = {{"X-Amz-Target", std::string(kTarget)}},
                                       .body = "{}"});

  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(FindHeader(reply.headers, "x-amzn-ErrorType"), "UnknownOperationException");
}

// Signed by botocore's SigV4Auth (AKIDBARGE / "s3cr3t/KEY", us-east-1, service
// logs) with its clock patched to 2026-11-25T02:50:12Z.
TEST_F(LogRoutesTest, AcceptsARequestSignedForServiceLogs) {
  clock_.Set(*ParseAmzDate("20261125T025012Z"));
  Sigv4Verifier verifier(CredentialSet{{"AKIDBARGE", "s3cr3t/KEY"}}, clock_);
  Api signed_api(resources_.Services(nullptr, &logs_), ApiOptions{.verifier = &verifier});
  HttpRequest request{
      .method = "POST",
      .target = "/",
      .headers = {{"Host", "127.0.0.1:8000"},
                  {"X-Amz-Target", std::string(kTarget)},
                  {"Content-Type", "application/x-amz-json-1.1"},
                  {"X-Amz-Date", "20261125T025012Z"},
                  {"Authorization",
                   "AWS4-HMAC-SHA256 Credential=AKIDBARGE/20261125/us-east-1/logs/aws4_request, "
                   "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
                   "Signature=9019e9f5d8937af44555b00a139771628b94f3ca21446efae540ee70e58e9bbc"}},
      .body = R"({"logGroupName": "/aws/batch/job", "logStreamName": "jd/default/att-1", )"
              R"("startFromHead": true})"};

  HttpReply reply = signed_api.Handle(request);

  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(Json::parse(reply.body)["events"].size(), 5u);
}

}  // namespace
}  // namespace barge::api
