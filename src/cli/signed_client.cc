#include "cli/signed_client.h"

#include <cctype>

#include "cli/service_error.h"

namespace barge::cli {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kUserAgent = "barge-cli/0.1";
constexpr std::string_view kLogsTargetPrefix = "Logs_20140328.";

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Result<Json> SignedClient::Batch(std::string_view operation, const Json& body) {
  HttpRequest request{.method = "POST",
                      .target = settings_.endpoint.base_path + "/v1/" + Lower(operation),
                      .headers = {{"Content-Type", "application/json"}},
                      .body = body.dump(-1, ' ', false, Json::error_handler_t::replace)};
  return Send(std::move(request), operation, "batch");
}

Result<Json> SignedClient::Logs(std::string_view operation, const Json& body) {
  HttpRequest request{
      .method = "POST",
      .target = settings_.endpoint.base_path + "/",
      .headers = {{"Content-Type", "application/x-amz-json-1.1"},
                  {"X-Amz-Target", std::string(kLogsTargetPrefix) + std::string(operation)}},
      .body = body.dump(-1, ' ', false, Json::error_handler_t::replace)};
  return Send(std::move(request), operation, "logs");
}

Result<Json> SignedClient::Send(HttpRequest request, std::string_view operation,
                                std::string_view service) {
  request.headers.insert(request.headers.begin(), {{"Host", settings_.endpoint.HostHeader()},
                                                   {"Accept-Encoding", "identity"},
                                                   {"User-Agent", std::string(kUserAgent)}});
  if (settings_.credentials.complete()) {
    SignRequest(request, settings_.credentials, settings_.region, settings_.now(), service);
  }
  Result<HttpResponse> response = transport_.RoundTrip(request);
  if (!response) return response.error();
  if (response->status < 200 || response->status > 299) {
    ServiceError error = ServiceErrorFrom(*response);
    std::string message = DescribeServiceError(error, operation);
    if (error.type == "ResourceNotFoundException") return NotFound(std::move(message));
    return FailedPrecondition(std::move(message));
  }
  Json reply = Json::parse(response->body, nullptr, /*allow_exceptions=*/false);
  if (!reply.is_object()) {
    return FailedPrecondition("could not parse the reply to " + std::string(operation) +
                              " as a JSON object: " + response->body.substr(0, 200));
  }
  return reply;
}

int ExitCodeFor(const Error& error) { return error.code == ErrorCode::kUnavailable ? 255 : 254; }

}  // namespace barge::cli
