#pragma once
// CPU architecture of EC2-style instance type names, so barge can tell that a
// MANAGED compute environment asking only for Graviton instances ("m6g",
// "c7g.large", "default_arm64") can never get hosts from a server built for
// x86_64, and the other way round. Pure functions; any thread.
//
// Deliberately simple: a family whose generation digit is followed by 'g'
// (m6g, c7gn, x2gd, im4gn, is4gen) is Graviton, as is "a1"; every other
// name shaped like an AWS family (letters, a generation digit, ...) is x86_64;
// names of another shape (a local catalog's "small", "gpu-box") are unknown,
// so they never make an environment INVALID.
#include <string_view>

namespace barge::control {

enum class CpuArchitecture { kUnknown, kX86_64, kArm64 };

std::string_view ToString(CpuArchitecture architecture);  // "x86_64", "arm64", "unknown"

// `instance_type` is a family ("c5"), a size ("c5.large"), "optimal",
// "default_x86_64" or "default_arm64".
CpuArchitecture InstanceTypeArchitecture(std::string_view instance_type);

// The architecture this binary was compiled for; kUnknown on anything else.
CpuArchitecture HostArchitecture();

}  // namespace barge::control
