#pragma once
// SimulatedProvider: the provider of `barge simulate`. Launching an instance
// costs nothing but time: its agent is due to join `launch_delay` (virtual
// time) after the controller asked, and the simulation's event loop plays
// that agent (sim/simulated_agents.h). SPOT instances are interrupted by the
// fleet controller's own spot model (models_spot_interruptions() is true),
// exactly as for the local provider.
//
// Owned by the Simulation; its thread only. Launch and Terminate call their
// callbacks at once.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "fleet/provider.h"

namespace barge::sim {

// An instance whose agent is due to join.
struct PendingJoin {
  Timestamp at{};
  std::string instance_id{};
  std::string compute_environment{};
  InstanceType type{};
};

class SimulatedProvider final : public fleet::Provider {
 public:
  static constexpr const char* kName = "sim";

  SimulatedProvider(const Clock& clock, Duration launch_delay)  // Clock not owned.
      : clock_(clock), launch_delay_(launch_delay) {}

  std::string name() const override { return kName; }
  bool models_spot_interruptions() const override { return true; }
  void Launch(const fleet::LaunchRequest& request, LaunchDone done) override;
  void Terminate(const std::vector<Instance>& instances, TerminateDone done) override;
  bool StillExists(const Instance&) override { return true; }
  std::vector<fleet::LostInstance> TakeLost() override { return {}; }

  // When the next agent is due to join; nullopt when none is.
  std::optional<Timestamp> NextJoin() const;
  // The joins due at or before `now`, in the order they were launched, minus
  // those of instances terminated meanwhile.
  std::vector<PendingJoin> TakeJoinsDue(Timestamp now);
  // Instances terminated since the last call, in the order they were.
  std::vector<std::string> TakeTerminated() { return std::exchange(terminated_, {}); }

 private:
  const Clock& clock_;
  Duration launch_delay_;
  uint64_t next_sequence_ = 0;
  std::map<std::pair<Timestamp, uint64_t>, PendingJoin> joins_{};
  std::set<std::string> not_joined_{};  // Instance ids in joins_.
  std::vector<std::string> terminated_{};
};

}  // namespace barge::sim
