// `barge server`: the composition root of the control plane. It builds the
// whole object graph (store, clock, services, reconciler, agent registry,
// dispatcher, agent service, timeout and retention sweepers, API, HTTP
// server), runs the control io_context on this thread and stops gracefully on
// SIGINT or SIGTERM. Objects are destroyed in reverse order of construction.
#include "apps/server_main.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <array>
#include <boost/asio.hpp>
#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "api/api.h"
#include "api/credentials_file.h"
#include "api/http_server.h"
#include "api/sigv4_verifier.h"
#include "control/agent_registry.h"
#include "control/agent_service.h"
#include "control/compute_environment_service.h"
#include "control/cost_service.h"
#include "control/dependency_resolver.h"
#include "control/dispatcher.h"
#include "control/fleet_controller.h"
#include "control/job_definition_service.h"
#include "control/job_end_reporting_store.h"
#include "control/job_events.h"
#include "control/job_queue_service.h"
#include "control/job_retention_sweeper.h"
#include "control/job_service.h"
#include "control/log_service.h"
#include "control/resource_status_reconciler.h"
#include "control/scheduling_policy_service.h"
#include "control/tag_service.h"
#include "control/timeout_sweeper.h"
#include "core/arn.h"
#include "core/clock.h"
#include "fleet/command_provider.h"
#include "fleet/instance_catalog.h"
#include "fleet/local_provider.h"
#include "scheduler/planner.h"
#include "store/sqlite_store.h"
#include "util/duration_text.h"

