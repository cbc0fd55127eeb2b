#include "scheduler/capacity_planner.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "scheduler/cluster_view.h"

namespace barge::scheduler {
namespace {

enum class Strategy {
  kBestFit,
  kBestFitProgressive,
  kSpotCapacityOptimized,
  kSpotPriceCapacityOptimized,
};

Strategy ParseStrategy(const std::string& text, CapacityType capacity) {
  // Interruption bands describe spot pools; on-demand capacity has none to
  // prefer, so the spot strategies keep only their progressive part there.
  const bool spot = capacity == CapacityType::kSpot;
  if (text == "BEST_FIT_PROGRESSIVE") return Strategy::kBestFitProgressive;
  if (text == "SPOT_CAPACITY_OPTIMIZED") {
    return spot ? Strategy::kSpotCapacityOptimized : Strategy::kBestFitProgressive;
  }
  if (text == "SPOT_PRICE_CAPACITY_OPTIMIZED") {
    return spot ? Strategy::kSpotPriceCapacityOptimized : Strategy::kBestFitProgressive;
  }
  return Strategy::kBestFit;  // AWS's default, and the one that never exceeds maxvCpus.
}

Resources Capacity(const InstanceType& type) {
  return {
      .millicpus = int64_t{type.vcpus} * 1000, .memory_mib = type.memory_mib, .gpus = type.gpus};
}

int64_t CopiesThatFit(const Resources& free, const Resources& request) {
  if (!Covers(free, request)) return 0;
  int64_t copies = std::numeric_limits<int64_t>::max();
  auto limit = [&copies](int64_t have, int64_t need) {
    if (need > 0) copies = std::min(copies, have / need);
  };
  limit(free.millicpus, request.millicpus);
  limit(free.memory_mib, request.memory_mib);
  limit(free.gpus, request.gpus);
  return copies;
}

void Take(Resources& free, const Resources& request, int64_t copies) {
  free.millicpus -= request.millicpus * copies;
  free.memory_mib -= request.memory_mib * copies;
  free.gpus -= request.gpus * copies;
}

// Consecutive waiting jobs with equal requests, served together. First fit of
// n equal jobs is "as many as fit, slot by slot", so an array of 10,000
// children costs one step per slot instead of one per child.
struct Run {
  Resources request{};
  size_t next_index = 0;  // In CapacityInput::waiting: the run's first job not yet served.
  int64_t count = 0;
};

std::vector<Run> ToRuns(const std::vector<Resources>& waiting) {
  std::vector<Run> runs;
  for (size_t i = 0; i < waiting.size(); ++i) {
    if (!runs.empty() && runs.back().request == waiting[i]) {
      ++runs.back().count;
    } else {
      runs.push_back({.request = waiting[i], .next_index = i, .count = 1});
    }
  }
  return runs;
}

// Step 1: first fit onto what the environment already has.
void ServeFromFree(std::vector<Resources> free, std::vector<Run>& runs) {
  // Slots only shrink, so a slot that cannot hold a request now never will:
  // each request shape resumes its first-fit search where the last run of
  // that shape stopped (a cursor per shape), and a fleet of a thousand
  // launching instances is walked about once per shape instead of once per
  // run. Shapes are few; past kMaxCursors a new shape searches from the start.
  constexpr size_t kMaxCursors = 32;
  std::vector<std::pair<Resources, size_t>> cursors;
  for (Run& run : runs) {
    auto cursor = std::ranges::find(cursors, run.request, &std::pair<Resources, size_t>::first);
    size_t from_start = 0;
    size_t& at = cursor != cursors.end()        ? cursor->second
                 : cursors.size() < kMaxCursors ? cursors.emplace_back(run.request, 0).second
                                                : from_start;
    while (run.count > 0 && at < free.size()) {
      Resources& slot = free[at];
      const int64_t copies = std::min(run.count, CopiesThatFit(slot, run.request));
      Take(slot, run.request, copies);
      run.count -= copies;
      run.next_index += static_cast<size_t>(copies);
      if (run.count > 0) ++at;  // The slot holds no more of this shape.
    }
  }
}

// The jobs step 2 still has to find instances for, and first-fit packing of
// them onto one new instance.
class Packing {
 public:
  explicit Packing(std::vector<Run> runs) : runs_(std::move(runs)) {
    bool first = true;
    for (const Run& run : runs_) {
      if (run.count == 0) continue;
      remaining_ += run.count;
      smallest_ = first ? run.request : ComponentMin(smallest_, run.request);
      first = false;
    }
    AdvanceCursor();
  }

