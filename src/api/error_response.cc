#include "api/error_response.h"

#include <string>

#include "util/uuid.h"

namespace barge::api {
namespace {

HttpReply NewReply(int status, std::string body, AwsService service) {
  HttpReply reply;
  reply.status = status;
  reply.headers.reserve(3);
  reply.headers.emplace_back("x-amzn-RequestId", NewUuid());
  reply.headers.emplace_back("Content-Type", service == AwsService::kLogs
                                                 ? "application/x-amz-json-1.1"
                                                 : "application/json");
  reply.body = std::move(body);
  return reply;
}

}  // namespace

std::string DumpJson(const nlohmann::json& json) {
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

HttpReply JsonReply(const nlohmann::json& body, AwsService service) {
  return NewReply(200, DumpJson(body), service);
}

HttpReply ErrorReply(int http_status, std::string_view aws_type, std::string_view message,
                     AwsService service) {
  nlohmann::json body = {{"__type", aws_type}, {"message", message}};
  HttpReply reply = NewReply(http_status, DumpJson(body), service);
  reply.headers.emplace_back("x-amzn-ErrorType", std::string(aws_type));
  return reply;
}

HttpReply ErrorReply(const Error& error, AwsService service) {
  ErrorShape shape = ToErrorShape(error.code, service);
  return ErrorReply(shape.http_status, shape.aws_type, error.message, service);
}

HttpReply PayloadTooLargeReply() {
  return ErrorReply(413, "ClientException",
                    "request body exceeds " + std::to_string(kMaxRequestBodyBytes) + " bytes");
}

}  // namespace barge::api
