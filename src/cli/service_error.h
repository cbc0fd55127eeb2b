#pragma once
// Reads the error out of a failed AWS-style reply the way botocore does, and
// words it the way the AWS CLI prints it.
//
// Pure functions; any thread.
#include <string>
#include <string_view>

#include "cli/transport.h"

namespace barge::cli {

struct ServiceError {
  std::string type{};     // "ClientException"
  std::string message{};  // The reply's message, possibly empty.
};

// Type from the x-amzn-ErrorType header, else body "code"/"Code"/"__type";
// in each case the text before ':' and after the last '#'. Without any, the
// HTTP status ("404") and its reason phrase, as botocore does.
ServiceError ServiceErrorFrom(const HttpResponse& response);

// "An error occurred (ClientException) when calling the CreateJobQueue operation: <message>"
std::string DescribeServiceError(const ServiceError& error, std::string_view operation_name);

}  // namespace barge::cli
