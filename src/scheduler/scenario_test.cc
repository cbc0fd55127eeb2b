// Runs every tests/scenarios/*.json through the standard planner: snapshot in,
// placements and unplaceable jobs out (DuckDB sqllogictest style). Format:
//   {"description": "...",
//    "jobs":  [{"id", "queue", "priority", "environments": [...], "vcpus", "memory",
//               "gpus", "created"}],
//    "nodes": [{"id", "environment", "vcpus", "memory", "gpus",
//               "free": {"vcpus", "memory", "gpus"}, "accepting"}],
//    "expect": {"placements": ["job->agent", ...], "unplaceable": ["job", ...]}}
// Omitted numbers are 0, `free` defaults to the capacity, `accepting` to true.
#include <gtest/gtest.h>

#include <cmath>
#include <deque>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "scheduler/planner.h"

namespace barge::scheduler {
namespace {

using Json = nlohmann::json;

Resources ReadResources(const Json& json) {
  return {.millicpus = std::llround(json.value("vcpus", 0.0) * 1000),
          .memory_mib = json.value("memory", int64_t{0}),
          .gpus = json.value("gpus", int64_t{0})};
}

// A PendingJob views its strings; the tests keep them here for good.
template <typename T>
const T& Keep(T value) {
  static std::deque<T> kept;
  return kept.emplace_back(std::move(value));
}

Snapshot ReadSnapshot(const Json& json) {
  Snapshot snapshot;
  for (const Json& job : json.at("jobs")) {
    snapshot.jobs.push_back(
        {.id = Keep(job.at("id").get<std::string>()),
         .queue = Keep(job.value("queue", std::string("q"))),
         .queue_priority = job.value("priority", 1),
         .compute_environments = Keep(job.value("environments", std::vector<std::string>{"ce"})),
         .request = ReadResources(job),
         .runnable_since = Timestamp{} + std::chrono::seconds(job.value("created", 0))});
  }
  for (const Json& node : json.at("nodes")) {
    Resources capacity = ReadResources(node);
    snapshot.nodes.push_back(
        {.agent_id = Keep(node.at("id").get<std::string>()),
         .compute_environment = Keep(node.value("environment", std::string("ce"))),
         .capacity = capacity,
         .free = node.contains("free") ? ReadResources(node["free"]) : capacity,
         .accepting_work = node.value("accepting", true)});
  }
  return snapshot;
}

std::vector<std::filesystem::path> ScenarioFiles() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(BARGE_SCENARIO_DIR)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(PlannerScenarioTest, EveryScenarioFileGivesItsExpectedPlan) {
  std::vector<std::filesystem::path> files = ScenarioFiles();
  ASSERT_FALSE(files.empty()) << "no scenarios in " << BARGE_SCENARIO_DIR;

  for (const std::filesystem::path& file : files) {
    SCOPED_TRACE(file.filename().string());
    std::ifstream in(file);
    Json scenario = Json::parse(in);
    Snapshot snapshot = ReadSnapshot(scenario);

    PlanResult result = Planner::Standard().Plan(snapshot);

    std::vector<std::string> placements;
    for (const Placement& p : result.placements) placements.push_back(p.job_id + "->" + p.agent_id);
    std::vector<std::string> unplaceable;
    for (const Unplaceable& u : result.unplaceable) unplaceable.push_back(u.job_id);
    const Json& expect = scenario.at("expect");
    EXPECT_EQ(placements, expect.value("placements", std::vector<std::string>{}))
        << scenario.value("description", "");
    EXPECT_EQ(unplaceable, expect.value("unplaceable", std::vector<std::string>{}))
        << scenario.value("description", "");
  }
}

}  // namespace
}  // namespace barge::scheduler
