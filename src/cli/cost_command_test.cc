// `barge cost` and `barge instances` against FakeBatchServer: flags, the
// requests sent, the tables printed and the exit codes; and the time flags.
#include "cli/cost_command.h"

#include <gtest/gtest.h>

#include <memory>
#include <sstream>

#include "cli/cost_report_text.h"
#include "cli/fake_batch_server.h"
#include "cli/job_commands.h"

namespace barge::cli {
namespace {

using Json = nlohmann::json;

constexpr int64_t kNowMs = 1'700'003'600'000;  // 2023-11-14T23:13:20Z

// GetCostReport's reply for one hour: two environments, one queue, three jobs.
Json Report() {
  return Json::parse(R"({
    "since": 1700000000000, "until": 1700003600000, "currency": "USD",
    "totalCost": 0.0775, "idleCost": 0.06, "onDemandCost": 0.1275, "savings": 0.05,
    "jobCount": 3,
    "computeEnvironments": [
      {"computeEnvironmentName": "od", "cost": 0.0425, "idleCost": 0.0425,
       "onDemandCost": 0.0425, "instanceSeconds": 1800},
      {"computeEnvironmentName": "spot", "cost": 0.035, "idleCost": 0.0175,
       "onDemandCost": 0.085, "instanceSeconds": 3600}],
    "jobQueues": [{"jobQueueName": "q1", "cost": 0.0091, "onDemandCost": 0.0212,
                   "vcpuSeconds": 1800}],
    "jobs": [
      {"jobId": "a", "jobName": "name-a", "jobQueue": "q1", "computeEnvironment": "spot",
       "vcpuSeconds": 1800, "cost": 0.0091, "onDemandCost": 0.0212},
      {"jobId": "b", "jobName": "name-b", "jobQueue": "q1", "computeEnvironment": "spot",
       "vcpuSeconds": 900, "cost": 0.004, "onDemandCost": 0.01}],
    "instances": []})");
}

Json Instances() {
  return Json::parse(R"({"instances": [
    {"instanceId": "i-1", "computeEnvironment": "spot", "capacityType": "SPOT",
     "instanceType": {"name": "c5.large", "vcpus": 2}, "state": "RUNNING",
     "launchedAt": 1700000000000, "pricePerHour": 0.035},
    {"instanceId": "i-2", "computeEnvironment": "od", "capacityType": "ON_DEMAND",
     "instanceType": {"name": "m5.xlarge", "vcpus": 4}, "state": "TERMINATED",
     "launchedAt": 1700000000000, "terminatedAt": 1700001800000, "pricePerHour": 0.192}]})");
}

class CostCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.on_call = [this](const std::string& operation, const Json&) -> Json {
      if (!error_.empty()) return {{"__type", "ClientException"}, {"message", error_}};
      if (operation == "getcostreport") return Report();
      if (operation == "listinstances") return Instances();
      return Json::object();
    };
  }

  int Cost(const std::vector<std::string>& words) {
    Result<VerbArgs> args = ParseVerbArgs(CostVerb(), words);
    EXPECT_TRUE(args) << args.error().message;
    SignedClient client = server_.Client();
    return RunCost(*args, client, env_, kNowMs, out_, err_);
  }
  int List(const std::vector<std::string>& words) {
    Result<VerbArgs> args = ParseVerbArgs(InstancesVerb(), words);
    EXPECT_TRUE(args) << args.error().message;
    SignedClient client = server_.Client();
    return RunInstances(*args, client, env_, out_, err_);
  }

  FakeBatchServer server_;
  Environment env_{};
  std::string error_{};
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(CostCommandTest, SendsTheFiltersAndThePeriod) {
  int code = Cost({"--job-queue", "q1", "--compute-environment", "spot", "--since", "2h", "--until",
                   "2023-11-14T23:00:00Z", "--output", "table"});

  EXPECT_EQ(code, 0) << err_.str();
  ASSERT_EQ(server_.operations, std::vector<std::string>{"getcostreport"});
  EXPECT_EQ(server_.bodies[0], Json({{"jobQueue", "q1"},
                                     {"computeEnvironment", "spot"},
                                     {"since", kNowMs - 7'200'000},
                                     {"until", 1'700'002'800'000},
                                     {"maxJobs", 20}}));
}

