#include "api/credentials_file.h"

#include <fstream>
#include <optional>
#include <sstream>

namespace barge::api {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\r')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

struct Profile {
  std::string name{};
  int line = 0;
  std::optional<std::string> key_id{};
  std::optional<std::string> secret{};
};

Status AddProfile(const Profile& profile, CredentialSet& out) {
  if (!profile.key_id && !profile.secret) return Ok();  // e.g. a profile with only a region.
  if (!profile.key_id || !profile.secret || profile.key_id->empty() || profile.secret->empty()) {
    return InvalidArgument("profile [" + profile.name + "] (line " + std::to_string(profile.line) +
                           ") needs both aws_access_key_id and aws_secret_access_key");
  }
  auto [it, inserted] = out.emplace(*profile.key_id, *profile.secret);
  if (!inserted && it->second != *profile.secret) {
    return InvalidArgument("access key " + *profile.key_id + " has two different secrets");
  }
  return Ok();
}

}  // namespace

Result<CredentialSet> ParseCredentials(std::string_view text) {
  CredentialSet out;
  std::optional<Profile> profile;
  int line_number = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = Trim(text.substr(start, end - start));
    start = end + 1;
    ++line_number;
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      if (line.back() != ']' || line.size() < 3) {
        return InvalidArgument("line " + std::to_string(line_number) + ": malformed section");
      }
      if (profile) BARGE_RETURN_IF_ERROR(AddProfile(*profile, out));
      profile =
          Profile{.name = std::string(Trim(line.substr(1, line.size() - 2))), .line = line_number};
      continue;
    }
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      return InvalidArgument("line " + std::to_string(line_number) + ": expected key = value");
    }
    if (!profile) {
      return InvalidArgument("line " + std::to_string(line_number) + ": key outside a [profile]");
    }
    std::string_view key = Trim(line.substr(0, eq));
    std::string value(Trim(line.substr(eq + 1)));
    if (key == "aws_access_key_id") {
      profile->key_id = std::move(value);
    } else if (key == "aws_secret_access_key") {
      profile->secret = std::move(value);
    }
  }
  if (profile) BARGE_RETURN_IF_ERROR(AddProfile(*profile, out));
  if (out.empty()) return InvalidArgument("no aws_access_key_id/aws_secret_access_key pair found");
  return out;
}

Result<CredentialSet> LoadCredentialsFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return NotFound("cannot read credentials file " + path);
  std::ostringstream text;
  text << file.rdbuf();
  Result<CredentialSet> parsed = ParseCredentials(text.str());
  if (!parsed) return InvalidArgument("credentials file " + path + ": " + parsed.error().message);
  return parsed;
}

}  // namespace barge::api