namespace barge::apps {
namespace {

namespace asio = boost::asio;

constexpr auto kReconcilePeriod = std::chrono::milliseconds(200);
// Scheduling passes also run on demand (posted, coalesced); this is the floor.
constexpr auto kDispatchPeriod = std::chrono::milliseconds(100);
// Long-poll deadlines and agent leases.
constexpr auto kAgentPeriod = std::chrono::milliseconds(100);
constexpr auto kTimeoutSweepPeriod = std::chrono::milliseconds(500);
// Expires completed jobs past --job-retention, at most a batch per tick.
constexpr auto kRetentionSweepPeriod = std::chrono::seconds(1);
// Retries dependency updates a failed commit left (normally none).
constexpr auto kDependencyRetryPeriod = std::chrono::milliseconds(500);
// Scaling of managed compute environments: launches, joins, scale-in, spot.
constexpr auto kFleetPeriod = std::chrono::milliseconds(200);
// After SIGTERM, connections still busy after this long are cut.
constexpr auto kShutdownGrace = std::chrono::seconds(5);

struct ServerFlags {
  std::string listen = "127.0.0.1:8000";
  std::string data_dir = "./.barge";
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  std::string credentials{};
  std::string log_level = "info";
  std::string agent_token{};
  int lease_seconds = 15;
  int64_t kill_grace_seconds = 30;
  size_t max_dependencies = control::kDefaultMaxDependencies;
  std::string job_retention = "7d";              // ParseDurationText; 0 or off: keep jobs forever.
  std::string instance_types{};                  // Catalog file; empty: the built-in one.
  std::string default_provider{};                // For MANAGED environments without barge:provider.
  std::vector<std::string> command_providers{};  // NAME=LAUNCH,TERMINATE
  std::string local_runtime{};  // runc for local instances of container environments
  std::string local_image_store{};
  std::string local_agent_log_level = "warn";
  bool stop_local_instances = false;
  std::string scale_down_delay = "5m";
};

// NAME=LAUNCH,TERMINATE of --command-provider.
struct CommandProviderFlag {
  std::string name{};
  std::string launch{};
  std::string terminate{};
};

Result<CommandProviderFlag> ParseCommandProviderFlag(const std::string& text) {
  size_t eq = text.find('=');
  size_t comma = text.find(',', eq == std::string::npos ? 0 : eq);
  if (eq == std::string::npos || eq == 0 || comma == std::string::npos) {
    return InvalidArgument(
        "--command-provider must look like NAME=LAUNCH_PROGRAM,TERMINATE_PROGRAM, got '" + text +
        "'");
  }
  return CommandProviderFlag{.name = text.substr(0, eq),
                             .launch = text.substr(eq + 1, comma - eq - 1),
                             .terminate = text.substr(comma + 1)};
}

// What every local agent gets beyond its instance's arguments: it stops its
// jobs within --stop-grace, well inside the provider's grace before the
// SIGKILL; under barge dev it also stops when the server dies.
std::vector<std::string> LocalAgentArgs(const ServerFlags& flags) {
  std::vector<std::string> args = {"--log-level", flags.local_agent_log_level, "--stop-grace", "5"};
  if (flags.stop_local_instances) args.push_back("--exit-with-parent");
  return args;
}

// This binary, for the local provider's `barge agent` processes.
std::string SelfPath() {
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : self.string();
}

// Re-arms itself every `period` on the control thread (STYLE.md example 9).
void RunEvery(asio::steady_timer& timer, std::chrono::milliseconds period,
              std::function<void()> tick) {
  timer.expires_after(period);
  timer.async_wait([&timer, period, tick = std::move(tick)](boost::system::error_code ec) {
    if (ec) return;  // Cancelled at shutdown.
    tick();
    RunEvery(timer, period, tick);
  });
}

// 32 random bytes from the kernel, as hex.
Result<std::string> RandomToken() {
  std::ifstream urandom("/dev/urandom", std::ios::binary);
  std::array<unsigned char, 32> bytes{};
  if (!urandom.read(reinterpret_cast<char*>(bytes.data()), bytes.size())) {
    return Unavailable("cannot read /dev/urandom");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token;
  for (unsigned char byte : bytes) {
    token += kHex[byte >> 4];
    token += kHex[byte & 0x0f];
  }
  return token;
}

// The token agents must present: --agent-token, else <data-dir>/agent-token,
// created (mode 0600) with a random token on first start.
Result<std::string> AgentToken(const ServerFlags& flags) {
  if (!flags.agent_token.empty()) return flags.agent_token;
  std::filesystem::path path = std::filesystem::path(flags.data_dir) / "agent-token";
  if (std::ifstream in(path); in) {
    std::string token;
    std::getline(in, token);
    while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back())))
      token.pop_back();
    if (token.empty()) return InvalidArgument(path.string() + " is empty");
    spdlog::info("agents authenticate with the token in {}", path.string());
    return token;
  }
  Result<std::string> token = RandomToken();
  if (!token) return token.error();
  {
    std::ofstream out(path, std::ios::trunc);
    out << *token << "\n";
    if (!out) return Unavailable("cannot write " + path.string());
  }
  std::error_code ec;
  std::filesystem::permissions(
      path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write, ec);
  spdlog::info("created an agent token in {}; start agents with --token $(cat {})", path.string(),
               path.string());
  return token;
}

int Fail(const std::string& message) {
  spdlog::critical("{}", message);
  std::fprintf(stderr, "barge server: %s\n", message.c_str());
  return 1;
}

}  // namespace