TEST_F(CostCommandTest, PrintsTotalsAndATablePerEnvironmentQueueAndJob) {
  int code = Cost({"--output", "table", "--max-jobs", "1"});

  EXPECT_EQ(code, 0) << err_.str();
  EXPECT_EQ(server_.bodies[0], Json({{"maxJobs", 1}}));
  EXPECT_EQ(out_.str(),
            "Cost from 2023-11-14T22:13:20Z to 2023-11-14T23:13:20Z (USD)\n"
            "Total $0.0775   idle $0.0600 (77.4%)   on-demand equivalent $0.1275   "
            "savings $0.0500 (39.2%)\n"
            "\n"
            "COMPUTE ENVIRONMENT  COST     IDLE     ON-DEMAND  INSTANCE-HOURS\n"
            "od                   $0.0425  $0.0425  $0.0425    0.50\n"
            "spot                 $0.0350  $0.0175  $0.0850    1.00\n"
            "\n"
            "JOB QUEUE  COST     ON-DEMAND  VCPU-HOURS\n"
            "q1         $0.0091  $0.0212    0.50\n"
            "\n"
            "JOB ID  NAME    QUEUE  ENVIRONMENT  VCPU-HOURS  COST     ON-DEMAND\n"
            "a       name-a  q1     spot         0.50        $0.0091  $0.0212\n"
            "... and 2 more jobs (--output json lists them all)\n");
}

TEST_F(CostCommandTest, JsonOutputIsTheReplyWithEveryJob) {
  int code = Cost({"--output", "json"});

  EXPECT_EQ(code, 0) << err_.str();
  EXPECT_EQ(server_.bodies[0], Json::object());
  EXPECT_EQ(Json::parse(out_.str()), Report());
}

TEST_F(CostCommandTest, OutputDefaultsToBargeOutputThenToATableOnATerminal) {
  env_.stdout_is_terminal = true;
  EXPECT_EQ(Cost({}), 0);
  EXPECT_TRUE(out_.str().starts_with("Cost from")) << out_.str();

  env_.output = "json";
  out_.str("");
  EXPECT_EQ(Cost({}), 0);
  EXPECT_EQ(Json::parse(out_.str()), Report());
}

TEST_F(CostCommandTest, BadFlagsAreParameterErrorsAndSendNothing) {
  EXPECT_EQ(Cost({"--since", "yesterday"}), kExitParamError);
  EXPECT_NE(err_.str().find("--since must be epoch milliseconds"), std::string::npos);
  EXPECT_EQ(Cost({"--until", "2023-13-01"}), kExitParamError);
  EXPECT_EQ(Cost({"--max-jobs", "-1"}), kExitParamError);
  EXPECT_EQ(Cost({"--output", "yaml"}), kExitParamError);
  EXPECT_EQ(Cost({"extra"}), kExitParamError);
  EXPECT_TRUE(server_.operations.empty());
  EXPECT_FALSE(ParseVerbArgs(CostVerb(), {"--queue", "q"}));
}

TEST_F(CostCommandTest, AServiceErrorIsPrintedAndExits254) {
  error_ = "since must be before until";

  int code = Cost({"--output", "table"});

  EXPECT_EQ(code, kExitServiceError);
  EXPECT_EQ(err_.str(),
            "barge cost: An error occurred (ClientException) when calling the GetCostReport "
            "operation: since must be before until\n");
  EXPECT_EQ(out_.str(), "");
}

