#pragma once
// HostInfo: what this machine offers, for the agent's defaults: cores the
// process may run on, memory, GPUs, hostname and a private IPv4 address.
// Reads /proc and /dev once; any thread.
#include <cstdint>
#include <string>

namespace barge::agent {

struct HostInfo {
  int64_t vcpus = 1;       // CPUs in this process's affinity mask.
  int64_t memory_mib = 0;  // MemTotal.
  int64_t gpus = 0;        // /dev/nvidia<N> devices.
  std::string hostname{};
  std::string private_ipv4{};  // First non-loopback IPv4 address that is up; may be empty.
};

HostInfo DetectHost();

}  // namespace barge::agent
