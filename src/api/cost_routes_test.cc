// barge's cost extension (GetCostReport, ListInstances) through Api::Handle
// over an in-memory store: reply shapes, hand-computed amounts, bad input and
// SigV4.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "api/api.h"
#include "api/sigv4_verifier.h"
#include "api/test_resource_services.h"
#include "control/cost_service.h"
#include "testing/fake_clock.h"
#include "util/sigv4.h"

namespace barge::api {
namespace {

using Json = nlohmann::json;
using std::chrono::hours;
using std::chrono::minutes;

const Timestamp kT0 = FromEpochMillis(1'700'000'000'000);
constexpr double kTolerance = 1e-12;

Instance C5Large(const std::string& id, const std::string& environment, CapacityType capacity) {
  return Instance{.id = id,
                  .compute_environment = environment,
                  .type = InstanceType{.name = "c5.large",
                                       .family = "c5",
                                       .vcpus = 2,
                                       .on_demand_per_hour = 0.085,
                                       .spot_per_hour = 0.035},
                  .capacity = capacity,
                  .state = InstanceState::kRunning,
                  .launched_at = kT0};
}

Job Ran(const std::string& id, const std::string& queue, const std::string& instance, minutes from,
        minutes until) {
  Job job{.id = id,
          .name = "name-" + id,
          .queue = queue,
          .status = JobStatus::kSucceeded,
          .created_at = kT0,
          .stopped_at = kT0 + until,
          .request = Resources{.millicpus = 1000, .memory_mib = 256}};
  job.attempts.push_back(Attempt{.id = "attempt-" + id,
                                 .number = 1,
                                 .instance_id = instance,
                                 .started_at = kT0 + from,
                                 .stopped_at = kT0 + until});
  return job;
}

class CostRoutesTest : public ::testing::Test {
 protected:
  // Now is kT0 + 1 h. "spot" has i-1 (spot) since kT0, which ran a (q1,
  // 0-30 min) and b (q2, 30-60 min), 1 vCPU each; "od" has i-2 (on demand)
  // since kT0, terminated at 30 min, which ran nothing.
  void SetUp() override {
    clock_.Set(kT0 + hours(1));
    Instance od = C5Large("i-2", "od", CapacityType::kOnDemand);
    od.state = InstanceState::kTerminated;
    od.terminated_at = kT0 + minutes(30);
    ASSERT_TRUE(resources_.store.Transact([&](StoreTransaction& txn) -> Status {
      BARGE_RETURN_IF_ERROR(txn.InsertInstance(C5Large("i-1", "spot", CapacityType::kSpot)));
      BARGE_RETURN_IF_ERROR(txn.InsertInstance(od));
      BARGE_RETURN_IF_ERROR(txn.InsertJob(Ran("a", "q1", "i-1", minutes(0), minutes(30))));
      return txn.InsertJob(Ran("b", "q2", "i-1", minutes(30), minutes(60)));
    }));
  }

  static ApiServices WithCost(ApiServices services, control::CostService* cost) {
    services.cost = cost;
    return services;
  }

  HttpReply Post(const std::string& op, const Json& body) {
    return api_.Handle({.method = "POST",
                        .target = "/v1/" + op,
                        .headers = {{"Host", "127.0.0.1"}, {"Content-Type", "application/json"}},
                        .body = body.dump()});
  }
  Json Ok(const std::string& op, const Json& body) {
    HttpReply reply = Post(op, body);
    EXPECT_EQ(reply.status, 200) << op << ": " << reply.body;
    return Json::parse(reply.body);
  }
  std::string ClientError(const std::string& op, const Json& body) {
    HttpReply reply = Post(op, body);
    EXPECT_EQ(reply.status, 400) << op << ": " << reply.body;
    Json parsed = Json::parse(reply.body);
    EXPECT_EQ(parsed["__type"], "ClientException");
    return parsed.value("message", "");
  }

