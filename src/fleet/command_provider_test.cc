#include "fleet/command_provider.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <nlohmann/json.hpp>

namespace barge::fleet {
namespace {

using Json = nlohmann::json;
using std::chrono::milliseconds;

// The programs are real processes, so results arrive on the provider's
// threads; this bounds how long a test waits for one before failing.
constexpr auto kResultWait = std::chrono::seconds(5);

class CommandProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "command_provider_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // A /bin/sh script in the test's directory; $DIR in `body` is that directory.
  std::string Script(const std::string& name, const std::string& body, mode_t mode = 0755) {
    std::string path = dir_ + "/" + name;
    std::string text = "#!/bin/sh\nDIR='" + dir_ + "'\n" + body + "\n";
    // O_CLOEXEC: a program the provider starts meanwhile must not inherit a
    // writable descriptor of a script, or exec'ing that script fails (ETXTBSY).
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    EXPECT_GE(fd, 0);
    EXPECT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
    ::close(fd);
    ::chmod(path.c_str(), mode);
    return path;
  }

  std::string Read(const std::string& name) {
    std::ifstream in(dir_ + "/" + name);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  CommandProviderOptions Options(const std::string& launch, const std::string& terminate) {
    return CommandProviderOptions{
        .name = "rack",
        .launch_program = launch,
        .terminate_program = terminate,
        .timeout = std::chrono::seconds(10),
        .post =
            [this](std::function<void()> work) {
              std::lock_guard lock(mutex_);
              posted_.push_back(std::move(work));
              posted_changed_.notify_all();
            },
    };
  }

  std::unique_ptr<CommandProvider> Make(const std::string& launch_body,
                                        const std::string& terminate_body = "exit 0",
                                        Duration timeout = std::chrono::seconds(10)) {
    CommandProviderOptions options =
        Options(Script("launch", launch_body), Script("terminate", terminate_body));
    options.timeout = timeout;
    Result<std::unique_ptr<CommandProvider>> provider = CommandProvider::Create(std::move(options));
    EXPECT_TRUE(provider) << provider.error().message;
    return provider ? std::move(provider).value() : nullptr;
  }

  // Runs the next posted callback, as the control thread would; false when
  // none arrives in time.
  bool RunNextPosted() {
    std::function<void()> work;
    {
      std::unique_lock lock(mutex_);
      if (!posted_changed_.wait_for(lock, kResultWait, [&] { return !posted_.empty(); })) {
        return false;
      }
      work = std::move(posted_.front());
      posted_.pop_front();
    }
    work();
    return true;
  }

  size_t PostedCount() {
    std::lock_guard lock(mutex_);
    return posted_.size();
  }

  std::vector<LaunchResult> LaunchAndWait(CommandProvider& provider, const LaunchRequest& request) {
    std::vector<LaunchResult> results;
    provider.Launch(request, [&](std::vector<LaunchResult> r) { results = std::move(r); });
    EXPECT_TRUE(RunNextPosted());
    return results;
  }

  static LaunchRequest Request() {
    return LaunchRequest{
        .compute_environment = "ce1",
        .type = InstanceType{.name = "c5.large",
                             .family = "c5",
                             .vcpus = 2,
                             .memory_mib = 4096,
                             .gpus = 0,
                             .architecture = "x86_64",
                             .on_demand_per_hour = 0.085,
                             .spot_per_hour = 0.0361,
                             .interruption = InterruptionBand::k5To10},
        .capacity = CapacityType::kSpot,
        .instance_ids = {"i-1", "i-2"},
        .join = AgentJoin{.server_url = "http://10.0.0.1:8080",
                          .token = "secret-token",
                          .executor = "container"},
    };
  }

  std::string dir_;
  std::mutex mutex_;
  std::condition_variable posted_changed_;
  std::deque<std::function<void()>> posted_;
};

TEST_F(CommandProviderTest, LaunchProgramGetsTheRequestAndItsProviderDataReachesTheResults) {
  auto provider = Make(
      "cat > \"$DIR/stdin.json\"\n"
      "echo '{\"instances\": [{\"instanceId\": \"i-2\", \"providerData\": \"host-b\"},"
      " {\"instanceId\": \"i-1\", \"providerData\": \"host-a\"}]}'");
  ASSERT_NE(provider, nullptr);
  bool called = false;
  std::vector<LaunchResult> results;

  provider->Launch(Request(), [&](std::vector<LaunchResult> r) {
    called = true;
    results = std::move(r);
  });
  bool ran_inside_launch = called;
  ASSERT_TRUE(RunNextPosted());

  EXPECT_FALSE(ran_inside_launch);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].instance_id, "i-1");
  EXPECT_TRUE(results[0].status);
  EXPECT_EQ(results[0].provider_data, "host-a");
  EXPECT_EQ(results[1].instance_id, "i-2");
  EXPECT_TRUE(results[1].status);
  EXPECT_EQ(results[1].provider_data, "host-b");
  Json agent_1 = {"agent",
                  "--server",
                  "http://10.0.0.1:8080",
                  "--compute-environment",
                  "ce1",
                  "--instance-id",
                  "i-1",
                  "--instance-type",
                  "c5.large",
                  "--vcpus",
                  "2",
                  "--memory",
                  "4096",
                  "--gpus",
                  "0"};
  Json agent_2 = agent_1;
  agent_2[6] = "i-2";
  Json expected = {
      {"computeEnvironment", "ce1"},
      {"instanceType",
       {{"name", "c5.large"},
        {"family", "c5"},
        {"vcpus", 2},
        {"memoryMiB", 4096},
        {"gpus", 0},
        {"architecture", "x86_64"},
        {"onDemandPricePerHour", 0.085},
        {"spotPricePerHour", 0.0361},
        {"spotInterruption", "5-10%"}}},
      {"capacityType", "SPOT"},
      {"count", 2},
      {"instances",
       {{{"instanceId", "i-1"}, {"agentCommand", agent_1}},
        {{"instanceId", "i-2"}, {"agentCommand", agent_2}}}},
      {"serverUrl", "http://10.0.0.1:8080"},
      {"token", "secret-token"},
      {"executor", "container"},
  };
  EXPECT_EQ(Json::parse(Read("stdin.json")), expected);
}

