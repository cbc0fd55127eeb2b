#include "cli/dev_command.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "cli/child_process.h"
#include "cli/http_client.h"

namespace barge::cli {
namespace {

using Json = nlohmann::json;
namespace fs = std::filesystem;

struct DevOptions {
  std::string listen = "127.0.0.1:8000";
  std::string data_dir = "./.barge";
  std::string log_level = "info";
  int agents = 1;
};

constexpr const char* kUsage =
    "usage: barge dev [--listen HOST:PORT] [--data-dir DIR] [--agents N] [--log-level LEVEL]\n"
    "\n"
    "Runs barge on this machine: the server (data under --data-dir, default ./.barge),\n"
    "a compute environment `default` with N local agents (default 1) sharing this\n"
    "machine's cores and memory, and a job queue `default`. Ctrl-C stops everything.\n";

Result<DevOptions> ParseDevOptions(int argc, char** argv) {
  DevOptions options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    size_t eq = arg.find('=');
    if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    } else if (arg != "--help" && arg != "-h") {
      if (i + 1 >= argc) return InvalidArgument(arg + " needs a value");
      value = argv[++i];
    }
    if (arg == "--help" || arg == "-h") return InvalidArgument("");
    if (arg == "--listen") {
      options.listen = value;
    } else if (arg == "--data-dir") {
      options.data_dir = value;
    } else if (arg == "--log-level") {
      options.log_level = value;
    } else if (arg == "--agents") {
      try {
        options.agents = std::stoi(value);
      } catch (...) {
        return InvalidArgument("--agents must be a number, got '" + value + "'");
      }
      if (options.agents < 1 || options.agents > 64) {
        return InvalidArgument("--agents must be between 1 and 64");
      }
    } else {
      return InvalidArgument("unknown option " + arg);
    }
  }
  return options;
}

// The join token agents present, kept in the data directory so that agents
// and server agree across restarts.
Result<std::string> ReadOrCreateToken(const fs::path& path) {
  std::ifstream in(path);
  std::string token;
  if (in && std::getline(in, token) && !token.empty()) return token;
  std::random_device random;
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 40; ++i) token += kHex[random() % 16];
  std::ofstream out(path, std::ios::trunc);
  if (!out) return Unavailable("cannot write " + path.string());
  out << token << '\n';
  out.close();
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);
  return token;
}

Result<Json> Call(HttpClient& client, const std::string& operation, const Json& body) {
  HttpRequest request{.method = "POST",
                      .target = "/v1/" + operation,
                      .headers = {{"Content-Type", "application/json"}},
                      .body = body.dump()};
  auto response = client.RoundTrip(request);
  if (!response) return response.error();
  Json reply = Json::parse(response->body, nullptr, /*allow_exceptions=*/false);
  if (response->status != 200) {
    std::string message = reply.is_object() && reply.contains("message") &&
                                  reply["message"].is_string()
                              ? reply["message"].get<std::string>()
                              : response->body;
    return FailedPrecondition(operation + ": " + message);
  }
  if (!reply.is_object()) return Internal(operation + ": reply is not a JSON object");
  return reply;
}

