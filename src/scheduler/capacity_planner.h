#pragma once
// PlanCapacity: how much capacity one MANAGED compute environment should add,
// and of which instance types, as a pure function of what waits and what the
// environment has. The fleet controller (control/fleet_controller.h) calls it
// every tick and hands the launches to a provider; same inputs, same output.
//
// The pass:
//  1. The waiting jobs (RUNNABLE jobs of the queues that use the environment,
//     in the order they are served) first take the free capacity of the
//     instances the environment has (running or still launching, and
//     accepting work), first fit: those need nothing new.
//  2. The rest are packed onto new instances. Each new instance's type is the
//     candidate with the lowest price per vCPU the instance would actually
//     use, when the remaining jobs are packed onto one instance of it, first
//     fit, in order (ties: fewer vCPUs, then name). So a lone 2-vCPU job gets
//     a small instance, and 40 of them a large one when that is cheaper per
//     vCPU in use. Jobs that no candidate type can hold even empty are
//     `unfit` (the caller gives them AWS's MISCONFIGURATION reason).
//  3. Bounds. vCPUs never go past maxvCpus, except as the strategy allows:
//     - BEST_FIT: only the best type, and only when it fits in the room left
//       (maxvCpus minus the vCPUs the environment has); when it does not, the
//       environment waits rather than exceed or fall back.
//     - BEST_FIT_PROGRESSIVE: any type that fits in the room left, the
//       next-best when the best does not; when none does but room is left,
//       one instance of the smallest type that holds the next job (maxvCpus
//       exceeded by one instance at most, as AWS allows).
//     - SPOT_CAPACITY_OPTIMIZED: like BEST_FIT_PROGRESSIVE, choosing among
//       the pools of the lowest interruption band first (then by price).
//     - SPOT_PRICE_CAPACITY_OPTIMIZED: like BEST_FIT_PROGRESSIVE, choosing
//       the lowest price among the pools whose band is at most one above the
//       lowest band any candidate for that instance has.
//     With SPOT capacity, a type whose spot price is above bidPercentage % of
//     its on-demand price is not a candidate. Below minvCpus the environment
//     adds the cheapest-per-vCPU instances until it reaches it, jobs or not.
//  4. desired_vcpus: the vCPUs the environment has plus those launched,
//     raised to minvCpus, and never above maxvCpus except by the one
//     instance the progressive and spot strategies may add.
//
// When scale-out is off (the environment is DISABLED) only step 3's minvCpus
// rule launches anything.
//
// How the rules above are read where they leave room (an AWS Batch user's
// expectations decided each):
//  - Serving order. Every new instance's type must hold the first job still
//    waiting (the "next job"); the price comparison of step 2 is among those
//    types. So when the bounds cut capacity short, the jobs served first get
//    it, and a GPU job at the head is not starved by the CPU jobs behind it.
//    A job that only pools above the bid could hold waits (still_waiting);
//    the jobs after it may still get instances.
//  - Price per vCPU in use: the packed jobs' millicpus / 1000, so fractional
//    vCPUs count as such. Memory- or GPU-bound jobs pack fewer to an
//    instance, so the metric favours the types shaped like them. Costs
//    within a relative 1e-9 are ties (in-family prices are linear).
//  - BEST_FIT: a type larger than maxvCpus is never a candidate (it could
//    never launch). The best type holding the next job is chosen among the
//    rest; if it exceeds the room left, nothing more launches this pass.
//  - unfit: the jobs no candidate holds even empty, plus the jobs asking more
//    vCPUs than maxvCpus (for BEST_FIT, candidates larger than maxvCpus do not
//    count). The caller tells AWS's two reasons apart by the request:
//    COMPUTE_ENVIRONMENT_MAX_RESOURCE when it exceeds maxvCpus, else
//    JOB_RESOURCE_REQUIREMENT. The bid does not make a job unfit: a spot price
//    above it may drop.
//  - The band window of SPOT_PRICE_CAPACITY_OPTIMIZED and the band order of
//    SPOT_CAPACITY_OPTIMIZED are over the types that could be launched for
//    this instance (within the bid, holding the next job, fitting the room),
//    not over every candidate: a low-band pool too small for the job must not
//    keep it waiting. The one instance past maxvCpus is the type with the
//    fewest vCPUs that holds the next job, ties broken in the strategy's order.
//  - SPOT_* strategies with on-demand capacity (which AWS rejects) act as
//    BEST_FIT_PROGRESSIVE; an unknown strategy as BEST_FIT.
//  - minvCpus is filled after the jobs, one instance at a time, by the lowest
//    price per vCPU of the shortfall it fills (min(type vCPUs, shortfall)):
//    a shortfall of 2 gets a 2-vCPU type, not a cheaper-per-vCPU 16-vCPU
//    one. The strategy's band rules apply. It uses only types that fit the
//    room left; past that the progressive and spot strategies add their one
//    instance past maxvCpus (shared with the jobs: one per pass), BEST_FIT
//    adds nothing. Waiting jobs are packed onto these instances too, so they
//    do not count in still_waiting.
//  - desired_vcpus is max(minvCpus, vCPUs the environment has + launched):
//    never below what the environment has, even when maxvCpus was lowered
//    below it. Removing idle instances is the controller's call, and a
//    clamp would ask it to remove the instance this pass put past maxvCpus
//    while it is still launching.
//  - "First fit" onto a new instance looks a bounded way past the jobs that
//    do not fit: it stops once nothing still waiting fits the instance, or
//    after 32 requests that did not fit (equal consecutive requests count
//    once). A small job far down the list then gets a later instance rather
//    than the last gap of this one; without the bound, every instance of
//    every type would walk the whole list. Equal consecutive requests are
//    served together, so an array job of 10,000 children costs about what
//    one job does; 20,000 jobs of all-different shapes with 64 candidate
//    types plan in about 0.1 s (Release build).
//  - Candidates with no vCPUs are ignored.
//
// Thread-safety: a pure function; any thread.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/instance_type.h"
#include "core/job.h"

