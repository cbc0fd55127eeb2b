#include "api/sigv4_verifier.h"

#include <gtest/gtest.h>

#include "api/api.h"
#include "api/error_response.h"
#include "testing/fake_clock.h"
#include "testing/in_memory_store.h"
#include "util/sigv4.h"

namespace barge::api {
namespace {

constexpr std::string_view kAmzDate = "20261125T025012Z";
constexpr std::string_view kTagsTarget =
    "/v1/tags/arn%3Aaws%3Abatch%3Aus-east-1%3A123456789012%3Ajob-queue%2Fq1?tagKeys=a&tagKeys=b";

// Requests signed by botocore 1.43's SigV4Auth (AKIDBARGE / "s3cr3t/KEY",
// us-east-1, batch) with its clock patched to kAmzDate:
//   mock.patch('botocore.auth.get_current_datetime', return_value=datetime(2026,11,25,2,50,12))
HttpRequest BotocoreUntag() {
  return {
      .method = "DELETE",
      .target = std::string(kTagsTarget),
      .headers = {{"Host", "127.0.0.1:8000"},
                  {"X-Amz-Date", std::string(kAmzDate)},
                  {"Authorization",
                   "AWS4-HMAC-SHA256 Credential=AKIDBARGE/20261125/us-east-1/batch/"
                   "aws4_request, SignedHeaders=host;x-amz-date, "
                   "Signature=f5c1d3147b3c8a883290d23922c838c134ebf036d44e2525b56e83208d5f8b25"},
                  {"Content-Length", "0"}},
      .body = ""};
}

HttpRequest BotocoreDescribeJobQueues() {
  return {
      .method = "POST",
      .target = "/v1/describejobqueues",
      .headers = {{"host", "127.0.0.1:8000"},
                  {"Content-Type", "application/json"},
                  {"X-Amz-Date", std::string(kAmzDate)},
                  {"Authorization",
                   "AWS4-HMAC-SHA256 Credential=AKIDBARGE/20261125/us-east-1/batch/"
                   "aws4_request, SignedHeaders=content-type;host;x-amz-date, "
                   "Signature=7631ac28365c74a36cd7847910402135888720df5edbbad3b6ef69e908a69e6a"},
                  {"Content-Length", "21"}},
      .body = R"({"jobQueues": ["q1"]})"};
}

// Signs `request` in place the way the JS SDK does: lower-case names, with
// x-amz-content-sha256 sent and signed.
void SignLikeJsSdk(HttpRequest& request, std::string_view key_id, std::string_view secret,
                   std::string_view amz_date) {
  std::string body_hash = sigv4::Sha256Hex(request.body);
  request.headers.push_back({"host", "127.0.0.1:8000"});
  request.headers.push_back({"x-amz-date", std::string(amz_date)});
  request.headers.push_back({"x-amz-content-sha256", body_hash});
  size_t question = request.target.find('?');
  sigv4::SigningInput input{
      .method = request.method,
      .raw_path = request.target.substr(0, question),
      .raw_query = question == std::string::npos ? "" : request.target.substr(question + 1),
      .headers = {},
      .signed_headers = {"host", "x-amz-content-sha256", "x-amz-date"},
      .payload_sha256_hex = body_hash,
      .amz_date = std::string(amz_date),
      .region = "us-east-1",
      .service = "batch"};
  for (const auto& [name, value] : request.headers) input.headers.push_back({name, value});
  request.headers.push_back({"authorization", sigv4::AuthorizationHeader(input, key_id, secret)});
}

class Sigv4VerifierTest : public ::testing::Test {
 protected:
  void SetUp() override { clock_.Set(*ParseAmzDate(kAmzDate)); }

  static std::string TypeOf(const std::optional<AuthFailure>& failure) {
    return failure ? failure->aws_type : "accepted";
  }

