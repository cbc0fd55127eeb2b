#include "control/fleet_controller.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <set>
#include <string>
#include <vector>

#include "control/dispatch_test_fixture.h"
#include "control/executor_choice.h"

namespace barge::control {
namespace {

// Prices of the test catalog, per hour: c5.large 0.085, c5.xlarge 0.17,
// c5.2xlarge 0.34 (spot 0.035, 0.07, 0.14).
constexpr const char* kCatalog = R"({
  "instanceTypes": [
    {"name": "c5.large", "vcpus": 2, "memoryMiB": 4096, "onDemandPricePerHour": 0.085,
     "spotPricePerHour": 0.035, "spotInterruption": "<5%"},
    {"name": "c5.xlarge", "vcpus": 4, "memoryMiB": 8192, "onDemandPricePerHour": 0.17,
     "spotPricePerHour": 0.07, "spotInterruption": "<5%"},
    {"name": "c5.2xlarge", "vcpus": 8, "memoryMiB": 16384, "onDemandPricePerHour": 0.34,
     "spotPricePerHour": 0.14, "spotInterruption": "5-10%"}
  ]
})";

// A provider that launches nothing real: it records what it was asked, and
// the test plays each instance's agent.
class FakeProvider final : public fleet::Provider {
 public:
  std::string name() const override { return "fake"; }
  bool models_spot_interruptions() const override { return true; }
  void Launch(const fleet::LaunchRequest& request, LaunchDone done) override {
    launches.push_back(request);
    std::vector<fleet::LaunchResult> results;
    for (const std::string& id : request.instance_ids) {
      if (fail_launches) {
        results.push_back({.instance_id = id, .status = Unavailable("no capacity in pool")});
      } else {
        results.push_back({.instance_id = id, .provider_data = "fake-" + id});
      }
    }
    done(std::move(results));
  }
  void Terminate(const std::vector<Instance>& instances, TerminateDone done) override {
    for (const Instance& instance : instances) terminated.push_back(instance.id);
    done(Ok());
  }
  bool StillExists(const Instance& instance) override { return !gone.contains(instance.id); }
  std::vector<fleet::LostInstance> TakeLost() override {
    std::vector<fleet::LostInstance> out(lost.begin(), lost.end());
    lost.clear();
    return out;
  }

  std::vector<fleet::LaunchRequest> launches{};
  std::vector<std::string> terminated{};
  std::set<std::string> gone{};
  std::deque<fleet::LostInstance> lost{};
  bool fail_launches = false;
};

class FleetControllerTest : public DispatchTest {
 protected:
  FleetControllerTest() { BuildFleet(); }

  void BuildFleet() {
    fleet_ = std::make_unique<FleetController>(
        reporting_, clock_, *registry_, *agents_, *dispatcher_, catalog_,
        FleetController::Providers{{"fake", &provider_}},
        FleetOptions{.scale_down_delay = std::chrono::minutes(5),
                     .launch_timeout = std::chrono::minutes(5),
                     .seed = 1,
                     .join = {.server_url = "http://127.0.0.1:1", .token = "t"}});
  }

  void AddManaged(const std::string& name, ComputeResources resources,
                  ResourceState state = ResourceState::kEnabled, Tags extra_tags = {}) {
    ComputeEnvironment ce{
        .name = name,
        .arn = arns_.ComputeEnvironment(name),
        .type = ComputeEnvironmentType::kManaged,
        .state = state,
        .status = ResourceStatus::kValid,
        .compute_resources = std::move(resources),
        .tags = {{std::string(kExecutorTag), "process"}, {std::string(kProviderTag), "fake"}}};
    ce.tags.merge(extra_tags);
    ASSERT_TRUE(
        store_.Transact([&](StoreTransaction& txn) { return txn.InsertComputeEnvironment(ce); }));
  }

  static ComputeResources OnDemand(int32_t min, int32_t max, std::string strategy = "BEST_FIT") {
    return {.type = "EC2",
            .min_vcpus = min,
            .max_vcpus = max,
            .desired_vcpus = min,
            .instance_types = {"c5"},
            .allocation_strategy = std::move(strategy)};
  }

