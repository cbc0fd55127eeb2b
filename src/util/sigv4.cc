#include "util/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <vector>

namespace barge::sigv4 {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

std::string ToHex(const unsigned char* data, size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out += kHex[data[i] >> 4];
    out += kHex[data[i] & 0x0f];
  }
  return out;
}

std::string ToLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Trims and collapses inner runs of whitespace to one space, as the spec asks.
std::string CanonicalHeaderValue(std::string_view value) {
  std::string out;
  bool in_space = false;
  for (char c : Trim(value)) {
    if (c == ' ' || c == '\t') {
      in_space = true;
      continue;
    }
    if (in_space) out += ' ';
    in_space = false;
    out += c;
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes `text`; a malformed escape is kept literally.
std::string PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      int high = HexValue(text[i + 1]);
      int low = HexValue(text[i + 2]);
      if (high >= 0 && low >= 0) {
        out += static_cast<char>(high * 16 + low);
        i += 2;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

// RFC 3986 remove_dot_segments plus the collapsing of empty segments that AWS
// (and botocore's normalize_url_path) apply before encoding.
std::string NormalizePath(std::string_view path) {
  if (path.empty()) return "/";
  std::vector<std::string_view> segments;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view segment = path.substr(start, end - start);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    start = end + 1;
  }
  std::string out = path.front() == '/' ? "/" : "";
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) out += '/';
    out += segments[i];
  }
  if (path.back() == '/' && !segments.empty()) out += '/';
  return out;
}

std::string CanonicalQuery(std::string_view raw_query) {
  std::vector<std::pair<std::string, std::string>> pairs;
  size_t start = 0;
  while (start < raw_query.size()) {
    size_t end = raw_query.find('&', start);
    if (end == std::string_view::npos) end = raw_query.size();
    std::string_view pair = raw_query.substr(start, end - start);
    start = end + 1;
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string_view name = pair.substr(0, eq);
    std::string_view value = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
    // Decode then encode, so that clients that escape differently agree.
    pairs.emplace_back(UriEncode(PercentDecode(name), true), UriEncode(PercentDecode(value), true));
  }
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& [name, value] : pairs) {
    if (!out.empty()) out += '&';
    out += name;
    out += '=';
    out += value;
  }
  return out;
}

std::vector<std::string> SortedSignedHeaders(const std::vector<std::string>& names) {
  std::vector<std::string> sorted;
  sorted.reserve(names.size());
  for (const std::string& name : names) sorted.push_back(ToLower(name));
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  return sorted;
}

std::string Join(const std::vector<std::string>& parts, char separator) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += separator;
    out += parts[i];
  }
  return out;
}

std::string DateOf(std::string_view amz_date) { return std::string(amz_date.substr(0, 8)); }

std::string Scope(const SigningInput& input) {
  return DateOf(input.amz_date) + "/" + input.region + "/" + input.service + "/aws4_request";
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data());
  return ToHex(digest.data(), digest.size());
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data(), &size);
  return std::string(reinterpret_cast<const char*>(digest.data()), size);
}

std::string UriEncode(std::string_view text, bool encode_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    bool unreserved = std::isalnum(byte) || c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved || (c == '/' && !encode_slash)) {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0x0f];
    }
  }
  return out;
}

std::string CanonicalRequest(const SigningInput& input) {
  std::vector<std::string> signed_headers = SortedSignedHeaders(input.signed_headers);
  // Repeated headers are joined with commas, in the order they were sent.
  std::map<std::string, std::string> values;
  for (const Header& header : input.headers) {
    std::string name = ToLower(header.name);
    if (!std::binary_search(signed_headers.begin(), signed_headers.end(), name)) continue;
    std::string& value = values[name];
    if (!value.empty()) value += ',';
    value += CanonicalHeaderValue(header.value);
  }

  std::string out;
  out += input.method;
  out += '\n';
  out += UriEncode(NormalizePath(input.raw_path), false);
  out += '\n';
  out += CanonicalQuery(input.raw_query);
  out += '\n';
  for (const std::string& name : signed_headers) {
    out += name;
    out += ':';
    out += values[name];
    out += '\n';
  }
  out += '\n';
  out += Join(signed_headers, ';');
  out += '\n';
  out += input.payload_sha256_hex;
  return out;
}

