#include "cli/watch_command.h"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <sstream>

#include "cli/shorthand.h"

namespace barge::cli {
namespace {

// Answers like a server holding `jobs[queue][state]` jobs, `page` per
// ListJobs page at most; records every request. Unreachable when `down`.
class FakeServer {
 public:
  std::map<std::string, std::map<std::string, int64_t>> jobs;
  std::vector<Json> queue_rows;  // DescribeJobQueues' jobQueues.
  bool down = false;
  std::vector<HttpRequest> sent;

  Result<HttpResponse> Answer(const HttpRequest& request) {
    sent.push_back(request);
    if (down) return Unavailable("could not connect to the endpoint URL: http://h:1");
    Json body = Json::parse(request.body);
    if (request.target == "/v1/describejobqueues") {
      Json rows = Json::array();
      for (const Json& row : queue_rows) {
        if (!body.contains("jobQueues") ||
            std::ranges::find(body["jobQueues"], row["jobQueueName"]) != body["jobQueues"].end() ||
            std::ranges::find(body["jobQueues"], row["jobQueueArn"]) != body["jobQueues"].end()) {
          rows.push_back(row);
        }
      }
      return Ok(Json{{"jobQueues", rows}});
    }
    if (request.target == "/v1/listjobs") {
      if (!jobs.contains(body["jobQueue"].get<std::string>())) {
        return HttpResponse{.status = 400,
                            .reason = "Bad Request",
                            .body = R"({"__type":"ClientException","message":"no such queue"})"};
      }
      int64_t total = jobs[body["jobQueue"]][body["jobStatus"]];
      int64_t offset = body.contains("nextToken") ? std::stoll(body["nextToken"].get<std::string>())
                                                  : 0;
      int64_t size = std::min(body["maxResults"].get<int64_t>(), total - offset);
      Json reply = {{"jobSummaryList", Json::array()}};
      for (int64_t i = 0; i < size; ++i) reply["jobSummaryList"].push_back({{"jobId", "x"}});
      if (offset + size < total) reply["nextToken"] = std::to_string(offset + size);
      return Ok(reply);
    }
    return HttpResponse{.status = 404, .reason = "Not Found"};
  }

 private:
  static HttpResponse Ok(const Json& body) {
    return {.status = 200, .reason = "OK", .body = body.dump()};
  }
};

class ForwardingTransport final : public Transport {
 public:
  explicit ForwardingTransport(FakeServer& server) : server_(server) {}
  Result<HttpResponse> RoundTrip(const HttpRequest& request) override {
    return server_.Answer(request);
  }

 private:
  FakeServer& server_;
};

class WatchCommandTest : public ::testing::Test {
 protected:
  int Run(const std::vector<std::string>& args) {
    ProcessContext context{
        .env = {.endpoint = "http://h:1", .stdout_is_terminal = true},
        .make_transport =
            [this](const Endpoint&) { return std::make_unique<ForwardingTransport>(server_); },
        .now =
            [] { return std::chrono::system_clock::time_point(std::chrono::seconds(1764038412)); },
    };
    return RunWatch(args, context, out_, err_);
  }

  void AddQueue(const std::string& name) {
    server_.queue_rows.push_back(
        {{"jobQueueName", name}, {"jobQueueArn", "arn:aws:batch:r:1:job-queue/" + name}});
    server_.jobs[name] = {};
  }

  size_t ListJobsCalls() const {
    return std::ranges::count_if(
        server_.sent, [](const HttpRequest& r) { return r.target == "/v1/listjobs"; });
  }