  // A BEST_FIT environment "ce" of at most `max_vcpus`, twenty 2-vCPU jobs
  // waiting in its queue "q", and the ticks that launch its instances and
  // see their agents join.
  void ScaleOutForTwentyJobsUpTo(int32_t max_vcpus) {
    AddManaged("ce", OnDemand(0, max_vcpus));
    AddQueue("q", 1, {"ce"});
    for (int i = 0; i < 20; ++i) AddJob("j" + std::to_string(i), "q", Vcpus(2));
    ASSERT_TRUE(dispatcher_->Tick());
    Tick();
    JoinAll();
    Tick();
  }

  FleetTickReport Tick() {
    Result<FleetTickReport> report = fleet_->Tick();
    EXPECT_TRUE(report) << report.error().message;
    return report ? *report : FleetTickReport{};
  }

  // Plays the agent of every LAUNCHING instance: it registers with the
  // instance's id and type capacity. Returns agent ids by instance id.
  std::map<std::string, std::string> JoinAll() {
    std::map<std::string, std::string> agents;
    for (const auto& [id, instance] : fleet_->live()) {
      if (instance.state != InstanceState::kLaunching) continue;
      auto reply = agents_->Register({.compute_environment = instance.compute_environment,
                                      .instance_id = id,
                                      .instance_type = instance.type.name,
                                      .capacity = {.millicpus = int64_t{instance.type.vcpus} * 1000,
                                                   .memory_mib = instance.type.memory_mib}});
      EXPECT_TRUE(reply) << reply.error().message;
      if (reply) agents[id] = reply->agent_id;
    }
    return agents;
  }

  std::vector<std::string> LaunchedTypes() const {
    std::vector<std::string> types;
    for (const fleet::LaunchRequest& request : provider_.launches) {
      for (size_t i = 0; i < request.instance_ids.size(); ++i) types.push_back(request.type.name);
    }
    return types;
  }

  int32_t LiveVcpus(const std::string& ce) const {
    int32_t vcpus = 0;
    for (const auto& [id, instance] : fleet_->live()) {
      if (instance.compute_environment == ce) vcpus += instance.type.vcpus;
    }
    return vcpus;
  }

  ComputeEnvironment Environment(const std::string& name) {
    ComputeEnvironment out;
    EXPECT_TRUE(store_.Transact([&](StoreTransaction& txn) -> Status {
      Result<ComputeEnvironment> ce = txn.GetComputeEnvironment(name);
      if (!ce) return ce.error();
      out = *ce;
      return Ok();
    }));
    return out;
  }

  Instance StoredInstance(const std::string& id) {
    Instance out;
    EXPECT_TRUE(store_.Transact([&](StoreTransaction& txn) -> Status {
      Result<Instance> instance = txn.GetInstance(id);
      if (!instance) return instance.error();
      out = *instance;
      return Ok();
    }));
    return out;
  }

  fleet::InstanceCatalog catalog_ = fleet::InstanceCatalog::Parse(kCatalog).value();
  FakeProvider provider_;
  std::unique_ptr<FleetController> fleet_;
};

TEST_F(FleetControllerTest, NothingWaitingLaunchesNothing) {
  AddManaged("ce", OnDemand(0, 16));
  AddQueue("q", 1, {"ce"});

  FleetTickReport report = Tick();

  EXPECT_EQ(report.launched, 0);
  EXPECT_TRUE(provider_.launches.empty());
  EXPECT_EQ(Environment("ce").compute_resources->desired_vcpus, 0);
}

