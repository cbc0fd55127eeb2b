#pragma once
// AWS Signature Version 4 (the non-S3 variant that AWS Batch uses): canonical
// request, string to sign, signing key and signature. Used by api/ to verify
// requests and by cli/ to sign them, so both agree byte for byte.
//
// Pure functions over their arguments; any thread.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace barge::sigv4 {

struct Header {
  std::string name{};   // Any case; lowered when canonicalised.
  std::string value{};  // Trimmed and inner runs of spaces collapsed when canonicalised.
};

struct SigningInput {
  std::string method{};   // "POST"
  std::string raw_path{};  // As sent on the request line, still percent-encoded, without query.
  std::string raw_query{};  // As sent, without '?'; may be empty.
  std::vector<Header> headers{};  // All request headers; only `signed_headers` are used.
  std::vector<std::string> signed_headers{};  // Lower-case names, in any order.
  std::string payload_sha256_hex{};  // Hex SHA-256 of the body.
  std::string amz_date{};            // "20261125T025012Z"
  std::string region{};              // "us-east-1"
  std::string service{};             // "batch"
};

// Canonical request per the AWS spec: the already-encoded path is URI-encoded
// again segment by segment (non-S3 rule), the query sorted by name then value.
std::string CanonicalRequest(const SigningInput& input);
std::string StringToSign(const SigningInput& input);
// Hex signature for `secret_access_key`.
std::string Sign(const SigningInput& input, std::string_view secret_access_key);

// The parsed Authorization header:
// "AWS4-HMAC-SHA256 Credential=AKID/20261125/us-east-1/batch/aws4_request,
//  SignedHeaders=content-type;host;x-amz-date, Signature=abc..."
struct Authorization {
  std::string access_key_id{};
  std::string date{};  // YYYYMMDD of the credential scope
  std::string region{};
  std::string service{};
  std::vector<std::string> signed_headers{};
  std::string signature{};
};
// False when the header is not a well-formed AWS4-HMAC-SHA256 authorization.
bool ParseAuthorization(std::string_view header, Authorization& out);

// Builds the Authorization header value for a request to send (cli/).
std::string AuthorizationHeader(const SigningInput& input, std::string_view access_key_id,
                                std::string_view secret_access_key);

std::string Sha256Hex(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);  // Raw bytes.
std::string UriEncode(std::string_view text, bool encode_slash);

}  // namespace barge::sigv4