  testing::FakeClock clock_;
  TestResourceServices resources_;
  control::CostService cost_{resources_.store, clock_};
  Api api_{WithCost(resources_.Services(), &cost_), ApiOptions{}};
};

TEST_F(CostRoutesTest, GetCostReportShowsTotalsEnvironmentsQueuesJobsAndInstances) {
  Json report = Ok("getcostreport", {{"since", ToEpochMillis(kT0)}});

  // i-1: 1 h x $0.035; a and b each 1/2 x 0.5 h of it ($0.00875), idle the
  // other half. i-2: 0.5 h x $0.085, all idle.
  EXPECT_EQ(report["since"], ToEpochMillis(kT0));
  EXPECT_EQ(report["until"], ToEpochMillis(kT0 + hours(1)));
  EXPECT_EQ(report["currency"], "USD");
  EXPECT_NEAR(report["totalCost"].get<double>(), 0.0775, kTolerance);
  EXPECT_NEAR(report["idleCost"].get<double>(), 0.06, kTolerance);
  EXPECT_NEAR(report["onDemandCost"].get<double>(), 0.1275, kTolerance);
  EXPECT_NEAR(report["savings"].get<double>(), 0.05, kTolerance);
  EXPECT_EQ(report["jobCount"], 2);
  Json environments = report["computeEnvironments"];
  ASSERT_EQ(environments.size(), 2u);
  EXPECT_EQ(environments[0]["computeEnvironmentName"], "od");
  EXPECT_NEAR(environments[0]["idleCost"].get<double>(), 0.0425, kTolerance);
  EXPECT_NEAR(environments[0]["instanceSeconds"].get<double>(), 1800, 1e-9);
  EXPECT_NEAR(environments[1]["cost"].get<double>(), 0.035, kTolerance);
  EXPECT_NEAR(environments[1]["onDemandCost"].get<double>(), 0.085, kTolerance);
  Json queues = report["jobQueues"];
  ASSERT_EQ(queues.size(), 2u);
  EXPECT_EQ(queues[0]["jobQueueName"], "q1");
  EXPECT_NEAR(queues[0]["cost"].get<double>(), 0.00875, kTolerance);
  EXPECT_NEAR(queues[0]["onDemandCost"].get<double>(), 0.02125, kTolerance);
  Json jobs = report["jobs"];
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0]["jobId"], "a");
  EXPECT_EQ(jobs[0]["jobName"], "name-a");
  EXPECT_EQ(jobs[0]["jobQueue"], "q1");
  EXPECT_EQ(jobs[0]["computeEnvironment"], "spot");
  EXPECT_NEAR(jobs[0]["vcpuSeconds"].get<double>(), 1800, 1e-9);
  EXPECT_NEAR(jobs[0]["cost"].get<double>(), 0.00875, kTolerance);
  Json instances = report["instances"];
  ASSERT_EQ(instances.size(), 2u);
  EXPECT_EQ(instances[0]["instanceId"], "i-2");
  EXPECT_EQ(instances[0]["instanceType"], "c5.large");
  EXPECT_EQ(instances[0]["capacityType"], "ON_DEMAND");
  EXPECT_EQ(instances[0]["state"], "TERMINATED");
  EXPECT_EQ(instances[0]["terminatedAt"], ToEpochMillis(kT0 + minutes(30)));
  EXPECT_NEAR(instances[0]["seconds"].get<double>(), 1800, 1e-9);
  EXPECT_EQ(instances[1]["capacityType"], "SPOT");
  EXPECT_EQ(instances[1]["launchedAt"], ToEpochMillis(kT0));
  EXPECT_FALSE(instances[1].contains("terminatedAt"));
  EXPECT_NEAR(instances[1]["idleCost"].get<double>(), 0.0175, kTolerance);
}

TEST_F(CostRoutesTest, GetCostReportFiltersByQueueArnAndCapsTheJobRows) {
  Json by_queue = Ok("getcostreport", {{"jobQueue", "arn:aws:batch:us-east-1:1:job-queue/q2"}});
  Json capped = Ok("getcostreport", {{"computeEnvironment", "spot"}, {"maxJobs", 1}});

  EXPECT_NEAR(by_queue["totalCost"].get<double>(), 0.00875, kTolerance);
  EXPECT_EQ(by_queue["idleCost"], 0.0);
  ASSERT_EQ(by_queue["jobs"].size(), 1u);
  EXPECT_EQ(by_queue["jobs"][0]["jobId"], "b");
  EXPECT_NEAR(capped["totalCost"].get<double>(), 0.035, kTolerance);
  EXPECT_EQ(capped["jobCount"], 2);
  ASSERT_EQ(capped["jobs"].size(), 1u);
  EXPECT_EQ(capped["jobs"][0]["jobId"], "a");
}