TEST_F(FleetControllerTest, ScalesOutToTheWaitingJobsAndTheyRunOnceTheAgentsJoin) {
  AddManaged("ce", OnDemand(0, 16));
  AddQueue("q", 1, {"ce"});
  AddJob("a", "q", Vcpus(2));
  AddJob("b", "q", Vcpus(2));
  AddJob("c", "q", Vcpus(2));
  ASSERT_TRUE(dispatcher_->Tick());

  FleetTickReport report = Tick();

  // Per vCPU in use, c5.large (0.085 / 2) ties c5.xlarge (0.17 / 4) and wins
  // on fewer vCPUs; c5.2xlarge holding all three costs 0.34 / 6 = 0.057.
  EXPECT_EQ(report.launched, 3);
  EXPECT_EQ(LaunchedTypes(), (std::vector<std::string>{"c5.large", "c5.large", "c5.large"}));
  EXPECT_EQ(Environment("ce").compute_resources->desired_vcpus, 6);
  ASSERT_EQ(provider_.launches.size(), 1u);
  EXPECT_EQ(provider_.launches[0].join.executor, "process");
  EXPECT_EQ(provider_.launches[0].capacity, CapacityType::kOnDemand);

  std::map<std::string, std::string> agents = JoinAll();
  Tick();
  ASSERT_TRUE(dispatcher_->Tick());

  for (const auto& [id, instance] : fleet_->live()) {
    EXPECT_EQ(instance.state, InstanceState::kRunning) << id;
    EXPECT_EQ(instance.agent_id, agents.at(id));
    EXPECT_EQ(StoredInstance(id).provider_data, "fake-" + id);
  }
  EXPECT_EQ(StatusOf("a"), JobStatus::kStarting);
  EXPECT_EQ(StatusOf("b"), JobStatus::kStarting);
  EXPECT_EQ(StatusOf("c"), JobStatus::kStarting);
}

TEST_F(FleetControllerTest, LaunchingCapacityIsNotLaunchedTwice) {
  AddManaged("ce", OnDemand(0, 16));
  AddQueue("q", 1, {"ce"});
  AddJob("a", "q", Vcpus(2));
  ASSERT_TRUE(dispatcher_->Tick());
  Tick();

  clock_.Advance(std::chrono::seconds(1));
  FleetTickReport again = Tick();

  EXPECT_EQ(again.launched, 0);
  EXPECT_EQ(LaunchedTypes().size(), 1u);
}

TEST_F(FleetControllerTest, BestFitNeverExceedsMaxvCpus) {
  ScaleOutForTwentyJobsUpTo(8);
  clock_.Advance(std::chrono::seconds(10));
  Tick();

  EXPECT_EQ(LiveVcpus("ce"), 8);
  EXPECT_EQ(Environment("ce").compute_resources->desired_vcpus, 8);
}

// The controller keeps the environments it listed only while the store's
// don't change: a maxvCpus raised between ticks is used by the next one.
TEST_F(FleetControllerTest, AMaxvCpusRaisedBetweenTicksIsUsedByTheNextTick) {
  ScaleOutForTwentyJobsUpTo(8);
  ASSERT_EQ(LiveVcpus("ce"), 8);

  ASSERT_TRUE(store_.Transact([&](StoreTransaction& txn) -> Status {
    ComputeEnvironment ce = txn.GetComputeEnvironment("ce").value();
    ce.compute_resources->max_vcpus = 16;
    return txn.UpdateComputeEnvironment(ce);
  }));
  clock_.Advance(std::chrono::seconds(10));
  Tick();

  EXPECT_EQ(LiveVcpus("ce"), 16);
  EXPECT_EQ(Environment("ce").compute_resources->desired_vcpus, 16);
}

TEST_F(FleetControllerTest, IdleInstancesAreScaledInAfterTheDelayDownToMinvCpus) {
  AddManaged("ce", OnDemand(2, 16));
  AddQueue("q", 1, {"ce"});
  AddJob("a", "q", Vcpus(2));
  AddJob("b", "q", Vcpus(2));
  ASSERT_TRUE(dispatcher_->Tick());
  Tick();
  ASSERT_EQ(LiveVcpus("ce"), 4);
  std::map<std::string, std::string> agents = JoinAll();
  Tick();
  // The jobs run and end.
  for (const auto& [instance, agent] : agents) {
    for (const protocol::Assignment& assignment : TickAndPoll(agent)) {
      Started(agent, assignment.attempt_id);
      Exited(agent, assignment.attempt_id, 0);
    }
  }
  ASSERT_EQ(StatusOf("a"), JobStatus::kSucceeded);
  ASSERT_EQ(StatusOf("b"), JobStatus::kSucceeded);
  Tick();

  clock_.Advance(std::chrono::minutes(4));
  FleetTickReport early = Tick();
  clock_.Advance(std::chrono::minutes(1));
  FleetTickReport due = Tick();

  EXPECT_EQ(early.terminated, 0);
  EXPECT_EQ(due.terminated, 1);  // One of the two; the other keeps minvCpus.
  EXPECT_EQ(LiveVcpus("ce"), 2);
  EXPECT_EQ(provider_.terminated.size(), 1u);
  EXPECT_EQ(Environment("ce").compute_resources->desired_vcpus, 2);
  Instance gone = StoredInstance(provider_.terminated[0]);
  EXPECT_EQ(gone.state, InstanceState::kTerminated);
  EXPECT_NE(gone.state_reason.find("scaled in"), std::string::npos);
  EXPECT_FALSE(registry_->Contains(agents.at(gone.id)));
}

