#include "executor/process_executor.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <system_error>
#include <utility>

#include "executor/attempt_files.h"
#include "executor/log_file.h"
#include "executor/monitor.h"
#include "executor/run_as.h"

namespace barge::executor {

namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kDefaultPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
// How often an adopted monitor is checked when the kernel has no pidfd.
constexpr auto kAdoptedPollPeriod = std::chrono::milliseconds(250);

std::vector<std::string> ExecPaths(const std::string& command, const std::string& path_var) {
  if (command.find('/') != std::string::npos) return {command};
  std::vector<std::string> paths;
  size_t at = 0;
  while (at <= path_var.size()) {
    size_t end = path_var.find(':', at);
    if (end == std::string::npos) end = path_var.size();
    std::string dir = path_var.substr(at, end - at);
    paths.push_back((dir.empty() ? std::string(".") : dir) + "/" + command);
    at = end + 1;
  }
  return paths;
}

// The first child of `pid` (the monitor's job), or 0.
pid_t FirstChild(pid_t pid) {
  std::string path = "/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children";
  Result<std::string> text = ReadWholeFile(path);
  if (!text) return 0;
  return static_cast<pid_t>(std::strtol(text->c_str(), nullptr, 10));
}

}  // namespace

struct ProcessExecutor::Signals {
  explicit Signals(asio::io_context& io) : sigchld(io, SIGCHLD) {}
  asio::signal_set sigchld;
};

struct ProcessExecutor::Tracked {
  std::string attempt_id{};
  int64_t started_at_ms = 0;
  pid_t monitor_pid = 0;
  uint64_t monitor_start_ticks = 0;
  pid_t job_pid = 0;
  bool own_child = false;  // Forked by this executor (SIGCHLD), else adopted (pidfd or polling).
  bool container = false;  // Its job is `runc run`; signals go to the container's init.
  bool reports_running = false;  // ReportsRunning(): the report says when the job runs.
  // The monitor's report (the job's pid), read without waiting in Start().
  std::unique_ptr<asio::posix::stream_descriptor> report{};
  bool term_requested = false;  // Kill() sent (or owes) the job's group a SIGTERM.
  bool kill_requested = false;  // KillTree() ran: the tree is to be SIGKILLed.
  std::unique_ptr<asio::posix::stream_descriptor> pidfd{};
  std::unique_ptr<asio::steady_timer> poll_timer{};
  std::unique_ptr<asio::steady_timer> kill_timer{};
  std::optional<asio::steady_timer::time_point> kill_deadline{};
  std::vector<int> pending_signals{};  // Signal() before the job's pid was known.
};

Result<std::unique_ptr<ProcessExecutor>> ProcessExecutor::Open(asio::io_context& io,
                                                               const Clock& clock,
                                                               ProcessExecutorOptions options) {
  std::error_code ec;
  fs::create_directories(options.work_dir, ec);
  if (ec) {
    return Internal("cannot create executor work dir " + options.work_dir.string() + ": " +
                    ec.message());
  }
  std::unique_ptr<ContainerPreparer> containers;
  if (!options.containers.runc_path.empty()) {
    containers = ContainerPreparer::Create(options.containers);
  }
  auto executor =
      std::unique_ptr<ProcessExecutor>(new ProcessExecutor(io, clock, std::move(options)));
  if (containers) {
    if (::geteuid() != 0) {
      executor->containers_unavailable_ = "runc needs root and the agent does not run as root";
    } else if (!executor->options_.use_cgroups ||
               !AttemptCgroups::MemoryWritable(executor->options_.cgroups)) {
      executor->containers_unavailable_ =
          "the cgroup memory hierarchy is not writable, so container limits cannot be set";
    } else {
      executor->containers_ = std::move(containers);
    }
  } else {
    executor->containers_unavailable_ = "no container runtime (runc) configured or found";
  }
  executor->WaitForChildren();
  return executor;
}

ProcessExecutor::ProcessExecutor(asio::io_context& io, const Clock& clock,
                                 ProcessExecutorOptions options)
    : io_(io),
      clock_(clock),
      options_(std::move(options)),
      signals_(std::make_unique<Signals>(io)) {
  if (options_.use_cgroups && AttemptCgroups::MemoryWritable(options_.cgroups)) {
    isolation_ = "cgroups v1 (memory, cpu, pids)";
    if (AttemptCgroups::UnifiedWritable(options_.cgroups)) isolation_ += " + cgroup2 kill";
  } else {
    isolation_ = options_.use_cgroups
                     ? "rlimits only (cgroup memory hierarchy not writable; a job over its "
                       "memory fails to allocate instead of being OOM-killed)"
                     : "rlimits only (cgroups disabled)";
  }
}