namespace barge::scheduler {

struct CapacityInput {
  // The environment's candidate instance types (InstanceCatalog::Resolve).
  std::vector<InstanceType> candidates{};
  // BEST_FIT (also when empty), BEST_FIT_PROGRESSIVE, SPOT_CAPACITY_OPTIMIZED,
  // SPOT_PRICE_CAPACITY_OPTIMIZED.
  std::string allocation_strategy{};
  CapacityType capacity = CapacityType::kOnDemand;
  int32_t bid_percentage = 100;  // SPOT only: the most, in % of on-demand, to pay.
  int32_t min_vcpus = 0;
  int32_t max_vcpus = 0;
  // vCPUs of every instance the environment has that is not terminated
  // (launching, running or draining).
  int32_t current_vcpus = 0;
  // Free capacity of each instance that is launching or running and
  // accepting work.
  std::vector<Resources> free{};
  // Requests of the waiting jobs, in the order they are served.
  std::vector<Resources> waiting{};
  bool scale_out = true;  // False while the environment is DISABLED.
};

struct PlannedLaunch {
  InstanceType type{};
  CapacityType capacity = CapacityType::kOnDemand;
  int32_t count = 0;
};

struct CapacityPlan {
  std::vector<PlannedLaunch> launches{};  // One entry per type, in the order first chosen.
  int32_t desired_vcpus = 0;
  // Indices into CapacityInput::waiting of the jobs no candidate can hold.
  std::vector<size_t> unfit{};
  // Waiting jobs that neither fit the free capacity nor got an instance
  // (bounds reached, or no candidate within the bid).
  size_t still_waiting = 0;
};

CapacityPlan PlanCapacity(const CapacityInput& input);

// Whether for every one of `requests` a candidate could hold it within
// maxvCpus: PlanCapacity gives a waiting job none can hold a place in
// `unfit` instead of capacity. (The waiting jobs and free capacity of
// `input` play no part.)
bool AllHoldable(const CapacityInput& input, std::span<const Resources> requests);

// Whether PlanCapacity could launch anything for `input`: not once the
// environment holds maxvCpus or more, whatever waits (instances go only into
// room left below maxvCpus, BEST_FIT_PROGRESSIVE's one past it included).
// Without launches a plan's desired_vcpus is max(current_vcpus, min_vcpus),
// and its `unfit` is empty when every waiting job is holdable: a caller that
// knows so needs neither the waiting jobs nor the free capacity.
bool MayLaunch(const CapacityInput& input);

// Whether PlanCapacity's plan for `input` could be anything but "launch
// nothing, desired_vcpus max(current_vcpus, min_vcpus), nothing unfit",
// when `requests` are the distinct requests with vCPUs of every job waiting
// (jobs without vCPUs wait for no capacity). Not when nothing waits and
// minvCpus is held, nor at maxvCpus while every request is holdable: a
// caller told so needs neither the waiting jobs nor the free capacity. (The
// waiting jobs and free capacity of `input` play no part.)
bool NeedsPlan(const CapacityInput& input, std::span<const Resources> requests);

}  // namespace barge::scheduler