TEST_F(CostCommandTest, InstancesPrintsATable) {
  int code =
      List({"--compute-environment", "spot", "--state", "RUNNING,TERMINATED", "--output", "table"});

  EXPECT_EQ(code, 0) << err_.str();
  EXPECT_EQ(server_.bodies[0],
            Json({{"computeEnvironment", "spot"}, {"states", {"RUNNING", "TERMINATED"}}}));
  EXPECT_EQ(out_.str(),
            "INSTANCE ID  ENVIRONMENT  TYPE       CAPACITY   STATE       LAUNCHED              "
            "TERMINATED            $/H\n"
            "i-1          spot         c5.large   SPOT       RUNNING     2023-11-14T22:13:20Z  "
            "-                     $0.0350\n"
            "i-2          od           m5.xlarge  ON_DEMAND  TERMINATED  2023-11-14T22:13:20Z  "
            "2023-11-14T22:43:20Z  $0.1920\n");
}

TEST_F(CostCommandTest, InstancesRejectsAnUnknownState) {
  EXPECT_EQ(List({"--state", "RUNNING,ASLEEP"}), kExitParamError);
  EXPECT_NE(err_.str().find("not 'ASLEEP'"), std::string::npos);
  EXPECT_TRUE(server_.operations.empty());
  EXPECT_EQ(RenderInstances(Json{{"instances", Json::array()}}), "No instances.\n");
}

// Hands every request to the test's FakeBatchServer.
class Forwarding final : public Transport {
 public:
  explicit Forwarding(FakeBatchServer& server) : server_(server) {}
  Result<HttpResponse> RoundTrip(const HttpRequest& request) override {
    return server_.RoundTrip(request);
  }

 private:
  FakeBatchServer& server_;
};

TEST_F(CostCommandTest, TheVerbsAreDispatchedWithGlobalOptionsFirst) {
  ProcessContext context{
      .env = {.endpoint = "http://h:1"},
      .make_transport = [this](const Endpoint&) { return std::make_unique<Forwarding>(server_); },
      .now = [] { return std::chrono::system_clock::time_point(std::chrono::hours(1)); }};
  std::vector<std::string> args{"--output", "json", "cost", "--since", "30m"};

  ASSERT_TRUE(IsJobCommand(args));
  int code = RunJobCommand(args, context, out_, err_);
  int listed = RunJobCommand({"--endpoint-url", "http://h:1", "instances"}, context, out_, err_);

  EXPECT_EQ(code, 0) << err_.str();
  EXPECT_EQ(server_.bodies[0], Json({{"since", 1'800'000}}));
  EXPECT_EQ(listed, 0) << err_.str();
  EXPECT_EQ(server_.operations.back(), "listinstances");
}

TEST(ParseTimeArgumentTest, TakesEpochMillisIsoTimesAndDurationsBeforeNow) {
  EXPECT_EQ(ParseTimeArgument("since", "1700000000000", kNowMs).value(), 1'700'000'000'000);
  EXPECT_EQ(ParseTimeArgument("since", "2023-11-14T22:13:20Z", kNowMs).value(), 1'700'000'000'000);
  EXPECT_EQ(ParseTimeArgument("since", "2023-11-14 22:13:20.5", kNowMs).value(), 1'700'000'000'500);
  EXPECT_EQ(ParseTimeArgument("since", "2023-11-14T22:13", kNowMs).value(), 1'699'999'980'000);
  EXPECT_EQ(ParseTimeArgument("since", "2023-11-14", kNowMs).value(), 1'699'920'000'000);
  EXPECT_EQ(ParseTimeArgument("since", "24h", kNowMs).value(), kNowMs - 86'400'000);
  EXPECT_EQ(ParseTimeArgument("since", "7d", kNowMs).value(), kNowMs - 604'800'000);
  EXPECT_EQ(ParseTimeArgument("since", "90s", kNowMs).value(), kNowMs - 90'000);
}

TEST(ParseTimeArgumentTest, RefusesOtherText) {
  for (const char* text : {"", "yesterday", "-5", "2023-02-30", "2023-11-14T25:00Z",
                           "2023-11-14T22:13:20+01:00", "1.5h", "24x"}) {
    Result<int64_t> parsed = ParseTimeArgument("until", text, kNowMs);
    ASSERT_FALSE(parsed) << text;
    EXPECT_TRUE(parsed.error().message.starts_with("--until must be")) << parsed.error().message;
  }
}

}  // namespace
}  // namespace barge::cli
