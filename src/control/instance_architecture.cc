#include "control/instance_architecture.h"

namespace barge::control {
namespace {

bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::string_view ToString(CpuArchitecture architecture) {
  switch (architecture) {
    case CpuArchitecture::kX86_64:
      return "x86_64";
    case CpuArchitecture::kArm64:
      return "arm64";
    case CpuArchitecture::kUnknown:
      break;
  }
  return "unknown";
}

CpuArchitecture InstanceTypeArchitecture(std::string_view instance_type) {
  if (instance_type == "default_arm64") return CpuArchitecture::kArm64;
  if (instance_type == "default_x86_64" || instance_type == "optimal") {
    return CpuArchitecture::kX86_64;  // AWS's "optimal" picks from x86_64 families.
  }
  std::string_view family = instance_type.substr(0, instance_type.find('.'));
  if (family == "a1") return CpuArchitecture::kArm64;
  size_t i = 0;
  while (i < family.size() && IsLower(family[i])) ++i;
  if (i == 0 || i == family.size() || !IsDigit(family[i])) return CpuArchitecture::kUnknown;
  while (i < family.size() && IsDigit(family[i])) ++i;
  if (i < family.size() && family[i] == 'g') return CpuArchitecture::kArm64;
  return CpuArchitecture::kX86_64;
}

CpuArchitecture HostArchitecture() {
#if defined(__x86_64__)
  return CpuArchitecture::kX86_64;
#elif defined(__aarch64__)
  return CpuArchitecture::kArm64;
#else
  return CpuArchitecture::kUnknown;
#endif
}

}  // namespace barge::control
