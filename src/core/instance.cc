#include "core/instance.h"

namespace barge {

std::string_view ToString(InstanceState state) {
  switch (state) {
    case InstanceState::kLaunching:
      return "LAUNCHING";
    case InstanceState::kRunning:
      return "RUNNING";
    case InstanceState::kDraining:
      return "DRAINING";
    case InstanceState::kTerminated:
      return "TERMINATED";
  }
  return "TERMINATED";
}

std::optional<InstanceState> ParseInstanceState(std::string_view text) {
  for (InstanceState state : {InstanceState::kLaunching, InstanceState::kRunning,
                              InstanceState::kDraining, InstanceState::kTerminated}) {
    if (ToString(state) == text) return state;
  }
  return std::nullopt;
}

}  // namespace barge
