#include "cli/service_error.h"

#include <gtest/gtest.h>

namespace barge::cli {
namespace {

HttpResponse Reply(int status, HttpHeaders headers, std::string body) {
  return {.status = status,
          .reason = "Bad Request",
          .headers = std::move(headers),
          .body = std::move(body)};
}

TEST(ServiceErrorTest, TypeComesFromTheHeaderBeforeTheColon) {
  ServiceError error = ServiceErrorFrom(
      Reply(400, {{"X-Amzn-ErrorType", "ClientException:http://internal.amazon.com/"}},
            R"({"__type":"Other","message":"queue q1 already exists"})"));

  EXPECT_EQ(error.type, "ClientException");
  EXPECT_EQ(error.message, "queue q1 already exists");
}

TEST(ServiceErrorTest, TypeComesFromTheBodyAfterTheHash) {
  ServiceError error = ServiceErrorFrom(
      Reply(500, {}, R"({"__type":"com.amazonaws.batch#ServerException","Message":"boom"})"));

  EXPECT_EQ(error.type, "ServerException");
  EXPECT_EQ(error.message, "boom");
}

TEST(ServiceErrorTest, BodyCodeIsAccepted) {
  EXPECT_EQ(ServiceErrorFrom(Reply(400, {}, R"({"code":"ClientException"})")).type,
            "ClientException");
}

TEST(ServiceErrorTest, WithoutATypeTheStatusAndReasonAreUsed) {
  ServiceError error = ServiceErrorFrom(Reply(404, {}, "<html>not here</html>"));

  EXPECT_EQ(error.type, "404");
  EXPECT_EQ(error.message, "Bad Request");
}

TEST(ServiceErrorTest, IsWordedLikeTheAwsCli) {
  EXPECT_EQ(DescribeServiceError({.type = "ClientException", .message = "no such queue"},
                                 "DeleteJobQueue"),
            "An error occurred (ClientException) when calling the DeleteJobQueue operation: no "
            "such queue");
}

}  // namespace
}  // namespace barge::cli
