#include "cli/request_signer.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <vector>

#include "util/sigv4.h"

namespace barge::cli {
namespace {

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

std::string AmzDate(std::chrono::system_clock::time_point now) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y%m%dT%H%M%SZ", &utc);
  return text;
}

void SignRequest(HttpRequest& request, const Credentials& credentials, std::string_view region,
                 std::chrono::system_clock::time_point now, std::string_view service) {
  std::string amz_date = AmzDate(now);
  request.headers.emplace_back("X-Amz-Date", amz_date);
  if (!credentials.session_token.empty()) {
    request.headers.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }

  sigv4::SigningInput input{.method = request.method,
                            .payload_sha256_hex = sigv4::Sha256Hex(request.body),
                            .amz_date = amz_date,
                            .region = std::string(region),
                            .service = std::string(service)};
  size_t question = request.target.find('?');
  input.raw_path = request.target.substr(0, question);
  if (question != std::string::npos) input.raw_query = request.target.substr(question + 1);
  const std::vector<std::string> signable = {"content-type", "host", "x-amz-date",
                                             "x-amz-security-token", "x-amz-target"};
  for (const auto& [name, value] : request.headers) {
    std::string lower = Lower(name);
    input.headers.push_back({.name = name, .value = value});
    if (std::ranges::find(signable, lower) != signable.end()) {
      input.signed_headers.push_back(lower);
    }
  }
  request.headers.emplace_back(
      "Authorization",
      sigv4::AuthorizationHeader(input, credentials.access_key_id, credentials.secret_access_key));
}

}  // namespace barge::cli
