// The fleet controller's reaction time (issue 6): from a burst of RUNNABLE
// jobs to the launch request for their capacity, at real time, against a
// running `barge server` whose default provider is `local` (see
// bench/run_fleet_bench.sh, which starts one with --scale-down-delay 1s).
//
//   fleet_bench --port P [--rounds 10] [--burst 200]
//
// Each round submits `burst` jobs of `true` (1 vCPU) to an environment with
// nothing running, and measures from the first SubmitJob's reply (the job is
// RUNNABLE and durable then) to the earliest launchedAt of the instances the
// controller then records (the moment it hands them to the provider), both on
// this machine's system clock. It then waits for the jobs to end and the
// instances to be scaled in before the next round. Prints p50/p90/max and
// the ratio to the 1 s target and to the controller's 200 ms tick.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "bench_http.h"

namespace {

using Json = nlohmann::json;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Flags {
  unsigned short port = 0;
  int rounds = 10;
  int burst = 200;
};

class Server {
 public:
  explicit Server(unsigned short port)
      : ep_(bench::asio::ip::make_address("127.0.0.1"), port) {}

  Json Call(const std::string& operation, const Json& body) {
    bench::Reply reply = bench::Post(ep_, "/v1/" + operation, body.dump());
    if (reply.status != 200) {
      std::fprintf(stderr, "fleet_bench: %s: HTTP %d %s\n", operation.c_str(), reply.status,
                   reply.body.c_str());
      std::exit(1);
    }
    return Json::parse(reply.body);
  }

  std::vector<Json> LiveInstances() {
    Json listed = Call("listinstances", {{"computeEnvironment", "burst"},
                                         {"states", {"LAUNCHING", "RUNNING", "DRAINING"}}});
    return listed["instances"].get<std::vector<Json>>();
  }

 private:
  bench::asio::ip::tcp::endpoint ep_;
};

double Percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  size_t index = static_cast<size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

void SetUp(Server& server) {
  server.Call("createcomputeenvironment",
              {{"computeEnvironmentName", "burst"},
               {"type", "MANAGED"},
               {"state", "ENABLED"},
               {"computeResources",
                {{"type", "EC2"},
                 {"minvCpus", 0},
                 {"maxvCpus", 16},
                 {"instanceTypes", {"c5"}},
                 {"subnets", {"subnet-1"}}}},
               {"tags", {{"barge:executor", "process"}, {"barge:provider", "local"}}}});
  for (int i = 0; i < 100; ++i) {
    Json ce = server.Call("describecomputeenvironments", {{"computeEnvironments", {"burst"}}});
    if (ce["computeEnvironments"][0]["status"] == "VALID") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  server.Call("createjobqueue",
              {{"jobQueueName", "burst"},
               {"priority", 1},
               {"computeEnvironmentOrder", {{{"order", 1}, {"computeEnvironment", "burst"}}}}});
  server.Call("registerjobdefinition",
              {{"jobDefinitionName", "burst-true"},
               {"type", "container"},
               {"containerProperties",
                {{"image", "busybox"},
                 {"command", {"true"}},
                 {"resourceRequirements",
                  {{{"type", "VCPU"}, {"value", "1"}}, {{"type", "MEMORY"}, {"value", "64"}}}}}}});
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string name = argv[i];
    int value = std::stoi(argv[i + 1]);
    if (name == "--port") {
      flags.port = static_cast<unsigned short>(value);
    } else if (name == "--rounds") {
      flags.rounds = value;
    } else if (name == "--burst") {
      flags.burst = value;
    }
  }
  if (flags.port == 0 || flags.rounds < 1 || flags.burst < 1) {
    std::fprintf(stderr, "usage: fleet_bench --port P [--rounds N] [--burst N]\n");
    return 2;
  }
  Server server(flags.port);
  SetUp(server);

  std::vector<double> reactions_ms;
  for (int round = 0; round < flags.rounds; ++round) {
    // Nothing running: the burst has to make the controller launch.
    while (!server.LiveInstances().empty()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    int64_t first_acked = 0;
    std::vector<std::string> ids;
    for (int i = 0; i < flags.burst; ++i) {
      Json submitted = server.Call("submitjob", {{"jobName", "burst"},
                                                 {"jobQueue", "burst"},
                                                 {"jobDefinition", "burst-true"}});
      if (i == 0) first_acked = NowMs();
      ids.push_back(submitted["jobId"]);
    }
    int64_t launched = 0;
    while (launched == 0) {
      for (const Json& instance : server.LiveInstances()) {
        int64_t at = instance["launchedAt"];
        if (at >= first_acked - 1000 && (launched == 0 || at < launched)) launched = at;
      }
      if (launched == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    double reaction = static_cast<double>(std::max<int64_t>(0, launched - first_acked));
    reactions_ms.push_back(reaction);
    std::printf("round %d: %d jobs, first launch %.0f ms after the first job was RUNNABLE\n",
                round + 1, flags.burst, reaction);
    std::fflush(stdout);
    // Let the burst drain before the next round.
    for (size_t done = 0; done < ids.size();) {
      Json described = server.Call(
          "describejobs",
          {{"jobs", std::vector<std::string>(ids.begin() + static_cast<long>(done),
                                             ids.begin() + static_cast<long>(std::min(
                                                               ids.size(), done + 100)))}});
      bool all_ended = true;
      for (const Json& job : described["jobs"]) {
        std::string status = job["status"];
        if (status != "SUCCEEDED" && status != "FAILED") all_ended = false;
      }
      if (all_ended) {
        done = std::min(ids.size(), done + 100);
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
  }
  double p50 = Percentile(reactions_ms, 0.5);
  double p90 = Percentile(reactions_ms, 0.9);
  double max = *std::max_element(reactions_ms.begin(), reactions_ms.end());
  std::printf(
      "fleet reaction (burst of %d RUNNABLE jobs -> launch request), %d rounds: p50 %.0f ms, "
      "p90 %.0f ms, max %.0f ms\n",
      flags.burst, flags.rounds, p50, p90, max);
  std::printf("  p50 / target 1000 ms = %.2f; p50 / controller tick 200 ms = %.2f\n", p50 / 1000,
              p50 / 200);
  return 0;
}
