#pragma once
// Sigv4Verifier: checks the AWS Signature Version 4 of each request against
// the keys of a credentials file, as AWS does in front of Batch. Per
// AWS-WIRE.md: header names match case-insensitively, the canonical URI is the
// raw path encoded again (so %3A is signed as %253A), the signed headers are
// those the client lists, and the payload hash is x-amz-content-sha256 when
// sent (it must then match the body) or else the SHA-256 of the body.
//
// Failures, with the error types real AWS sends (all HTTP 403):
//   no Authorization header              MissingAuthenticationTokenException
//   malformed Authorization/X-Amz-Date   IncompleteSignatureException
//   unknown access key id                UnrecognizedClientException
//   wrong signature, body hash mismatch  InvalidSignatureException
//   X-Amz-Date > 15 min from server now  InvalidSignatureException ("Signature expired: ...")
// The credential scope's region and service are taken from the request, not
// enforced: a self-hosted server has no reason to reject a client configured
// for another region.
//
// Immutable after construction; Verify may be called from any thread.
#include <optional>
#include <string>

#include "api/credentials_file.h"
#include "api/http_message.h"
#include "core/clock.h"

namespace barge::api {

struct AuthFailure {
  int http_status = 403;
  std::string aws_type{};
  std::string message{};
};

class Sigv4Verifier {
 public:
  static constexpr Duration kMaxClockSkew = std::chrono::minutes(15);

  // `clock` is not owned and must outlive the verifier.
  Sigv4Verifier(CredentialSet credentials, const Clock& clock)
      : credentials_(std::move(credentials)), clock_(clock) {}

  // nullopt when `request` is signed by a known key; otherwise why not.
  std::optional<AuthFailure> Verify(const HttpRequest& request) const;

 private:
  CredentialSet credentials_;
  const Clock& clock_;
};

// "20261125T025012Z" <-> Timestamp (UTC, whole seconds). Exposed for tests.
std::optional<Timestamp> ParseAmzDate(std::string_view text);
std::string FormatAmzDate(Timestamp time);

}  // namespace barge::api
