// barge's cost extension, signed and answered like the AWS Batch operations:
//   POST /v1/getcostreport  {"since"?, "until"? (epoch ms), "jobQueue"?,
//                            "computeEnvironment"? (name or ARN), "maxJobs"?}
//   POST /v1/listinstances  {"computeEnvironment"?, "states"?: ["RUNNING", ...]}
// The report's rules are fleet/cost.h's; amounts are USD as JSON numbers,
// unrounded (clients round for display).

// clang-format off
// routes.h first: see jobs.cc.
#include "api/routes/routes.h"
// clang-format on

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "codec/instance_codec.h"
#include "codec/json_reader.h"

namespace barge::api {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kStates = "LAUNCHING, RUNNING, DRAINING, TERMINATED";

std::optional<Timestamp> NonNegativeTime(codec::JsonReader& r, std::string_view member) {
  std::optional<int64_t> ms = r.Int64(member);
  if (!ms) return std::nullopt;
  if (*ms < 0) r.Fail(std::string(member) + " must not be negative");
  return FromEpochMillis(*ms);
}

// A name-or-ARN member: absent or null means no filter; empty is an error.
std::optional<std::string> Reference(codec::JsonReader& r, std::string_view member) {
  std::optional<std::string> value = r.String(member);
  if (value && value->empty()) r.Fail(std::string(member) + " must not be empty");
  return value;
}

struct ReportRequest {
  control::CostQuery query{};
  std::optional<int32_t> max_jobs{};
};

Result<ReportRequest> ReadReportRequest(const Json& body) {
  codec::JsonReader r(body, "");
  ReportRequest request{.query = {.since = NonNegativeTime(r, "since"),
                                  .until = NonNegativeTime(r, "until"),
                                  .queue = Reference(r, "jobQueue"),
                                  .compute_environment = Reference(r, "computeEnvironment")},
                        .max_jobs = r.Int32("maxJobs")};
  if (request.max_jobs && *request.max_jobs < 0) r.Fail("maxJobs must not be negative");
  BARGE_RETURN_IF_ERROR(r.status());
  return request;
}

Json InstanceRow(const fleet::InstanceCost& row) {
  const Instance& instance = row.instance;
  Json out{{"instanceId", instance.id},
           {"computeEnvironment", instance.compute_environment},
           {"instanceType", instance.type.name},
           {"capacityType", ToString(instance.capacity)},
           {"state", ToString(instance.state)},
           {"pricePerHour", instance.PricePerHour()},
           {"launchedAt", ToEpochMillis(instance.launched_at)},
           {"seconds", row.seconds},
           {"cost", row.cost},
           {"onDemandCost", row.on_demand_cost},
           {"idleCost", row.idle_cost}};
  if (instance.terminated_at) out["terminatedAt"] = ToEpochMillis(*instance.terminated_at);
  return out;
}

Json ReportReply(const fleet::CostReport& report, std::optional<int32_t> max_jobs) {
  Json environments = Json::array();
  for (const fleet::EnvironmentCost& row : report.environments) {
    environments.push_back({{"computeEnvironmentName", row.name},
                            {"cost", row.cost},
                            {"idleCost", row.idle_cost},
                            {"onDemandCost", row.on_demand_cost},
                            {"instanceSeconds", row.instance_seconds}});
  }
  Json queues = Json::array();
  for (const fleet::QueueCost& row : report.queues) {
    queues.push_back({{"jobQueueName", row.name},
                      {"cost", row.cost},
                      {"onDemandCost", row.on_demand_cost},
                      {"vcpuSeconds", row.vcpu_seconds}});
  }
  Json jobs = Json::array();
  size_t job_rows = report.jobs.size();
  if (max_jobs) job_rows = std::min(job_rows, static_cast<size_t>(*max_jobs));
  for (size_t i = 0; i < job_rows; ++i) {
    const fleet::JobCost& row = report.jobs[i];
    jobs.push_back({{"jobId", row.job_id},
                    {"jobName", row.job_name},
                    {"jobQueue", row.queue},
                    {"computeEnvironment", row.compute_environment},
                    {"vcpuSeconds", row.vcpu_seconds},
                    {"cost", row.cost},
                    {"onDemandCost", row.on_demand_cost}});
  }
  Json instances = Json::array();
  for (const fleet::InstanceCost& row : report.instances) instances.push_back(InstanceRow(row));
  return Json{{"since", ToEpochMillis(report.since)},
              {"until", ToEpochMillis(report.until)},
              {"currency", "USD"},
              {"totalCost", report.totals.cost},
              {"idleCost", report.totals.idle_cost},
              {"onDemandCost", report.totals.on_demand_cost},
              {"savings", report.totals.savings},
              {"jobCount", report.jobs.size()},
              {"computeEnvironments", std::move(environments)},
              {"jobQueues", std::move(queues)},
              {"jobs", std::move(jobs)},
              {"instances", std::move(instances)}};
}

Result<control::InstanceQuery> ReadInstanceQuery(const Json& body) {
  codec::JsonReader r(body, "");
  control::InstanceQuery query{.compute_environment = Reference(r, "computeEnvironment")};
  std::vector<std::string> states = codec::OrEmpty(r.StringList("states"));
  for (size_t i = 0; i < states.size(); ++i) {
    std::optional<InstanceState> state = ParseInstanceState(states[i]);
    if (!state) {
      r.Fail("states[" + std::to_string(i) + "] must be one of " + std::string(kStates));
      break;
    }
    query.states.push_back(*state);
  }
  BARGE_RETURN_IF_ERROR(r.status());
  return query;
}

}  // namespace

void AddCostRoutes(Router& router, control::CostService& service) {
  router.AddOperation("getcostreport",
                      {.name = "GetCostReport",
                       .effect = RouteEffect::kReadOnly,
                       .handler = [&service](const RouteRequest& request) -> Result<Json> {
                         Result<ReportRequest> decoded = ReadReportRequest(request.body);
                         if (!decoded) return decoded.error();
                         Result<fleet::CostReport> report = service.Report(decoded->query);
                         if (!report) return report.error();
                         return ReportReply(*report, decoded->max_jobs);
                       }});
  router.AddOperation("listinstances",
                      {.name = "ListInstances",
                       .effect = RouteEffect::kReadOnly,
                       .handler = [&service](const RouteRequest& request) -> Result<Json> {
                         Result<control::InstanceQuery> query = ReadInstanceQuery(request.body);
                         if (!query) return query.error();
                         Result<std::vector<Instance>> instances = service.Instances(*query);
                         if (!instances) return instances.error();
                         Json out = Json::array();
                         for (const Instance& instance : *instances) {
                           out.push_back(codec::ToJson(instance));
                         }
                         return Json{{"instances", std::move(out)}};
                       }});
}

}  // namespace barge::api