TEST_F(FleetControllerTest, TheScalingPolicysDelayReplacesTheDefault) {
  ComputeResources resources = OnDemand(0, 16);
  resources.aws_only["scalingPolicy"] = R"({"minScaleDownDelayMinutes":20})";
  AddManaged("ce", resources);
  AddQueue("q", 1, {"ce"});
  AddJob("a", "q", Vcpus(2));
  ASSERT_TRUE(dispatcher_->Tick());
  Tick();
  std::map<std::string, std::string> agents = JoinAll();
  Tick();
  std::string agent = agents.begin()->second;
  for (const protocol::Assignment& assignment : TickAndPoll(agent)) {
    Started(agent, assignment.attempt_id);
    Exited(agent, assignment.attempt_id, 0);
  }
  Tick();

  clock_.Advance(std::chrono::minutes(19));
  FleetTickReport early = Tick();
  clock_.Advance(std::chrono::minutes(1));
  FleetTickReport due = Tick();

  EXPECT_EQ(early.terminated, 0);
  EXPECT_EQ(due.terminated, 1);
}

TEST_F(FleetControllerTest, ABusyInstanceIsNeverScaledIn) {
  AddManaged("ce", OnDemand(0, 16));
  AddQueue("q", 1, {"ce"});
  AddJob("a", "q", Vcpus(2));
  ASSERT_TRUE(dispatcher_->Tick());
  Tick();
  std::map<std::string, std::string> agents = JoinAll();
  Tick();
  std::string agent = agents.begin()->second;
  std::vector<protocol::Assignment> work = TickAndPoll(agent);
  ASSERT_EQ(work.size(), 1u);
  Started(agent, work[0].attempt_id);

  clock_.Advance(std::chrono::hours(1));
  FleetTickReport report = Tick();

  EXPECT_EQ(report.terminated, 0);
  EXPECT_EQ(StatusOf("a"), JobStatus::kRunning);
}

TEST_F(FleetControllerTest, ADisabledEnvironmentKeepsMinvCpusButDoesNotScaleOut) {
  AddManaged("ce", OnDemand(4, 16), ResourceState::kDisabled);
  AddQueue("q", 1, {"ce"});
  AddJob("a", "q", Vcpus(8));
  ASSERT_TRUE(dispatcher_->Tick());

  Tick();

  EXPECT_EQ(LiveVcpus("ce"), 4);
  EXPECT_EQ(Environment("ce").compute_resources->desired_vcpus, 4);
}

TEST_F(FleetControllerTest, AnEnvironmentWithoutAProviderIsLeftToItsAgents) {
  AddEnvironment("unmanaged");
  ComputeEnvironment ce{.name = "bare",
                        .arn = arns_.ComputeEnvironment("bare"),
                        .type = ComputeEnvironmentType::kManaged,
                        .status = ResourceStatus::kValid,
                        .compute_resources = OnDemand(0, 16)};
  ASSERT_TRUE(
      store_.Transact([&](StoreTransaction& txn) { return txn.InsertComputeEnvironment(ce); }));
  AddQueue("q", 1, {"bare", "unmanaged"});
  AddJob("a", "q", Vcpus(2));
  ASSERT_TRUE(dispatcher_->Tick());

  FleetTickReport report = Tick();

  EXPECT_EQ(report.launched, 0);
  EXPECT_TRUE(provider_.launches.empty());
}

