#include "image/image_reference.h"

#include <vector>

#include "image/sha256.h"

namespace barge::image {
namespace {

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// One path component: alnum runs joined by '.', '_', '__' or '-'+.
bool IsPathComponent(std::string_view part) {
  if (part.empty() || !IsLowerAlnum(part.front()) || !IsLowerAlnum(part.back())) return false;
  for (size_t i = 0; i < part.size();) {
    if (IsLowerAlnum(part[i])) {
      ++i;
      continue;
    }
    size_t start = i;
    while (i < part.size() && !IsLowerAlnum(part[i])) ++i;
    std::string_view sep = part.substr(start, i - start);
    bool dashes = sep.find_first_not_of('-') == std::string_view::npos;
    if (!(sep == "." || sep == "_" || sep == "__" || dashes)) return false;
  }
  return true;
}

bool IsTag(std::string_view tag) {
  if (tag.empty() || tag.size() > 128) return false;
  auto word = [](char c) { return IsLowerAlnum(c) || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!word(tag.front())) return false;
  for (char c : tag) {
    if (!(word(c) || c == '.' || c == '-')) return false;
  }
  return true;
}

bool IsDomain(std::string_view domain) {
  if (domain.empty()) return false;
  for (char c : domain) {
    bool ok = IsLowerAlnum(c) || (c >= 'A' && c <= 'Z') || c == '.' || c == '-' || c == ':' ||
              c == '[' || c == ']';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::string ImageReference::String() const {
  std::string text = Name();
  if (!tag.empty()) text += ":" + tag;
  if (!digest.empty()) text += "@" + digest;
  return text;
}

std::string ImageReference::Familiar() const {
  std::string text = Name();
  if (domain == "docker.io") {
    text = path.starts_with("library/") && path.find('/', 8) == std::string::npos ? path.substr(8)
                                                                                  : path;
  }
  if (!tag.empty()) text += ":" + tag;
  if (!digest.empty()) text += "@" + digest;
  return text;
}

Result<ImageReference> ParseImageReference(std::string_view text) {
  auto invalid = [text](const std::string& why) {
    return InvalidArgument("invalid image reference '" + std::string(text) + "': " + why);
  };
  if (text.empty()) return invalid("empty");
  ImageReference ref;
  std::string_view rest = text;
  if (size_t at = rest.find('@'); at != std::string_view::npos) {
    ref.digest = std::string(rest.substr(at + 1));
    if (!IsSha256Digest(ref.digest)) return invalid("digest must be sha256: and 64 hex digits");
    rest = rest.substr(0, at);
  }
  // The tag follows the last ':' after the last '/' (a ':' before it is a port).
  size_t slash = rest.rfind('/');
  size_t colon = rest.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    ref.tag = std::string(rest.substr(colon + 1));
    if (!IsTag(ref.tag)) return invalid("bad tag '" + ref.tag + "'");
    rest = rest.substr(0, colon);
  }
  std::string_view path = rest;
  if (size_t first = rest.find('/'); first != std::string_view::npos) {
    std::string_view head = rest.substr(0, first);
    if (head.find_first_of(".:") != std::string_view::npos || head == "localhost") {
      if (!IsDomain(head)) return invalid("bad domain '" + std::string(head) + "'");
      ref.domain = std::string(head);
      path = rest.substr(first + 1);
    }
  }
  if (ref.domain.empty() || ref.domain == "index.docker.io") ref.domain = "docker.io";
  ref.path = std::string(path);
  if (ref.domain == "docker.io" && ref.path.find('/') == std::string::npos) {
    ref.path = "library/" + ref.path;
  }
  size_t start = 0;
  while (true) {
    size_t end = ref.path.find('/', start);
    std::string_view part =
        std::string_view(ref.path).substr(start, end == std::string::npos ? end : end - start);
    if (!IsPathComponent(part)) {
      return invalid("bad name component '" + std::string(part) +
                     "' (lowercase letters, digits and . _ - only)");
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  if (ref.Name().size() > 255) return invalid("name longer than 255 characters");
  if (ref.tag.empty() && ref.digest.empty()) ref.tag = "latest";
  return ref;
}

}  // namespace barge::image
