#include "fleet/local_provider.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>  // mkdtemp
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace barge::fleet {
namespace {

using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// A fake `barge`: records its arguments, join token and open descriptors in
// its work dir, then
// blocks in the shell's own `read` on a FIFO (so that it is one process, and
// its cmdline keeps the arguments), until SIGTERM kills it.
constexpr char kRecordArgs[] = R"(#!/bin/sh
work_dir=
previous=
for arg in "$@"; do
  if [ "$previous" = --work-dir ]; then work_dir=$arg; fi
  previous=$arg
done
printf '%s' "$BARGE_AGENT_TOKEN" > "$work_dir/token"
# Written whole, then renamed: the tests read it as soon as it exists.
echo $$ > "$work_dir/pid.tmp"
mv "$work_dir/pid.tmp" "$work_dir/pid"
ls -l /proc/$$/fd/ > "$work_dir/fds"
mkfifo "$work_dir/block"
)";
constexpr char kPublishAndBlock[] = R"(printf '%s\n' "$@" > "$work_dir/args.tmp"
mv "$work_dir/args.tmp" "$work_dir/args"
read -r line <> "$work_dir/block"
)";
// One that ignores SIGTERM, with a helper process in its group whose pid it
// writes to <work_dir>/helper: only a SIGKILL of the whole group stops both.
constexpr char kIgnoreTerm[] = R"(trap '' TERM
sleep 1000 &
echo $! > "$work_dir/helper"
)";

// One that starts a stand-in for a job monitor: in a session of its own,
// with the agent's arguments on its command line (as the real monitor, forked
// without exec, has), its pid in <work_dir>/monitor.
constexpr char kStartMonitor[] = R"(mkfifo "$work_dir/monitor-block"
setsid sh -c 'echo $$ > "$1/monitor.tmp"; mv "$1/monitor.tmp" "$1/monitor"
  read -r line <> "$1/monitor-block"' monitor "$work_dir" "$@" &
)";

constexpr char kToken[] = "s3cret-join-token";

// Whether `pid` runs (exists and is not a zombie waiting for its parent).
bool IsRunning(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  size_t close = line.rfind(')');  // The command name may hold spaces.
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] != 'Z';
}

// Polls `done` every 10 ms for up to 5 s: these tests wait for real
// processes to start and die, which is why they may sleep at all.
bool WaitUntil(const std::function<bool()>& done) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

class LocalProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "barge-local-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    agent_script_ = WriteScript("barge", std::string(kRecordArgs) + kPublishAndBlock);
    stubborn_script_ =
        WriteScript("barge-stubborn", std::string(kRecordArgs) + kIgnoreTerm + kPublishAndBlock);
    with_job_script_ =
        WriteScript("barge-with-job", std::string(kRecordArgs) + kStartMonitor + kPublishAndBlock);
  }

  // No test may leave a process behind.
  void TearDown() override {
    for (auto& provider : providers_) (void)provider->StopAll();
    for (pid_t pid : launched_) {
      if (!IsRunning(pid)) continue;
      ADD_FAILURE() << "agent " << pid << " outlived the test";
      kill(-pid, SIGKILL);
    }
    std::error_code ignored;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
  }

  std::string WriteScript(const std::string& name, const std::string& text) {
    std::string path = (dir_ / name).string();
    std::ofstream(path) << text;
    chmod(path.c_str(), 0755);
    return path;
  }

  LocalProviderOptions Options(const std::string& script) {
    return {.barge_executable = script,
            .work_root = (dir_ / "instances").string(),
            .container_agent_args = {"--runtime", "/opt/runc", "--image-store", "/var/images"},
            .extra_agent_args = {"--log-level", "warn"},
            .terminate_grace = std::chrono::milliseconds(200)};
  }

  // A provider that TearDown stops; not owned by the caller.
  // Agents that die are reported lost at once unless `max_restarts` says
  // otherwise.
  LocalProvider& MakeProvider(const std::string& script, size_t max_restarts = 0) {
    LocalProviderOptions options = Options(script);
    options.max_restarts = max_restarts;
    Result<std::unique_ptr<LocalProvider>> provider = LocalProvider::Create(options);
    EXPECT_TRUE(provider.ok()) << provider.error().message;
    providers_.push_back(std::move(provider).value());
    return *providers_.back();
  }

  static LaunchRequest Request(std::vector<std::string> ids, const std::string& executor) {
    return {.compute_environment = "local-ce",
            .type = {.name = "c5.xlarge", .vcpus = 4, .memory_mib = 8192, .gpus = 1},
            .instance_ids = std::move(ids),
            .join = {.server_url = "http://127.0.0.1:8080", .token = kToken, .executor = executor}};
  }

  // Launches and waits until every agent has recorded its arguments.
  std::vector<LaunchResult> Launch(LocalProvider& provider, const LaunchRequest& request) {
    std::vector<LaunchResult> results;
    provider.Launch(request, [&](std::vector<LaunchResult> done) { results = std::move(done); });
    for (const LaunchResult& result : results) {
      if (!result.status.ok()) continue;
      launched_.push_back(std::stoi(result.provider_data));
      EXPECT_TRUE(WaitUntil([&] { return std::filesystem::exists(WorkDir(result) / "args"); }))
          << result.instance_id << " never started";
    }
    return results;
  }

  std::filesystem::path WorkDir(const LaunchResult& result) {
    return dir_ / "instances" / result.instance_id;
  }

  static Instance InstanceOf(const LaunchResult& result) {
    return {.id = result.instance_id, .provider = "local", .provider_data = result.provider_data};
  }

  // Calls TakeLost until `pid` no longer runs, collecting what it reports.
  static std::vector<LostInstance> TakeLostUntilGone(LocalProvider& provider, pid_t pid) {
    std::vector<LostInstance> lost;
    EXPECT_TRUE(WaitUntil([&] {
      for (LostInstance& instance : provider.TakeLost()) lost.push_back(std::move(instance));
      return !IsRunning(pid);
    })) << "agent "
        << pid << " still runs";
    // It may have died between the last TakeLost and the check: look once more.
    for (LostInstance& instance : provider.TakeLost()) lost.push_back(std::move(instance));
    return lost;
  }

  std::filesystem::path dir_;
  std::string agent_script_;
  std::string stubborn_script_;
  std::string with_job_script_;
  std::vector<std::unique_ptr<LocalProvider>> providers_;
  std::vector<pid_t> launched_;
};