ProcessExecutor::~ProcessExecutor() {
  for (auto& [id, unpacker] : unpackers_) unpacker.join();
  boost::system::error_code ignored;
  signals_->sigchld.cancel(ignored);
  // Let monitors still starting their job finish (a few ms), so that a
  // restarted executor finds every job as its monitor's child.
  for (auto& [id, tracked] : running_) {
    if (!tracked->report) continue;
    struct pollfd ready {
      .fd = tracked->report->native_handle(), .events = POLLIN, .revents = 0
    };
    (void)::poll(&ready, 1, /*timeout_ms=*/2000);
  }
}

void ProcessExecutor::SetExitCallback(ExitCallback on_exit) { on_exit_ = std::move(on_exit); }

bool ProcessExecutor::ReportsRunning(const protocol::Assignment& a) const {
  return a.executor == protocol::kExecutorContainer;
}

void ProcessExecutor::SetRunningCallback(RunningCallback on_running) {
  on_running_ = std::move(on_running);
}

std::vector<std::string> ProcessExecutor::Executors() const {
  std::vector<std::string> kinds{std::string(protocol::kExecutorProcess)};
  if (containers_) kinds.emplace_back(protocol::kExecutorContainer);
  return kinds;
}

void ProcessExecutor::WaitForChildren() {
  signals_->sigchld.async_wait([this](boost::system::error_code ec, int) {
    if (ec) return;  // Cancelled: the executor is going away.
    OnSigchld();
    WaitForChildren();
  });
}

void ProcessExecutor::OnSigchld() {
  // SIGCHLDs coalesce: look at every monitor we forked.
  std::vector<std::string> gone;
  for (auto& [id, tracked] : running_) {
    if (!tracked->own_child) continue;
    pid_t done;
    do {
      done = ::waitpid(tracked->monitor_pid, nullptr, WNOHANG);
    } while (done < 0 && errno == EINTR);
    if (done == tracked->monitor_pid || (done < 0 && errno == ECHILD)) gone.push_back(id);
  }
  for (const std::string& id : gone) OnMonitorGone(id);
}

Status ProcessExecutor::Start(const protocol::Assignment& a) {
  if (!IsSafeAttemptId(a.attempt_id)) {
    return InvalidArgument("attempt id " + a.attempt_id + " is not a safe file name");
  }
  AttemptPaths paths = PathsOf(options_.work_dir, a.attempt_id);
  std::error_code ec;
  if (running_.contains(a.attempt_id) || fs::exists(paths.dir, ec)) {
    return AlreadyExists("attempt " + a.attempt_id + " is already known to this agent");
  }
  bool container = a.executor == protocol::kExecutorContainer;
  if (!container && a.executor != protocol::kExecutorProcess) {
    return InvalidArgument("attempt " + a.attempt_id + " asks for executor '" + a.executor +
                           "', which this agent does not know");
  }
  if (container && !containers_) {
    return FailedPrecondition("this agent cannot run containers: " + containers_unavailable_);
  }
  if (!container && a.command.empty()) {
    return InvalidArgument("attempt " + a.attempt_id + " has no command");
  }
  // A container's user is the image's business (executor/container_user.h).
  Result<RunAs> run_as =
      container ? Result<RunAs>(RunAs{}) : run_as_cache_.Resolve(a.user, ::geteuid(), clock_.Now());
  if (!run_as) return run_as.error();

  if (::mkdir(paths.dir.c_str(), 0711) != 0 ||
      (!container && ::mkdir(paths.work.c_str(), 0700) != 0)) {
    Error error = Internal("cannot create " + paths.dir.string() + ": " + std::strerror(errno));
    fs::remove_all(paths.dir, ec);
    return error;
  }
  if (run_as->switch_user && ::chown(paths.work.c_str(), run_as->uid, run_as->gid) != 0) {
    Error error = Internal("cannot chown " + paths.work + ": " + std::strerror(errno));
    fs::remove_all(paths.dir, ec);
    return error;
  }
  int64_t now_ms = ToEpochMillis(clock_.Now());
  if (!container) return Launch(a, *run_as, now_ms, nullptr);
  Result<image::ImageSummary> image = containers_->Find(a.image);
  if (!image) {
    EndUnlaunched(a, paths, AttemptCgroups{}, now_ms, image.error().message);
    return Ok();
  }
  if (!image->unpacked) {
    StartUnpacking(a, *image);
    return Ok();
  }
  return Launch(a, RunAs{}, now_ms, &*image);
}

