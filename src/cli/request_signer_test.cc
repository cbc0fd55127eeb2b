#include "cli/request_signer.h"

#include <gtest/gtest.h>

namespace barge::cli {
namespace {

// 2026-11-25T04:09:40Z. The expected signatures below were computed by
// botocore 1.43's SigV4Auth for the same requests, credentials test/test.
const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1795579780));
const Credentials kCredentials{.access_key_id = "test", .secret_access_key = "test"};
constexpr std::string_view kQueueArnPath =
    "/v1/tags/arn%3Aaws%3Abatch%3Aus-east-1%3A123456789012%3Ajob-queue%2Fq1";

std::string HeaderOf(const HttpRequest& request, std::string_view name) {
  for (const auto& [key, value] : request.headers) {
    if (key == name) return value;
  }
  return "";
}

TEST(RequestSignerTest, FormatsTheAmzDate) { EXPECT_EQ(AmzDate(kNow), "20261125T040940Z"); }

TEST(RequestSignerTest, PostSignsContentTypeHostAndDateLikeBotocore) {
  HttpRequest request{.method = "POST",
                      .target = "/v1/describejobqueues",
                      .headers = {{"Host", "127.0.0.1:8000"},
                                  {"Accept-Encoding", "identity"},
                                  {"Content-Type", "application/json"}},
                      .body = R"({"jobQueues":["q1"]})"};

  SignRequest(request, kCredentials, "us-east-1", kNow);

  EXPECT_EQ(HeaderOf(request, "X-Amz-Date"), "20261125T040940Z");
  EXPECT_EQ(HeaderOf(request, "Authorization"),
            "AWS4-HMAC-SHA256 Credential=test/20261125/us-east-1/batch/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date, "
            "Signature=d8d0dd38402b3ffff53d9066994e696653e772e94374c1f9871c2ecb46c71fcf");
  EXPECT_EQ(HeaderOf(request, "X-Amz-Security-Token"), "");
}

TEST(RequestSignerTest, GetOnAnEncodedArnPathSignsHostAndDate) {
  HttpRequest request{.method = "GET",
                      .target = std::string(kQueueArnPath),
                      .headers = {{"Host", "127.0.0.1:8000"}}};

  SignRequest(request, kCredentials, "us-east-1", kNow);

  EXPECT_EQ(HeaderOf(request, "Authorization"),
            "AWS4-HMAC-SHA256 Credential=test/20261125/us-east-1/batch/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=f13499c074b34c0391a918087c15684d9916c541f8b923451ebab448b7d821e7");
}

TEST(RequestSignerTest, SessionTokenIsSentAndSigned) {
  HttpRequest request{.method = "DELETE",
                      .target = std::string(kQueueArnPath) + "?tagKeys=a&tagKeys=b",
                      .headers = {{"Host", "127.0.0.1:8000"}}};
  Credentials credentials = kCredentials;
  credentials.session_token = "tok";

  SignRequest(request, credentials, "us-east-1", kNow);

  EXPECT_EQ(HeaderOf(request, "X-Amz-Security-Token"), "tok");
  EXPECT_EQ(HeaderOf(request, "Authorization"),
            "AWS4-HMAC-SHA256 Credential=test/20261125/us-east-1/batch/aws4_request, "
            "SignedHeaders=host;x-amz-date;x-amz-security-token, "
            "Signature=e643a24aeb3db84cc34e245c40ebb05b41471575f2a0889ee577d9b338ba946c");
}

TEST(RequestSignerTest, LogsCallsSignTheTargetForServiceLogsLikeBotocore) {
  HttpRequest request{.method = "POST",
                      .target = "/",
                      .headers = {{"Host", "127.0.0.1:8000"},
                                  {"Accept-Encoding", "identity"},
                                  {"Content-Type", "application/x-amz-json-1.1"},
                                  {"X-Amz-Target", "Logs_20140328.GetLogEvents"}},
                      .body = R"({"logGroupName":"/aws/batch/job","logStreamName":"jd/default/a1",)"
                              R"("startFromHead":true})"};

  SignRequest(request, kCredentials, "us-east-1", kNow, "logs");

  EXPECT_EQ(HeaderOf(request, "Authorization"),
            "AWS4-HMAC-SHA256 Credential=test/20261125/us-east-1/logs/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
            "Signature=4052e834f96bfeff302da35d24e95fde1f7252128738589345940a3e8a43530b");
}

}  // namespace
}  // namespace barge::cli