  // The first job not yet served, or nullptr.
  const Run* head() const { return cursor_ < runs_.size() ? &runs_[cursor_] : nullptr; }

  // Jobs that got no capacity: not yet served, or left waiting.
  int64_t still_waiting() const { return remaining_ + left_waiting_; }

  // Millicpus the jobs would use on one empty instance of `capacity`.
  int64_t Simulate(const Resources& capacity) { return Fill(capacity, Mode::kSimulate); }

  // Puts the jobs onto one new instance of `capacity`.
  void Pack(const Resources& capacity) {
    Fill(capacity, Mode::kCommit);
    AdvanceCursor();
  }

  // The head's jobs get no instance this pass.
  void LeaveHeadWaiting() {
    left_waiting_ += runs_[cursor_].count;
    remaining_ -= runs_[cursor_].count;
    runs_[cursor_].count = 0;
    AdvanceCursor();
  }

 private:
  enum class Mode { kSimulate, kCommit };

  int64_t Fill(Resources free, Mode mode) {
    // Each instance would otherwise walk the whole list, for every type, to
    // find the one small job that fits its last gap: it stops when nothing
    // still waiting fits (smallest_ bounds every request from below), or
    // after kMaxMisses requests that do not fit. A job past that gets its
    // own instance later; the packing is first fit within that window.
    constexpr int kMaxMisses = 32;
    int misses = 0;
    int64_t used_millicpus = 0;
    for (size_t i = cursor_; i < runs_.size(); ++i) {
      if (!Covers(free, smallest_)) break;
      Run& run = runs_[i];
      if (run.count == 0) continue;
      const int64_t copies = std::min(run.count, CopiesThatFit(free, run.request));
      if (copies == 0) {
        if (++misses > kMaxMisses) break;
        continue;
      }
      Take(free, run.request, copies);
      used_millicpus += run.request.millicpus * copies;
      if (mode == Mode::kCommit) {
        run.count -= copies;
        run.next_index += static_cast<size_t>(copies);
        remaining_ -= copies;
      }
    }
    return used_millicpus;
  }

  void AdvanceCursor() {
    while (cursor_ < runs_.size() && runs_[cursor_].count == 0) ++cursor_;
  }

  std::vector<Run> runs_;
  size_t cursor_ = 0;
  Resources smallest_{};
  int64_t remaining_ = 0;
  int64_t left_waiting_ = 0;
};

// One instance type considered for the next launch.
struct Option {
  const InstanceType* type = nullptr;
  // What the instance would be used for: the jobs packed onto it, or the part
  // of the minvCpus shortfall it fills.
  int64_t used_millicpus = 0;
};

// The order in which a strategy prefers instance types.
class Preference {
 public:
  Preference(Strategy strategy, CapacityType capacity) : strategy_(strategy), capacity_(capacity) {}

  // The option to launch, or nullopt when `options` is empty.
  std::optional<Option> Best(const std::vector<Option>& options) const {
    int lowest_band = std::numeric_limits<int>::max();
    for (const Option& option : options) {
      lowest_band = std::min(lowest_band, static_cast<int>(option.type->interruption));
    }
    std::optional<Option> best;
    for (const Option& option : options) {
      if (strategy_ == Strategy::kSpotPriceCapacityOptimized &&
          static_cast<int>(option.type->interruption) > lowest_band + 1) {
        continue;
      }
      if (!best || Better(option, *best)) best = option;
    }
    return best;
  }

  // The option with the fewest vCPUs, ties by preference: the one instance
  // allowed past maxvCpus should overshoot as little as it can.
  std::optional<Option> Smallest(const std::vector<Option>& options) const {
    std::optional<Option> best;
    for (const Option& option : options) {
      if (!best || option.type->vcpus < best->type->vcpus ||
          (option.type->vcpus == best->type->vcpus && Better(option, *best))) {
        best = option;
      }
    }
    return best;
  }

