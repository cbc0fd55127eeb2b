#include "cli/service_error.h"

#include <nlohmann/json.hpp>

namespace barge::cli {
namespace {

std::string StringMember(const nlohmann::json& body, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    auto found = body.find(name);
    if (found != body.end() && found->is_string()) return found->get<std::string>();
  }
  return "";
}

// "aws.protocoltests#ClientException:http://..." -> "ClientException"
std::string BareType(std::string type) {
  type = type.substr(0, type.find(':'));
  size_t hash = type.rfind('#');
  return hash == std::string::npos ? type : type.substr(hash + 1);
}

}  // namespace

ServiceError ServiceErrorFrom(const HttpResponse& response) {
  nlohmann::json body = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) body = nlohmann::json::object();

  ServiceError error;
  error.type = response.Header("x-amzn-ErrorType");
  if (error.type.empty()) error.type = StringMember(body, {"code", "Code", "__type"});
  error.type = BareType(std::move(error.type));
  error.message = StringMember(body, {"message", "Message"});
  if (error.type.empty()) {
    error.type = std::to_string(response.status);
    if (error.message.empty()) error.message = response.reason;
  }
  return error;
}

std::string DescribeServiceError(const ServiceError& error, std::string_view operation_name) {
  return "An error occurred (" + error.type + ") when calling the " + std::string(operation_name) +
         " operation: " + error.message;
}

}  // namespace barge::cli
