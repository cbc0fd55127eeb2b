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
#include <random>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "cli/child_process.h"
#include "cli/dev_bootstrap.h"
#include "cli/dev_containers.h"
#include "cli/http_client.h"
#include "util/duration_text.h"

namespace barge::cli {
namespace {

namespace fs = std::filesystem;

struct DevOptions {
  std::string listen = "127.0.0.1:8000";
  std::string data_dir = "./.barge";
  std::string log_level = "info";
  int64_t min_vcpus = 0;
  int64_t max_vcpus = 0;        // 0: this machine's cores.
  std::string kill_grace{};     // Passed to the server's --kill-grace when set.
  std::string job_retention{};  // Passed to the server's --job-retention when set.
};

constexpr const char* kUsage =
    "usage: barge dev [--listen HOST:PORT] [--data-dir DIR] [--min-vcpus N] [--max-vcpus N]\n"
    "                 [--log-level LEVEL] [--kill-grace SECONDS] [--job-retention DURATION]\n"
    "\n"
    "Runs barge on this machine: the server (data under --data-dir, default ./.barge),\n"
    "a MANAGED compute environment `default` and a job queue `default`. The server\n"
    "scales `default` with the local provider: as jobs wait it launches instances\n"
    "(barge agent processes on this machine with an instance type's capacity) up to\n"
    "--max-vcpus (default: this machine's cores) and scales idle ones in after 5\n"
    "minutes, keeping --min-vcpus (default 0) running; its jobs run directly on this\n"
    "host (barge:executor=process). When runc\n"
    "is on PATH (or BARGE_RUNC names it) and barge dev runs as root, also a compute\n"
    "environment and job queue `containers`, scaled the same way, whose jobs run in\n"
    "runc containers from images in DIR/images (`barge image import`).\n"
    "--kill-grace: seconds between SIGTERM and\n"
    "SIGKILL when a job is terminated or times out (default 30). --job-retention: how\n"
    "long ended jobs and their logs are kept (7d, 12h, 30m, 90s or seconds; 0 or off:\n"
    "forever; default 7d). Ctrl-C stops everything.\n";

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
    } else if (arg == "--kill-grace") {
      if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos) {
        return InvalidArgument("--kill-grace must be a number of seconds, got '" + value + "'");
      }
      options.kill_grace = value;
    } else if (arg == "--job-retention") {
      if (!ParseDurationText(value)) {
        return InvalidArgument("--job-retention must be a duration like 7d, 12h, 30m, 90s or " +
                               std::string("3600, or off; got '") + value + "'");
      }
      options.job_retention = value;
    } else if (arg == "--max-vcpus" || arg == "--min-vcpus") {
      int64_t vcpus = 0;
      try {
        vcpus = std::stoll(value);
      } catch (...) {
        return InvalidArgument(arg + " must be a number, got '" + value + "'");
      }
      int64_t lowest = arg == "--max-vcpus" ? 1 : 0;
      if (vcpus < lowest || vcpus > 4096) {
        return InvalidArgument(arg + " must be between " + std::to_string(lowest) + " and 4096");
      }
      (arg == "--max-vcpus" ? options.max_vcpus : options.min_vcpus) = vcpus;
    } else {
      return InvalidArgument("unknown option " + arg);
    }
  }
  if (options.max_vcpus > 0 && options.min_vcpus > options.max_vcpus) {
    return InvalidArgument("--min-vcpus must not exceed --max-vcpus");
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

int64_t MachineMemoryMib() {
  long pages = sysconf(_SC_PHYS_PAGES);
  long page_size = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page_size <= 0) return 1024;
  return static_cast<int64_t>(pages) * page_size / (1024 * 1024);
}

constexpr const char* kDefaultEnvironment = "default";
constexpr const char* kContainersEnvironment = "containers";

class DevSupervisor {
 public:
  DevSupervisor(DevOptions options, std::string token, DevContainerSupport containers)
      : options_(std::move(options)),
        token_(std::move(token)),
        self_(SelfExecutable()),
        containers_(std::move(containers)) {}