int RunServer(int argc, char** argv) {
  ServerFlags flags;
  CLI::App app{"barge server: the AWS Batch control plane", "barge server"};
  app.add_option("--listen", flags.listen, "HOST:PORT to serve on; port 0 picks a free one")
      ->capture_default_str();
  app.add_option("--data-dir", flags.data_dir, "directory for barge.db (created if missing)")
      ->capture_default_str();
  app.add_option("--region", flags.region, "region in ARNs")->capture_default_str();
  app.add_option("--account-id", flags.account_id, "12-digit account id in ARNs")
      ->capture_default_str()
      ->check([](const std::string& id) {
        bool ok = id.size() == 12 && id.find_first_not_of("0123456789") == std::string::npos;
        return ok ? std::string() : std::string("account id must be 12 digits");
      });
  app.add_option("--credentials", flags.credentials,
                 "AWS shared-credentials file of the keys allowed to call; without it, "
                 "signatures are not checked")
      ->check(CLI::ExistingFile);
  app.add_option("--log-level", flags.log_level, "trace, debug, info, warn, error, critical, off")
      ->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  app.add_option("--agent-token", flags.agent_token,
                 "token agents must present; default: the one in <data-dir>/agent-token, "
                 "created on first start");
  app.add_option("--lease-seconds", flags.lease_seconds,
                 "an agent not heard from for this long is lost, and its jobs with it")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  app.add_option("--kill-grace", flags.kill_grace_seconds,
                 "seconds between SIGTERM and SIGKILL when a job is terminated or times out "
                 "(ECS_CONTAINER_STOP_TIMEOUT on AWS)")
      ->capture_default_str()
      ->check(CLI::Range(0, 3600));
  app.add_option("--max-dependencies", flags.max_dependencies,
                 "dependsOn entries allowed per job (AWS allows 20)")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{100000}));
  app.add_option("--job-retention", flags.job_retention,
                 "how long a job that ended (SUCCEEDED or FAILED) is kept, with its logs, "
                 "before it is deleted: 7d, 12h, 30m, 90s or seconds; 0 or off keeps jobs forever")
      ->capture_default_str()
      ->check([](const std::string& text) {
        if (ParseDurationText(text)) return std::string();
        return std::string("expected a duration like 7d, 12h, 30m, 90s or 3600, or off");
      });
  app.add_option("--instance-types", flags.instance_types,
                 "instance-type catalog (JSON, see docs/fleet.md) replacing the built-in one")
      ->check(CLI::ExistingFile);
  app.add_option("--default-provider", flags.default_provider,
                 "provider of MANAGED compute environments without a barge:provider tag: local, "
                 "a --command-provider NAME, or empty (agents join them by name)");
  app.add_option("--command-provider", flags.command_providers,
                 "NAME=LAUNCH,TERMINATE: a provider that runs these programs to launch and "
                 "terminate instances (repeatable; see docs/fleet.md)");
  app.add_option("--local-runtime", flags.local_runtime,
                 "runc for the local provider's agents of container environments");
  app.add_option("--local-image-store", flags.local_image_store,
                 "image store for the local provider's agents of container environments");
  app.add_option("--local-agent-log-level", flags.local_agent_log_level,
                 "log level of the local provider's agents")
      ->capture_default_str();
  app.add_flag("--stop-local-instances-on-exit", flags.stop_local_instances,
               "terminate the local provider's instances when the server stops (barge dev)");
  app.add_option("--scale-down-delay", flags.scale_down_delay,
                 "how long a managed instance stays idle before it is scaled in, unless its "
                 "environment's scalingPolicy says otherwise (5m, 90s, ...)")
      ->capture_default_str()
      ->check([](const std::string& text) {
        if (ParseDurationText(text)) return std::string();
        return std::string("expected a duration like 5m, 90s or 300");
      });
  CLI11_PARSE(app, argc, argv);
  const std::chrono::seconds job_retention = *ParseDurationText(flags.job_retention);

  // Logs go to stderr; stdout carries only the "listening on" line scripts wait for.
  auto logger = spdlog::stderr_color_mt("barge");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(flags.log_level));

  std::optional<api::Sigv4Verifier> verifier;
  SystemClock clock;
  if (!flags.credentials.empty()) {
    Result<api::CredentialSet> credentials = api::LoadCredentialsFile(flags.credentials);
    if (!credentials) return Fail(credentials.error().message);
    spdlog::info("SigV4 signatures are checked against {} key(s) from {}", credentials->size(),
                 flags.credentials);
    verifier.emplace(std::move(*credentials), clock);
  }

  std::error_code dir_error;
  std::filesystem::create_directories(flags.data_dir, dir_error);
  if (dir_error) {
    return Fail("cannot create data directory " + flags.data_dir + ": " + dir_error.message());
  }
  std::string db_path = (std::filesystem::path(flags.data_dir) / "barge.db").string();
  Result<std::unique_ptr<SqliteStore>> opened = SqliteStore::Open(db_path);
  if (!opened) return Fail("cannot open " + db_path + ": " + opened.error().message);
  std::unique_ptr<SqliteStore> sqlite = std::move(*opened);
  // Every service writes through it, so each job's end, whichever path
  // writes it, reaches the dependency resolver once it is committed.
  control::JobEndReportingStore reporting_store(*sqlite);
  Store* store = &reporting_store;

  ArnFormatter arns(flags.region, flags.account_id);
  control::ComputeEnvironmentService compute_environments(*store, arns);
  control::JobQueueService job_queues(*store, arns);
  control::JobDefinitionService job_definitions(*store, arns);
  control::SchedulingPolicyService scheduling_policies(*store, arns);
  control::TagService tags(*store, arns);
  control::CostService cost(*store, clock);
  control::ResourceStatusReconciler reconciler(*store);
  Result<std::string> agent_token = AgentToken(flags);
  if (!agent_token) return Fail(agent_token.error().message);

  Result<fleet::InstanceCatalog> catalog = flags.instance_types.empty()
                                               ? fleet::InstanceCatalog::BuiltIn()
                                               : fleet::InstanceCatalog::Load(flags.instance_types);
  if (!catalog) return Fail(catalog.error().message);

  asio::io_context control;  // The control thread: this one. Owns all mutable state.

  // Providers of managed compute environments.
  std::vector<std::string> container_args;
  if (!flags.local_runtime.empty())
    container_args.insert(container_args.end(), {"--runtime", flags.local_runtime});
  if (!flags.local_image_store.empty()) {
    container_args.insert(container_args.end(), {"--image-store", flags.local_image_store});
  }
  Result<std::unique_ptr<fleet::LocalProvider>> local_provider = fleet::LocalProvider::Create(
      {.barge_executable = SelfPath(),
       .work_root = (std::filesystem::path(flags.data_dir) / "instances").string(),
       .container_agent_args = container_args,
       .extra_agent_args = LocalAgentArgs(flags)});
  if (!local_provider) return Fail("local provider: " + local_provider.error().message);
  std::vector<std::unique_ptr<fleet::CommandProvider>> command_providers;
  control::FleetController::Providers providers{{"local", local_provider->get()}};
  for (const std::string& text : flags.command_providers) {
    Result<CommandProviderFlag> parsed = ParseCommandProviderFlag(text);
    if (!parsed) return Fail(parsed.error().message);
    if (providers.contains(parsed->name))
      return Fail("provider " + parsed->name + " is defined twice");
    Result<std::unique_ptr<fleet::CommandProvider>> provider = fleet::CommandProvider::Create(
        {.name = parsed->name,
         .launch_program = parsed->launch,
         .terminate_program = parsed->terminate,
         .post = [&control](std::function<void()> work) { asio::post(control, std::move(work)); }});
    if (!provider)
      return Fail("command provider " + parsed->name + ": " + provider.error().message);
    providers[parsed->name] = provider->get();
    command_providers.push_back(std::move(*provider));
  }
  if (!flags.default_provider.empty() && !providers.contains(flags.default_provider)) {
    return Fail("--default-provider " + flags.default_provider +
                " is neither local nor a --command-provider");
  }
  const int64_t kill_grace_ms = flags.kill_grace_seconds * 1000;

  // Dispatching: agents, the scheduling loop, attempt outcomes, timeouts.
  control::AgentRegistry registry(
      clock, control::AgentRegistryOptions{.lease = std::chrono::seconds(flags.lease_seconds)});
  scheduler::Planner planner = scheduler::Planner::Standard();
  bool dispatch_posted = false;
  std::function<void()> dispatch;  // Set below, once the dispatcher exists.
  control::Dispatcher dispatcher(
      *store, clock, registry, planner,
      control::DispatcherOptions{.kill_grace_ms = kill_grace_ms, .wake = [&] {
                                   // Many JobRunnable calls in one burst share one pass.
                                   if (dispatch_posted) return;
                                   dispatch_posted = true;
                                   asio::post(control, [&] {
                                     dispatch_posted = false;
                                     dispatch();
                                   });
                                 }});
  dispatch = [&dispatcher] {
    if (Result<int> placed = dispatcher.Tick(); !placed) {
      spdlog::warn("scheduling pass: {}", placed.error().message);
    }
  };
  bool dependencies_posted = false;
  control::DependencyResolver* dependency_applier = nullptr;
  control::DependencyResolver dependencies(
      *store, clock, dispatcher,
      control::DependencyResolverOptions{
          .schedule_apply =
              [&] {
                // The dependents of a burst of ends are written together, after it.
                if (dependencies_posted) return;
                dependencies_posted = true;
                asio::post(control, [&] {
                  dependencies_posted = false;
                  if (Status applied = dependency_applier->ApplyPending(); !applied) {
                    spdlog::warn("dependencies: {}", applied.error().message);
                  }
                });
              },
          .array_slot_freed = [&dispatcher] { dispatcher.RequestFullPass(); }});
  dependency_applier = &dependencies;
  dispatcher.SetStartFilter([&dependencies](std::string_view job_id, int32_t extra) {
    return dependencies.arrays().MayStart(job_id, extra);
  });
  reporting_store.SetListener([&dependencies](const std::vector<control::JobWrite>& ended) {
    dependencies.JobsWritten(ended);
  });
  control::AgentService agent_service(*store, clock, registry, dispatcher);
  control::TimeoutSweeper timeout_sweeper(*store, clock, registry, kill_grace_ms);
  std::optional<control::JobRetentionSweeper> retention_sweeper;
  if (job_retention.count() > 0) {
    retention_sweeper.emplace(*store, clock,
                              control::JobRetentionOptions{.retention = job_retention});
  }
  control::LogService logs(*store, registry);
  // Group commit: the SubmitJobs read in one pass of the loop share one
  // transaction and one fsync (job_service.h); the flush is posted, so it
  // runs after the requests already read.
  control::JobService* submit_batcher = nullptr;
  control::JobService jobs(
      *store, clock, arns, job_definitions, dispatcher, dependencies,
      control::JobServiceOptions{
          .schedule_flush = [&] { asio::post(control, [&] { submit_batcher->FlushSubmits(); }); },
          .max_dependencies = flags.max_dependencies});
  submit_batcher = &jobs;
  if (Status recovered = agent_service.Recover(); !recovered) {
    return Fail("cannot recover running attempts: " + recovered.error().message);
  }
  if (Status rebuilt = dependencies.Rebuild(); !rebuilt) {
    return Fail("cannot rebuild job dependencies: " + rebuilt.error().message);
  }
  auto reconcile = [&reconciler] {
    if (Result<int> changed = reconciler.Tick(); !changed) {
      spdlog::warn("status reconciler: {}", changed.error().message);
    }
  };
  // Runs the reconciler right after a mutating request, before the next
  // request is read, so a created environment is VALID by the client's next
  // call. Several mutations in one burst share one pass.
  bool reconcile_posted = false;
  auto after_mutation = [&] {
    if (reconcile_posted) return;
    reconcile_posted = true;
    asio::post(control, [&] {
      reconcile_posted = false;
      reconcile();
      // A queue or environment may have changed state: look at every job.
      dispatcher.RequestFullPass();
    });
  };

  api::Api api(api::ApiServices{.compute_environments = compute_environments,
                                .job_queues = job_queues,
                                .job_definitions = job_definitions,
                                .scheduling_policies = scheduling_policies,
                                .tags = tags,
                                .jobs = &jobs,
                                .logs = &logs,
                                .agents = &agent_service,
                                .cost = &cost},
               api::ApiOptions{.verifier = verifier ? &*verifier : nullptr,
                               .after_mutation = after_mutation,
                               .agent_token = *agent_token});
  reconcile();  // Finish whatever a previous run left CREATING or UPDATING.

  Result<std::unique_ptr<api::HttpServer>> listening =
      api::HttpServer::Listen(control, flags.listen, api);
  if (!listening) return Fail(listening.error().message);
  std::unique_ptr<api::HttpServer> server = std::move(*listening);

  control::FleetController fleet_controller(
      *store, clock, registry, agent_service, dispatcher, *catalog, providers,
      control::FleetOptions{.scale_down_delay = *ParseDurationText(flags.scale_down_delay),
                            .default_provider = flags.default_provider,
                            .seed = std::random_device()(),
                            .join = {.server_url = server->url(), .token = *agent_token}});
  asio::steady_timer fleet_timer(control);
  RunEvery(fleet_timer, kFleetPeriod, [&fleet_controller] {
    if (Result<control::FleetTickReport> scaled = fleet_controller.Tick(); !scaled) {
      spdlog::warn("fleet: {}", scaled.error().message);
    }
  });

  asio::steady_timer reconcile_timer(control);
  RunEvery(reconcile_timer, kReconcilePeriod, reconcile);
  asio::steady_timer dispatch_timer(control);
  RunEvery(dispatch_timer, kDispatchPeriod, dispatch);
  asio::steady_timer agent_timer(control);
  RunEvery(agent_timer, kAgentPeriod, [&agent_service] {
    if (Result<int> ended = agent_service.Tick(); !ended) {
      spdlog::warn("agent lease sweep: {}", ended.error().message);
    } else if (*ended > 0) {
      spdlog::info("{} attempt(s) ended with their lost agents", *ended);
    }
  });
  asio::steady_timer timeout_timer(control);
  RunEvery(timeout_timer, kTimeoutSweepPeriod, [&timeout_sweeper] {
    if (Result<int> timed_out = timeout_sweeper.Tick(); !timed_out) {
      spdlog::warn("timeout sweep: {}", timed_out.error().message);
    }
  });

  asio::steady_timer retention_timer(control);
  if (retention_sweeper) {
    spdlog::info("jobs are deleted {} s after they end (--job-retention {})", job_retention.count(),
                 flags.job_retention);
    RunEvery(retention_timer, kRetentionSweepPeriod, [&retention_sweeper] {
      if (Result<size_t> expired = retention_sweeper->Tick(); !expired) {
        spdlog::warn("retention sweep: {}", expired.error().message);
      } else if (*expired > 0) {
        spdlog::debug("retention sweep: {} expired job(s) deleted", *expired);
      }
    });
  } else {
    spdlog::info("jobs are kept forever (--job-retention {})", flags.job_retention);
  }

  asio::steady_timer dependency_timer(control);
  RunEvery(dependency_timer, kDependencyRetryPeriod, [&dependencies] {
    if (dependencies.unapplied() == 0) return;
    if (Status applied = dependencies.Tick(); !applied) {
      spdlog::warn("dependencies: {}", applied.error().message);
    }
  });

  asio::steady_timer shutdown_guard(control);
  asio::signal_set signals(control, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int signal_number) {
    if (ec) return;
    spdlog::info("signal {}: stopping", signal_number);
    reconcile_timer.cancel();
    fleet_timer.cancel();
    dispatch_timer.cancel();
    agent_timer.cancel();
    timeout_timer.cancel();
    retention_timer.cancel();
    dependency_timer.cancel();
    registry.AnswerAllPolls();  // Parked long-polls answer now, so their connections can close.
    shutdown_guard.expires_after(kShutdownGrace);
    shutdown_guard.async_wait([&](boost::system::error_code guard_ec) {
      if (guard_ec) return;  // Every connection finished in time.
      spdlog::warn("connections still open after {} s; closing them", kShutdownGrace.count());
      control.stop();
    });
    server->Stop([&] {
      shutdown_guard.cancel();
      signals.cancel();
    });
    // A second signal does not wait for the connections.
    signals.async_wait([&](boost::system::error_code again_ec, int) {
      if (!again_ec) control.stop();
    });
  });

  if (!verifier) {
    spdlog::warn(
        "DEVELOPMENT MODE: no --credentials file, so request signatures are NOT checked and "
        "anyone who can reach {} can use this server",
        server->url());
  }
  std::printf("barge server listening on %s\n", server->url().c_str());
  std::fflush(stdout);
  spdlog::info("barge server listening on {} (data in {}, region {}, account {})", server->url(),
               db_path, flags.region, flags.account_id);

  control.run();  // Returns after SIGINT/SIGTERM once connections are done.
  if (flags.stop_local_instances) {
    if (Status ended = fleet_controller.TerminateAllOf("local", "the server stopped"); !ended) {
      spdlog::warn("local instances: {}", ended.error().message);
    }
    int stopped = (*local_provider)->StopAll();
    if (stopped > 0) spdlog::info("stopped {} local instance(s)", stopped);
  }
  spdlog::info("stopped");
  return 0;
}

}  // namespace barge::apps