void ProcessExecutor::StartUnpacking(const protocol::Assignment& a,
                                     const image::ImageSummary& image) {
  AttemptPaths paths = PathsOf(options_.work_dir, a.attempt_id);
  AttemptRecord record{
      .attempt_id = a.attempt_id, .job_id = a.job_id, .started_at_ms = ToEpochMillis(clock_.Now())};
  // No monitor yet: an agent restarted now finds "stopped while starting".
  (void)WriteFileAtomically(paths.attempt_json, EncodeAttemptRecord(record), FileSync::kNone);
  running_.emplace(a.attempt_id, std::make_unique<Tracked>(Tracked{
                                     .attempt_id = a.attempt_id,
                                     .started_at_ms = record.started_at_ms,
                                     .container = true,
                                 }));
  spdlog::info("attempt {}: unpacking image {} ({})", a.attempt_id, a.image, image.digest);
  unpackers_[a.attempt_id] =
      std::thread([this, a, image, store = options_.containers.image_store_dir,
                   alive = std::weak_ptr<char>(alive_)] {
        Status unpacked = ContainerPreparer::UnpackInStore(store, image.digest);
        asio::post(io_, [this, a, image, unpacked, alive] {
          if (!alive.expired()) OnUnpacked(a, image, unpacked);
        });
      });
}

void ProcessExecutor::OnUnpacked(const protocol::Assignment& a, const image::ImageSummary& image,
                                 const Status& unpacked) {
  if (auto unpacker = unpackers_.find(a.attempt_id); unpacker != unpackers_.end()) {
    unpacker->second.join();  // It has posted this and is returning.
    unpackers_.erase(unpacker);
  }
  auto it = running_.find(a.attempt_id);
  if (it == running_.end()) return;
  bool stopped = it->second->term_requested || it->second->kill_requested;
  int64_t started_at_ms = it->second->started_at_ms;
  std::vector<int> pending_signals = std::move(it->second->pending_signals);
  running_.erase(it);
  AttemptPaths paths = PathsOf(options_.work_dir, a.attempt_id);
  if (!unpacked) {
    EndUnlaunched(a, paths, AttemptCgroups{}, started_at_ms,
                  std::string(kReasonCannotPull) + "cannot unpack image " + a.image + ": " +
                      unpacked.error().message);
  } else if (stopped) {
    EndUnlaunched(a, paths, AttemptCgroups{}, started_at_ms,
                  std::string(kReasonCannotStart) +
                      "stopped before the container started (its image was being unpacked)");
  } else if (Status launched = Launch(a, RunAs{}, started_at_ms, &image); !launched) {
    std::error_code ec;
    fs::create_directories(paths.dir, ec);  // Launch removes it on failure; the result goes there.
    EndUnlaunched(a, paths, AttemptCgroups{}, started_at_ms,
                  std::string(kReasonCannotStart) + launched.error().message);
  } else if (auto launched_attempt = running_.find(a.attempt_id);
             launched_attempt != running_.end()) {
    launched_attempt->second->pending_signals = std::move(pending_signals);
  }
}

