#include "api/router.h"

#include "api/http_message.h"

namespace barge::api {
namespace {

constexpr std::string_view kPrefix = "/v1/";
constexpr std::string_view kTagsPrefix = "/v1/tags/";

std::string AllowedMethods(const std::map<std::string, Route, std::less<>>& methods) {
  std::string out;
  for (const auto& [method, route] : methods) {
    if (!out.empty()) out += ", ";
    out += method;
  }
  return out;
}

}  // namespace

void Router::AddOperation(std::string op, Route route) {
  operations_.insert_or_assign(std::move(op), std::move(route));
}

void Router::AddTagsMethod(std::string method, Route route) {
  tags_methods_.insert_or_assign(std::move(method), std::move(route));
}

void Router::AddTarget(std::string target, Route route) {
  targets_.insert_or_assign(std::move(target), std::move(route));
}

RouteMatch Router::Match(std::string_view method, std::string_view path,
                         std::string_view amz_target) const {
  RouteMatch match;
  if (path == "/" && !amz_target.empty()) {
    if (method != "POST") {
      match.kind = RouteMatch::Kind::kMethodNotAllowed;
      match.allowed = "POST";
      return match;
    }
    auto it = targets_.find(amz_target);
    if (it == targets_.end()) {
      match.kind = RouteMatch::Kind::kUnknownTarget;
      return match;
    }
    match.kind = RouteMatch::Kind::kFound;
    match.route = &it->second;
    return match;
  }
  if (path.substr(0, kTagsPrefix.size()) == kTagsPrefix) {
    std::string_view segment = path.substr(kTagsPrefix.size());
    if (segment.empty() || segment.find('/') != std::string_view::npos) return match;
    std::optional<std::string> arn = PercentDecode(segment);
    if (!arn || arn->empty()) return match;
    auto it = tags_methods_.find(method);
    if (it == tags_methods_.end()) {
      match.kind = RouteMatch::Kind::kMethodNotAllowed;
      match.allowed = AllowedMethods(tags_methods_);
      return match;
    }
    match.kind = RouteMatch::Kind::kFound;
    match.route = &it->second;
    match.resource_arn = std::move(*arn);
    return match;
  }
  if (path.substr(0, kPrefix.size()) != kPrefix) return match;
  auto it = operations_.find(path.substr(kPrefix.size()));
  if (it == operations_.end()) return match;
  if (method != "POST") {
    match.kind = RouteMatch::Kind::kMethodNotAllowed;
    match.allowed = "POST";
    return match;
  }
  match.kind = RouteMatch::Kind::kFound;
  match.route = &it->second;
  return match;
}

}  // namespace barge::api