TEST_F(CommandProviderTest, AnInstanceMissingFromTheReplyFailsAndTheOthersLaunch) {
  auto provider = Make("echo '{\"instances\": [{\"instanceId\": \"i-1\"}]}'");
  ASSERT_NE(provider, nullptr);

  std::vector<LaunchResult> results = LaunchAndWait(*provider, Request());

  ASSERT_EQ(results.size(), 2u);
  EXPECT_TRUE(results[0].status);
  EXPECT_EQ(results[0].provider_data, "");
  ASSERT_FALSE(results[1].status);
  EXPECT_EQ(results[1].status.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(results[1].status.error().message,
            "launch program " + dir_ + "/launch did not report instance i-2");
}

TEST_F(CommandProviderTest, AFailedExitFailsEveryInstanceWithTheProgramsStderr) {
  auto provider = Make(
      "cat > /dev/null\n"
      "echo 'no capacity left in rack 7' >&2\n"
      "exit 1");
  ASSERT_NE(provider, nullptr);

  std::vector<LaunchResult> results = LaunchAndWait(*provider, Request());

  ASSERT_EQ(results.size(), 2u);
  for (const LaunchResult& result : results) {
    ASSERT_FALSE(result.status) << result.instance_id;
    EXPECT_EQ(result.status.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(result.status.error().message, "launch program " + dir_ +
                                                 "/launch exited with status 1: no capacity "
                                                 "left in rack 7");
  }
}

TEST_F(CommandProviderTest, OutputThatIsNotTheReplyFailsEveryInstance) {
  auto provider = Make("echo 'started them all'");
  ASSERT_NE(provider, nullptr);

  std::vector<LaunchResult> results = LaunchAndWait(*provider, Request());

  ASSERT_EQ(results.size(), 2u);
  for (const LaunchResult& result : results) {
    ASSERT_FALSE(result.status) << result.instance_id;
    EXPECT_EQ(result.status.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(result.status.error().message,
              "launch program " + dir_ + "/launch printed no JSON: started them all");
  }
}

TEST_F(CommandProviderTest, AProgramStillRunningAfterTheTimeoutIsKilledAndFails) {
  auto provider = Make("sleep 30", "exit 0", milliseconds(300));
  ASSERT_NE(provider, nullptr);
  auto started = std::chrono::steady_clock::now();

  std::vector<LaunchResult> results = LaunchAndWait(*provider, Request());

  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
  ASSERT_EQ(results.size(), 2u);
  ASSERT_FALSE(results[0].status);
  EXPECT_EQ(results[0].status.error().message,
            "launch program " + dir_ + "/launch was still running after 300 ms and was killed");
}

TEST_F(CommandProviderTest, ABackgroundProcessHoldingStdoutDoesNotDelayTheResult) {
  // The launch program leaves a process behind that keeps its stdout open;
  // the result must come when the program exits, not when that one does.
  auto provider = Make(
      "sleep 30 &\n"
      "echo $! > \"$DIR/background.pid\"\n"
      "echo '{\"instances\": [{\"instanceId\": \"i-1\"}, {\"instanceId\": \"i-2\"}]}'");
  ASSERT_NE(provider, nullptr);
  auto started = std::chrono::steady_clock::now();

  std::vector<LaunchResult> results = LaunchAndWait(*provider, Request());

  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
  ASSERT_EQ(results.size(), 2u);
  EXPECT_TRUE(results[0].status);
  EXPECT_TRUE(results[1].status);
  ::kill(std::atoi(Read("background.pid").c_str()), SIGKILL);
}

TEST_F(CommandProviderTest, AProgramThatClosesItsStdinUnreadIsJudgedByItsReply) {
  // More input than a pipe holds, so writing it meets the closed pipe
  // (EPIPE and SIGPIPE), which must not hurt the server.
  auto provider = Make(
      "exec 0<&-\n"
      "echo '{\"instances\": [{\"instanceId\": \"i-0\"}]}'");
  ASSERT_NE(provider, nullptr);
  LaunchRequest request = Request();
  request.instance_ids.clear();
  for (int i = 0; i < 1000; ++i) request.instance_ids.push_back("i-" + std::to_string(i));

  std::vector<LaunchResult> results = LaunchAndWait(*provider, request);

  ASSERT_EQ(results.size(), 1000u);
  EXPECT_TRUE(results[0].status);
  ASSERT_FALSE(results[1].status);
  EXPECT_EQ(results[1].status.error().message,
            "launch program " + dir_ + "/launch did not report instance i-1");
}

TEST_F(CommandProviderTest, TerminateProgramGetsTheInstancesWithTheirProviderData) {
  auto provider = Make("exit 0", "cat > \"$DIR/stdin.json\"");
  ASSERT_NE(provider, nullptr);
  Instance instance{.id = "i-1",
                    .compute_environment = "ce1",
                    .type = InstanceType{.name = "c5.large"},
                    .provider_data = "host-a"};
  std::optional<Status> status;

  provider->Terminate({instance}, [&](Status s) { status = std::move(s); });
  ASSERT_TRUE(RunNextPosted());

  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(*status);
  Json expected = {{"instances",
                    {{{"instanceId", "i-1"},
                      {"providerData", "host-a"},
                      {"computeEnvironment", "ce1"},
                      {"instanceType", "c5.large"}}}}};
  EXPECT_EQ(Json::parse(Read("stdin.json")), expected);
}

TEST_F(CommandProviderTest, ATerminateProgramThatFailsFailsTheTerminate) {
  auto provider = Make("exit 0", "echo 'host-a is not answering' >&2\nexit 3");
  ASSERT_NE(provider, nullptr);
  std::optional<Status> status;

  provider->Terminate({Instance{.id = "i-1", .provider_data = "host-a"}},
                      [&](Status s) { status = std::move(s); });
  ASSERT_TRUE(RunNextPosted());

  ASSERT_TRUE(status.has_value());
  ASSERT_FALSE(*status);
  EXPECT_EQ(status->error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(status->error().message, "terminate program " + dir_ +
                                         "/terminate exited with status 3: host-a is not "
                                         "answering");
}

TEST_F(CommandProviderTest, DestroyingTheProviderKillsRunningProgramsAndPostsNothing) {
  auto provider = Make("sleep 30");
  ASSERT_NE(provider, nullptr);
  provider->Launch(Request(), [](std::vector<LaunchResult>) {});
  auto started = std::chrono::steady_clock::now();

  provider.reset();

  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
  EXPECT_EQ(PostedCount(), 0u);
}

TEST_F(CommandProviderTest, CreateRejectsAMissingOrNonExecutableProgram) {
  std::string launch = Script("launch", "exit 0");
  std::string not_executable = Script("terminate", "exit 0", 0644);

  auto missing = CommandProvider::Create(Options(dir_ + "/nope", not_executable));
  auto unusable = CommandProvider::Create(Options(launch, not_executable));
  auto unnamed_options = Options(launch, launch);
  unnamed_options.name = "";
  auto unnamed = CommandProvider::Create(std::move(unnamed_options));
  auto not_in_path = CommandProvider::Create(Options(launch, "barge-no-such-program"));

  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(missing.error().message,
            "command provider rack: launch program " + dir_ + "/nope is missing or not executable");
  ASSERT_FALSE(unusable);
  EXPECT_EQ(unusable.error().message, "command provider rack: terminate program " + not_executable +
                                          " is missing or not executable");
  ASSERT_FALSE(unnamed);
  EXPECT_EQ(unnamed.error().code, ErrorCode::kInvalidArgument);
  ASSERT_FALSE(not_in_path);
  EXPECT_EQ(not_in_path.error().message,
            "command provider rack: terminate program barge-no-such-program is not found in PATH");
}

TEST_F(CommandProviderTest, NameIsTheConfiguredNameAndSpotIsNotModelled) {
  auto provider = Make("exit 0");
  ASSERT_NE(provider, nullptr);

  EXPECT_EQ(provider->name(), "rack");
  EXPECT_FALSE(provider->models_spot_interruptions());
  EXPECT_TRUE(provider->StillExists(Instance{.id = "i-1"}));
  EXPECT_TRUE(provider->TakeLost().empty());
}

}  // namespace
}  // namespace barge::fleet