  barge::testing::FakeClock clock_;
  Sigv4Verifier verifier_{CredentialSet{{"AKIDBARGE", "s3cr3t/KEY"}, {"OTHER", "x"}}, clock_};
};

TEST_F(Sigv4VerifierTest, AcceptsBotocoreSignatureOnDoubleEncodedTagsPath) {
  EXPECT_EQ(TypeOf(verifier_.Verify(BotocoreUntag())), "accepted");
}

TEST_F(Sigv4VerifierTest, AcceptsBotocoreSignatureOnPostWithLowerCaseHost) {
  EXPECT_EQ(TypeOf(verifier_.Verify(BotocoreDescribeJobQueues())), "accepted");
}

TEST_F(Sigv4VerifierTest, AcceptsJsSdkStyleSignatureWithContentSha256) {
  HttpRequest request{.method = "POST", .target = "/v1/describejobqueues", .body = "{}"};
  SignLikeJsSdk(request, "OTHER", "x", kAmzDate);

  EXPECT_EQ(TypeOf(verifier_.Verify(request)), "accepted");
}

TEST_F(Sigv4VerifierTest, RejectsATamperedBody) {
  HttpRequest request = BotocoreDescribeJobQueues();
  request.body = R"({"jobQueues": ["q2"]})";

  EXPECT_EQ(TypeOf(verifier_.Verify(request)), "InvalidSignatureException");
}

TEST_F(Sigv4VerifierTest, RejectsABodyThatDoesNotMatchItsDeclaredHash) {
  HttpRequest request{.method = "POST", .target = "/v1/describejobqueues", .body = "{}"};
  SignLikeJsSdk(request, "OTHER", "x", kAmzDate);
  request.body = R"({"jobQueues":["q"]})";

  EXPECT_EQ(TypeOf(verifier_.Verify(request)), "InvalidSignatureException");
}

TEST_F(Sigv4VerifierTest, RejectsTheWrongSecret) {
  HttpRequest request{.method = "POST", .target = "/v1/describejobqueues", .body = "{}"};
  SignLikeJsSdk(request, "AKIDBARGE", "wrong", kAmzDate);

  std::optional<AuthFailure> failure = verifier_.Verify(request);

  EXPECT_EQ(TypeOf(failure), "InvalidSignatureException");
  EXPECT_EQ(failure->http_status, 403);
}

TEST_F(Sigv4VerifierTest, RejectsAnUnknownKey) {
  HttpRequest request{.method = "POST", .target = "/v1/describejobqueues", .body = "{}"};
  SignLikeJsSdk(request, "AKIDUNKNOWN", "whatever", kAmzDate);

  std::optional<AuthFailure> failure = verifier_.Verify(request);

  EXPECT_EQ(TypeOf(failure), "UnrecognizedClientException");
  EXPECT_EQ(failure->message, "The security token included in the request is invalid.");
}

TEST_F(Sigv4VerifierTest, RejectsAnUnsignedRequest) {
  HttpRequest request{.method = "POST", .target = "/v1/describejobqueues", .body = "{}"};

  EXPECT_EQ(TypeOf(verifier_.Verify(request)), "MissingAuthenticationTokenException");
}

TEST_F(Sigv4VerifierTest, RejectsMalformedAuthorization) {
  HttpRequest request = BotocoreDescribeJobQueues();
  request.headers[3].second = "AWS4-HMAC-SHA256 Signature=abc";

  EXPECT_EQ(TypeOf(verifier_.Verify(request)), "IncompleteSignatureException");
}

TEST_F(Sigv4VerifierTest, RejectsARequestSignedMoreThanFifteenMinutesAgo) {
  clock_.Advance(std::chrono::minutes(15) + std::chrono::seconds(1));

  std::optional<AuthFailure> failure = verifier_.Verify(BotocoreUntag());

  EXPECT_EQ(TypeOf(failure), "InvalidSignatureException");
  EXPECT_EQ(failure->message,
            "Signature expired: 20261125T025012Z is now earlier than 20261125T025013Z "
            "(20261125T030513Z - 15 min.)");
}

TEST_F(Sigv4VerifierTest, AcceptsARequestSignedFourteenMinutesAgo) {
  clock_.Advance(std::chrono::minutes(14));

  EXPECT_EQ(TypeOf(verifier_.Verify(BotocoreUntag())), "accepted");
}

TEST_F(Sigv4VerifierTest, RejectsARequestSignedInTheFuture) {
  clock_.Advance(-std::chrono::minutes(16));

  std::optional<AuthFailure> failure = verifier_.Verify(BotocoreUntag());

  EXPECT_EQ(TypeOf(failure), "InvalidSignatureException");
  EXPECT_EQ(failure->message.rfind("Signature not yet current", 0), 0u) << failure->message;
}

TEST(AmzDateTest, ParsesAndFormats) {
  std::optional<Timestamp> parsed = ParseAmzDate("20261125T025012Z");

  ASSERT_TRUE(parsed);
  EXPECT_EQ(FormatAmzDate(*parsed), "20261125T025012Z");
  EXPECT_FALSE(ParseAmzDate("20261125T025012"));
  EXPECT_FALSE(ParseAmzDate("20261325T025012Z"));
  EXPECT_FALSE(ParseAmzDate("2026-11-25T02:50Z"));
  EXPECT_FALSE(ParseAmzDate("20260230T000000Z"));
}

// The verifier wired into Api: failures become 403 wire errors and nothing runs.
TEST(ApiSigv4Test, ApiRejectsUnsignedRequestsWhenCredentialsAreConfigured) {
  barge::testing::FakeClock clock;
  clock.Set(*ParseAmzDate(kAmzDate));
  barge::testing::InMemoryStore store;
  ArnFormatter arns("us-east-1", "123456789012");
  control::ComputeEnvironmentService compute_environments(store, arns);
  control::JobQueueService job_queues(store, arns);
  control::JobDefinitionService job_definitions(store, arns);
  control::SchedulingPolicyService scheduling_policies(store, arns);
  control::TagService tags(store, arns);
  Sigv4Verifier verifier(CredentialSet{{"AKIDBARGE", "s3cr3t/KEY"}}, clock);
  Api api(ApiServices{.compute_environments = compute_environments,
                      .job_queues = job_queues,
                      .job_definitions = job_definitions,
                      .scheduling_policies = scheduling_policies,
                      .tags = tags},
          ApiOptions{.verifier = &verifier, .after_mutation = {}});

  HttpReply unsigned_reply = api.Handle(
      {.method = "POST", .target = "/v1/describejobqueues", .headers = {}, .body = "{}"});
  HttpReply signed_reply = api.Handle(BotocoreDescribeJobQueues());

  EXPECT_EQ(unsigned_reply.status, 403);
  EXPECT_EQ(FindHeader(unsigned_reply.headers, "x-amzn-ErrorType"),
            "MissingAuthenticationTokenException");
  EXPECT_EQ(signed_reply.status, 200) << signed_reply.body;
}

}  // namespace
}  // namespace barge::api
