#include "cli/run_definition.h"

#include <cctype>
#include <cstdio>

namespace barge::cli {
namespace {

using Json = nlohmann::json;

// FNV-1a: stable across runs and machines (std::hash is neither), and
// collisions only cost a definition that MatchesRunShape then passes over.
uint64_t Fnv1a(std::string_view text) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

std::string StringAt(const Json& object, std::string_view member) {
  if (!object.is_object()) return "";
  auto found = object.find(member);
  return found != object.end() && found->is_string() ? found->get<std::string>() : "";
}

}  // namespace

std::string RunDefinitionName(const RunShape& shape) {
  std::string key =
      shape.image + '\n' + std::to_string(shape.vcpus) + '\n' + std::to_string(shape.memory_mib);
  char hex[16];
  std::snprintf(hex, sizeof hex, "%08x", static_cast<unsigned>(Fnv1a(key) & 0xffffffffu));
  return "barge-run-" + std::string(hex);
}

Json RunDefinitionRequest(const RunShape& shape) {
  return Json{{"jobDefinitionName", RunDefinitionName(shape)},
              {"type", "container"},
              {"containerProperties",
               {{"image", shape.image},
                {"resourceRequirements",
                 {{{"type", "VCPU"}, {"value", std::to_string(shape.vcpus)}},
                  {{"type", "MEMORY"}, {"value", std::to_string(shape.memory_mib)}}}}}}};
}

bool MatchesRunShape(const Json& definition, const RunShape& shape) {
  if (StringAt(definition, "status") != "ACTIVE" || StringAt(definition, "type") != "container") {
    return false;
  }
  auto container = definition.find("containerProperties");
  if (container == definition.end() || StringAt(*container, "image") != shape.image) return false;
  std::string vcpus;
  std::string memory;
  auto requirements = container->find("resourceRequirements");
  if (requirements == container->end() || !requirements->is_array()) return false;
  for (const Json& requirement : *requirements) {
    std::string type = StringAt(requirement, "type");
    if (type == "VCPU") vcpus = StringAt(requirement, "value");
    if (type == "MEMORY") memory = StringAt(requirement, "value");
  }
  return vcpus == std::to_string(shape.vcpus) && memory == std::to_string(shape.memory_mib);
}

std::string RunJobName(const std::string& program) {
  std::string base =
      program.substr(program.rfind('/') == std::string::npos ? 0 : program.rfind('/') + 1);
  std::string name;
  for (char c : base) {
    bool allowed = std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
    name += allowed ? c : '-';
    if (name.size() == 128) break;
  }
  if (name.empty() || std::isalnum(static_cast<unsigned char>(name[0])) == 0) {
    name = ("run-" + name).substr(0, 128);
  }
  return name;
}

}  // namespace barge::cli