std::string StringToSign(const SigningInput& input) {
  std::string out(kAlgorithm);
  out += '\n';
  out += input.amz_date;
  out += '\n';
  out += Scope(input);
  out += '\n';
  out += Sha256Hex(CanonicalRequest(input));
  return out;
}

std::string Sign(const SigningInput& input, std::string_view secret_access_key) {
  std::string key = HmacSha256("AWS4" + std::string(secret_access_key), DateOf(input.amz_date));
  key = HmacSha256(key, input.region);
  key = HmacSha256(key, input.service);
  key = HmacSha256(key, "aws4_request");
  std::string signature = HmacSha256(key, StringToSign(input));
  return ToHex(reinterpret_cast<const unsigned char*>(signature.data()), signature.size());
}

bool ParseAuthorization(std::string_view header, Authorization& out) {
  header = Trim(header);
  if (header.substr(0, kAlgorithm.size()) != kAlgorithm) return false;
  header.remove_prefix(kAlgorithm.size());
  if (header.empty() || (header.front() != ' ' && header.front() != '\t')) return false;

  Authorization parsed;
  bool has_credential = false;
  bool has_signed_headers = false;
  bool has_signature = false;
  size_t start = 0;
  while (start <= header.size()) {
    size_t end = header.find(',', start);
    if (end == std::string_view::npos) end = header.size();
    std::string_view part = Trim(header.substr(start, end - start));
    start = end + 1;
    if (part.empty()) continue;
    size_t eq = part.find('=');
    if (eq == std::string_view::npos) return false;
    std::string_view key = Trim(part.substr(0, eq));
    std::string_view value = Trim(part.substr(eq + 1));
    if (key == "Credential") {
      // AKID/YYYYMMDD/region/service/aws4_request
      std::vector<std::string_view> fields;
      size_t field_start = 0;
      while (field_start <= value.size()) {
        size_t slash = value.find('/', field_start);
        if (slash == std::string_view::npos) slash = value.size();
        fields.push_back(value.substr(field_start, slash - field_start));
        field_start = slash + 1;
      }
      if (fields.size() != 5 || fields[4] != "aws4_request" || fields[0].empty()) return false;
      parsed.access_key_id = fields[0];
      parsed.date = fields[1];
      parsed.region = fields[2];
      parsed.service = fields[3];
      has_credential = true;
    } else if (key == "SignedHeaders") {
      size_t name_start = 0;
      while (name_start <= value.size()) {
        size_t semi = value.find(';', name_start);
        if (semi == std::string_view::npos) semi = value.size();
        std::string_view name = value.substr(name_start, semi - name_start);
        if (!name.empty()) parsed.signed_headers.push_back(ToLower(name));
        name_start = semi + 1;
      }
      has_signed_headers = !parsed.signed_headers.empty();
    } else if (key == "Signature") {
      parsed.signature = value;
      has_signature = !value.empty();
    }
  }
  if (!has_credential || !has_signed_headers || !has_signature) return false;
  out = std::move(parsed);
  return true;
}

std::string AuthorizationHeader(const SigningInput& input, std::string_view access_key_id,
                                std::string_view secret_access_key) {
  std::string out(kAlgorithm);
  out += " Credential=";
  out += access_key_id;
  out += '/';
  out += Scope(input);
  out += ", SignedHeaders=";
  out += Join(SortedSignedHeaders(input.signed_headers), ';');
  out += ", Signature=";
  out += Sign(input, secret_access_key);
  return out;
}

}  // namespace barge::sigv4