TEST_F(FleetControllerTest, AnInstanceThatNeverJoinsIsTerminatedAfterTheLaunchTimeout) {
  AddManaged("ce", OnDemand(0, 16));
  AddQueue("q", 1, {"ce"});
  AddJob("a", "q", Vcpus(2));
  ASSERT_TRUE(dispatcher_->Tick());
  Tick();
  std::string id = fleet_->live().begin()->first;

  clock_.Advance(std::chrono::minutes(5));
  FleetTickReport report = Tick();

  EXPECT_EQ(report.terminated, 1);
  Instance gone = StoredInstance(id);
  EXPECT_EQ(gone.state, InstanceState::kTerminated);
  EXPECT_NE(gone.state_reason.find("did not register"), std::string::npos);
  // The job still waits, so a replacement is asked for in the same tick.
  EXPECT_EQ(report.launched, 1);
}

TEST_F(FleetControllerTest, AnInstanceWhoseAgentStopsReportingIsTerminatedAfterTheTimeout) {
  AddManaged("ce", OnDemand(0, 16));
  AddQueue("q", 1, {"ce"});
  AddJob("a", "q", Vcpus(2));
  ASSERT_TRUE(dispatcher_->Tick());
  Tick();
  std::map<std::string, std::string> agents = JoinAll();
  Tick();
  std::string id = agents.begin()->first;

  clock_.Advance(registry_->lease() + std::chrono::seconds(1));
  ASSERT_TRUE(agents_->Tick());  // The lease sweep drops the silent agent.
  Tick();
  clock_.Advance(std::chrono::minutes(5));
  Tick();

  Instance gone = StoredInstance(id);
  EXPECT_EQ(gone.state, InstanceState::kTerminated);
  EXPECT_EQ(gone.state_reason, "its agent stopped reporting 300 s ago");
}

TEST_F(FleetControllerTest, AFailedLaunchEndsTheInstanceWithTheProvidersReason) {
  provider_.fail_launches = true;
  AddManaged("ce", OnDemand(0, 16));
  AddQueue("q", 1, {"ce"});
  AddJob("a", "q", Vcpus(2));
  ASSERT_TRUE(dispatcher_->Tick());

  Tick();

  ASSERT_EQ(provider_.launches.size(), 1u);
  Instance failed = StoredInstance(provider_.launches[0].instance_ids[0]);
  EXPECT_EQ(failed.state, InstanceState::kTerminated);
  EXPECT_EQ(failed.state_reason, "launch failed: no capacity in pool");
  EXPECT_TRUE(fleet_->live().empty());
}

TEST_F(FleetControllerTest, ALostInstancesJobsFailAsHostLossAndAreRetried) {
  AddManaged("ce", OnDemand(0, 16));
  AddQueue("q", 1, {"ce"});
  AddJob("a", "q", Vcpus(2), RetryStrategy{.attempts = 2});
  ASSERT_TRUE(dispatcher_->Tick());
  Tick();
  std::map<std::string, std::string> agents = JoinAll();
  Tick();
  auto [instance_id, agent] = *agents.begin();
  std::vector<protocol::Assignment> work = TickAndPoll(agent);
  ASSERT_EQ(work.size(), 1u);
  Started(agent, work[0].attempt_id);

  provider_.lost.push_back({.instance_id = instance_id, .reason = "agent process exited"});
  FleetTickReport report = Tick();

  EXPECT_EQ(report.terminated, 1);
  Job job = GetJob("a");
  EXPECT_EQ(job.status, JobStatus::kRunnable);
  ASSERT_EQ(job.attempts.size(), 1u);
  EXPECT_EQ(job.attempts[0].status_reason, "Host EC2 (instance " + instance_id + ") terminated.");
  EXPECT_EQ(StoredInstance(instance_id).state_reason, "agent process exited");
  EXPECT_EQ(report.launched, 1);  // The retried job needs capacity again.
}