 private:
  bool Better(const Option& a, const Option& b) const {
    if (strategy_ == Strategy::kSpotCapacityOptimized &&
        a.type->interruption != b.type->interruption) {
      return a.type->interruption < b.type->interruption;
    }
    const double a_price = PricePerUsedVcpu(a);
    const double b_price = PricePerUsedVcpu(b);
    // Prices within a family are linear, so equal costs per vCPU are common
    // and must not be split by rounding.
    if (std::fabs(a_price - b_price) > 1e-9 * std::max(a_price, b_price)) return a_price < b_price;
    if (a.type->vcpus != b.type->vcpus) return a.type->vcpus < b.type->vcpus;
    return a.type->name < b.type->name;
  }

  double PricePerUsedVcpu(const Option& option) const {
    // Jobs asking for no CPU at all (possible with hand-made requests) rank
    // by the instance price alone rather than divide by zero.
    const int64_t used = std::max<int64_t>(option.used_millicpus, 1);
    return option.type->PricePerHour(capacity_) * 1000.0 / static_cast<double>(used);
  }

  Strategy strategy_;
  CapacityType capacity_;
};

bool WithinBid(const InstanceType& type, const CapacityInput& input) {
  if (input.capacity != CapacityType::kSpot) return true;
  return type.spot_per_hour * 100.0 <= type.on_demand_per_hour * input.bid_percentage;
}

// One planning pass: steps 2 to 4 of the header, over the jobs step 1 left.
class CapacityPass {
 public:
  CapacityPass(const CapacityInput& input, Strategy strategy, Packing packing,
               std::vector<const InstanceType*> types)
      : input_(input),
        strategy_(strategy),
        preference_(strategy, input.capacity),
        packing_(std::move(packing)),
        total_vcpus_(input.current_vcpus) {
    for (const InstanceType* type : types) {
      if (WithinBid(*type, input)) eligible_.push_back(type);
    }
  }

  void LaunchForJobs() {
    while (const Run* head = packing_.head()) {
      const int64_t room = RoomLeft();
      if (room <= 0) return;
      // Every instance serves the first job still waiting, so the order the
      // queues serve jobs in is the order they get capacity when it is short.
      std::vector<Option> options;
      for (const InstanceType* type : eligible_) {
        const Resources capacity = Capacity(*type);
        if (Covers(capacity, head->request)) {
          options.push_back({.type = type, .used_millicpus = packing_.Simulate(capacity)});
        }
      }
      if (options.empty()) {
        // Only pools above the bid hold it. Those later in line may still fit.
        packing_.LeaveHeadWaiting();
        continue;
      }
      std::optional<Option> choice;
      if (strategy_ == Strategy::kBestFit) {
        choice = preference_.Best(options);
        // BEST_FIT waits for room for the type it chose; it never falls back.
        if (choice->type->vcpus > room) return;
      } else {
        choice = ChooseWithinRoom(options, room);
        if (!choice) return;
      }
      Launch(*choice->type);
    }
  }

  void LaunchToMinimum() {
    while (total_vcpus_ < input_.min_vcpus) {
      const int64_t shortfall = input_.min_vcpus - total_vcpus_;
      std::vector<Option> options;
      for (const InstanceType* type : eligible_) {
        options.push_back(
            {.type = type, .used_millicpus = std::min<int64_t>(type->vcpus, shortfall) * 1000});
      }
      // BEST_FIT falls back here too: waiting would never reach minvCpus.
      std::optional<Option> choice = ChooseWithinRoom(options, RoomLeft());
      if (!choice) return;
      Launch(*choice->type);
    }
  }

  CapacityPlan Finish(std::vector<size_t> unfit) {
    CapacityPlan plan;
    plan.launches = std::move(launches_);
    // Never below what the environment has: scaling in idle instances is the
    // controller's call, and an instance still launching is not idle.
    plan.desired_vcpus =
        static_cast<int32_t>(std::max<int64_t>(total_vcpus_, int64_t{input_.min_vcpus}));
    plan.unfit = std::move(unfit);
    plan.still_waiting = static_cast<size_t>(packing_.still_waiting());
    return plan;
  }

 private:
  int64_t RoomLeft() const { return int64_t{input_.max_vcpus} - total_vcpus_; }

