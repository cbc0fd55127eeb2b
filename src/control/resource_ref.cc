#include "control/resource_ref.h"

#include <charconv>

namespace barge::control {

std::optional<std::string> NameFromArn(std::string_view arn, ResourceKind kind) {
  std::optional<ParsedArn> parsed = ParseArn(arn);
  if (!parsed || parsed->kind != kind) return std::nullopt;
  return parsed->id;
}

std::optional<std::string> NameFromNameOrArn(std::string_view name_or_arn, ResourceKind kind) {
  if (!name_or_arn.starts_with("arn:")) return std::string(name_or_arn);
  return NameFromArn(name_or_arn, kind);
}

std::optional<JobDefinitionRef> ParseJobDefinitionRef(std::string_view text) {
  bool is_arn = text.starts_with("arn:");
  std::string id(text);
  if (is_arn) {
    std::optional<std::string> from_arn = NameFromArn(text, ResourceKind::kJobDefinition);
    if (!from_arn) return std::nullopt;
    id = *from_arn;
  }
  size_t colon = id.find(':');
  if (colon == std::string::npos) {
    if (is_arn || id.empty()) return std::nullopt;
    return JobDefinitionRef{.name = id};
  }
  std::string_view revision_text = std::string_view(id).substr(colon + 1);
  int32_t revision = 0;
  auto [end, ec] =
      std::from_chars(revision_text.data(), revision_text.data() + revision_text.size(), revision);
  if (colon == 0 || ec != std::errc{} || end != revision_text.data() + revision_text.size() ||
      revision < 1) {
    return std::nullopt;
  }
  return JobDefinitionRef{.name = id.substr(0, colon), .revision = revision};
}

}  // namespace barge::control