TEST_F(FleetControllerTest, ASpotInstanceGetsItsNoticeDrainsAndIsReclaimed) {
  ComputeResources spot = OnDemand(0, 16);
  spot.type = "SPOT";
  AddManaged("ce", spot, ResourceState::kEnabled,
             {{"barge:spot-interruptions-per-hour", "3600"}, {"barge:spot-notice-seconds", "30"}});
  AddQueue("q", 1, {"ce"});
  AddJob("a", "q", Vcpus(2), RetryStrategy{.attempts = 3});
  ASSERT_TRUE(dispatcher_->Tick());
  Tick();
  ASSERT_EQ(provider_.launches.size(), 1u);
  EXPECT_EQ(provider_.launches[0].capacity, CapacityType::kSpot);
  std::map<std::string, std::string> agents = JoinAll();
  Tick();
  auto [instance_id, agent] = *agents.begin();
  std::vector<protocol::Assignment> work = TickAndPoll(agent);
  ASSERT_EQ(work.size(), 1u);
  Started(agent, work[0].attempt_id);

  // 3600 interruptions per hour: the notice comes within seconds.
  int interrupted = 0;
  for (int i = 0; i < 600 && interrupted == 0; ++i) {
    clock_.Advance(std::chrono::seconds(1));
    interrupted = Tick().interrupted;
  }
  ASSERT_EQ(interrupted, 1);
  Instance noticed = fleet_->live().at(instance_id);
  EXPECT_EQ(noticed.state, InstanceState::kDraining);
  EXPECT_EQ(*noticed.reclaim_at - *noticed.interruption_notice_at, std::chrono::seconds(30));
  EXPECT_TRUE(registry_->IsDraining(agent));
  EXPECT_EQ(StatusOf("a"), JobStatus::kRunning);  // Jobs keep running through the notice.
  // The agent hears of it, with the reclaim time, as EC2's instance-action.
  protocol::InstanceAction expected{.action = "terminate",
                                    .time_ms = ToEpochMillis(*noticed.reclaim_at)};
  EXPECT_EQ(PollNow(agent).instance_action, std::optional(expected));
  auto beat = agents_->Heartbeat({.agent_id = agent, .running_attempts = {work[0].attempt_id}});
  ASSERT_TRUE(beat) << beat.error().message;
  EXPECT_EQ(beat->instance_action, std::optional(expected));
  Tick();  // Applied again each tick, without waking the agent's poll again.
  EXPECT_FALSE(PollNow(agent).instance_action.has_value());
  auto again = agents_->Heartbeat({.agent_id = agent, .running_attempts = {work[0].attempt_id}});
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->instance_action, std::optional(expected));
  // An agent that registers again (it restarted) hears of it from the next tick.
  const Instance& type_of = fleet_->live().at(instance_id);
  auto registered = agents_->Register({.agent_id = agent,
                                       .compute_environment = "ce",
                                       .instance_id = instance_id,
                                       .instance_type = type_of.type.name,
                                       .capacity = {.millicpus = int64_t{type_of.type.vcpus} * 1000,
                                                    .memory_mib = type_of.type.memory_mib},
                                       .running_attempts = {work[0].attempt_id}});
  ASSERT_TRUE(registered) << registered.error().message;
  EXPECT_FALSE(registry_->InstanceActionOf(agent).has_value());
  Tick();
  EXPECT_EQ(registry_->InstanceActionOf(agent), std::optional(expected));
  EXPECT_EQ(PollNow(agent).instance_action, std::optional(expected));

  clock_.Advance(std::chrono::seconds(30));
  FleetTickReport reclaim = Tick();

  EXPECT_EQ(reclaim.terminated, 1);
  EXPECT_EQ(StoredInstance(instance_id).state_reason, "Spot instance reclaimed");
  Job job = GetJob("a");
  EXPECT_EQ(job.status, JobStatus::kRunnable);
  EXPECT_EQ(job.attempts[0].status_reason, "Host EC2 (instance " + instance_id + ") terminated.");
  EXPECT_EQ(reclaim.launched, 1);  // Replacement capacity for the retry.
}

TEST_F(FleetControllerTest, RecoverEndsInstancesTheProviderNoLongerHas) {
  AddManaged("ce", OnDemand(0, 16));
  AddQueue("q", 1, {"ce"});
  AddJob("a", "q", Vcpus(2));
  AddJob("b", "q", Vcpus(2));
  ASSERT_TRUE(dispatcher_->Tick());
  Tick();
  ASSERT_EQ(fleet_->live().size(), 2u);
  std::string vanished = fleet_->live().begin()->first;
  std::string kept = std::next(fleet_->live().begin())->first;
  provider_.gone.insert(vanished);

  BuildFleet();  // A server restart: the controller starts from the store.
  ASSERT_TRUE(fleet_->Recover());

  EXPECT_EQ(fleet_->live().size(), 1u);
  EXPECT_TRUE(fleet_->live().contains(kept));
  EXPECT_EQ(StoredInstance(vanished).state, InstanceState::kTerminated);
}

