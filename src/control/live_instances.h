#pragma once
// LiveInstances: the fleet controller's copy of the live (not TERMINATED)
// managed instances, with the indexes a fleet tick needs so that it costs
// what changed, not the size of the fleet: the LAUNCHING instances (waiting
// for their agent), the reclaim times of spot instances under notice, and the
// vCPUs each environment holds. DueTimes is the (time, id) schedule behind
// the reclaim times, also used for when spot notices are due.
//
// Plain in-memory state; control thread only.
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "core/instance.h"
#include "core/string_hash.h"
#include "core/time.h"

namespace barge::control {

// At most one time per id; the ids due at a moment, earliest first.
class DueTimes {
 public:
  void Set(const std::string& id, Timestamp at);
  void Erase(const std::string& id);
  // Ids whose time is at or before `now`, by (time, id).
  std::vector<std::string> Due(Timestamp now) const;
  void Clear();

 private:
  std::map<std::string, Timestamp> at_{};
  std::set<std::pair<Timestamp, std::string>> order_{};
};

class LiveInstances {
 public:
  LiveInstances() = default;
  // Not copied: by_id_ points into instances_.
  LiveInstances(const LiveInstances&) = delete;
  LiveInstances& operator=(const LiveInstances&) = delete;

  // By id.
  const std::map<std::string, Instance>& all() const { return instances_; }
  const Instance* Find(const std::string& id) const;
  bool Contains(const std::string& id) const { return by_id_.contains(id); }

  // Keeps `instance` while it is live and drops it once it is TERMINATED.
  void Put(Instance instance);
  void Clear();

  // The LAUNCHING instances' ids, in id order.
  const std::set<std::string>& launching() const { return launching_; }
  // Instances under a spot notice whose reclaim time is at or before `now`.
  std::vector<std::string> ReclaimDue(Timestamp now) const { return reclaims_.Due(now); }
  // What the live instances of one environment hold.
  struct Totals {
    int32_t vcpus = 0;
    size_t instances = 0;
  };
  // Per environment that has live instances.
  const std::map<std::string, Totals>& by_environment() const { return by_environment_; }
  int32_t VcpusOf(const std::string& environment) const;

 private:
  void Unindex(const Instance& instance);

  std::map<std::string, Instance> instances_{};
  // The same instances by id (views of instances_' keys): Find is asked on
  // every attempt's events, and hashing an id once beats comparing it at
  // every level of a map of a thousand instances.
  absl::flat_hash_map<std::string_view, Instance*, StringHash> by_id_{};
  std::set<std::string> launching_{};
  DueTimes reclaims_{};
  std::map<std::string, Totals> by_environment_{};
};

}  // namespace barge::control
