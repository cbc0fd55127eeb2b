#include "cli/transport.h"

#include <algorithm>
#include <cctype>

namespace barge::cli {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

}  // namespace

std::string HttpResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return "";
}

std::string Endpoint::HostHeader() const {
  std::string name = host.find(':') == std::string::npos ? host : "[" + host + "]";
  return port == "80" ? name : name + ":" + port;
}

Result<Endpoint> ParseEndpoint(std::string_view url) {
  constexpr std::string_view kHttp = "http://";
  if (url.substr(0, 8) == "https://") {
    return InvalidArgument("https endpoints are not supported yet: " + std::string(url));
  }
  if (url.substr(0, kHttp.size()) != kHttp) {
    return InvalidArgument("Bad value for --endpoint-url \"" + std::string(url) +
                           "\": scheme is missing. Must be of the form http://<hostname>/");
  }
  Endpoint endpoint{.url = std::string(url)};
  std::string_view rest = url.substr(kHttp.size());
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    std::string_view path = rest.substr(slash);
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    endpoint.base_path = std::string(path);
  }
  if (!authority.empty() && authority.front() == '[') {  // [::1]:8000
    size_t close = authority.find(']');
    if (close == std::string_view::npos)
      return InvalidArgument("bad endpoint URL: " + endpoint.url);
    endpoint.host = std::string(authority.substr(1, close - 1));
    authority.remove_prefix(close + 1);
    if (!authority.empty() && authority.front() == ':') endpoint.port = authority.substr(1);
  } else {
    size_t colon = authority.rfind(':');
    endpoint.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) endpoint.port = authority.substr(colon + 1);
  }
  if (endpoint.port.empty()) endpoint.port = "80";
  bool numeric_port = std::ranges::all_of(
      endpoint.port, [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
  if (endpoint.host.empty() || !numeric_port) {
    return InvalidArgument("bad endpoint URL: " + endpoint.url);
  }
  return endpoint;
}

}  // namespace barge::cli