TEST_F(FleetControllerTest, AJobNoInstanceTypeCanHoldGetsAwsReasonAndNothingLaunches) {
  AddManaged("ce", OnDemand(0, 64));
  AddQueue("q", 1, {"ce"});
  AddJob("big-memory", "q", Vcpus(2, 65536));
  AddJob("too-many-vcpus", "q", Vcpus(128));
  ASSERT_TRUE(dispatcher_->Tick());

  FleetTickReport report = Tick();
  ASSERT_TRUE(dispatcher_->Tick());

  EXPECT_EQ(report.launched, 0);
  EXPECT_EQ(GetJob("big-memory").status_reason, scheduler::kJobResourceRequirementReason);
  EXPECT_EQ(GetJob("too-many-vcpus").status_reason, kComputeEnvironmentMaxResourceReason);
}

TEST_F(FleetControllerTest, AJobLargerThanTheAgentsThereWaitsWithoutAReasonWhileCapacityComes) {
  AddManaged("ce", OnDemand(0, 16));
  AddQueue("q", 1, {"ce"});
  AddJob("small", "q", Vcpus(2));
  ASSERT_TRUE(dispatcher_->Tick());
  Tick();
  JoinAll();  // One c5.large.
  Tick();
  ASSERT_TRUE(dispatcher_->Tick());
  AddJob("large", "q", Vcpus(8));

  ASSERT_TRUE(dispatcher_->Tick());
  FleetTickReport report = Tick();

  // No agent there could hold 8 vCPUs, but a c5.2xlarge can be launched.
  EXPECT_EQ(GetJob("large").status_reason, "");
  EXPECT_EQ(report.launched, 1);
  EXPECT_EQ(LaunchedTypes().back(), "c5.2xlarge");
}

TEST_F(FleetControllerTest, AnEnvironmentAtMaxvCpusWaitsQuietlyYetStillGivesTheUnfitTheirReason) {
  AddManaged("ce", OnDemand(0, 4, "BEST_FIT_PROGRESSIVE"));
  AddQueue("q", 1, {"ce"});
  for (int i = 0; i < 6; ++i) AddJob("j" + std::to_string(i), "q", Vcpus(2));
  ASSERT_TRUE(dispatcher_->Tick());
  Tick();
  JoinAll();  // Two c5.large: maxvCpus.
  Tick();
  ASSERT_TRUE(dispatcher_->Tick());
  ASSERT_EQ(LiveVcpus("ce"), 4);

  FleetTickReport quiet = Tick();
  AddJob("big-memory", "q", Vcpus(2, 65536));
  ASSERT_TRUE(dispatcher_->Tick());
  FleetTickReport unfit = Tick();
  ASSERT_TRUE(dispatcher_->Tick());

  // Four jobs wait for the two running instances: nothing to launch, no reason.
  EXPECT_EQ(quiet.launched, 0);
  EXPECT_EQ(unfit.launched, 0);
  EXPECT_EQ(LiveVcpus("ce"), 4);
  EXPECT_EQ(Environment("ce").compute_resources->desired_vcpus, 4);
  EXPECT_EQ(GetJob("j5").status, JobStatus::kRunnable);
  EXPECT_EQ(GetJob("j5").status_reason, "");
  EXPECT_EQ(GetJob("big-memory").status_reason, scheduler::kJobResourceRequirementReason);
}

TEST_F(FleetControllerTest, InstancesOfADeletedEnvironmentAreTerminated) {
  AddManaged("ce", OnDemand(2, 16));
  AddQueue("q", 1, {"ce"});
  Tick();
  ASSERT_EQ(LiveVcpus("ce"), 2);

  ASSERT_TRUE(
      store_.Transact([&](StoreTransaction& txn) { return txn.DeleteComputeEnvironment("ce"); }));
  FleetTickReport report = Tick();

  EXPECT_EQ(report.terminated, 1);
  EXPECT_TRUE(fleet_->live().empty());
}

}  // namespace
}  // namespace barge::control