TEST_F(LocalProviderTest, NameAndSpotModel) {
  LocalProvider& provider = MakeProvider(agent_script_);

  EXPECT_EQ(provider.name(), "local");
  EXPECT_TRUE(provider.models_spot_interruptions());
}

TEST_F(LocalProviderTest, LaunchStartsOneAgentPerIdWithItsArgumentsAndTokenInTheEnvironment) {
  LocalProvider& provider = MakeProvider(agent_script_);
  int leaked = open((dir_ / "server-private").c_str(), O_CREAT | O_WRONLY, 0600);  // No CLOEXEC.
  ASSERT_GE(leaked, 0);

  std::vector<LaunchResult> results =
      Launch(provider, Request({"i-00000000000000001", "i-00000000000000002"}, "process"));
  close(leaked);

  ASSERT_EQ(results.size(), 2u);
  std::set<std::string> pids;
  for (const LaunchResult& result : results) {
    ASSERT_TRUE(result.status.ok()) << result.status.error().message;
    pid_t pid = std::stoi(result.provider_data);
    EXPECT_EQ(std::to_string(pid), result.provider_data);
    EXPECT_TRUE(IsRunning(pid));
    EXPECT_EQ(getpgid(pid), pid) << "the agent leads its own process group";
    std::string fds = ReadFile(WorkDir(result) / "fds");
    EXPECT_THAT(fds, HasSubstr("0 -> /dev/null"));
    EXPECT_THAT(fds, Not(HasSubstr("server-private"))) << "the server's descriptors stay its own";
    pids.insert(result.provider_data);
    std::string args = ReadFile(WorkDir(result) / "args");
    EXPECT_THAT(Lines(args),
                ElementsAreArray<std::string>(
                    {"agent", "--server", "http://127.0.0.1:8080", "--compute-environment",
                     "local-ce", "--instance-id", result.instance_id, "--instance-type",
                     "c5.xlarge", "--vcpus", "4", "--memory", "8192", "--gpus", "1", "--work-dir",
                     WorkDir(result).string(), "--log-level", "warn"}));
    EXPECT_THAT(args, Not(HasSubstr(kToken)));
    EXPECT_EQ(ReadFile(WorkDir(result) / "token"), kToken);
  }
  EXPECT_EQ(results[0].instance_id, "i-00000000000000001");
  EXPECT_EQ(results[1].instance_id, "i-00000000000000002");
  EXPECT_EQ(pids.size(), 2u);
}

