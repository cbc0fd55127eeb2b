// `barge agent`: the composition root of a worker host. It builds the object
// graph (clock, ProcessExecutor, HttpAgentChannel, Agent), drives the
// agent's Tick() from a timer, and runs the one io_context on this thread.
//
// SIGINT/SIGTERM stop the agent. By default its running jobs are stopped
// too (SIGTERM, SIGKILL after --stop-grace seconds) and their exits reported
// before it exits, so a host that leaves takes no work with it. With
// --keep-jobs-on-exit they keep running under their monitors; an agent
// started again with the same --work-dir adopts them and reports them. A
// second signal exits at once.
#include "apps/agent_main.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/asio.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "agent/agent.h"
#include "agent/agent_identity.h"
#include "agent/host_info.h"
#include "agent/http_agent_channel.h"
#include "core/clock.h"
#include "executor/process_executor.h"
#include "util/executable_path.h"

namespace barge::apps {
namespace {

namespace asio = boost::asio;

constexpr auto kTickPeriod = std::chrono::milliseconds(100);

struct AgentFlags {
  std::string server = "http://127.0.0.1:8000";
  std::string token{};
  std::string compute_environment = "default";
  double vcpus = 0;
  int64_t memory_mib = 0;
  int64_t gpus = 0;
  std::string labels{};
  std::string work_dir{};
  std::string instance_id{};
  std::string instance_type = "local";
  bool keep_jobs_on_exit = false;
  bool exit_with_parent = false;
  int64_t stop_grace_seconds = 10;
  bool no_cgroups = false;
  std::string cgroup_parent = "barge";
  std::string runtime{};  // Empty: runc from PATH; "none": no containers.
  std::string image_store{};
  std::string container_network = "host";
  std::string container_init{};
  std::string log_level = "info";
};

// CapBnd of this process, as capability names.
std::vector<std::string> BoundingCapabilities() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("CapBnd:", 0) == 0) {
      return executor::CapabilitiesFromMask(std::stoull(line.substr(7), nullptr, 16));
    }
  }
  return {};
}

// The container settings the flags ask for; kInvalidArgument for a bad one.
Result<executor::ContainerOptions> ContainerFlags(const AgentFlags& flags) {
  executor::ContainerOptions options{.image_store_dir = flags.image_store};
  if (flags.runtime != "none") {
    options.runc_path = flags.runtime.empty() ? FindExecutable("runc") : flags.runtime;
    if (!flags.runtime.empty() && ::access(flags.runtime.c_str(), X_OK) != 0) {
      return InvalidArgument("--runtime " + flags.runtime + " is not an executable file");
    }
  }
  if (options.image_store_dir.empty()) {
    const char* env = std::getenv("BARGE_IMAGE_STORE");
    options.image_store_dir = env != nullptr && *env != 0 ? env : "./.barge/images";
  }
  std::error_code ec;
  options.image_store_dir =
      std::filesystem::absolute(options.image_store_dir, ec).lexically_normal().string();
  if (flags.container_network == "host") {
    options.network = executor::NetworkMode::kHost;
  } else if (flags.container_network == "isolated") {
    options.network = executor::NetworkMode::kIsolated;
  } else if (!flags.container_network.empty() && flags.container_network.front() == '/') {
    options.network = executor::NetworkMode::kNamespacePath;
    options.netns_path = flags.container_network;
  } else {
    return InvalidArgument(
        "--container-network must be host, isolated or the path of a "
        "network namespace file, not " +
        flags.container_network);
  }
  options.init_binary_path = flags.container_init;
  if (options.init_binary_path.empty()) {
    for (const char* candidate : {"/usr/bin/tini-static", "/usr/bin/tini", "/usr/bin/docker-init",
                                  "/usr/libexec/docker/docker-init"}) {
      if (::access(candidate, X_OK) == 0) {
        options.init_binary_path = candidate;
        break;
      }
    }
  }
  options.host_capabilities = BoundingCapabilities();
  return options;
}

int Fail(const std::string& message) {
  spdlog::critical("{}", message);
  std::fprintf(stderr, "barge agent: %s\n", message.c_str());
  return 1;
}