  FakeServer server_;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST(IsWatchCommandTest, RecognisesTheVerbAfterGlobalOptions) {
  EXPECT_TRUE(IsWatchCommand({"watch"}));
  EXPECT_TRUE(IsWatchCommand({"--endpoint-url", "http://h:1", "--region", "r", "watch", "--once"}));
  EXPECT_FALSE(IsWatchCommand({"--endpoint-url", "watch", "list-jobs"}));
  EXPECT_FALSE(IsWatchCommand({"list-jobs", "watch"}));
  EXPECT_FALSE(IsWatchCommand({}));
}

TEST_F(WatchCommandTest, OnceCountsEveryStateOfEveryQueueSortedByName) {
  AddQueue("zeta");
  AddQueue("alpha");
  server_.jobs["alpha"]["RUNNABLE"] = 3;
  server_.jobs["zeta"]["SUCCEEDED"] = 2500;

  int code = Run({"watch", "--once", "--max-count", "5000"});

  EXPECT_EQ(code, kExitOk) << err_.str();
  EXPECT_EQ(out_.str(),
            "Job counts at 2025-11-25T02:40:12Z (http://h:1)\n"
            "\n"
            "QUEUE  SUBMITTED  PENDING  RUNNABLE  STARTING  RUNNING  SUCCEEDED  FAILED\n"
            "alpha          0        0         3         0        0          0       0\n"
            "zeta           0        0         0         0        0       2500       0\n"
            "TOTAL          0        0         3         0        0       2500       0\n");
  EXPECT_EQ(ListJobsCalls(), 14u + 2u);  // One per state and queue, two more pages of SUCCEEDED.
}

TEST_F(WatchCommandTest, CountingStopsAtTheCapAndShowsAPlus) {
  AddQueue("q");
  server_.jobs["q"]["FAILED"] = 2500;

  int code = Run({"watch", "--once", "--output", "json", "--job-queue", "q"});

  EXPECT_EQ(code, kExitOk) << err_.str();
  Json line = Json::parse(out_.str());
  EXPECT_EQ(line["queues"][0]["counts"]["FAILED"], 1000);
  EXPECT_EQ(line["queues"][0]["capped"], Json::array({"FAILED"}));
  EXPECT_EQ(ListJobsCalls(), 7u);
}

TEST_F(WatchCommandTest, NamedQueuesKeepTheirOrderAndMayBeArns) {
  AddQueue("a");
  AddQueue("b");
  server_.jobs["a"]["RUNNING"] = 1;

  int code = Run({"--output=json", "watch", "--once", "--job-queue", "b",
                  "arn:aws:batch:r:1:job-queue/a"});

  EXPECT_EQ(code, kExitOk) << err_.str();
  Json line = Json::parse(out_.str());
  ASSERT_EQ(line["queues"].size(), 2u);
  EXPECT_EQ(line["queues"][0]["jobQueueName"], "b");
  EXPECT_EQ(line["queues"][1]["jobQueueName"], "a");
  EXPECT_EQ(line["queues"][1]["counts"]["RUNNING"], 1);
}

TEST_F(WatchCommandTest, UnknownQueueIsAnError) {
  AddQueue("a");

  int code = Run({"watch", "--once", "--job-queue", "nope"});

  EXPECT_EQ(code, kExitServiceError);
  EXPECT_EQ(err_.str(), "job queue nope does not exist\n");
  EXPECT_EQ(out_.str(), "");
}

TEST_F(WatchCommandTest, UnreachableServerExits255) {
  server_.down = true;

  int code = Run({"watch", "--once"});

  EXPECT_EQ(code, kExitFailure);
  EXPECT_NE(err_.str().find("could not connect"), std::string::npos);
}

TEST_F(WatchCommandTest, BadFlagsAreParameterErrors) {
  EXPECT_EQ(Run({"watch", "--interval", "0"}), kExitParamError);
  EXPECT_EQ(Run({"watch", "--interval", "abc"}), kExitParamError);
  EXPECT_EQ(Run({"watch", "--max-count", "-1"}), kExitParamError);
  EXPECT_EQ(Run({"watch", "--output", "yaml"}), kExitParamError);
  EXPECT_EQ(Run({"watch", "--frobnicate"}), kExitParamError);
  EXPECT_EQ(Run({"watch", "--job-queue"}), kExitParamError);
  EXPECT_TRUE(server_.sent.empty());
}

TEST_F(WatchCommandTest, HelpPrintsUsage) {
  EXPECT_EQ(Run({"watch", "--help"}), kExitOk);
  EXPECT_TRUE(out_.str().starts_with("usage: barge watch"));
}

}  // namespace
}  // namespace barge::cli
