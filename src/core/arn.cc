#include "core/arn.h"

#include <array>
#include <utility>

namespace barge {
namespace {

constexpr std::array<std::pair<std::string_view, ResourceKind>, 5> kResourceTypes{{
    {"compute-environment", ResourceKind::kComputeEnvironment},
    {"job-queue", ResourceKind::kJobQueue},
    {"job-definition", ResourceKind::kJobDefinition},
    {"job", ResourceKind::kJob},
    {"scheduling-policy", ResourceKind::kSchedulingPolicy},
}};

}  // namespace

std::optional<ParsedArn> ParseArn(std::string_view arn) {
  constexpr std::string_view kPrefix = "arn:";
  if (!arn.starts_with(kPrefix)) return std::nullopt;
  // arn:<partition>:batch:<region>:<account>:<type>/<id>; the id may hold ':'.
  std::array<std::string_view, 4> parts{};  // partition, service, region, account
  std::string_view rest = arn.substr(kPrefix.size());
  for (auto& part : parts) {
    size_t colon = rest.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    part = rest.substr(0, colon);
    rest = rest.substr(colon + 1);
  }
  if (parts[1] != "batch") return std::nullopt;
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  std::string_view type = rest.substr(0, slash);
  std::string_view id = rest.substr(slash + 1);
  if (id.empty()) return std::nullopt;
  for (const auto& [name, kind] : kResourceTypes) {
    if (name == type) {
      return ParsedArn{.region = std::string(parts[2]),
                       .account_id = std::string(parts[3]),
                       .kind = kind,
                       .id = std::string(id)};
    }
  }
  return std::nullopt;
}

std::string ArnFormatter::Format(std::string_view resource_type, std::string_view id) const {
  std::string arn = "arn:aws:batch:";
  arn += region_;
  arn += ':';
  arn += account_id_;
  arn += ':';
  arn += resource_type;
  arn += '/';
  arn += id;
  return arn;
}

std::string ArnFormatter::ComputeEnvironment(std::string_view name) const {
  return Format("compute-environment", name);
}
std::string ArnFormatter::JobQueue(std::string_view name) const {
  return Format("job-queue", name);
}
std::string ArnFormatter::JobDefinition(std::string_view name, int32_t revision) const {
  return Format("job-definition", std::string(name) + ":" + std::to_string(revision));
}
std::string ArnFormatter::Job(std::string_view job_id) const { return Format("job", job_id); }
std::string ArnFormatter::SchedulingPolicy(std::string_view name) const {
  return Format("scheduling-policy", name);
}

}  // namespace barge