TEST_F(CostRoutesTest, GetCostReportRejectsBadInput) {
  EXPECT_EQ(ClientError("getcostreport", {{"since", "yesterday"}}), "since must be an integer");
  EXPECT_EQ(ClientError("getcostreport", {{"until", -5}}), "until must not be negative");
  EXPECT_EQ(ClientError("getcostreport", {{"jobQueue", 7}}), "jobQueue must be a string");
  EXPECT_EQ(ClientError("getcostreport", {{"computeEnvironment", ""}}),
            "computeEnvironment must not be empty");
  EXPECT_EQ(ClientError("getcostreport", {{"maxJobs", -1}}), "maxJobs must not be negative");
  EXPECT_NE(ClientError("getcostreport", {{"since", ToEpochMillis(kT0 + hours(2))}}).find("since"),
            std::string::npos);
  EXPECT_NE(ClientError("getcostreport",
                        {{"jobQueue", "arn:aws:batch:us-east-1:1:compute-environment/spot"}})
                .find("not a job queue"),
            std::string::npos);
  EXPECT_EQ(Post("getcostreport", Json::array()).status, 400);
}

TEST_F(CostRoutesTest, ListInstancesFiltersByEnvironmentAndState) {
  Json all = Ok("listinstances", Json::object());
  Json running = Ok("listinstances", {{"computeEnvironment", "spot"}, {"states", {"RUNNING"}}});
  Json none = Ok("listinstances", {{"states", {"LAUNCHING", "DRAINING"}}});

  ASSERT_EQ(all["instances"].size(), 2u);
  EXPECT_EQ(all["instances"][0]["instanceId"], "i-1");  // Same launch time: by id.
  ASSERT_EQ(running["instances"].size(), 1u);
  EXPECT_EQ(running["instances"][0]["instanceId"], "i-1");
  EXPECT_EQ(running["instances"][0]["capacityType"], "SPOT");
  EXPECT_EQ(running["instances"][0]["instanceType"]["name"], "c5.large");
  EXPECT_TRUE(none["instances"].empty());
}

TEST_F(CostRoutesTest, ListInstancesRejectsBadInput) {
  EXPECT_EQ(ClientError("listinstances", {{"states", {"RUNNING", "ASLEEP"}}}),
            "states[1] must be one of LAUNCHING, RUNNING, DRAINING, TERMINATED");
  EXPECT_EQ(ClientError("listinstances", {{"states", "RUNNING"}}), "states must be a list");
  EXPECT_EQ(ClientError("listinstances", {{"computeEnvironment", 3}}),
            "computeEnvironment must be a string");
}

TEST_F(CostRoutesTest, TheRoutesAreServedOnlyWithACostService) {
  Api without(resources_.Services(), ApiOptions{});

  HttpReply reply = without.Handle({.method = "POST",
                                    .target = "/v1/getcostreport",
                                    .headers = {{"Host", "127.0.0.1"}},
                                    .body = "{}"});

  EXPECT_EQ(reply.status, 404);
}

TEST_F(CostRoutesTest, TheRoutesNeedASignatureWhenCredentialsAreConfigured) {
  Sigv4Verifier verifier(CredentialSet{{"AKIDBARGE", "s3cr3t/KEY"}}, clock_);
  Api signed_api(WithCost(resources_.Services(), &cost_), ApiOptions{.verifier = &verifier});
  std::string body = "{}";
  std::string date = FormatAmzDate(clock_.Now());
  sigv4::SigningInput input{.method = "POST",
                            .raw_path = "/v1/getcostreport",
                            .headers = {{"Host", "127.0.0.1"},
                                        {"Content-Type", "application/json"},
                                        {"X-Amz-Date", date}},
                            .signed_headers = {"content-type", "host", "x-amz-date"},
                            .payload_sha256_hex = sigv4::Sha256Hex(body),
                            .amz_date = date,
                            .region = "us-east-1",
                            .service = "batch"};
  HttpRequest request{.method = "POST",
                      .target = "/v1/getcostreport",
                      .headers = {{"Host", "127.0.0.1"},
                                  {"Content-Type", "application/json"},
                                  {"X-Amz-Date", date}},
                      .body = body};

  HttpReply unsigned_reply = signed_api.Handle(request);
  request.headers.push_back(
      {"Authorization", sigv4::AuthorizationHeader(input, "AKIDBARGE", "s3cr3t/KEY")});
  HttpReply signed_reply = signed_api.Handle(request);

  EXPECT_EQ(unsigned_reply.status, 403);
  EXPECT_EQ(signed_reply.status, 200) << signed_reply.body;
}

}  // namespace
}  // namespace barge::api