// "k=v,k2=v2" -> map; kInvalidArgument naming the bad entry.
Result<std::map<std::string, std::string>> ParseLabels(const std::string& text) {
  std::map<std::string, std::string> labels;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find(',', at);
    if (end == std::string::npos) end = text.size();
    std::string entry = text.substr(at, end - at);
    size_t equals = entry.find('=');
    if (equals == std::string::npos || equals == 0) {
      return InvalidArgument("label " + entry + " is not key=value");
    }
    labels[entry.substr(0, equals)] = entry.substr(equals + 1);
    at = end + 1;
  }
  return labels;
}

// Re-arms itself every `period` on the io_context (STYLE.md example 9).
void RunEvery(asio::steady_timer& timer, std::chrono::milliseconds period,
              std::function<void()> tick) {
  timer.expires_after(period);
  timer.async_wait([&timer, period, tick = std::move(tick)](boost::system::error_code ec) {
    if (ec) return;
    tick();
    RunEvery(timer, period, tick);
  });
}

}  // namespace

int RunAgent(int argc, char** argv) {
  agent::HostInfo host = agent::DetectHost();
  AgentFlags flags;
  flags.vcpus = static_cast<double>(host.vcpus);
  flags.memory_mib = host.memory_mib;
  flags.gpus = host.gpus;

  CLI::App app{"barge agent: run jobs on this host for a barge server", "barge agent"};
  app.add_option("--server", flags.server, "URL of the barge server")->capture_default_str();
  app.add_option("--token", flags.token, "join token, sent as a Bearer token")
      ->envname("BARGE_AGENT_TOKEN");
  app.add_option("--compute-environment", flags.compute_environment,
                 "name of the compute environment to join")
      ->capture_default_str();
  app.add_option("--vcpus", flags.vcpus, "vCPUs offered (default: this machine's cores)")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 100000.0));
  app.add_option("--memory", flags.memory_mib, "memory offered, MiB (default: all of it)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 40));
  app.add_option("--gpus", flags.gpus, "GPUs offered")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--labels", flags.labels, "labels for placement, k=v,k2=v2");
  app.add_option("--work-dir", flags.work_dir,
                 "attempt directories and agent state (default ./.barge/agent, or "
                 "./.barge/agent-<instance id> when --instance-id is given)");
  app.add_option("--instance-id", flags.instance_id,
                 "instance id of this host (default: made up once, kept in the work dir)");
  app.add_option("--instance-type", flags.instance_type, "instance type reported to the server")
      ->capture_default_str();
  app.add_flag("--exit-with-parent", flags.exit_with_parent,
               "stop (as on SIGTERM) when the process that started this agent dies: the local "
               "provider's agents under barge dev");
  app.add_flag("--keep-jobs-on-exit", flags.keep_jobs_on_exit,
               "on SIGINT/SIGTERM leave running jobs running for the next agent to adopt");
  app.add_option("--stop-grace", flags.stop_grace_seconds,
                 "seconds between SIGTERM and SIGKILL when jobs are stopped at exit")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_flag("--no-cgroups", flags.no_cgroups,
               "do not use cgroups (memory then only capped by RLIMIT_AS)");
  app.add_option("--cgroup-parent", flags.cgroup_parent, "cgroup under which attempts get theirs")
      ->capture_default_str();
  app.add_option("--runtime", flags.runtime,
                 "container runtime binary (default: runc from PATH; none: run no containers)")
      ->envname("BARGE_RUNC");
  app.add_option("--image-store", flags.image_store,
                 "local image store that container jobs' images are resolved in (default "
                 "$BARGE_IMAGE_STORE, else ./.barge/images, where `barge image import` puts them)");
  app.add_option("--container-network", flags.container_network,
                 "network of container jobs: host, isolated (own empty namespace) or the path "
                 "of a network namespace to join")
      ->capture_default_str();
  app.add_option("--container-init", flags.container_init,
                 "static init for jobs with initProcessEnabled (default: tini-static or "
                 "docker-init when installed)");
  app.add_option("--log-level", flags.log_level, "trace, debug, info, warn, error, critical, off")
      ->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  CLI11_PARSE(app, argc, argv);
  if (flags.exit_with_parent) {
    // SIGTERM takes the normal shutdown path. A parent that died before the
    // prctl left us to init (or a subreaper) already.
    pid_t parent = getppid();
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || parent == 1) return 0;
  }

  auto logger = spdlog::stderr_color_mt("barge-agent");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(flags.log_level));

  Result<std::map<std::string, std::string>> labels = ParseLabels(flags.labels);
  if (!labels) return Fail(labels.error().message);
  std::string work_dir = flags.work_dir;
  if (work_dir.empty()) {
    work_dir = flags.instance_id.empty() ? "./.barge/agent" : "./.barge/agent-" + flags.instance_id;
  }
  std::error_code ec;
  // Absolute: jobs run in their own working directories.
  std::filesystem::path work = std::filesystem::absolute(work_dir, ec).lexically_normal();
  if (ec) return Fail("bad work dir " + work_dir + ": " + ec.message());
  Result<agent::AgentIdentity> identity = agent::LoadOrCreateIdentity(work, flags.instance_id);
  if (!identity) return Fail(identity.error().message);

  Result<executor::ContainerOptions> containers = ContainerFlags(flags);
  if (!containers) return Fail(containers.error().message);

  asio::io_context io;  // The agent's one thread: this one.
  SystemClock clock;
  Result<std::unique_ptr<executor::ProcessExecutor>> executor = executor::ProcessExecutor::Open(
      io, clock,
      executor::ProcessExecutorOptions{.work_dir = work / "attempts",
                                       .use_cgroups = !flags.no_cgroups,
                                       .cgroups = {.parent = flags.cgroup_parent},
                                       .containers = *containers});
  if (!executor) return Fail(executor.error().message);
  Result<std::unique_ptr<agent::HttpAgentChannel>> channel = agent::HttpAgentChannel::Create(
      io, agent::HttpAgentChannelOptions{.server_url = flags.server, .token = flags.token});
  if (!channel) return Fail(channel.error().message);

  agent::Agent worker(
      **channel, **executor, clock,
      agent::AgentOptions{.state_dir = work,
                          .compute_environment = flags.compute_environment,
                          .instance_id = identity->instance_id,
                          .instance_type = flags.instance_type,
                          .hostname = host.hostname,
                          .private_ipv4 = host.private_ipv4,
                          .capacity = {.millicpus = static_cast<int64_t>(flags.vcpus * 1000 + 0.5),
                                       .memory_mib = flags.memory_mib,
                                       .gpus = flags.gpus},
                          .labels = *labels});
  if (Status started = worker.Start(); !started) return Fail(started.error().message);

  asio::steady_timer tick_timer(io);
  RunEvery(tick_timer, kTickPeriod, [&worker] { worker.Tick(); });

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code signal_ec, int signal_number) {
    if (signal_ec) return;
    spdlog::info("signal {}: stopping{}", signal_number,
                 flags.keep_jobs_on_exit ? " (jobs keep running)" : " (stopping its jobs first)");
    signals.async_wait([&](boost::system::error_code again_ec, int) {
      if (!again_ec) io.stop();  // A second signal does not wait.
    });
    worker.Shutdown(agent::ShutdownOptions{.kill_jobs = !flags.keep_jobs_on_exit,
                                           .grace = std::chrono::seconds(flags.stop_grace_seconds)},
                    [&] { io.stop(); });
  });

  spdlog::info("isolation: {}", (*executor)->isolation());
  if ((*executor)->containers_unavailable().empty()) {
    spdlog::info("containers: {} with images from {}", containers->runc_path,
                 containers->image_store_dir);
  } else {
    spdlog::warn(
        "containers: not available ({}); this agent runs only jobs of compute "
        "environments with barge:executor=process",
        (*executor)->containers_unavailable());
  }
  std::printf("barge agent %s for compute environment %s at %s (work dir %s)\n",
              identity->instance_id.c_str(), flags.compute_environment.c_str(),
              flags.server.c_str(), work.string().c_str());
  std::fflush(stdout);

  io.run();
  spdlog::info("stopped");
  return 0;
}

}  // namespace barge::apps