Status ProcessExecutor::Launch(const protocol::Assignment& a, const RunAs& run_as,
                               int64_t started_at_ms, const image::ImageSummary* image) {
  AttemptPaths paths = PathsOf(options_.work_dir, a.attempt_id);
  bool container = a.executor == protocol::kExecutorContainer;
  std::error_code ec;
  MonitorSpec spec{.attempt_id = a.attempt_id,
                   .output_log = paths.output_log,
                   .exit_json = paths.exit_json,
                   .started_at_ms = started_at_ms,
                   .drain_ms = static_cast<int>(options_.drain_timeout.count())};
  if (!container) {
    std::map<std::string, std::string> env = a.environment;
    env.try_emplace("PATH", kDefaultPath);
    env.try_emplace("HOME", run_as.home.empty() ? paths.work : run_as.home);
    for (const auto& [name, value] : env) spec.job.env.push_back(name + "=" + value);
    spec.job.exec_paths = ExecPaths(a.command.front(), env["PATH"]);
    spec.job.argv = a.command;
    spec.job.working_dir = paths.work;
    spec.job.run_as = run_as;
  }
  if (options_.use_cgroups) {
    std::vector<std::string> problems;
    spec.cgroups = AttemptCgroups::Create(
        options_.cgroups, a.attempt_id,
        CgroupLimits{.memory_mib = a.resources.memory_mib, .millicpus = a.resources.millicpus},
        problems);
    for (const std::string& problem : problems) {
      spdlog::debug("attempt {}: cgroups: {}", a.attempt_id, problem);
    }
    spec.job.cgroup_procs = spec.cgroups.ProcsFiles();
  }
  if (!container && !spec.cgroups.has_memory_limit() && a.resources.memory_mib > 0) {
    spec.job.address_space_bytes = static_cast<uint64_t>(a.resources.memory_mib) << 20;
  }
  if (container) {
    Result<ContainerLaunch> launch =
        containers_->Prepare(a, *image, paths.dir, options_.cgroups.parent);
    if (!launch) {
      EndUnlaunched(a, paths, spec.cgroups, spec.started_at_ms, launch.error().message);
      return Ok();
    }
    spec.job.exec_paths = {launch->argv.front()};
    spec.job.argv = std::move(launch->argv);
    spec.job.env = {"PATH=" + std::string(kDefaultPath)};
    spec.job.working_dir = launch->bundle_dir;
    spec.job.overlay_target = std::move(launch->overlay_target);
    spec.job.overlay_options = std::move(launch->overlay_options);
    spec.runtime = RuntimeWatch{
        .pid_file = std::move(launch->pid_file),
        .log = std::move(launch->runtime_log),
        .nested_cgroups = NestedCgroupDirs(options_.cgroups, a.attempt_id, kRuntimeCgroupLeaf)};
  }

  AttemptRecord record{
      .attempt_id = a.attempt_id, .job_id = a.job_id, .started_at_ms = spec.started_at_ms};

  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) {
    Error error = Unavailable("cannot create a pipe for attempt " + a.attempt_id + ": " +
                              std::strerror(errno));
    spec.cgroups.Remove(0);
    fs::remove_all(paths.dir, ec);
    return error;
  }
  // The monitor is born with SIGTERM blocked: Start() does not wait for it to
  // set up, and a SIGTERM meant for it must be recorded, not kill it.
  sigset_t term;
  sigset_t old_mask;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  ::pthread_sigmask(SIG_BLOCK, &term, &old_mask);
  pid_t monitor = ::fork();
  if (monitor == 0) {
    ::close(report[0]);
    RunMonitor(spec, report[1]);
  }
  ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  ::close(report[1]);
  if (monitor < 0) {
    Error error = Unavailable("cannot fork attempt " + a.attempt_id + ": " + std::strerror(errno));
    ::close(report[0]);
    spec.cgroups.Remove(0);
    fs::remove_all(paths.dir, ec);
    return error;
  }
  record.monitor_pid = monitor;
  record.monitor_start_ticks = ProcessStartTicks(monitor);
  // Written once, right after the fork (Recover treats a missing one as a
  // start the agent did not finish). No fsync: after a machine crash the
  // attempt's processes are gone anyway. The job's pid is not in it: the
  // monitor reports it once the job has exec'd (~2 ms, which Start() does not
  // wait for); a restarted agent finds it as the monitor's child.
  (void)WriteFileAtomically(paths.attempt_json, EncodeAttemptRecord(record), FileSync::kNone);

  auto tracked =
      std::make_unique<Tracked>(Tracked{.attempt_id = a.attempt_id,
                                        .started_at_ms = record.started_at_ms,
                                        .monitor_pid = monitor,
                                        .monitor_start_ticks = record.monitor_start_ticks,
                                        .own_child = true,
                                        .container = container,
                                        .reports_running = container});
  tracked->report = std::make_unique<asio::posix::stream_descriptor>(io_, report[0]);
  ReadReport(*tracked);
  running_.emplace(a.attempt_id, std::move(tracked));
  // A monitor that already exited may have raised SIGCHLD before it was tracked.
  asio::post(io_, [this] { OnSigchld(); });
  return Ok();
}