TEST_F(LocalProviderTest, ContainerExecutorAddsTheContainerArguments) {
  LocalProvider& provider = MakeProvider(agent_script_);

  std::vector<LaunchResult> results =
      Launch(provider, Request({"i-00000000000000003"}, "container"));

  ASSERT_EQ(results.size(), 1u);
  ASSERT_TRUE(results[0].status.ok()) << results[0].status.error().message;
  std::vector<std::string> args = Lines(ReadFile(WorkDir(results[0]) / "args"));
  std::vector<std::string> tail(args.end() - 8, args.end());
  EXPECT_THAT(tail, ElementsAreArray<std::string>({"--work-dir", WorkDir(results[0]).string(),
                                                   "--runtime", "/opt/runc", "--image-store",
                                                   "/var/images", "--log-level", "warn"}));
}

TEST_F(LocalProviderTest, SpawnFailureGivesThatInstanceUnavailable) {
  LocalProvider& provider = MakeProvider(agent_script_);
  chmod(agent_script_.c_str(), 0644);

  std::vector<LaunchResult> results = Launch(provider, Request({"i-00000000000000004"}, "process"));

  ASSERT_EQ(results.size(), 1u);
  ASSERT_FALSE(results[0].status.ok());
  EXPECT_EQ(results[0].status.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(results[0].status.error().message, HasSubstr("i-00000000000000004"));
  EXPECT_THAT(results[0].status.error().message, HasSubstr("Permission denied"));
}

TEST_F(LocalProviderTest, TerminatedAgentExitsAndIsNotReportedLost) {
  LocalProvider& provider = MakeProvider(agent_script_);
  std::vector<LaunchResult> results = Launch(provider, Request({"i-00000000000000005"}, "process"));
  ASSERT_TRUE(results[0].status.ok());
  pid_t pid = std::stoi(results[0].provider_data);

  std::optional<Status> terminated;
  provider.Terminate({InstanceOf(results[0])}, [&](Status status) { terminated = status; });

  ASSERT_TRUE(terminated.has_value()) << "done is called before Terminate returns";
  EXPECT_TRUE(terminated->ok());
  EXPECT_THAT(TakeLostUntilGone(provider, pid), IsEmpty());
}

TEST_F(LocalProviderTest, AgentKilledFromOutsideIsReportedLost) {
  LocalProvider& provider = MakeProvider(agent_script_);
  std::vector<LaunchResult> results = Launch(provider, Request({"i-00000000000000006"}, "process"));
  ASSERT_TRUE(results[0].status.ok());
  pid_t pid = std::stoi(results[0].provider_data);

  kill(pid, SIGKILL);
  std::vector<LostInstance> lost = TakeLostUntilGone(provider, pid);

  ASSERT_EQ(lost.size(), 1u);
  EXPECT_EQ(lost[0].instance_id, "i-00000000000000006");
  EXPECT_EQ(lost[0].reason, "agent process killed by signal 9");
  EXPECT_THAT(provider.TakeLost(), IsEmpty()) << "reported once";
}

TEST_F(LocalProviderTest, AgentThatIgnoresSigtermHasItsGroupKilledAfterTheGrace) {
  LocalProvider& provider = MakeProvider(stubborn_script_);
  std::vector<LaunchResult> results = Launch(provider, Request({"i-00000000000000007"}, "process"));
  ASSERT_TRUE(results[0].status.ok());
  pid_t pid = std::stoi(results[0].provider_data);
  pid_t helper = std::stoi(ReadFile(WorkDir(results[0]) / "helper"));
  auto terminated_at = std::chrono::steady_clock::now();

  provider.Terminate({InstanceOf(results[0])}, [](Status) {});
  EXPECT_THAT(provider.TakeLost(), IsEmpty());
  EXPECT_TRUE(IsRunning(pid)) << "not killed before the grace";
  std::vector<LostInstance> lost = TakeLostUntilGone(provider, pid);

  EXPECT_THAT(lost, IsEmpty());
  EXPECT_GE(std::chrono::steady_clock::now() - terminated_at, std::chrono::milliseconds(200));
  EXPECT_TRUE(WaitUntil([&] { return !IsRunning(helper); })) << "the whole group is killed";
}

TEST_F(LocalProviderTest, StillExistsForALiveAgentOnly) {
  LocalProvider& provider = MakeProvider(agent_script_);
  std::vector<LaunchResult> results = Launch(provider, Request({"i-00000000000000008"}, "process"));
  ASSERT_TRUE(results[0].status.ok());
  Instance instance = InstanceOf(results[0]);
  Instance other_id = instance;
  other_id.id = "i-0000000000000000f";
  Instance ours = instance;
  ours.provider_data = std::to_string(getpid());

  LocalProvider& fresh = MakeProvider(agent_script_);

  EXPECT_TRUE(provider.StillExists(instance));
  EXPECT_TRUE(fresh.StillExists(instance));
  EXPECT_FALSE(fresh.StillExists(other_id)) << "a live pid that is another instance's";
  // The instance's agent is found by its command line whatever provider_data
  // says (an agent restarted since has another pid), and a pid that is not
  // the agent's is never taken for it.
  EXPECT_TRUE(MakeProvider(agent_script_).StillExists(ours))
      << "a live pid whose cmdline lacks the id: the real agent is found instead";
  for (const char* bad : {"", "abc", "0", "1", "-1", "12x", "99999999999"}) {
    Instance corrupt = instance;
    corrupt.provider_data = bad;
    EXPECT_TRUE(MakeProvider(agent_script_).StillExists(corrupt))
        << "provider_data '" << bad << "'";
  }

  kill(std::stoi(instance.provider_data), SIGKILL);
  (void)TakeLostUntilGone(provider, std::stoi(instance.provider_data));

  EXPECT_FALSE(MakeProvider(agent_script_).StillExists(instance)) << "a dead pid";
  EXPECT_FALSE(MakeProvider(agent_script_).StillExists(ours)) << "no agent of it anywhere";
}

TEST_F(LocalProviderTest, JobMonitorsOfAGoneAgentAreStopped) {
  LocalProvider& provider = MakeProvider(with_job_script_);
  std::vector<LaunchResult> results = Launch(provider, Request({"i-00000000000000010"}, "process"));
  ASSERT_TRUE(results[0].status.ok());
  pid_t pid = std::stoi(results[0].provider_data);
  ASSERT_TRUE(WaitUntil([&] { return std::filesystem::exists(WorkDir(results[0]) / "monitor"); }));
  pid_t monitor = std::stoi(ReadFile(WorkDir(results[0]) / "monitor"));
  launched_.push_back(monitor);
  ASSERT_NE(getpgid(monitor), pid) << "out of the agent's group, as a real monitor is";
  EXPECT_THAT(provider.TakeLost(), IsEmpty());
  EXPECT_TRUE(IsRunning(monitor)) << "left alone while its agent runs";

  kill(pid, SIGKILL);
  std::vector<LostInstance> lost = TakeLostUntilGone(provider, pid);

  ASSERT_EQ(lost.size(), 1u);
  EXPECT_TRUE(WaitUntil([&] { return !IsRunning(monitor); }));
}

TEST_F(LocalProviderTest, AnAgentThatDiesUnaskedIsRestartedAndItsJobMonitorsKept) {
  LocalProvider& provider = MakeProvider(with_job_script_, /*max_restarts=*/2);
  std::vector<LaunchResult> results = Launch(provider, Request({"i-00000000000000011"}, "process"));
  ASSERT_TRUE(results[0].status.ok());
  std::filesystem::path work = WorkDir(results[0]);
  ASSERT_TRUE(WaitUntil([&] { return std::filesystem::exists(work / "monitor"); }));
  pid_t monitor = std::stoi(ReadFile(work / "monitor"));
  launched_.push_back(monitor);
  auto kill_current_agent = [&] {
    pid_t agent = std::stoi(ReadFile(work / "pid"));
    std::filesystem::remove(work / "pid");
    kill(agent, SIGKILL);
    std::vector<LostInstance> lost;
    EXPECT_TRUE(WaitUntil([&] {
      for (LostInstance& instance : provider.TakeLost()) lost.push_back(std::move(instance));
      return !lost.empty() || std::filesystem::exists(work / "pid");
    }));
    if (std::filesystem::exists(work / "pid")) {
      launched_.push_back(std::stoi(ReadFile(work / "pid")));
    }
    return lost;
  };

  std::vector<LostInstance> first = kill_current_agent();
  std::vector<LostInstance> second = kill_current_agent();

  EXPECT_THAT(first, IsEmpty()) << "restarted, not lost";
  EXPECT_THAT(second, IsEmpty());
  EXPECT_TRUE(IsRunning(monitor)) << "the job's monitor is left for the new agent to adopt";
  EXPECT_EQ(Lines(ReadFile(work / "args")), Lines(ReadFile(work / "args")));

  std::vector<LostInstance> third = kill_current_agent();

  ASSERT_EQ(third.size(), 1u) << "past its restart budget the instance is lost";
  EXPECT_EQ(third[0].reason,
            "agent process killed by signal 9 (restarted 2 times in the last 600 s)");
  EXPECT_TRUE(WaitUntil([&] { return !IsRunning(monitor); }));
}

// A restarted server adopts the agents an earlier one launched: it notices
// their death without being their parent, and can terminate them.
TEST_F(LocalProviderTest, AdoptedAgentsAreWatchedAndTerminated) {
  LocalProvider& launcher = MakeProvider(agent_script_);
  std::vector<LaunchResult> results =
      Launch(launcher, Request({"i-00000000000000009", "i-0000000000000000a"}, "process"));
  ASSERT_TRUE(results[0].status.ok());
  ASSERT_TRUE(results[1].status.ok());
  pid_t killed = std::stoi(results[0].provider_data);
  pid_t terminated = std::stoi(results[1].provider_data);
  LocalProvider& adopter = MakeProvider(agent_script_);
  ASSERT_TRUE(adopter.StillExists(InstanceOf(results[0])));
  ASSERT_TRUE(adopter.StillExists(InstanceOf(results[1])));

  kill(killed, SIGKILL);
  adopter.Terminate({InstanceOf(results[1])}, [](Status) {});
  std::vector<LostInstance> lost;
  ASSERT_TRUE(WaitUntil([&] {
    for (LostInstance& instance : adopter.TakeLost()) lost.push_back(std::move(instance));
    // The launcher is still their parent: until it reaps them they are
    // zombies, which the adopter must already count as gone.
    return !IsRunning(killed) && !IsRunning(terminated) && !lost.empty();
  }));

  ASSERT_EQ(lost.size(), 1u);
  EXPECT_EQ(lost[0].instance_id, "i-00000000000000009");
  EXPECT_EQ(lost[0].reason, "agent process is gone");
  EXPECT_THAT(adopter.TakeLost(), IsEmpty());
}

TEST_F(LocalProviderTest, StopAllStopsEveryAgent) {
  LocalProvider& provider = MakeProvider(agent_script_);
  LocalProvider& stubborn = MakeProvider(stubborn_script_);
  std::vector<LaunchResult> results =
      Launch(provider, Request({"i-0000000000000000b", "i-0000000000000000c"}, "process"));
  std::vector<LaunchResult> stubborn_results =
      Launch(stubborn, Request({"i-0000000000000000d"}, "process"));
  pid_t helper = std::stoi(ReadFile(WorkDir(stubborn_results[0]) / "helper"));

  EXPECT_EQ(provider.StopAll(), 2);
  EXPECT_EQ(stubborn.StopAll(), 1);

  for (pid_t pid : launched_) EXPECT_FALSE(IsRunning(pid));
  EXPECT_TRUE(WaitUntil([&] { return !IsRunning(helper); }));
  EXPECT_THAT(provider.TakeLost(), IsEmpty());
  EXPECT_THAT(stubborn.TakeLost(), IsEmpty());
  EXPECT_EQ(provider.StopAll(), 0);
}

TEST_F(LocalProviderTest, CreateRejectsABadExecutable) {
  LocalProviderOptions missing = Options((dir_ / "no-such-barge").string());
  LocalProviderOptions relative = Options("barge");
  LocalProviderOptions not_executable = Options(WriteScript("plain", "#!/bin/sh\n"));
  chmod(not_executable.barge_executable.c_str(), 0644);
  LocalProviderOptions no_work_root = Options(agent_script_);
  no_work_root.work_root = "";

  auto missing_result = LocalProvider::Create(missing);
  auto relative_result = LocalProvider::Create(relative);
  auto not_executable_result = LocalProvider::Create(not_executable);
  auto no_work_root_result = LocalProvider::Create(no_work_root);

  ASSERT_FALSE(missing_result.ok());
  EXPECT_EQ(missing_result.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(missing_result.error().message, HasSubstr("no-such-barge does not exist"));
  ASSERT_FALSE(relative_result.ok());
  EXPECT_EQ(relative_result.error().code, ErrorCode::kInvalidArgument);
  ASSERT_FALSE(not_executable_result.ok());
  EXPECT_EQ(not_executable_result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(not_executable_result.error().message, HasSubstr("is not an executable file"));
  ASSERT_FALSE(no_work_root_result.ok());
  EXPECT_EQ(no_work_root_result.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(LocalProviderTest, CreateMakesTheWorkRoot) {
  LocalProviderOptions options = Options(agent_script_);
  options.work_root = (dir_ / "deep" / "root").string();

  auto provider = LocalProvider::Create(options);

  ASSERT_TRUE(provider.ok()) << provider.error().message;
  EXPECT_TRUE(std::filesystem::is_directory(dir_ / "deep" / "root"));
}

}  // namespace
}  // namespace barge::fleet
