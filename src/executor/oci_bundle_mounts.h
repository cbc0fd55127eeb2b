#pragma once
// The mounts and device rules of a container attempt's config.json: a part
// of GenerateBundleSpec (executor/oci_bundle_spec.h), apart because mounts
// have the most rules. Pure; any thread.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/result.h"
#include "executor/oci_bundle_spec.h"

namespace barge::executor {

bool IsAbsolutePath(std::string_view path);

// `mounts`: what `runc spec` generates (with /dev/shm sized by
// sharedMemorySize, /sys and the cgroup tree writable when privileged), the
// init binary at `init_path` when that is not empty, then the tmpfs mounts
// and the bind mounts of mountPoints, parents before what is mounted in
// them. kInvalidArgument / kFailedPrecondition as GenerateBundleSpec.
Result<nlohmann::json> BundleMounts(const BundleSpecInput& input, const std::string& init_path);

struct BundleDevices {
  nlohmann::json nodes = nlohmann::json::array();   // linux.devices
  nlohmann::json cgroup = nlohmann::json::array();  // linux.resources.devices
};

// Deny all (allow all when privileged), then one node and one allow rule per
// linuxParameters.devices entry. kInvalidArgument as GenerateBundleSpec.
Result<BundleDevices> BundleDeviceRules(const BundleSpecInput& input);

}  // namespace barge::executor