void ProcessExecutor::EndUnlaunched(const protocol::Assignment& a, const AttemptPaths& paths,
                                    const AttemptCgroups& cgroups, int64_t started_at_ms,
                                    std::string reason) {
  AttemptResult result{.attempt_id = a.attempt_id,
                       .reason = std::move(reason),
                       .started_at_ms = started_at_ms,
                       .stopped_at_ms = ToEpochMillis(clock_.Now())};
  AttemptRecord record{
      .attempt_id = a.attempt_id, .job_id = a.job_id, .started_at_ms = started_at_ms};
  (void)WriteFileAtomically(paths.attempt_json, EncodeAttemptRecord(record), FileSync::kNone);
  (void)WriteFileAtomically(paths.exit_json, EncodeResult(result), FileSync::kNone);
  cgroups.Remove(0);
  spdlog::info("attempt {}: {}", a.attempt_id, result.reason);
  asio::post(io_, [this, result = std::move(result)] {
    if (on_exit_) on_exit_(result);
  });
}

void ProcessExecutor::RemoveCgroups(const std::string& attempt_id, bool container,
                                    int wait_ms) const {
  if (!options_.use_cgroups) return;
  if (container) {
    RemoveCgroupDirs(NestedCgroupDirs(options_.cgroups, attempt_id, kRuntimeCgroupLeaf), wait_ms);
  }
  AttemptCgroups::Existing(options_.cgroups, attempt_id).Remove(wait_ms);
}

void ProcessExecutor::ReadReport(Tracked& tracked) {
  auto started = std::make_shared<MonitorReport>();
  asio::async_read(
      *tracked.report, asio::buffer(started.get(), sizeof *started),
      [this, id = tracked.attempt_id, started](boost::system::error_code ec, size_t got) {
        if (ec == asio::error::operation_aborted) return;  // The attempt is gone.
        auto it = running_.find(id);
        if (it == running_.end()) return;
        Tracked& attempt = *it->second;
        attempt.report.reset();
        if (ec || got != sizeof *started || started->job_pid <= 0) return;
        attempt.job_pid = started->job_pid;
        if (attempt.reports_running && started->running != 0 && on_running_) {
          on_running_(id, started->running_at_ms);
        }
        // Kill orders and signals that came before the job's pid was known.
        if (attempt.term_requested) ::kill(-attempt.job_pid, SIGTERM);
        for (int signal : std::exchange(attempt.pending_signals, {})) {
          if (Result<bool> sent = SendSignal(attempt, signal); !sent) {
            spdlog::warn("attempt {}: {}", id, sent.error().message);
          }
        }
        if (attempt.kill_requested) KillTree(id);
      });
}

Status ProcessExecutor::Kill(std::string_view attempt_id, Duration grace) {
  auto it = running_.find(attempt_id);
  if (it == running_.end())
    return NotFound("attempt " + std::string(attempt_id) + " is not running");
  Tracked& tracked = *it->second;
  tracked.term_requested = true;
  if (tracked.job_pid > 0) ::kill(-tracked.job_pid, SIGTERM);
  if (grace <= Duration::zero()) {
    KillTree(tracked.attempt_id);
    return Ok();
  }
  auto deadline = asio::steady_timer::clock_type::now() + grace;
  if (tracked.kill_deadline && *tracked.kill_deadline <= deadline) return Ok();
  tracked.kill_deadline = deadline;
  if (!tracked.kill_timer) tracked.kill_timer = std::make_unique<asio::steady_timer>(io_);
  tracked.kill_timer->expires_at(deadline);
  tracked.kill_timer->async_wait([this, id = tracked.attempt_id](boost::system::error_code ec) {
    if (!ec) KillTree(id);
  });
  return Ok();
}

Status ProcessExecutor::Signal(std::string_view attempt_id, int signal) {
  auto it = running_.find(attempt_id);
  if (it == running_.end()) {
    return NotFound("attempt " + std::string(attempt_id) + " is not running");
  }
  Tracked& tracked = *it->second;
  Result<bool> sent = SendSignal(tracked, signal);
  if (!sent) return sent.error();
  if (!*sent) tracked.pending_signals.push_back(signal);
  return Ok();
}

