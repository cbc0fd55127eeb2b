#include "scheduler/capacity_planner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace barge::scheduler {
namespace {

InstanceType Type(std::string name, int32_t vcpus, int64_t memory_mib, double on_demand,
                  double spot, InterruptionBand band, int32_t gpus = 0) {
  std::string family = name.substr(0, name.find('.'));
  return {.name = std::move(name),
          .family = std::move(family),
          .vcpus = vcpus,
          .memory_mib = memory_mib,
          .gpus = gpus,
          .architecture = "x86_64",
          .on_demand_per_hour = on_demand,
          .spot_per_hour = spot,
          .interruption = band};
}

InstanceType C5Large() {
  return Type("c5.large", 2, 4096, 0.085, 0.035, InterruptionBand::kUnder5);
}
InstanceType C5Xlarge() {
  return Type("c5.xlarge", 4, 8192, 0.17, 0.07, InterruptionBand::kUnder5);
}
InstanceType C52xlarge() {
  return Type("c5.2xlarge", 8, 16384, 0.34, 0.14, InterruptionBand::k5To10);
}
InstanceType C54xlarge() {
  return Type("c5.4xlarge", 16, 32768, 0.68, 0.25, InterruptionBand::k10To15);
}
InstanceType M5Large() { return Type("m5.large", 2, 8192, 0.096, 0.03, InterruptionBand::k5To10); }
InstanceType R5Large() { return Type("r5.large", 2, 16384, 0.126, 0.05, InterruptionBand::k5To10); }
// Cheaper per vCPU than any c5 when full: 0.612 / 16 = 0.03825 < 0.085 / 2.
InstanceType C6a4xlarge() {
  return Type("c6a.4xlarge", 16, 32768, 0.612, 0.2, InterruptionBand::k5To10);
}
// The cheapest spot pool, but often interrupted.
InstanceType C5aLarge() {
  return Type("c5a.large", 2, 4096, 0.077, 0.02, InterruptionBand::k15To20);
}
InstanceType G4dnXlarge() {
  return Type("g4dn.xlarge", 4, 16384, 0.526, 0.158, InterruptionBand::kUnder5, 1);
}

std::vector<InstanceType> C5Family() { return {C5Large(), C5Xlarge(), C52xlarge(), C54xlarge()}; }

std::vector<InstanceType> Catalog() {
  std::vector<InstanceType> types = C5Family();
  types.push_back(M5Large());
  types.push_back(G4dnXlarge());
  return types;
}

std::vector<InstanceType> With(std::vector<InstanceType> types, InstanceType extra) {
  types.push_back(std::move(extra));
  return types;
}

Resources Cpu(int64_t vcpus, int64_t memory_mib = 2048, int64_t gpus = 0) {
  return {.millicpus = vcpus * 1000, .memory_mib = memory_mib, .gpus = gpus};
}

std::vector<Resources> Jobs(size_t count, Resources request = Cpu(2)) {
  return std::vector<Resources>(count, request);
}

// "type xcount" per launch, in order.
std::vector<std::string> Launched(const CapacityPlan& plan) {
  std::vector<std::string> out;
  for (const PlannedLaunch& launch : plan.launches) {
    out.push_back(launch.type.name + " x" + std::to_string(launch.count));
  }
  return out;
}

using Names = std::vector<std::string>;
using Indices = std::vector<size_t>;

TEST(CapacityPlannerTest, NothingWaitingLaunchesNothingAndDesiredIsMinOrCurrent) {
  CapacityInput input{.candidates = Catalog(), .min_vcpus = 4, .max_vcpus = 64, .current_vcpus = 8};

  CapacityPlan plan = PlanCapacity(input);

  EXPECT_TRUE(plan.launches.empty());
  EXPECT_EQ(plan.desired_vcpus, 8);
  EXPECT_TRUE(plan.unfit.empty());
  EXPECT_EQ(plan.still_waiting, 0u);
}

TEST(CapacityPlannerTest, JobsThatFitTheFreeCapacityLaunchNothing) {
  CapacityInput input{.candidates = Catalog(),
                      .max_vcpus = 64,
                      .current_vcpus = 4,
                      .free = {Cpu(4, 8192)},
                      .waiting = Jobs(2)};

  CapacityPlan plan = PlanCapacity(input);

  EXPECT_TRUE(plan.launches.empty());
  EXPECT_EQ(plan.desired_vcpus, 4);
  EXPECT_EQ(plan.still_waiting, 0u);
}

TEST(CapacityPlannerTest, FreeCapacityIsUsedBeforeNewInstances) {
  CapacityInput input{.candidates = Catalog(),
                      .max_vcpus = 64,
                      .current_vcpus = 2,
                      .free = {Cpu(2, 4096)},
                      .waiting = Jobs(3)};

  CapacityPlan plan = PlanCapacity(input);

  EXPECT_EQ(Launched(plan), Names({"c5.large x2"}));
  EXPECT_EQ(plan.desired_vcpus, 6);
  EXPECT_EQ(plan.still_waiting, 0u);
}

TEST(CapacityPlannerTest, LoneTwoVcpuJobGetsTheCheapestSmallInstance) {
  CapacityInput input{
      .candidates = With(Catalog(), C6a4xlarge()), .max_vcpus = 64, .waiting = Jobs(1)};

  CapacityPlan plan = PlanCapacity(input);

  // c5.large: 0.085 / 2 = 0.0425 per vCPU in use; c6a.4xlarge: 0.612 / 2 = 0.306.
  EXPECT_EQ(Launched(plan), Names({"c5.large x1"}));
  EXPECT_EQ(plan.launches[0].capacity, CapacityType::kOnDemand);
  EXPECT_EQ(plan.desired_vcpus, 2);
}

TEST(CapacityPlannerTest, ManyJobsGetALargerTypeWhenItIsCheaperPerVcpuInUse) {
  CapacityInput input{
      .candidates = With(Catalog(), C6a4xlarge()), .max_vcpus = 256, .waiting = Jobs(40)};

  CapacityPlan plan = PlanCapacity(input);

  // 8 jobs of 2 vCPU fill a c6a.4xlarge: 0.612 / 16 = 0.03825 < 0.0425. 40 / 8 = 5.
  EXPECT_EQ(Launched(plan), Names({"c6a.4xlarge x5"}));
  EXPECT_EQ(plan.desired_vcpus, 80);
  EXPECT_EQ(plan.still_waiting, 0u);
}

TEST(CapacityPlannerTest, EqualCostPerVcpuTiesGoToFewerVcpus) {
  CapacityInput input{.candidates = C5Family(), .max_vcpus = 64, .waiting = Jobs(4)};

  CapacityPlan plan = PlanCapacity(input);

  // c5.large, c5.xlarge and c5.2xlarge all cost 0.0425 per vCPU when full.
  EXPECT_EQ(Launched(plan), Names({"c5.large x4"}));
  EXPECT_EQ(plan.desired_vcpus, 8);
}

TEST(CapacityPlannerTest, BestFitWaitsRatherThanExceedMaxvCpus) {
  CapacityInput input{.candidates = With(C5Family(), C6a4xlarge()),
                      .allocation_strategy = "BEST_FIT",
                      .max_vcpus = 24,
                      .waiting = Jobs(40)};

  CapacityPlan plan = PlanCapacity(input);

  // One c6a.4xlarge (16 vCPU, 8 jobs); the next would need 32 > 24, so the
  // other 32 jobs wait instead of falling back to c5s.
  EXPECT_EQ(Launched(plan), Names({"c6a.4xlarge x1"}));
  EXPECT_EQ(plan.desired_vcpus, 16);
  EXPECT_EQ(plan.still_waiting, 32u);
}

TEST(CapacityPlannerTest, BestFitIgnoresTypesLargerThanMaxvCpus) {
  CapacityInput input{
      .candidates = With(C5Family(), C6a4xlarge()), .max_vcpus = 8, .waiting = Jobs(40)};

  CapacityPlan plan = PlanCapacity(input);

  // The 16-vCPU types can never launch under max 8; the c5s up to 8 tie.
  EXPECT_EQ(Launched(plan), Names({"c5.large x4"}));
  EXPECT_EQ(plan.desired_vcpus, 8);
  EXPECT_EQ(plan.still_waiting, 36u);
}

TEST(CapacityPlannerTest, BestFitProgressiveFallsBackToASmallerType) {
  CapacityInput input{.candidates = With(C5Family(), C6a4xlarge()),
                      .allocation_strategy = "BEST_FIT_PROGRESSIVE",
                      .max_vcpus = 24,
                      .waiting = Jobs(40)};

  CapacityPlan plan = PlanCapacity(input);

  // 16 vCPU of c6a.4xlarge (8 jobs), then the 8 vCPU left as 4 c5.large (4 jobs).
  EXPECT_EQ(Launched(plan), Names({"c6a.4xlarge x1", "c5.large x4"}));
  EXPECT_EQ(plan.desired_vcpus, 24);
  EXPECT_EQ(plan.still_waiting, 28u);
}

TEST(CapacityPlannerTest, BestFitProgressiveExceedsMaxvCpusByOneInstanceAtMost) {
  CapacityInput input{.candidates = C5Family(),
                      .allocation_strategy = "BEST_FIT_PROGRESSIVE",
                      .max_vcpus = 9,
                      .waiting = Jobs(100)};

  CapacityPlan plan = PlanCapacity(input);

  // 4 c5.large fill 8 of 9 vCPUs; 1 vCPU of room is left, which no type fits,
  // so one more c5.large (the smallest) goes 1 past max, and then no more.
  EXPECT_EQ(Launched(plan), Names({"c5.large x5"}));
  EXPECT_EQ(plan.desired_vcpus, 10);
  EXPECT_EQ(plan.still_waiting, 95u);
}

TEST(CapacityPlannerTest, BestFitNeverExceedsMaxvCpusForTheLastVcpu) {
  CapacityInput input{.candidates = C5Family(), .max_vcpus = 9, .waiting = Jobs(100)};

  CapacityPlan plan = PlanCapacity(input);

  EXPECT_EQ(Launched(plan), Names({"c5.large x4"}));
  EXPECT_EQ(plan.desired_vcpus, 8);
  EXPECT_EQ(plan.still_waiting, 96u);
}

TEST(CapacityPlannerTest, SpotCapacityOptimizedPicksTheLowestBandEvenIfPricier) {
  CapacityInput input{.candidates = With(Catalog(), C5aLarge()),
                      .allocation_strategy = "SPOT_CAPACITY_OPTIMIZED",
                      .capacity = CapacityType::kSpot,
                      .max_vcpus = 64,
                      .waiting = Jobs(1)};

  CapacityPlan plan = PlanCapacity(input);

  // c5.large (<5%, 0.035) over m5.large (5-10%, 0.03) and c5a.large (15-20%, 0.02).
  EXPECT_EQ(Launched(plan), Names({"c5.large x1"}));
  EXPECT_EQ(plan.launches[0].capacity, CapacityType::kSpot);
}

TEST(CapacityPlannerTest, SpotPriceCapacityOptimizedPicksTheCheapestAmongTheLowBands) {
  CapacityInput input{.candidates = With(Catalog(), C5aLarge()),
                      .allocation_strategy = "SPOT_PRICE_CAPACITY_OPTIMIZED",
                      .capacity = CapacityType::kSpot,
                      .max_vcpus = 64,
                      .waiting = Jobs(1)};

  CapacityPlan plan = PlanCapacity(input);

  // Lowest band <5%, so <5% and 5-10% pools compete: m5.large at 0.03 wins;
  // c5a.large at 0.02 is 15-20%, outside the window.
  EXPECT_EQ(Launched(plan), Names({"m5.large x1"}));
}

TEST(CapacityPlannerTest, SpotWithoutABandStrategyPicksTheCheapestPool) {
  CapacityInput input{.candidates = With(Catalog(), C5aLarge()),
                      .allocation_strategy = "BEST_FIT_PROGRESSIVE",
                      .capacity = CapacityType::kSpot,
                      .max_vcpus = 64,
                      .waiting = Jobs(1)};

  CapacityPlan plan = PlanCapacity(input);

  EXPECT_EQ(Launched(plan), Names({"c5a.large x1"}));
}

TEST(CapacityPlannerTest, BandWindowIsAmongTypesThatHoldTheJob) {
  CapacityInput input{.candidates = {C5Large(), C54xlarge()},
                      .allocation_strategy = "SPOT_PRICE_CAPACITY_OPTIMIZED",
                      .capacity = CapacityType::kSpot,
                      .max_vcpus = 64,
                      .waiting = {Cpu(8, 16000)}};

  CapacityPlan plan = PlanCapacity(input);

  // c5.large (<5%) is too small; c5.4xlarge (10-15%) is the lowest band that
  // holds the job, so the job is not kept waiting by the small pool's band.
  EXPECT_EQ(Launched(plan), Names({"c5.4xlarge x1"}));
  EXPECT_EQ(plan.still_waiting, 0u);
}

TEST(CapacityPlannerTest, BidPercentageExcludesPoolsAboveTheBid) {
  CapacityInput input{.candidates = C5Family(),
                      .capacity = CapacityType::kSpot,
                      .bid_percentage = 40,
                      .max_vcpus = 64,
                      .waiting = Jobs(1)};

  CapacityPlan plan = PlanCapacity(input);

  // c5.large..2xlarge bid 0.035 / 0.085 = 41% > 40%; c5.4xlarge 0.25 / 0.68 = 37%.
  EXPECT_EQ(Launched(plan), Names({"c5.4xlarge x1"}));
  EXPECT_EQ(plan.desired_vcpus, 16);
}

TEST(CapacityPlannerTest, NothingLaunchesWhenEveryPoolIsAboveTheBid) {
  CapacityInput input{.candidates = C5Family(),
                      .capacity = CapacityType::kSpot,
                      .bid_percentage = 30,
                      .max_vcpus = 64,
                      .current_vcpus = 4,
                      .waiting = Jobs(3)};

  CapacityPlan plan = PlanCapacity(input);

  EXPECT_TRUE(plan.launches.empty());
  EXPECT_EQ(plan.desired_vcpus, 4);
  EXPECT_TRUE(plan.unfit.empty());
  EXPECT_EQ(plan.still_waiting, 3u);
}

TEST(CapacityPlannerTest, MinvCpusIsReachedWithNothingWaiting) {
  CapacityInput input{.candidates = With(Catalog(), C6a4xlarge()), .min_vcpus = 6, .max_vcpus = 64};

  CapacityPlan plan = PlanCapacity(input);

  // Shortfall 6: c5.large 0.085 / 2 = c5.xlarge 0.17 / 4 = 0.0425 (tie: fewer
  // vCPUs), c5.2xlarge 0.34 / 6, c6a.4xlarge 0.612 / 6. Then 4, then 2.
  EXPECT_EQ(Launched(plan), Names({"c5.large x3"}));
  EXPECT_EQ(plan.desired_vcpus, 6);
}

TEST(CapacityPlannerTest, MinvCpusIsReachedEvenWhenScaleOutIsOff) {
  CapacityInput input{.candidates = Catalog(),
                      .min_vcpus = 4,
                      .max_vcpus = 64,
                      .waiting = Jobs(10),
                      .scale_out = false};

  CapacityPlan plan = PlanCapacity(input);

  // Two c5.large for minvCpus; each holds one waiting job.
  EXPECT_EQ(Launched(plan), Names({"c5.large x2"}));
  EXPECT_EQ(plan.desired_vcpus, 4);
  EXPECT_EQ(plan.still_waiting, 8u);
}

TEST(CapacityPlannerTest, ScaleOutOffLaunchesNothingForWaitingJobs) {
  CapacityInput input{.candidates = Catalog(),
                      .max_vcpus = 64,
                      .current_vcpus = 2,
                      .waiting = Jobs(3),
                      .scale_out = false};

  CapacityPlan plan = PlanCapacity(input);

  EXPECT_TRUE(plan.launches.empty());
  EXPECT_EQ(plan.desired_vcpus, 2);
  EXPECT_EQ(plan.still_waiting, 3u);
}

TEST(CapacityPlannerTest, JobLargerThanEveryCandidateIsUnfitAndNotWaiting) {
  CapacityInput input{.candidates = C5Family(),
                      .max_vcpus = 256,
                      .waiting = {Cpu(2), Cpu(64), Cpu(1, 1024, 1), Cpu(2)}};

  CapacityPlan plan = PlanCapacity(input);

  EXPECT_EQ(plan.unfit, Indices({1, 2}));
  EXPECT_EQ(Launched(plan), Names({"c5.large x2"}));
  EXPECT_EQ(plan.still_waiting, 0u);
}

TEST(CapacityPlannerTest, JobAskingMoreVcpusThanMaxvCpusIsUnfit) {
  CapacityInput input{.candidates = C5Family(),
                      .allocation_strategy = "BEST_FIT_PROGRESSIVE",
                      .max_vcpus = 8,
                      .waiting = {Cpu(12)}};

  CapacityPlan plan = PlanCapacity(input);

  EXPECT_EQ(plan.unfit, Indices({0}));
  EXPECT_TRUE(plan.launches.empty());
  EXPECT_EQ(plan.still_waiting, 0u);
}

TEST(CapacityPlannerTest, AtMaxvCpusNothingLaunchesWhateverWaits) {
  for (const char* strategy : {"BEST_FIT", "BEST_FIT_PROGRESSIVE"}) {
    CapacityInput input{.candidates = Catalog(),
                        .allocation_strategy = strategy,
                        .min_vcpus = 12,
                        .max_vcpus = 8,
                        .current_vcpus = 8,
                        .waiting = Jobs(20)};
    EXPECT_FALSE(MayLaunch(input)) << strategy;

    CapacityPlan plan = PlanCapacity(input);

    EXPECT_TRUE(plan.launches.empty()) << strategy;
    EXPECT_EQ(plan.desired_vcpus, 12) << strategy;  // max(current, min)
    input.current_vcpus = 6;
    EXPECT_TRUE(MayLaunch(input)) << strategy;
    EXPECT_FALSE(PlanCapacity(input).launches.empty()) << strategy;
  }
}

TEST(CapacityPlannerTest, HoldableIsWhatThePlanDoesNotCallUnfit) {
  // 4 vCPUs and 20,000 MiB: only a c5.4xlarge (16 vCPUs) holds it, which
  // BEST_FIT may not launch under maxvCpus 8, BEST_FIT_PROGRESSIVE may.
  const std::vector<Resources> requests = {Cpu(2), Cpu(2, 65536), Cpu(9), Cpu(4, 20000)};
  for (const char* strategy : {"BEST_FIT", "BEST_FIT_PROGRESSIVE"}) {
    CapacityInput input{.candidates = C5Family(),
                        .allocation_strategy = strategy,
                        .max_vcpus = 8,
                        .waiting = requests};

    CapacityPlan plan = PlanCapacity(input);

    for (size_t i = 0; i < requests.size(); ++i) {
      bool unfit = std::ranges::find(plan.unfit, i) != plan.unfit.end();
      EXPECT_EQ(AllHoldable(input, std::span(&requests[i], 1)), !unfit)
          << strategy << " request " << i;
    }
  }
  CapacityInput best_fit{
      .candidates = C5Family(), .allocation_strategy = "BEST_FIT", .max_vcpus = 8};
  EXPECT_TRUE(AllHoldable(best_fit, std::vector<Resources>{Cpu(2)}));
  EXPECT_FALSE(AllHoldable(best_fit, std::vector<Resources>{Cpu(4, 20000)}));
  EXPECT_FALSE(AllHoldable(best_fit, std::vector<Resources>{Cpu(2), Cpu(4, 20000)}));
  best_fit.allocation_strategy = "BEST_FIT_PROGRESSIVE";
  EXPECT_TRUE(AllHoldable(best_fit, std::vector<Resources>{Cpu(4, 20000)}));
  EXPECT_TRUE(AllHoldable(best_fit, std::vector<Resources>{Cpu(2), Cpu(4, 20000)}));
}

TEST(CapacityPlannerTest, APlanIsNeededOnlyWhenItCouldLaunchOrFindAJobUnfit) {
  CapacityInput input{
      .candidates = C5Family(), .allocation_strategy = "BEST_FIT", .min_vcpus = 4, .max_vcpus = 8};
  const std::vector<Resources> none;
  const std::vector<Resources> small = {Cpu(2)};
  const std::vector<Resources> too_wide = {Cpu(2), Cpu(4, 20000)};  // BEST_FIT holds no c5.4xlarge.

  input.current_vcpus = 4;  // minvCpus held, room below maxvCpus.
  EXPECT_FALSE(NeedsPlan(input, none));
  EXPECT_TRUE(NeedsPlan(input, small));
  input.current_vcpus = 2;  // Below minvCpus: launches up to it with nothing waiting.
  EXPECT_TRUE(NeedsPlan(input, none));
  EXPECT_FALSE(PlanCapacity(input).launches.empty());
  input.current_vcpus = 8;  // At maxvCpus: only an unfit job's reason is left to find.
  EXPECT_FALSE(NeedsPlan(input, small));
  EXPECT_TRUE(NeedsPlan(input, too_wide));

  // What NeedsPlan says is not needed, the plan confirms.
  input.current_vcpus = 4;
  input.waiting = {};
  CapacityPlan idle = PlanCapacity(input);
  EXPECT_TRUE(idle.launches.empty());
  EXPECT_EQ(idle.desired_vcpus, 4);
  EXPECT_TRUE(idle.unfit.empty());
  input.current_vcpus = 8;
  input.waiting = {Cpu(2), Cpu(2)};
  CapacityPlan full = PlanCapacity(input);
  EXPECT_TRUE(full.launches.empty());
  EXPECT_EQ(full.desired_vcpus, 8);
  EXPECT_TRUE(full.unfit.empty());
}

TEST(CapacityPlannerTest, GpuJobsOnlyGoToGpuTypes) {
  CapacityInput input{
      .candidates = Catalog(), .max_vcpus = 64, .waiting = {Cpu(2), Cpu(1, 4096, 1)}};

  CapacityPlan plan = PlanCapacity(input);

  EXPECT_EQ(Launched(plan), Names({"c5.large x1", "g4dn.xlarge x1"}));
  EXPECT_EQ(plan.desired_vcpus, 6);
}

TEST(CapacityPlannerTest, TheFirstJobInLineGetsCapacityFirstWhenItIsShort) {
  CapacityInput input{.candidates = Catalog(),
                      .allocation_strategy = "BEST_FIT_PROGRESSIVE",
                      .max_vcpus = 4,
                      .waiting = {Cpu(1, 4096, 1), Cpu(2), Cpu(2), Cpu(2)}};

  CapacityPlan plan = PlanCapacity(input);

  // The g4dn.xlarge takes the GPU job (1 vCPU) and one 2-vCPU job; 3 + 2 > 4.
  EXPECT_EQ(Launched(plan), Names({"g4dn.xlarge x1"}));
  EXPECT_EQ(plan.desired_vcpus, 4);
  EXPECT_EQ(plan.still_waiting, 2u);
}

TEST(CapacityPlannerTest, MemoryBoundJobsChooseByMemory) {
  CapacityInput input{
      .candidates = With(Catalog(), R5Large()), .max_vcpus = 64, .waiting = Jobs(4, Cpu(1, 12000))};

  CapacityPlan plan = PlanCapacity(input);

  // One 12000 MiB job per 16 GiB instance: r5.large 0.126 per vCPU in use,
  // c5.2xlarge 0.34, g4dn.xlarge 0.526; c5.4xlarge holds two: 0.68 / 2 = 0.34.
  // c5.large, c5.xlarge and m5.large have too little memory.
  EXPECT_EQ(Launched(plan), Names({"r5.large x4"}));
  EXPECT_EQ(plan.desired_vcpus, 8);
}

TEST(CapacityPlannerTest, SameInputGivesTheSamePlan) {
  std::vector<Resources> waiting;
  for (int i = 0; i < 60; ++i) {
    waiting.push_back(i % 7 == 0 ? Cpu(1, 4096, 1) : Cpu(1 + i % 4, 1024 * (1 + i % 5)));
  }
  CapacityInput input{.candidates = With(With(Catalog(), R5Large()), C6a4xlarge()),
                      .allocation_strategy = "SPOT_PRICE_CAPACITY_OPTIMIZED",
                      .capacity = CapacityType::kSpot,
                      .min_vcpus = 4,
                      .max_vcpus = 48,
                      .current_vcpus = 4,
                      .free = {Cpu(3, 3000)},
                      .waiting = waiting};

  CapacityPlan first = PlanCapacity(input);
  CapacityPlan second = PlanCapacity(input);

  EXPECT_FALSE(first.launches.empty());
  EXPECT_EQ(Launched(first), Launched(second));
  EXPECT_EQ(first.desired_vcpus, second.desired_vcpus);
  EXPECT_EQ(first.unfit, second.unfit);
  EXPECT_EQ(first.still_waiting, second.still_waiting);
}

// The free capacity is served first fit, job by job in line: checked against
// a plain first fit over random slots and jobs of a few shapes, interleaved
// (the planner resumes each shape's search where the last one stopped).
TEST(CapacityPlannerTest, FreeCapacityIsServedFirstFitInLine) {
  std::mt19937 random(7);
  const std::vector<Resources> shapes = {Cpu(1, 512), Cpu(2, 1024), Cpu(1, 3000), Cpu(3, 2048)};
  for (int round = 0; round < 50; ++round) {
    std::vector<Resources> free;
    for (int i = 0; i < 40; ++i) {
      free.push_back(Cpu(1 + static_cast<int64_t>(random() % 4), 512 * (1 + random() % 8)));
    }
    std::vector<Resources> waiting;
    for (int i = 0; i < 120; ++i) {
      // Runs of equal jobs now and then, as arrays make them.
      Resources shape = shapes[random() % shapes.size()];
      for (uint32_t n = random() % 3 == 0 ? 1 + random() % 5 : 1; n > 0; --n) {
        waiting.push_back(shape);
      }
    }
    size_t unserved = 0;
    std::vector<Resources> slots = free;
    for (const Resources& job : waiting) {
      auto slot = std::ranges::find_if(slots, [&](const Resources& s) {
        return s.millicpus >= job.millicpus && s.memory_mib >= job.memory_mib;
      });
      if (slot == slots.end()) {
        ++unserved;
        continue;
      }
      slot->millicpus -= job.millicpus;
      slot->memory_mib -= job.memory_mib;
    }
    CapacityInput input{.candidates = Catalog(),
                        .max_vcpus = 1000,
                        .current_vcpus = 160,
                        .free = free,
                        .waiting = waiting,
                        .scale_out = false};

    CapacityPlan plan = PlanCapacity(input);

    EXPECT_TRUE(plan.launches.empty());
    EXPECT_TRUE(plan.unfit.empty());
    EXPECT_EQ(plan.still_waiting, unserved) << "round " << round;
  }
}

TEST(CapacityPlannerTest, TwentyThousandWaitingJobsArePlanned) {
  std::vector<Resources> waiting;
  for (int i = 0; i < 20000; ++i) {
    waiting.push_back(i % 3 == 0 ? Cpu(1, 4096, 1) : Cpu(1 + i % 4, 1000 + i % 997));
  }
  std::vector<Resources> free(500, Cpu(1, 512));
  CapacityInput input{.candidates = With(With(Catalog(), R5Large()), C6a4xlarge()),
                      .allocation_strategy = "BEST_FIT_PROGRESSIVE",
                      .max_vcpus = 20000,
                      .current_vcpus = 500,
                      .free = free,
                      .waiting = waiting};

  CapacityPlan plan = PlanCapacity(input);

  EXPECT_FALSE(plan.launches.empty());
  EXPECT_LE(plan.desired_vcpus, 20000 + 16);
  EXPECT_TRUE(plan.unfit.empty());
}

}  // namespace
}  // namespace barge::scheduler
