#include "executor/container_user.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <string_view>

namespace barge::executor {
namespace {

std::vector<std::string_view> Split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t end = text.find(sep, start);
    out.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

// The lines of a passwd/group file with at least `min_fields` fields;
// comments, blank and short lines are skipped, as libc does.
std::vector<std::vector<std::string_view>> Records(std::string_view text, size_t min_fields) {
  std::vector<std::vector<std::string_view>> out;
  for (std::string_view line : Split(text, '\n')) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    std::vector<std::string_view> fields = Split(line, ':');
    if (fields.size() >= min_fields) out.push_back(std::move(fields));
  }
  return out;
}

std::optional<uint32_t> ParseId(std::string_view text) {
  uint32_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

bool IsNumeric(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

Result<ContainerUser> ResolveContainerUser(const std::string& spec, const std::string& etc_passwd,
                                           const std::string& etc_group) {
  std::string_view text = spec.empty() ? std::string_view("0") : std::string_view(spec);
  size_t colon = text.find(':');
  std::string_view user_part = text.substr(0, colon);
  std::optional<std::string_view> group_part;
  if (colon != std::string_view::npos) group_part = text.substr(colon + 1);

  ContainerUser user;
  std::string_view user_name;
  auto passwd = Records(etc_passwd, 7);  // name:pw:uid:gid:gecos:home:shell
  if (IsNumeric(user_part)) {
    std::optional<uint32_t> uid = ParseId(user_part);
    if (!uid) return InvalidArgument("user \"" + spec + "\": uid is out of range");
    user.uid = *uid;
    for (const auto& fields : passwd) {
      if (ParseId(fields[2]) == uid) {
        user_name = fields[0];
        user.gid = ParseId(fields[3]).value_or(0);
        user.home = std::string(fields[5]);
        break;
      }
    }
  } else {
    auto it = std::find_if(passwd.begin(), passwd.end(),
                           [&](const auto& fields) { return fields[0] == user_part; });
    if (user_part.empty() || it == passwd.end()) {
      return InvalidArgument("user \"" + std::string(user_part) +
                             "\" is not in the image's /etc/passwd");
    }
    std::optional<uint32_t> uid = ParseId((*it)[2]);
    std::optional<uint32_t> gid = ParseId((*it)[3]);
    if (!uid || !gid) {
      return InvalidArgument("user \"" + std::string(user_part) +
                             "\" has a malformed entry in the image's /etc/passwd");
    }
    user_name = user_part;
    user.uid = *uid;
    user.gid = *gid;
    user.home = std::string((*it)[5]);
  }
  if (user.home.empty()) user.home = "/";

  auto groups = Records(etc_group, 3);  // name:pw:gid[:members]
  if (group_part) {
    if (IsNumeric(*group_part)) {
      std::optional<uint32_t> gid = ParseId(*group_part);
      if (!gid) return InvalidArgument("user \"" + spec + "\": gid is out of range");
      user.gid = *gid;
    } else {
      auto it = std::find_if(groups.begin(), groups.end(),
                             [&](const auto& fields) { return fields[0] == *group_part; });
      std::optional<uint32_t> gid;
      if (!group_part->empty() && it != groups.end()) gid = ParseId((*it)[2]);
      if (!gid) {
        return InvalidArgument("group \"" + std::string(*group_part) +
                               "\" is not in the image's /etc/group");
      }
      user.gid = *gid;
    }
  }

  if (!user_name.empty()) {
    for (const auto& fields : groups) {
      if (fields.size() < 4) continue;
      std::vector<std::string_view> members = Split(fields[3], ',');
      if (std::find(members.begin(), members.end(), user_name) == members.end()) continue;
      std::optional<uint32_t> gid = ParseId(fields[2]);
      if (!gid || *gid == user.gid) continue;
      if (std::find(user.additional_gids.begin(), user.additional_gids.end(), *gid) ==
          user.additional_gids.end()) {
        user.additional_gids.push_back(*gid);
      }
    }
  }
  return user;
}

}  // namespace barge::executor