Result<bool> ProcessExecutor::SendSignal(const Tracked& tracked, int signal) const {
  if (tracked.job_pid <= 0) return false;
  // A process job gets it in its whole process group, as a terminal's
  // foreground job would; a container's init decides what its processes get.
  pid_t target = -tracked.job_pid;
  if (tracked.container) {
    Result<std::string> text =
        ReadWholeFile(ContainerPidFile(PathsOf(options_.work_dir, tracked.attempt_id).dir));
    if (!text) return false;  // Not started yet (or never will be).
    target = static_cast<pid_t>(std::strtol(text->c_str(), nullptr, 10));
    if (target <= 0) return false;
  }
  if (::kill(target, signal) != 0 && errno != ESRCH) {
    return Internal("cannot signal attempt " + tracked.attempt_id + ": " + std::strerror(errno));
  }
  return true;
}

void ProcessExecutor::KillTree(const std::string& attempt_id) {
  auto it = running_.find(attempt_id);
  if (it == running_.end()) return;
  it->second->kill_requested = true;
  pid_t job = it->second->job_pid;
  if (options_.use_cgroups) {
    AttemptCgroups::Existing(options_.cgroups, attempt_id).KillAll(job);
  } else if (job > 0) {
    ::kill(-job, SIGKILL);
  }
}

std::vector<std::string> ProcessExecutor::Running() const {
  std::vector<std::string> ids;
  for (const auto& [id, tracked] : running_) ids.push_back(id);
  return ids;
}

void ProcessExecutor::OnMonitorGone(const std::string& attempt_id) {
  auto it = running_.find(attempt_id);
  if (it == running_.end()) return;
  int64_t started_at_ms = it->second->started_at_ms;
  running_.erase(it);
  AttemptPaths paths = PathsOf(options_.work_dir, attempt_id);
  std::optional<AttemptResult> result;
  if (Result<std::string> text = ReadWholeFile(paths.exit_json); text) {
    if (Result<AttemptResult> decoded = DecodeResult(*text); decoded) result = *decoded;
  }
  if (!result) {
    if (options_.use_cgroups) AttemptCgroups::Existing(options_.cgroups, attempt_id).KillAll(0);
    result = LostResult(attempt_id, started_at_ms,
                        "the attempt's monitor process ended without recording an exit status");
  }
  if (on_exit_) on_exit_(*result);
}

AttemptResult ProcessExecutor::LostResult(const std::string& attempt_id, int64_t started_at_ms,
                                          std::string_view why) {
  AttemptResult result{.attempt_id = attempt_id,
                       .reason = "CannotInspectContainerError: " + std::string(why),
                       .started_at_ms = started_at_ms,
                       .stopped_at_ms = ToEpochMillis(clock_.Now())};
  AttemptPaths paths = PathsOf(options_.work_dir, attempt_id);
  (void)WriteFileAtomically(paths.exit_json, EncodeResult(result));
  std::error_code ec;
  RemoveCgroups(attempt_id, fs::exists(paths.dir / "bundle", ec), 100);
  return result;
}

void ProcessExecutor::Watch(Tracked& tracked) {
  int fd = static_cast<int>(::syscall(SYS_pidfd_open, tracked.monitor_pid, 0));
  if (fd >= 0) {
    tracked.pidfd = std::make_unique<asio::posix::stream_descriptor>(io_, fd);
    tracked.pidfd->async_wait(asio::posix::stream_descriptor::wait_read,
                              [this, id = tracked.attempt_id](boost::system::error_code ec) {
                                if (!ec) OnAdoptedGone(id);
                              });
    return;
  }
  // No pidfd: look every so often whether the monitor still lives.
  tracked.poll_timer = std::make_unique<asio::steady_timer>(io_);
  tracked.poll_timer->expires_after(kAdoptedPollPeriod);
  tracked.poll_timer->async_wait([this, id = tracked.attempt_id](boost::system::error_code ec) {
    if (!ec) PollAdopted(id);
  });
}

void ProcessExecutor::PollAdopted(const std::string& attempt_id) {
  auto it = running_.find(attempt_id);
  if (it == running_.end()) return;
  Tracked& tracked = *it->second;
  if (ProcessStartTicks(tracked.monitor_pid) != tracked.monitor_start_ticks) {
    OnAdoptedGone(attempt_id);
    return;
  }
  tracked.poll_timer->expires_after(kAdoptedPollPeriod);
  tracked.poll_timer->async_wait([this, attempt_id](boost::system::error_code ec) {
    if (!ec) PollAdopted(attempt_id);
  });
}

