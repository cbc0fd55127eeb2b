// `barge run` against FakeBatchServer: definition reuse or registration, the
// submitted request, output, the status line and the exit code.
#include "cli/run_command.h"

#include <gtest/gtest.h>

#include <sstream>

#include "cli/fake_batch_server.h"
#include "cli/run_definition.h"

namespace barge::cli {
namespace {

using Json = nlohmann::json;

class RunCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.on_call = [this](const std::string& operation, const Json& body) -> Json {
      if (operation == "describejobdefinitions") return {{"jobDefinitions", definitions_}};
      if (operation == "registerjobdefinition")
        return {{"jobDefinitionName", body["jobDefinitionName"]}, {"revision", 3}};
      if (operation == "submitjob") {
        server_.job = {
            {"jobId", "j1"}, {"status", "RUNNING"}, {"container", {{"logStreamName", "s"}}}};
        return {{"jobId", "j1"}, {"jobName", body["jobName"]}};
      }
      return Json::object();
    };
    server_.on_describe = [this](int count) {
      if (count == 2) {
        server_.job["status"] = final_status_;
        if (exit_code_) server_.job["container"]["exitCode"] = *exit_code_;
        server_.job["statusReason"] = "Essential container in task exited";
      }
    };
    server_.streams["s"] = {"hi"};
  }

  int Run(const std::vector<std::string>& words) {
    Result<VerbArgs> args = ParseVerbArgs(RunVerb(), words);
    EXPECT_TRUE(args) << args.error().message;
    SignedClient client = server_.Client();
    return RunRun(
        *args, client, [this](std::chrono::milliseconds) { return !interrupt_; }, out_, err_);
  }

  // The body of the first call to `operation`.
  Json Sent(const std::string& operation) {
    for (size_t i = 0; i < server_.operations.size(); ++i) {
      if (server_.operations[i] == operation) return server_.bodies[i];
    }
    return nullptr;
  }

