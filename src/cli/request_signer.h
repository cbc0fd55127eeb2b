#pragma once
// Signs outgoing requests with AWS Signature Version 4 (service "batch", or
// "logs" for CloudWatch Logs calls) the
// way the AWS CLI does: X-Amz-Date, X-Amz-Security-Token when there is a
// session token, and an Authorization header over content-type (when the
// request has a body), host, x-amz-date and x-amz-security-token.
//
// Pure functions; any thread.
#include <chrono>
#include <string>
#include <string_view>

#include "cli/transport.h"

namespace barge::cli {

struct Credentials {
  std::string access_key_id{};
  std::string secret_access_key{};
  std::string session_token{};  // Empty unless temporary credentials.

  // Requests are signed only when both halves of the key are set.
  bool complete() const { return !access_key_id.empty() && !secret_access_key.empty(); }
};

// "20261125T025012Z" for `now` in UTC.
std::string AmzDate(std::chrono::system_clock::time_point now);

// Adds the signing headers to `request`, which must already carry Host (and
// Content-Type when it has a body).
void SignRequest(HttpRequest& request, const Credentials& credentials, std::string_view region,
                 std::chrono::system_clock::time_point now, std::string_view service = "batch");

}  // namespace barge::cli
