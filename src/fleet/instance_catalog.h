#pragma once
// InstanceCatalog: the instance types managed compute environments may
// launch, with their sizes and prices. barge ships one (data/instance-types.json,
// compiled into the binary: common AWS families with real us-east-1 figures);
// `barge server --instance-types FILE` replaces it with the user's own, for
// their own hardware.
//
// The file:
//   {
//     "optimalFamilies": ["c5", "m5", "r5"],      // what "optimal" means; optional
//     "instanceTypes": [
//       {"name": "c5.large", "vcpus": 2, "memoryMiB": 4096, "gpus": 0,
//        "architecture": "x86_64", "onDemandPricePerHour": 0.085,
//        "spotPricePerHour": 0.0361, "spotInterruption": "<5%"},   // family: before the '.'
//       ...
//     ]
//   }
// "family" may be given explicitly; "gpus" defaults to 0, "architecture" to
// x86_64, "spotPricePerHour" to the on-demand price and "spotInterruption"
// to "<5%".
//
// Immutable once built; any thread.
#include <string>
#include <string_view>
#include <vector>

#include "core/instance_type.h"
#include "core/result.h"

namespace barge::fleet {

class InstanceCatalog {
 public:
  // kInvalidArgument naming the entry (by index and name) and the field when
  // the JSON is malformed, a field has the wrong type or an impossible value
  // (vCPUs or memory not positive, negative price, unknown band), or a name
  // appears twice.
  static Result<InstanceCatalog> Parse(std::string_view json);
  // Parse of a file's contents; kNotFound when it cannot be read.
  static Result<InstanceCatalog> Load(const std::string& path);
  // The catalog compiled into barge (data/instance-types.json).
  static InstanceCatalog BuiltIn();

  // Sorted by (family, vcpus, name).
  const std::vector<InstanceType>& types() const { return types_; }
  const std::vector<std::string>& optimal_families() const { return optimal_families_; }
  // nullptr when unknown.
  const InstanceType* Find(std::string_view name) const;

  // A compute environment's instanceTypes as candidate types: exact names
  // ("c5.xlarge"), families ("c5": every size), "optimal" and
  // "default_x86_64" (the optimalFamilies' x86_64 types; every x86_64 type
  // when the file names none) and "default_arm64" (every arm64 type). An
  // empty list means "optimal". Sorted by (vcpus, on-demand price, name),
  // without duplicates. kInvalidArgument when a name matches nothing in the
  // catalog, or when the types mix architectures (AWS: one per environment).
  Result<std::vector<InstanceType>> Resolve(const std::vector<std::string>& names) const;

 private:
  InstanceCatalog(std::vector<InstanceType> types, std::vector<std::string> optimal_families);

  std::vector<InstanceType> types_;
  std::vector<std::string> optimal_families_;
};

}  // namespace barge::fleet