// Makes sure compute environment `default` (VALID) and job queue `default` exist.
Status Bootstrap(const std::string& url, int64_t vcpus) {
  auto endpoint = ParseEndpoint(url);
  if (!endpoint) return endpoint.error();
  HttpClient client(*endpoint);

  auto ces = Call(client, "describecomputeenvironments", {{"computeEnvironments", {"default"}}});
  if (!ces) return ces.error();
  if ((*ces)["computeEnvironments"].empty()) {
    Json create = {{"computeEnvironmentName", "default"},
                   {"type", "MANAGED"},
                   {"state", "ENABLED"},
                   {"computeResources",
                    {{"type", "EC2"},
                     {"minvCpus", 0},
                     {"maxvCpus", vcpus},
                     {"instanceTypes", {"optimal"}}}}};
    auto created = Call(client, "createcomputeenvironment", create);
    if (!created) return created.error();
  }
  for (int i = 0; i < 100; ++i) {
    auto described =
        Call(client, "describecomputeenvironments", {{"computeEnvironments", {"default"}}});
    if (!described) return described.error();
    const Json& list = (*described)["computeEnvironments"];
    if (!list.empty() && list[0].value("status", "") == "VALID") break;
    if (!list.empty() && list[0].value("status", "") == "INVALID") {
      return FailedPrecondition("compute environment default is INVALID: " +
                                list[0].value("statusReason", ""));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }

  auto queues = Call(client, "describejobqueues", {{"jobQueues", {"default"}}});
  if (!queues) return queues.error();
  if ((*queues)["jobQueues"].empty()) {
    Json create = {{"jobQueueName", "default"},
                   {"priority", 1},
                   {"state", "ENABLED"},
                   {"computeEnvironmentOrder", {{{"order", 1}, {"computeEnvironment", "default"}}}}};
    auto created = Call(client, "createjobqueue", create);
    if (!created) return created.error();
  }
  return Ok();
}

int64_t MachineMemoryMib() {
  long pages = sysconf(_SC_PHYS_PAGES);
  long page_size = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page_size <= 0) return 1024;
  return static_cast<int64_t>(pages) * page_size / (1024 * 1024);
}

class DevSupervisor {
 public:
  DevSupervisor(DevOptions options, std::string token)
      : options_(std::move(options)), token_(std::move(token)), self_(SelfExecutable()) {}

  int Run() {
    auto server = ChildProcess::Start(
        {.argv = {self_, "server", "--listen", options_.listen, "--data-dir", options_.data_dir,
                  "--agent-token", token_, "--log-level", options_.log_level},
         .pipe_stdout = true});
    if (!server) return Fail(server.error().message);
    server_pid_ = server->pid();
    if (!WaitForListening(server->stdout_fd())) {
      StopAll();
      return Fail("the server did not start; see its messages above");
    }
    int64_t vcpus = std::max<long>(1, sysconf(_SC_NPROCESSORS_ONLN));
    if (Status ready = Bootstrap(url_, vcpus); !ready) {
      StopAll();
      return Fail("could not set up compute environment and job queue `default`: " +
                  ready.error().message);
    }
    for (int i = 0; i < options_.agents; ++i) StartAgent(i);
    std::printf(
        "barge dev: ready at %s — compute environment `default` (%d agent%s, %lld vCPUs, %lld "
        "MiB), job queue `default`\n"
        "  try: aws batch submit-job --endpoint-url %s --job-queue default --job-name hello "
        "--job-definition JD\n",
        url_.c_str(), options_.agents, options_.agents == 1 ? "" : "s",
        static_cast<long long>(vcpus), static_cast<long long>(MachineMemoryMib()), url_.c_str());
    std::fflush(stdout);
    return Supervise();
  }

 private:
  int Fail(const std::string& message) {
    std::fprintf(stderr, "barge dev: %s\n", message.c_str());
    return 1;
  }

  // Copies the server's stdout to ours and returns once it announced its URL.
  bool WaitForListening(int fd) {
    std::regex listening("barge server listening on (http://\\S+)");
    std::string pending;
    char buffer[4096];
    while (true) {
      ssize_t n = read(fd, buffer, sizeof(buffer));
      if (n <= 0) return false;
      std::fwrite(buffer, 1, static_cast<size_t>(n), stdout);
      std::fflush(stdout);
      pending.append(buffer, static_cast<size_t>(n));
      std::smatch match;
      if (std::regex_search(pending, match, listening)) {
        url_ = match[1];
        std::thread([fd] {
          char copy[4096];
          ssize_t got;
          while ((got = read(fd, copy, sizeof(copy))) > 0) {
            std::fwrite(copy, 1, static_cast<size_t>(got), stdout);
            std::fflush(stdout);
          }
          close(fd);
        }).detach();
        return true;
      }
    }
  }