  // The preferred option that fits in `room`; failing that, for every
  // strategy but BEST_FIT, the smallest one, once: it is the instance AWS
  // lets these strategies put past maxvCpus (afterwards no room is left).
  std::optional<Option> ChooseWithinRoom(const std::vector<Option>& options, int64_t room) const {
    std::vector<Option> fitting;
    std::ranges::copy_if(options, std::back_inserter(fitting),
                         [room](const Option& option) { return option.type->vcpus <= room; });
    if (!fitting.empty()) return preference_.Best(fitting);
    if (strategy_ == Strategy::kBestFit || room <= 0) return std::nullopt;
    return preference_.Smallest(options);
  }

  void Launch(const InstanceType& type) {
    packing_.Pack(Capacity(type));
    total_vcpus_ += type.vcpus;
    auto same = std::ranges::find_if(
        launches_, [&](const PlannedLaunch& launch) { return launch.type.name == type.name; });
    if (same != launches_.end()) {
      ++same->count;
    } else {
      launches_.push_back({.type = type, .capacity = input_.capacity, .count = 1});
    }
  }

  const CapacityInput& input_;
  Strategy strategy_;
  Preference preference_;
  Packing packing_;
  std::vector<const InstanceType*> eligible_;
  int64_t total_vcpus_ = 0;
  std::vector<PlannedLaunch> launches_;
};

// The candidates a plan may launch: BEST_FIT never exceeds maxvCpus, so a
// type larger than it can never be launched there.
std::vector<const InstanceType*> LaunchableTypes(const CapacityInput& input, Strategy strategy) {
  const bool best_fit = strategy == Strategy::kBestFit;
  std::vector<const InstanceType*> types;
  for (const InstanceType& type : input.candidates) {
    if (type.vcpus > 0 && (!best_fit || type.vcpus <= input.max_vcpus)) types.push_back(&type);
  }
  return types;
}

// The bid is left out on purpose: a pool above it is a price that may drop,
// not a misconfiguration.
bool HoldableBy(const std::vector<const InstanceType*>& types, int32_t max_vcpus,
                const Resources& request) {
  return request.millicpus <= int64_t{max_vcpus} * 1000 &&
         std::ranges::any_of(
             types, [&](const InstanceType* type) { return Covers(Capacity(*type), request); });
}

}  // namespace

bool AllHoldable(const CapacityInput& input, std::span<const Resources> requests) {
  const Strategy strategy = ParseStrategy(input.allocation_strategy, input.capacity);
  const std::vector<const InstanceType*> types = LaunchableTypes(input, strategy);
  return std::ranges::all_of(requests, [&](const Resources& request) {
    return HoldableBy(types, input.max_vcpus, request);
  });
}

bool MayLaunch(const CapacityInput& input) {
  // Both LaunchForJobs and LaunchToMinimum launch only into room left
  // (BEST_FIT_PROGRESSIVE's one instance past maxvCpus too).
  return input.current_vcpus < input.max_vcpus;
}

bool NeedsPlan(const CapacityInput& input, std::span<const Resources> requests) {
  // Nothing to launch for, nor up to: LaunchToMinimum launches only below minvCpus.
  if (requests.empty() && input.current_vcpus >= input.min_vcpus) return false;
  return MayLaunch(input) || !AllHoldable(input, requests);
}

CapacityPlan PlanCapacity(const CapacityInput& input) {
  std::vector<Run> runs = ToRuns(input.waiting);
  ServeFromFree(input.free, runs);

  const Strategy strategy = ParseStrategy(input.allocation_strategy, input.capacity);
  std::vector<const InstanceType*> types = LaunchableTypes(input, strategy);
  std::vector<size_t> unfit;
  for (Run& run : runs) {
    if (run.count == 0) continue;
    if (HoldableBy(types, input.max_vcpus, run.request)) continue;
    for (int64_t i = 0; i < run.count; ++i) {
      unfit.push_back(run.next_index + static_cast<size_t>(i));
    }
    run.count = 0;
  }

  CapacityPass pass(input, strategy, Packing(std::move(runs)), std::move(types));
  if (input.scale_out) pass.LaunchForJobs();
  pass.LaunchToMinimum();
  return pass.Finish(std::move(unfit));
}

}  // namespace barge::scheduler
