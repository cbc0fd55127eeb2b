#include "cli/command_runner.h"

#include <gtest/gtest.h>

#include <deque>
#include <sstream>

namespace barge::cli {
namespace {

// Records every request and answers from a queue of canned replies; an
// empty queue means the endpoint is unreachable.
class FakeTransport final : public Transport {
 public:
  FakeTransport(std::vector<HttpRequest>& sent, std::deque<HttpResponse>& replies)
      : sent_(sent), replies_(replies) {}

  Result<HttpResponse> RoundTrip(const HttpRequest& request) override {
    sent_.push_back(request);
    if (replies_.empty()) {
      return Unavailable("could not connect to the endpoint URL: http://h:1" + request.target);
    }
    HttpResponse reply = replies_.front();
    replies_.pop_front();
    return reply;
  }

 private:
  std::vector<HttpRequest>& sent_;
  std::deque<HttpResponse>& replies_;
};

HttpResponse Ok200(const std::string& body) {
  return {.status = 200, .reason = "OK", .body = body};
}

class CommandRunnerTest : public ::testing::Test {
 protected:
  int Run(const std::vector<std::string>& args) {
    ProcessContext context{
        .env = env_,
        .credentials = credentials_,
        .make_transport =
            [this](const Endpoint& endpoint) {
              endpoint_ = endpoint;
              return std::make_unique<FakeTransport>(sent_, replies_);
            },
        .now =
            [] { return std::chrono::system_clock::time_point(std::chrono::seconds(1795579780)); },
    };
    return RunCommand(args, context, out_, err_);
  }

  Json SentBody(size_t i) const { return Json::parse(sent_.at(i).body); }
  std::string SentHeader(size_t i, std::string_view name) const {
    for (const auto& [key, value] : sent_.at(i).headers) {
      if (key == name) return value;
    }
    return "";
  }

  Environment env_{.endpoint = "http://h:1"};
  Credentials credentials_{};
  std::deque<HttpResponse> replies_;
  std::vector<HttpRequest> sent_;
  Endpoint endpoint_{};
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(CommandRunnerTest, SendsTheRequestAndPrintsTheReplyAsJson) {
  replies_.push_back(Ok200(R"({"jobQueueName":"q","jobQueueArn":"arn:q"})"));

  int code = Run({"create-job-queue", "--job-queue-name", "q", "--priority", "1"});

  EXPECT_EQ(code, kExitOk);
  EXPECT_EQ(endpoint_.HostHeader(), "h:1");
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0].method, "POST");
  EXPECT_EQ(sent_[0].target, "/v1/createjobqueue");
  EXPECT_EQ(SentHeader(0, "Host"), "h:1");
  EXPECT_EQ(SentHeader(0, "Content-Type"), "application/json");
  EXPECT_EQ(SentHeader(0, "Authorization"), "");
  EXPECT_EQ(SentBody(0), Json::parse(R"({"jobQueueName":"q","priority":1})"));
  EXPECT_EQ(out_.str(), "{\n  \"jobQueueName\": \"q\",\n  \"jobQueueArn\": \"arn:q\"\n}\n");
  EXPECT_EQ(err_.str(), "");
}

TEST_F(CommandRunnerTest, SignsWhenCredentialsAreSet) {
  credentials_ = {.access_key_id = "AKID", .secret_access_key = "secret", .session_token = "tok"};
  replies_.push_back(Ok200("{}"));

  ASSERT_EQ(Run({"delete-job-queue", "--job-queue", "q"}), kExitOk);

  EXPECT_EQ(SentHeader(0, "X-Amz-Date"), "20261125T040940Z");
  EXPECT_EQ(SentHeader(0, "X-Amz-Security-Token"), "tok");
  EXPECT_TRUE(SentHeader(0, "Authorization")
                  .starts_with("AWS4-HMAC-SHA256 Credential=AKID/20261125/us-east-1/batch/"
                               "aws4_request, SignedHeaders=content-type;host;x-amz-date;"
                               "x-amz-security-token, Signature="));
  EXPECT_EQ(out_.str(), "");
}

TEST_F(CommandRunnerTest, TagsGoToTheEncodedArnPathWithoutABody) {
  replies_.push_back(Ok200("{}"));

  ASSERT_EQ(Run({"untag-resource", "--resource-arn", "arn:aws:batch:r:1:job-queue/q", "--tag-keys",
                 "a", "b"}),
            kExitOk);

  EXPECT_EQ(sent_[0].method, "DELETE");
  EXPECT_EQ(sent_[0].target,
            "/v1/tags/arn%3Aaws%3Abatch%3Ar%3A1%3Ajob-queue%2Fq?tagKeys=a&tagKeys=b");
  EXPECT_EQ(sent_[0].body, "");
  EXPECT_EQ(SentHeader(0, "Content-Type"), "");
}

TEST_F(CommandRunnerTest, ServiceErrorExits254WithTheAwsMessage) {
  replies_.push_back({.status = 400,
                      .reason = "Bad Request",
                      .headers = {{"x-amzn-ErrorType", "ClientException"}},
                      .body = R"({"__type":"ClientException","message":"queue q not found"})"});

  int code = Run({"delete-job-queue", "--job-queue", "q"});

  EXPECT_EQ(code, kExitServiceError);
  EXPECT_EQ(err_.str(),
            "An error occurred (ClientException) when calling the DeleteJobQueue operation: "
            "queue q not found\n");
  EXPECT_EQ(out_.str(), "");
}

TEST_F(CommandRunnerTest, UnreachableEndpointExits255) {
  int code = Run({"describe-job-queues"});

  EXPECT_EQ(code, kExitFailure);
  EXPECT_EQ(err_.str(), "could not connect to the endpoint URL: http://h:1/v1/describejobqueues\n");
}

TEST_F(CommandRunnerTest, ParameterErrorExits252WithoutContactingTheServer) {
  int code = Run({"create-job-queue", "--job-queue-name", "q"});

  EXPECT_EQ(code, kExitParamError);
  EXPECT_TRUE(sent_.empty());
  EXPECT_TRUE(err_.str().starts_with(
      "barge: error: the following arguments are required: --priority\n\nusage: barge"));
}

TEST_F(CommandRunnerTest, HelpPrintsToStdoutAndExits0) {
  EXPECT_EQ(Run({"help"}), kExitOk);
  EXPECT_NE(out_.str().find("describe-job-queues"), std::string::npos);
  EXPECT_TRUE(sent_.empty());
}

TEST_F(CommandRunnerTest, PaginatedVerbFollowsNextTokenAndMergesRows) {
  replies_.push_back(Ok200(R"({"jobQueues":[{"jobQueueName":"a"}],"nextToken":"t1"})"));
  replies_.push_back(Ok200(R"({"jobQueues":[{"jobQueueName":"b"}],"nextToken":"t2"})"));
  replies_.push_back(Ok200(R"({"jobQueues":[{"jobQueueName":"c"}]})"));

  int code = Run({"describe-job-queues", "--page-size", "1"});

  EXPECT_EQ(code, kExitOk);
  ASSERT_EQ(sent_.size(), 3u);
  EXPECT_EQ(SentBody(0), Json::parse(R"({"maxResults":1})"));
  EXPECT_EQ(SentBody(1), Json::parse(R"({"maxResults":1,"nextToken":"t1"})"));
  EXPECT_EQ(SentBody(2), Json::parse(R"({"maxResults":1,"nextToken":"t2"})"));
  EXPECT_EQ(Json::parse(out_.str()),
            Json::parse(R"({"jobQueues":[{"jobQueueName":"a"},{"jobQueueName":"b"},
                                         {"jobQueueName":"c"}]})"));
}