  FakeBatchServer server_;
  Json definitions_ = Json::array();
  std::string final_status_ = "FAILED";
  std::optional<int> exit_code_ = 7;
  bool interrupt_ = false;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(RunCommandTest, RegistersSubmitsPrintsAndExitsWithTheJobsCode) {
  int code = Run({"--vcpus", "2", "--memory=256", "--", "sh", "-c", "echo hi; exit 7"});

  EXPECT_EQ(code, 7);
  EXPECT_EQ(out_.str(), "hi\n");
  RunShape shape{.image = "busybox", .vcpus = 2, .memory_mib = 256};
  EXPECT_EQ(Sent("registerjobdefinition"), RunDefinitionRequest(shape));
  Json submit = Sent("submitjob");
  EXPECT_EQ(submit["jobDefinition"], RunDefinitionName(shape) + ":3");
  EXPECT_EQ(submit["jobQueue"], "default");
  EXPECT_EQ(submit["jobName"], "sh");
  EXPECT_EQ(submit["containerOverrides"]["command"], (Json{"sh", "-c", "echo hi; exit 7"}));
  EXPECT_FALSE(submit.contains("timeout"));
  EXPECT_NE(
      err_.str().find("barge run: job j1 FAILED: Essential container in task exited (exit 7)"),
      std::string::npos)
      << err_.str();
}

TEST_F(RunCommandTest, ReusesAMatchingActiveDefinition) {
  RunShape shape{.image = "busybox", .vcpus = 1, .memory_mib = 512};
  Json matching = RunDefinitionRequest(shape);
  matching.update({{"status", "ACTIVE"}, {"revision", 5}});
  Json other = matching;
  other.update({{"revision", 6}});
  other["containerProperties"]["image"] = "alpine";
  definitions_ = {matching, other};
  final_status_ = "SUCCEEDED";
  exit_code_ = 0;

  int code = Run({"--job-queue", "q", "--name", "mine", "--timeout", "90", "true"});

  EXPECT_EQ(code, 0);
  EXPECT_TRUE(Sent("registerjobdefinition").is_null());
  Json submit = Sent("submitjob");
  EXPECT_EQ(submit["jobDefinition"], RunDefinitionName(shape) + ":5");
  EXPECT_EQ(submit["jobQueue"], "q");
  EXPECT_EQ(submit["jobName"], "mine");
  EXPECT_EQ(submit["timeout"], (Json{{"attemptDurationSeconds", 90}}));
  EXPECT_EQ(submit["containerOverrides"]["command"], (Json{"true"}));
}

TEST_F(RunCommandTest, AnImageGoesToTheContainersQueue) {
  final_status_ = "SUCCEEDED";
  exit_code_ = 0;

  EXPECT_EQ(Run({"--image", "alpine:3", "--", "true"}), 0);

  Json submit = Sent("submitjob");
  EXPECT_EQ(submit["jobQueue"], "containers");
  EXPECT_EQ(Sent("registerjobdefinition")["containerProperties"]["image"], "alpine:3");
  EXPECT_NE(err_.str().find("submitted to containers"), std::string::npos) << err_.str();
}

TEST_F(RunCommandTest, AnImageWithAQueueGoesToThatQueue) {
  EXPECT_EQ(Run({"--image", "alpine:3", "--job-queue", "gpu", "--", "true"}), 7);

  EXPECT_EQ(Sent("submitjob")["jobQueue"], "gpu");
}

TEST_F(RunCommandTest, FailedWithoutAnExitCodeExitsOne) {
  exit_code_.reset();

  EXPECT_EQ(Run({"--", "sleep", "9"}), 1);
}

TEST_F(RunCommandTest, InterruptTerminatesTheJobAndExits130) {
  interrupt_ = true;

  EXPECT_EQ(Run({"--", "sleep", "300"}), 130);
  EXPECT_EQ(Sent("terminatejob")["jobId"], "j1");
}

TEST_F(RunCommandTest, NoCommandOrBadNumbersAreParameterErrors) {
  EXPECT_EQ(Run({"--vcpus", "2"}), 252);
  EXPECT_EQ(Run({"--vcpus", "0", "--", "true"}), 252);
  EXPECT_EQ(Run({"--memory", "lots", "--", "true"}), 252);
  EXPECT_TRUE(server_.operations.empty());
}

TEST_F(RunCommandTest, ServiceErrorsBeforeTheJobExitWith254) {
  server_.on_call = [](const std::string& operation, const Json&) -> Json {
    if (operation == "describejobdefinitions") return {{"jobDefinitions", Json::array()}};
    if (operation == "registerjobdefinition") return {{"jobDefinitionName", "x"}, {"revision", 1}};
    return {{"__type", "ClientException"}, {"message", "job queue nope does not exist"}};
  };

  EXPECT_EQ(Run({"--job-queue", "nope", "--", "true"}), 254);
  EXPECT_NE(err_.str().find("when calling the SubmitJob operation: job queue nope does not exist"),
            std::string::npos)
      << err_.str();
}

TEST(RunDefinitionTest, NamesAreStableAndJobNamesAreValid) {
  RunShape shape{.image = "busybox", .vcpus = 1, .memory_mib = 512};
  RunShape other{.image = "busybox", .vcpus = 2, .memory_mib = 512};

  EXPECT_EQ(RunDefinitionName(shape), RunDefinitionName(shape));
  EXPECT_NE(RunDefinitionName(shape), RunDefinitionName(other));
  EXPECT_EQ(RunDefinitionName(shape).size(), std::string("barge-run-").size() + 8);
  EXPECT_EQ(RunJobName("/usr/bin/python3"), "python3");
  EXPECT_EQ(RunJobName("./my script.sh"), "my-script-sh");
  EXPECT_EQ(RunJobName("_x"), "run-_x");
  EXPECT_EQ(RunJobName(std::string(200, 'a')).size(), 128u);
}

}  // namespace
}  // namespace barge::cli