void ProcessExecutor::OnAdoptedGone(const std::string& attempt_id) {
  auto it = running_.find(attempt_id);
  if (it == running_.end()) return;
  // Reaps it when it is our child after all (an executor re-opened in the same process).
  ::waitpid(it->second->monitor_pid, nullptr, WNOHANG);
  OnMonitorGone(attempt_id);
}

Result<std::vector<RecoveredAttempt>> ProcessExecutor::Recover() {
  std::vector<RecoveredAttempt> found;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(options_.work_dir, ec)) {
    std::string id = entry.path().filename().string();
    if (!entry.is_directory(ec) || !IsSafeAttemptId(id) || running_.contains(id)) continue;
    AttemptPaths paths = PathsOf(options_.work_dir, id);
    std::optional<AttemptRecord> record;
    if (Result<std::string> text = ReadWholeFile(paths.attempt_json); text) {
      if (Result<AttemptRecord> decoded = DecodeAttemptRecord(*text); decoded) record = *decoded;
    }
    int64_t started_at_ms = record ? record->started_at_ms : 0;
    if (Result<std::string> text = ReadWholeFile(paths.exit_json); text) {
      if (Result<AttemptResult> result = DecodeResult(*text); result) {
        std::error_code ignored;
        RemoveCgroups(id, fs::exists(paths.dir / "bundle", ignored), 0);
        found.push_back({.attempt_id = id, .started_at_ms = started_at_ms, .result = *result});
        continue;
      }
    }
    if (record && record->monitor_pid > 0 && record->monitor_start_ticks != 0 &&
        ProcessStartTicks(record->monitor_pid) == record->monitor_start_ticks) {
      std::error_code ignored;
      auto tracked = std::make_unique<Tracked>(Tracked{
          .attempt_id = id,
          .started_at_ms = started_at_ms,
          .monitor_pid = record->monitor_pid,
          .monitor_start_ticks = record->monitor_start_ticks,
          .job_pid = record->job_pid > 0 ? record->job_pid : FirstChild(record->monitor_pid),
          .container = fs::exists(paths.dir / "bundle", ignored)});
      Watch(*tracked);
      running_.emplace(id, std::move(tracked));
      found.push_back({.attempt_id = id, .started_at_ms = started_at_ms});
      continue;
    }
    // Its monitor is gone and left no result: stop anything left and say so.
    if (options_.use_cgroups) {
      AttemptCgroups::Existing(options_.cgroups, id).KillAll(record ? record->job_pid : 0);
    }
    std::string why = record && record->monitor_pid > 0
                          ? "the attempt's monitor process ended without recording an exit status"
                          : "the agent stopped while starting the attempt";
    found.push_back({.attempt_id = id,
                     .started_at_ms = started_at_ms,
                     .result = LostResult(id, started_at_ms, why)});
  }
  if (ec) {
    return Internal("cannot list " + options_.work_dir.string() + ": " + ec.message());
  }
  return found;
}

Result<LogBatch> ProcessExecutor::ReadLog(std::string_view attempt_id, LogCursor from,
                                          LogReadLimits limits) {
  if (!IsSafeAttemptId(attempt_id)) return NotFound("no attempt " + std::string(attempt_id));
  AttemptPaths paths = PathsOf(options_.work_dir, attempt_id);
  std::error_code ec;
  if (!fs::is_directory(paths.dir, ec)) return NotFound("no attempt " + std::string(attempt_id));
  return ReadLogFile(paths.output_log, from, limits.max_lines, limits.max_bytes);
}

Status ProcessExecutor::Remove(std::string_view attempt_id) {
  if (running_.contains(attempt_id)) {
    return FailedPrecondition("attempt " + std::string(attempt_id) + " is still running");
  }
  if (!IsSafeAttemptId(attempt_id)) return Ok();
  std::error_code ec;
  fs::path dir = PathsOf(options_.work_dir, attempt_id).dir;
  bool container = fs::exists(dir / "bundle", ec);
  fs::remove_all(dir, ec);
  if (ec) {
    return Internal("cannot remove attempt " + std::string(attempt_id) + ": " + ec.message());
  }
  RemoveCgroups(std::string(attempt_id), container, 0);
  return Ok();
}

}  // namespace barge::executor
