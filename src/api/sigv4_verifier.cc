#include "api/sigv4_verifier.h"

#include <chrono>
#include <cstdio>

#include "api/error_response.h"
#include "util/sigv4.h"

namespace barge::api {
namespace {

AuthFailure Fail(std::string_view type, std::string message) {
  return AuthFailure{
      .http_status = 403, .aws_type = std::string(type), .message = std::move(message)};
}

bool ParseDigits(std::string_view text, int& out) {
  out = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  return !text.empty();
}

// Compares in time independent of where the strings first differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

std::optional<Timestamp> ParseAmzDate(std::string_view text) {
  // YYYYMMDD'T'HHMMSS'Z'
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') return std::nullopt;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!ParseDigits(text.substr(0, 4), year) || !ParseDigits(text.substr(4, 2), month) ||
      !ParseDigits(text.substr(6, 2), day) || !ParseDigits(text.substr(9, 2), hour) ||
      !ParseDigits(text.substr(11, 2), minute) || !ParseDigits(text.substr(13, 2), second)) {
    return std::nullopt;
  }
  std::chrono::year_month_day date{std::chrono::year{year}, std::chrono::month{unsigned(month)},
                                   std::chrono::day{unsigned(day)}};
  if (!date.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  auto time = std::chrono::sys_days{date} + std::chrono::hours{hour} +
              std::chrono::minutes{minute} + std::chrono::seconds{second};
  return std::chrono::time_point_cast<Duration>(time);
}

std::string FormatAmzDate(Timestamp time) {
  auto days = std::chrono::floor<std::chrono::days>(time);
  std::chrono::year_month_day date{days};
  std::chrono::hh_mm_ss clock{std::chrono::floor<std::chrono::seconds>(time - days)};
  char out[32];
  std::snprintf(out, sizeof out, "%04d%02u%02uT%02d%02d%02dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                static_cast<int>(clock.seconds().count()));
  return out;
}

std::optional<AuthFailure> Sigv4Verifier::Verify(const HttpRequest& request) const {
  std::optional<std::string_view> header = FindHeader(request.headers, "authorization");
  if (!header) return Fail(kMissingAuthenticationToken, "Missing Authentication Token");
  sigv4::Authorization auth;
  if (!sigv4::ParseAuthorization(*header, auth)) {
    return Fail(kIncompleteSignature,
                "Authorization header must be AWS4-HMAC-SHA256 with Credential, SignedHeaders "
                "and Signature");
  }
  std::optional<std::string_view> amz_date = FindHeader(request.headers, "x-amz-date");
  if (!amz_date) {
    return Fail(kIncompleteSignature, "Authorization header requires an 'X-Amz-Date' header");
  }
  std::optional<Timestamp> signed_at = ParseAmzDate(*amz_date);
  if (!signed_at) {
    return Fail(kIncompleteSignature,
                "X-Amz-Date must look like 20261125T025012Z, not '" + std::string(*amz_date) + "'");
  }

  // AWS checks freshness before the key, so stale replays learn nothing.
  Timestamp now = clock_.Now();
  if (*signed_at < now - kMaxClockSkew) {
    return Fail(kInvalidSignature,
                "Signature expired: " + std::string(*amz_date) + " is now earlier than " +
                    FormatAmzDate(now - kMaxClockSkew) + " (" + FormatAmzDate(now) + " - 15 min.)");
  }
  if (*signed_at > now + kMaxClockSkew) {
    return Fail(kInvalidSignature,
                "Signature not yet current: " + std::string(*amz_date) + " is still later than " +
                    FormatAmzDate(now + kMaxClockSkew) + " (" + FormatAmzDate(now) + " + 15 min.)");
  }
  if (auth.date != amz_date->substr(0, 8)) {
    return Fail(kInvalidSignature,
                "Date in Credential scope does not match YYYYMMDD from "
                "X-Amz-Date: '" +
                    auth.date + "' != '" + std::string(amz_date->substr(0, 8)) + "'");
  }

  auto secret = credentials_.find(auth.access_key_id);
  if (secret == credentials_.end()) {
    return Fail(kUnrecognizedClient, "The security token included in the request is invalid.");
  }

  std::string body_hash = sigv4::Sha256Hex(request.body);
  std::string payload_hash = body_hash;
  if (auto declared = FindHeader(request.headers, "x-amz-content-sha256")) {
    if (*declared != "UNSIGNED-PAYLOAD" && *declared != body_hash) {
      return Fail(kInvalidSignature, "x-amz-content-sha256 does not match the request body");
    }
    payload_hash = std::string(*declared);
  }

  std::string_view target = request.target;
  size_t question = target.find('?');
  sigv4::SigningInput input{
      .method = request.method,
      .raw_path = std::string(target.substr(0, question)),
      .raw_query = question == std::string_view::npos ? std::string()
                                                      : std::string(target.substr(question + 1)),
      .headers = {},
      .signed_headers = auth.signed_headers,
      .payload_sha256_hex = std::move(payload_hash),
      .amz_date = std::string(*amz_date),
      .region = auth.region,
      .service = auth.service,
  };
  input.headers.reserve(request.headers.size());
  for (const auto& [name, value] : request.headers) input.headers.push_back({name, value});

  if (!ConstantTimeEquals(sigv4::Sign(input, secret->second), auth.signature)) {
    return Fail(kInvalidSignature,
                "The request signature we calculated does not match the signature you provided. "
                "Check your AWS Secret Access Key and signing method. Consult the service "
                "documentation for details.");
  }
  return std::nullopt;
}

}  // namespace barge::api