  void StartAgent(int index) {
    int64_t cores = std::max<long>(1, sysconf(_SC_NPROCESSORS_ONLN));
    int64_t vcpus = std::max<int64_t>(1, cores / options_.agents);
    int64_t memory = MachineMemoryMib() / options_.agents;
    fs::path work = fs::path(options_.data_dir) / "agents" / ("agent-" + std::to_string(index));
    std::error_code ignored;
    fs::create_directories(work, ignored);
    auto agent = ChildProcess::Start(
        {.argv = {self_, "agent", "--server", url_, "--token", token_, "--compute-environment",
                  "default", "--work-dir", work.string(), "--vcpus", std::to_string(vcpus),
                  "--memory", std::to_string(memory)}});
    if (!agent) {
      std::fprintf(stderr, "barge dev: cannot start agent %d: %s\n", index,
                   agent.error().message.c_str());
      return;
    }
    agents_[agent->pid()] = index;
  }

  int Supervise() {
    sigset_t wanted;
    sigemptyset(&wanted);
    sigaddset(&wanted, SIGINT);
    sigaddset(&wanted, SIGTERM);
    sigaddset(&wanted, SIGCHLD);
    while (true) {
      timespec tick{.tv_sec = 1, .tv_nsec = 0};
      int sig = sigtimedwait(&wanted, nullptr, &tick);
      if (sig == SIGINT || sig == SIGTERM) {
        std::printf("barge dev: stopping\n");
        std::fflush(stdout);
        StopAll();
        return 0;
      }
      int status = 0;
      pid_t pid;
      while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        if (pid == server_pid_) {
          server_pid_ = -1;
          StopAll();
          int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
          std::fprintf(stderr, "barge dev: the server stopped (exit %d)\n", code);
          return code == 0 ? 1 : code;
        }
        auto agent = agents_.find(pid);
        if (agent != agents_.end()) {
          int index = agent->second;
          agents_.erase(agent);
          std::fprintf(stderr, "barge dev: agent %d exited (status %d); restarting it\n", index,
                       status);
          std::this_thread::sleep_for(std::chrono::seconds(1));
          StartAgent(index);
        }
      }
    }
  }

  void StopAll() {
    for (const auto& [pid, index] : agents_) StopChild(pid, 10000);
    agents_.clear();
    if (server_pid_ > 0) StopChild(server_pid_, 10000);
    server_pid_ = -1;
  }

  DevOptions options_;
  std::string token_;
  std::string self_;
  std::string url_{};
  pid_t server_pid_ = -1;
  std::map<pid_t, int> agents_{};
};

}  // namespace

int RunDev(int argc, char** argv) {
  auto options = ParseDevOptions(argc, argv);
  if (!options) {
    if (!options.error().message.empty()) {
      std::fprintf(stderr, "barge dev: %s\n\n", options.error().message.c_str());
    }
    std::fputs(kUsage, options.error().message.empty() ? stdout : stderr);
    return options.error().message.empty() ? 0 : 252;
  }
  std::error_code error;
  fs::create_directories(options->data_dir, error);
  if (error) {
    std::fprintf(stderr, "barge dev: cannot create %s: %s\n", options->data_dir.c_str(),
                 error.message().c_str());
    return 1;
  }
  auto token = ReadOrCreateToken(fs::path(options->data_dir) / "agent-token");
  if (!token) {
    std::fprintf(stderr, "barge dev: %s\n", token.error().message.c_str());
    return 1;
  }
  // Signals are taken synchronously by the supervisor loop (sigtimedwait);
  // children unblock them again before exec.
  sigset_t blocked;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGINT);
  sigaddset(&blocked, SIGTERM);
  sigaddset(&blocked, SIGCHLD);
  pthread_sigmask(SIG_BLOCK, &blocked, nullptr);
  DevSupervisor supervisor(*options, *token);
  return supervisor.Run();
}

}  // namespace barge::cli
