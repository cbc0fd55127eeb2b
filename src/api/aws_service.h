#pragma once
// Which AWS service's wire conventions a route follows. barge serves two:
//   kBatch  AWS Batch, REST-JSON: POST /v1/<op>, errors ClientException and
//           ServerException, Content-Type application/json;
//   kLogs   CloudWatch Logs, AWS JSON 1.1: POST / with X-Amz-Target
//           "Logs_20140328.<Op>", errors InvalidParameterException,
//           ResourceNotFoundException and ServiceUnavailableException,
//           Content-Type application/x-amz-json-1.1.
// error_response.h maps errors per service; router.h tags each route.
namespace barge::api {

enum class AwsService { kBatch, kLogs };

}  // namespace barge::api
