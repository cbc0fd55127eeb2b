#pragma once
// SignedClient: the calls `barge logs` and `barge run` make, each one
// request: AWS Batch operations (REST-JSON, POST /v1/<operation>) and
// CloudWatch Logs operations (AWS JSON 1.1, POST / with X-Amz-Target),
// signed with SigV4 for service "batch" or "logs" when credentials are set,
// as the AWS CLI signs them.
//
// Errors are values:
//   kUnavailable  the endpoint could not be reached (exit 255)
//   kNotFound     the service answered ResourceNotFoundException
//   kFailedPrecondition  any other error reply, or a reply that is not JSON
// with messages worded as the AWS CLI prints them ("An error occurred
// (ClientException) when calling the SubmitJob operation: ...").
//
// One thread; the transport is not owned.
#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "cli/request_signer.h"
#include "cli/transport.h"
#include "core/result.h"

namespace barge::cli {

struct ClientSettings {
  Endpoint endpoint{};
  Credentials credentials{};  // Incomplete ones send requests unsigned.
  std::string region = "us-east-1";
  std::function<std::chrono::system_clock::time_point()> now{};  // For X-Amz-Date.
};

class SignedClient {
 public:
  SignedClient(Transport& transport, ClientSettings settings)
      : transport_(transport), settings_(std::move(settings)) {}

  // `operation` as AWS names it ("DescribeJobs"); the path is its lower case.
  Result<nlohmann::json> Batch(std::string_view operation, const nlohmann::json& body);
  // `operation` as AWS names it ("GetLogEvents").
  Result<nlohmann::json> Logs(std::string_view operation, const nlohmann::json& body);

 private:
  Result<nlohmann::json> Send(HttpRequest request, std::string_view operation,
                              std::string_view service);

  Transport& transport_;
  ClientSettings settings_;
};

// The AWS CLI's exit code for a failed call: 255 when the endpoint could not
// be reached, 254 when the service answered with an error.
int ExitCodeFor(const Error& error);

}  // namespace barge::cli