TEST_F(CommandRunnerTest, MaxItemsStopsEarlyAndPrintsNextToken) {
  replies_.push_back(Ok200(R"({"computeEnvironments":[{"n":1},{"n":2}],"nextToken":"t1"})"));

  int code = Run({"describe-compute-environments", "--max-items", "2"});

  EXPECT_EQ(code, kExitOk);
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(SentBody(0), Json::parse(R"({"maxResults":2})"));
  EXPECT_EQ(Json::parse(out_.str()),
            Json::parse(R"({"computeEnvironments":[{"n":1},{"n":2}],"NextToken":"t1"})"));
}

TEST_F(CommandRunnerTest, StartingTokenResumesAMaxItemsListing) {
  replies_.push_back(Ok200(R"({"schedulingPolicies":[{"arn":"x"}]})"));

  ASSERT_EQ(Run({"list-scheduling-policies", "--starting-token", "t1"}), kExitOk);

  EXPECT_EQ(SentBody(0), Json::parse(R"({"nextToken":"t1"})"));
}

TEST_F(CommandRunnerTest, NoPaginateSendsOneRequestAndShowsTheToken) {
  replies_.push_back(Ok200(R"({"jobDefinitions":[],"nextToken":"t1"})"));

  ASSERT_EQ(Run({"describe-job-definitions", "--max-results", "5", "--no-paginate"}), kExitOk);

  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(SentBody(0), Json::parse(R"({"maxResults":5})"));
  EXPECT_EQ(Json::parse(out_.str()), Json::parse(R"({"jobDefinitions":[],"nextToken":"t1"})"));
}

TEST_F(CommandRunnerTest, RepeatedNextTokenIsAnError) {
  replies_.push_back(Ok200(R"({"jobQueues":[],"nextToken":"same"})"));
  replies_.push_back(Ok200(R"({"jobQueues":[],"nextToken":"same"})"));

  EXPECT_EQ(Run({"describe-job-queues"}), kExitFailure);
  EXPECT_EQ(err_.str(), "The same next token was received twice: same\n");
}

TEST_F(CommandRunnerTest, TableOutputForPeople) {
  env_.output = "table";
  replies_.push_back(Ok200(R"({"schedulingPolicies":[{"name":"fair","arn":"arn:fair"}]})"));

  ASSERT_EQ(Run({"describe-scheduling-policies", "--arns", "arn:fair"}), kExitOk);

  EXPECT_EQ(out_.str(), "NAME  ARN\nfair  arn:fair\n");
}

TEST_F(CommandRunnerTest, NonJsonSuccessReplyIsAFailure) {
  replies_.push_back(Ok200("<html>"));

  EXPECT_EQ(Run({"list-scheduling-policies", "--no-paginate"}), kExitFailure);
  EXPECT_NE(err_.str().find("could not parse the reply to ListSchedulingPolicies"),
            std::string::npos);
}

TEST_F(CommandRunnerTest, PaginatedReplyThatIsNotAnObjectIsAFailure) {
  replies_.push_back(Ok200("[1,2]"));

  EXPECT_EQ(Run({"describe-job-queues"}), kExitFailure);
  EXPECT_EQ(err_.str(), "the reply to DescribeJobQueues is not a JSON object\n");
}

TEST_F(CommandRunnerTest, HttpsEndpointIsAParameterError) {
  EXPECT_EQ(Run({"describe-job-queues", "--endpoint-url", "https://h"}), kExitParamError);
  EXPECT_TRUE(sent_.empty());
}

}  // namespace
}  // namespace barge::cli
