#pragma once
// The only place where errors become wire errors, and where HTTP status codes
// are chosen. AWS Batch models exactly two error types: ClientException (400)
// and ServerException (500). Besides those, api/ itself answers with the
// errors the AWS front end sends before a request reaches Batch (unknown
// operation, authentication failures, oversized bodies), which are not
// ErrorCodes because no service ever returns them.
//
// CloudWatch Logs (AwsService::kLogs) has its own error types:
// InvalidParameterException and ResourceNotFoundException (400) and
// ServiceUnavailableException (500).
//
// Every reply built here carries `x-amzn-RequestId` (a fresh UUID) and
// `Content-Type` (application/json, or application/x-amz-json-1.1 for the
// AWS JSON services); error replies also carry
// `x-amzn-ErrorType: <Type>` and the body {"__type":"<Type>","message":"..."},
// which botocore, the AWS CLI and the JS SDK all understand.
//
// Pure functions; any thread.
#include <nlohmann/json.hpp>
#include <string_view>

#include "api/aws_service.h"
#include "api/http_message.h"
#include "core/result.h"

namespace barge::api {

struct ErrorShape {
  int http_status = 500;
  std::string_view aws_type{};
};

constexpr ErrorShape ToErrorShape(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kNotFound:
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kFailedPrecondition:
      return {400, "ClientException"};
    case ErrorCode::kConflict:  // The service layer already retried; let the SDK retry.
    case ErrorCode::kUnavailable:
    case ErrorCode::kInternal:
      return {500, "ServerException"};
  }
  return {500, "ServerException"};
}

constexpr ErrorShape ToErrorShape(ErrorCode code, AwsService service) {
  if (service == AwsService::kBatch) return ToErrorShape(code);
  switch (code) {
    case ErrorCode::kNotFound:
      return {400, "ResourceNotFoundException"};
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kFailedPrecondition:
      return {400, "InvalidParameterException"};
    case ErrorCode::kConflict:
    case ErrorCode::kUnavailable:
    case ErrorCode::kInternal:
      return {500, "ServiceUnavailableException"};
  }
  return {500, "ServiceUnavailableException"};
}

// Wire error types that are not ErrorCodes.
inline constexpr std::string_view kUnknownOperation = "UnknownOperationException";  // 404
inline constexpr std::string_view kMethodNotAllowed = "MethodNotAllowedException";  // 405
inline constexpr std::string_view kMissingAuthenticationToken =
    "MissingAuthenticationTokenException";                                                // 403
inline constexpr std::string_view kIncompleteSignature = "IncompleteSignatureException";  // 403
inline constexpr std::string_view kUnrecognizedClient = "UnrecognizedClientException";    // 403
inline constexpr std::string_view kInvalidSignature = "InvalidSignatureException";        // 403

// Largest request body accepted; bigger ones get 413 (a ClientException).
inline constexpr size_t kMaxRequestBodyBytes = 1024 * 1024;

// 200 with `body` as compact JSON.
HttpReply JsonReply(const nlohmann::json& body, AwsService service = AwsService::kBatch);
// An error reply of any status and type.
HttpReply ErrorReply(int http_status, std::string_view aws_type, std::string_view message,
                     AwsService service = AwsService::kBatch);
// The wire form of a service error.
HttpReply ErrorReply(const Error& error, AwsService service = AwsService::kBatch);
// 413 for a body over kMaxRequestBodyBytes.
HttpReply PayloadTooLargeReply();

// Compact JSON text that never throws: invalid UTF-8 (which may come from a
// URL path) is replaced with U+FFFD instead.
std::string DumpJson(const nlohmann::json& json);

}  // namespace barge::api
