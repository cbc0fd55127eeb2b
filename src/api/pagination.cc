#include "api/pagination.h"

#include <array>
#include <cstdint>

namespace barge::api {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Base64Encode(std::string_view data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    uint32_t n = static_cast<uint8_t>(data[i]) << 16 | static_cast<uint8_t>(data[i + 1]) << 8 |
                 static_cast<uint8_t>(data[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) out += kAlphabet[(n >> shift) & 63];
  }
  size_t rest = data.size() - i;
  if (rest > 0) {
    uint32_t n = static_cast<uint8_t>(data[i]) << 16;
    if (rest == 2) n |= static_cast<uint8_t>(data[i + 1]) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += rest == 2 ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    size_t value = kAlphabet.find(c);
    if (value == std::string_view::npos) return std::nullopt;
    buffer = (buffer << 6) | static_cast<uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  return out;
}

Error InvalidToken() { return InvalidArgument("invalid nextToken"); }

}  // namespace

std::string EncodePageToken(size_t offset) {
  return Base64Encode(R"({"offset":)" + std::to_string(offset) + "}");
}

Result<size_t> DecodePageToken(std::string_view token) {
  if (token.empty() || token.size() > 256) return InvalidToken();
  std::optional<std::string> text = Base64Decode(token);
  if (!text) return InvalidToken();
  nlohmann::json json = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object() || json.size() != 1) return InvalidToken();
  auto offset = json.find("offset");
  if (offset == json.end() || !offset->is_number_unsigned()) return InvalidToken();
  return offset->get<size_t>();
}

Result<PageRequest> ReadPageRequest(const nlohmann::json& body, PageLimits limits) {
  PageRequest request{.offset = 0, .max_results = limits.default_max_results};
  if (!body.is_object()) return request;
  if (auto max = body.find("maxResults"); max != body.end() && !max->is_null()) {
    std::string range = "1.." + std::to_string(limits.max_max_results);
    if (!max->is_number_integer()) {
      return InvalidArgument("maxResults must be an integer in " + range);
    }
    // Parsed text gives unsigned for non-negative numbers, built values signed.
    uint64_t value = max->is_number_unsigned() ? max->get<uint64_t>()
                     : max->get<int64_t>() < 0 ? 0
                                               : static_cast<uint64_t>(max->get<int64_t>());
    if (value < 1 || value > limits.max_max_results) {
      return InvalidArgument("maxResults must be an integer in " + range + ", not " + max->dump());
    }
    request.max_results = static_cast<size_t>(value);
  }
  if (auto token = body.find("nextToken"); token != body.end() && !token->is_null()) {
    if (!token->is_string()) return InvalidToken();
    Result<size_t> offset = DecodePageToken(token->get_ref<const std::string&>());
    if (!offset) return offset.error();
    request.offset = *offset;
  }
  return request;
}

}  // namespace barge::api