  int Run() {
    std::vector<std::string> server_argv = {
        self_, "server", "--listen", options_.listen, "--data-dir", options_.data_dir,
        "--agent-token", token_, "--log-level", options_.log_level,
        // The dev environments are scaled by the local
        // provider, whose agents stop with dev.
        "--default-provider", "local", "--stop-local-instances-on-exit", "--local-agent-log-level",
        AgentLogLevel()};
    if (containers_.available()) {
      server_argv.insert(server_argv.end(), {"--local-runtime", containers_.runc,
                                             "--local-image-store", ImageStore()});
    }
    if (!options_.kill_grace.empty()) {
      server_argv.insert(server_argv.end(), {"--kill-grace", options_.kill_grace});
    }
    if (!options_.job_retention.empty()) {
      server_argv.insert(server_argv.end(), {"--job-retention", options_.job_retention});
    }
    auto server = ChildProcess::Start({.argv = server_argv, .pipe_stdout = true});
    if (!server) return Fail(server.error().message);
    server_pid_ = server->pid();
    if (!WaitForListening(server->stdout_fd())) {
      StopServer();
      return Fail("the server did not start; see its messages above");
    }
    int64_t vcpus = options_.max_vcpus > 0 ? options_.max_vcpus
                                           : std::max<long>(1, sysconf(_SC_NPROCESSORS_ONLN));
    vcpus = std::max(vcpus, options_.min_vcpus);
    auto endpoint = ParseEndpoint(url_);
    if (!endpoint) {
      StopServer();
      return Fail(endpoint.error().message);
    }
    HttpClient client(*endpoint);
    std::vector<std::string> environments = {kDefaultEnvironment};
    if (containers_.available()) environments.push_back(kContainersEnvironment);
    std::vector<std::pair<std::string, std::string>> executor_of;  // In set-up order.
    for (const std::string& name : environments) {
      std::string wanted = name == kDefaultEnvironment ? "process" : "container";
      auto ready = EnsureDevEnvironment(
          client,
          {.name = name, .executor = wanted, .min_vcpus = options_.min_vcpus, .max_vcpus = vcpus});
      if (!ready) {
        StopServer();
        return Fail("could not set up compute environment and job queue `" + name +
                    "`: " + ready.error().message);
      }
      executor_of.emplace_back(name, *ready);
    }
    PrintReady(vcpus, executor_of);
    return Supervise();
  }

 private:
  int Fail(const std::string& message) {
    std::fprintf(stderr, "barge dev: %s\n", message.c_str());
    return 1;
  }

  // The local agents log warnings and worse unless dev itself is more verbose.
  std::string AgentLogLevel() const {
    return options_.log_level == "debug" || options_.log_level == "trace" ? options_.log_level
                                                                          : "warn";
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

  void PrintReady(int64_t vcpus,
                  const std::vector<std::pair<std::string, std::string>>& executor_of) {
    std::printf("barge dev: ready at %s (this machine: %ld cores, %lld MiB)\n", url_.c_str(),
                std::max<long>(1, sysconf(_SC_NPROCESSORS_ONLN)),
                static_cast<long long>(MachineMemoryMib()));
    for (const auto& [name, executor] : executor_of) {
      std::string how = executor == "container"
                            ? "jobs run in runc containers (" + containers_.runc + ", images in " +
                                  ImageStore() + ")"
                            : "jobs run directly on this host, the image is ignored";
      std::printf(
          "  compute environment and job queue `%s`: MANAGED, local instances launched as jobs "
          "wait (up to %lld vCPUs), executor %s, %s\n",
          name.c_str(), static_cast<long long>(vcpus), executor.c_str(), how.c_str());
    }
    if (!containers_.available()) {
      std::printf("  no `containers` environment: %s\n", containers_.unavailable.c_str());
    }
    // The barge CLI's default endpoint is dev's default --listen.
    std::string endpoint = url_ == "http://127.0.0.1:8000" ? "" : " --endpoint-url " + url_;
    std::printf("  try: barge run%s -- echo hello\n", endpoint.c_str());
    if (containers_.available()) {
      std::printf(
          "       barge run%s --image busybox -- echo hello   (after: barge image import%s "
          "FILE)\n",
          endpoint.c_str(),
          options_.data_dir == "./.barge" ? "" : (" --store " + ImageStore()).c_str());
    }
    std::printf(
        "       aws batch submit-job --endpoint-url %s --job-queue default --job-name hello "
        "--job-definition JD\n",
        url_.c_str());
    std::fflush(stdout);
  }

  // Where `barge image` keeps images by default when --data-dir is the default.
  std::string ImageStore() const { return (fs::path(options_.data_dir) / "images").string(); }

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
        StopServer();
        return 0;
      }
      int status = 0;
      pid_t pid;
      while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        if (pid != server_pid_) continue;
        server_pid_ = -1;
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        std::fprintf(stderr, "barge dev: the server stopped (exit %d)\n", code);
        return code == 0 ? 1 : code;
      }
    }
  }

  // The server stops its local instances itself (--stop-local-instances-on-exit),
  // which can take their agents' stop grace: give it that and more.
  void StopServer() {
    if (server_pid_ > 0) StopChild(server_pid_, 30000);
    server_pid_ = -1;
  }

  DevOptions options_;
  std::string token_;
  std::string self_;
  std::string url_{};
  DevContainerSupport containers_;
  pid_t server_pid_ = -1;
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
  DevSupervisor supervisor(*options, *token, ProbeDevContainers(CurrentDevContainerProbe()));
  return supervisor.Run();
}

}  // namespace barge::cli
