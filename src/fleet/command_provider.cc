#include "fleet/command_provider.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <system_error>
#include <utility>

#include "core/check.h"
#include "fleet/agent_command.h"
#include "util/executable_path.h"

extern char** environ;

namespace barge::fleet {
namespace {

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr size_t kStderrTail = 1024;
constexpr size_t kMaxStdout = 1 << 20;
constexpr size_t kShownStdout = 200;

// How one run of a program ended.
struct RunOutcome {
  enum class Kind { kNotStarted, kExited, kSignaled, kTimedOut, kCancelled };
  Kind kind = Kind::kNotStarted;
  int code = 0;  // Exit status, signal number, or errno when not started.
  std::string out{};
  bool out_too_long = false;
  std::string err_tail{};
};

void CloseFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// Reads what `fd` holds now; false once it reached end of file or failed.
bool ReadAvailable(int fd, std::string& into, size_t limit, bool& too_long) {
  char buffer[16384];
  while (true) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n > 0) {
      size_t count = static_cast<size_t>(n);
      if (into.size() + count > limit) too_long = true;
      if (!too_long) into.append(buffer, count);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return n < 0 && errno == EAGAIN;
  }
}

// Like ReadAvailable, but keeps only the last kStderrTail bytes.
bool ReadTail(int fd, std::string& tail) {
  bool unused = false;
  bool open = ReadAvailable(fd, tail, SIZE_MAX, unused);
  if (tail.size() > kStderrTail) tail.erase(0, tail.size() - kStderrTail);
  return open;
}

void SetNonBlocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

pid_t Reap(pid_t pid, int& status) {
  pid_t done;
  do {
    done = ::waitpid(pid, &status, 0);
  } while (done < 0 && errno == EINTR);
  return done;
}

// Starts `path` with stdin, stdout and stderr on the pipes' child ends, in a
// process group of its own so a timeout kills whatever it started too.
// posix_spawn rather than fork: nothing of the server's memory is copied and
// no code runs in a forked copy of a multithreaded process.
int StartProgram(const std::string& path, int in, int out, int err, pid_t& pid) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in, STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err, STDERR_FILENO);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  sigset_t all;
  sigfillset(&all);
  // The worker thread blocks every signal and the server may ignore some
  // (SIGPIPE); the program starts with the defaults.
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  char* argv[] = {const_cast<char*>(path.c_str()), nullptr};
  int error = ::posix_spawn(&pid, path.c_str(), &actions, &attr, argv, environ);
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  return error;
}

// Runs `path` with `input` on its stdin until it exits, `timeout` passes or
// `cancel_fd` becomes readable (the last two kill its process group). Call on
// a thread of the provider's own: it blocks, and it blocks every signal.
RunOutcome RunProgram(const std::string& path, const std::string& input, Duration timeout,
                      int cancel_fd) {
  // Writing to a program that closed its stdin raises SIGPIPE; blocked here,
  // it stays pending on this thread and is taken back below.
  sigset_t all;
  sigfillset(&all);
  ::pthread_sigmask(SIG_BLOCK, &all, nullptr);

  RunOutcome outcome;
  int in[2] = {-1, -1};
  int out[2] = {-1, -1};
  int err[2] = {-1, -1};
  pid_t pid = -1;
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
    outcome.code = errno;
  } else {
    outcome.code = StartProgram(path, in[0], out[1], err[1], pid);
  }
  CloseFd(in[0]);
  CloseFd(out[1]);
  CloseFd(err[1]);
  if (outcome.code != 0) {
    for (int* fd : {&in[1], &out[0], &err[0]}) CloseFd(*fd);
    return outcome;
  }
  SetNonBlocking(in[1]);
  SetNonBlocking(out[0]);
  SetNonBlocking(err[0]);
  // Readable once the program exits, so one poll() waits for output and exit
  // even when something it started in the background keeps its stdout open.
  int pid_fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));

  const Clock::time_point deadline = Clock::now() + timeout;
  size_t written = 0;
  if (input.empty()) CloseFd(in[1]);
  bool out_open = true;
  bool err_open = true;
  int status = 0;
  while (true) {
    pollfd fds[5] = {{.fd = in[1], .events = POLLOUT, .revents = 0},
                     {.fd = out_open ? out[0] : -1, .events = POLLIN, .revents = 0},
                     {.fd = err_open ? err[0] : -1, .events = POLLIN, .revents = 0},
                     {.fd = pid_fd, .events = POLLIN, .revents = 0},
                     {.fd = cancel_fd, .events = POLLIN, .revents = 0}};
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
    // Without a pidfd (kernels before 5.3), look for the exit every few ms.
    int wait_ms = static_cast<int>(std::clamp<int64_t>(left, 0, pid_fd < 0 ? 10 : 60'000));
    bool poll_failed = ::poll(fds, 5, wait_ms) < 0 && errno != EINTR;
    int poll_error = errno;

    bool cancelled = (fds[4].revents & POLLIN) != 0;
    if (poll_failed || cancelled || Clock::now() >= deadline) {
      ::kill(-pid, SIGKILL);
      Reap(pid, status);
      outcome.kind = cancelled ? RunOutcome::Kind::kCancelled : RunOutcome::Kind::kTimedOut;
      if (poll_failed) outcome = {.kind = RunOutcome::Kind::kNotStarted, .code = poll_error};
      break;
    }
    if (fds[0].revents != 0) {
      ssize_t n = ::write(in[1], input.data() + written, input.size() - written);
      int write_error = n < 0 ? errno : 0;
      if (n > 0) written += static_cast<size_t>(n);
      if (write_error == EPIPE) {
        // The program stopped reading; its exit status says whether that was fine.
        constexpr timespec kNow{};
        sigset_t pipe_signal;
        sigemptyset(&pipe_signal);
        sigaddset(&pipe_signal, SIGPIPE);
        ::sigtimedwait(&pipe_signal, nullptr, &kNow);
      }
      bool failed = write_error != 0 && write_error != EAGAIN && write_error != EINTR;
      if (failed || written == input.size()) CloseFd(in[1]);
    }
    if (fds[1].revents != 0)
      out_open = ReadAvailable(out[0], outcome.out, kMaxStdout, outcome.out_too_long);
    if (fds[2].revents != 0) err_open = ReadTail(err[0], outcome.err_tail);

    bool exited = false;
    if (pid_fd >= 0) {
      exited = (fds[3].revents & POLLIN) != 0;
    } else {
      exited = ::waitpid(pid, &status, WNOHANG) == pid;
    }
    if (!exited) continue;
    if (pid_fd >= 0) Reap(pid, status);
    // What it wrote before exiting is in the pipes already.
    if (out_open) ReadAvailable(out[0], outcome.out, kMaxStdout, outcome.out_too_long);
    if (err_open) ReadTail(err[0], outcome.err_tail);
    if (WIFSIGNALED(status)) {
      outcome.kind = RunOutcome::Kind::kSignaled;
      outcome.code = WTERMSIG(status);
    } else {
      outcome.kind = RunOutcome::Kind::kExited;
      outcome.code = WEXITSTATUS(status);
    }
    break;
  }
  for (int* fd : {&in[1], &out[0], &err[0], &pid_fd}) CloseFd(*fd);
  return outcome;
}

std::string TrimmedTail(const std::string& text) {
  size_t end = text.find_last_not_of(" \t\r\n");
  return end == std::string::npos ? std::string() : text.substr(0, end + 1);
}

// OK when the program exited 0; otherwise what went wrong. `what` names the
// program ("launch program /usr/local/bin/launch").
Status RunStatus(const std::string& what, const RunOutcome& outcome, Duration timeout) {
  std::string message;
  switch (outcome.kind) {
    case RunOutcome::Kind::kNotStarted:
      return Unavailable("cannot run " + what + ": " + std::strerror(outcome.code));
    case RunOutcome::Kind::kExited:
      if (outcome.code == 0) return Ok();
      message = what + " exited with status " + std::to_string(outcome.code);
      break;
    case RunOutcome::Kind::kSignaled:
      message = what + " was killed by signal " + std::to_string(outcome.code);
      break;
    case RunOutcome::Kind::kTimedOut:
    case RunOutcome::Kind::kCancelled:
      message = what + " was still running after " + std::to_string(timeout.count()) +
                " ms and was killed";
      break;
  }
  if (std::string err = TrimmedTail(outcome.err_tail); !err.empty()) message += ": " + err;
  return Unavailable(std::move(message));
}

// The launch program's reply: providerData by instance id.
Result<std::map<std::string, std::string>> ParseLaunchReply(const RunOutcome& outcome) {
  if (outcome.out_too_long) {
    return InvalidArgument("printed more than " + std::to_string(kMaxStdout) + " bytes");
  }
  Json reply = Json::parse(outcome.out, nullptr, /*allow_exceptions=*/false);
  if (reply.is_discarded()) {
    std::string shown = TrimmedTail(outcome.out.substr(0, kShownStdout));
    return InvalidArgument(shown.empty() ? "printed nothing" : "printed no JSON: " + shown);
  }
  auto instances = reply.is_object() ? reply.find("instances") : reply.end();
  if (instances == reply.end() || !instances->is_array()) {
    return InvalidArgument("printed JSON without an \"instances\" array");
  }
  std::map<std::string, std::string> data_by_id;
  for (size_t i = 0; i < instances->size(); ++i) {
    const Json& entry = (*instances)[i];
    std::string label = "instances[" + std::to_string(i) + "]";
    auto id = entry.is_object() ? entry.find("instanceId") : entry.end();
    if (id == entry.end() || !id->is_string()) {
      return InvalidArgument("printed " + label + " without a string instanceId");
    }
    std::string data;
    if (auto found = entry.find("providerData"); found != entry.end() && !found->is_null()) {
      if (!found->is_string()) {
        return InvalidArgument("printed " + label + " with a providerData that is not a string");
      }
      data = found->get<std::string>();
    }
    data_by_id.try_emplace(id->get<std::string>(), std::move(data));
  }
  return data_by_id;
}

std::vector<LaunchResult> LaunchResults(const std::vector<std::string>& ids,
                                        const std::string& what, const RunOutcome& outcome,
                                        Duration timeout) {
  Status run = RunStatus(what, outcome, timeout);
  Result<std::map<std::string, std::string>> reply =
      run ? ParseLaunchReply(outcome) : Result<std::map<std::string, std::string>>(run.error());
  if (run && !reply) reply = Unavailable(what + " " + reply.error().message);
  std::vector<LaunchResult> results;
  for (const std::string& id : ids) {
    LaunchResult result{.instance_id = id};
    if (!reply) {
      result.status = reply.error();
    } else if (auto found = reply->find(id); found == reply->end()) {
      result.status = Unavailable(what + " did not report instance " + id);
    } else {
      result.provider_data = found->second;
    }
    results.push_back(std::move(result));
  }
  return results;
}

// The catalog entry's members (fleet/instance_catalog.h).
Json TypeJson(const InstanceType& type) {
  return Json{{"name", type.name},
              {"family", type.family},
              {"vcpus", type.vcpus},
              {"memoryMiB", type.memory_mib},
              {"gpus", type.gpus},
              {"architecture", type.architecture},
              {"onDemandPricePerHour", type.on_demand_per_hour},
              {"spotPricePerHour", type.spot_per_hour},
              {"spotInterruption", std::string(ToString(type.interruption))}};
}

std::string LaunchInput(const LaunchRequest& request) {
  Json instances = Json::array();
  for (const std::string& id : request.instance_ids) {
    instances.push_back({{"instanceId", id}, {"agentCommand", AgentArguments(request, id)}});
  }
  Json input{{"computeEnvironment", request.compute_environment},
             {"instanceType", TypeJson(request.type)},
             {"capacityType", std::string(ToString(request.capacity))},
             {"count", request.instance_ids.size()},
             {"instances", std::move(instances)},
             {"serverUrl", request.join.server_url},
             {"token", request.join.token},
             {"executor", request.join.executor}};
  // Replace, not throw, on invalid UTF-8: a bad tag must not bring down the server.
  return input.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string TerminateInput(const std::vector<Instance>& instances) {
  Json entries = Json::array();
  for (const Instance& instance : instances) {
    entries.push_back({{"instanceId", instance.id},
                       {"providerData", instance.provider_data},
                       {"computeEnvironment", instance.compute_environment},
                       {"instanceType", instance.type.name}});
  }
  return Json{{"instances", std::move(entries)}}.dump(-1, ' ', false,
                                                      Json::error_handler_t::replace);
}

Result<std::string> ResolveProgram(const std::string& provider, std::string_view role,
                                   const std::string& program) {
  std::string label = "command provider " + provider + ": " + std::string(role) + " program";
  if (program.empty()) return InvalidArgument(label + " is not set");
  if (program.find('/') == std::string::npos) {
    std::string found = FindExecutable(program);
    if (found.empty()) return InvalidArgument(label + " " + program + " is not found in PATH");
    return found;
  }
  std::error_code error;
  std::string absolute = std::filesystem::absolute(program, error).string();
  if (error || !IsExecutableFile(absolute)) {
    return InvalidArgument(label + " " + program + " is missing or not executable");
  }
  return absolute;
}

}  // namespace

Result<std::unique_ptr<CommandProvider>> CommandProvider::Create(CommandProviderOptions options) {
  BARGE_CHECK(options.post != nullptr, "a command provider needs a post function");
  if (options.name.empty()) return InvalidArgument("command provider name must not be empty");
  if (options.timeout <= Duration::zero()) {
    return InvalidArgument("command provider " + options.name + ": timeout must be positive");
  }
  Result<std::string> launch = ResolveProgram(options.name, "launch", options.launch_program);
  if (!launch) return launch.error();
  Result<std::string> terminate =
      ResolveProgram(options.name, "terminate", options.terminate_program);
  if (!terminate) return terminate.error();
  options.launch_program = std::move(launch).value();
  options.terminate_program = std::move(terminate).value();
  int cancel_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (cancel_fd < 0) {
    return Unavailable("command provider " + options.name + ": eventfd: " + std::strerror(errno));
  }
  return std::unique_ptr<CommandProvider>(new CommandProvider(std::move(options), cancel_fd));
}

CommandProvider::CommandProvider(CommandProviderOptions options, int cancel_fd)
    : options_(std::move(options)), cancel_fd_(cancel_fd) {}

CommandProvider::~CommandProvider() {
  uint64_t one = 1;
  (void)!::write(cancel_fd_, &one, sizeof one);
  std::list<Worker> workers;
  {
    std::lock_guard lock(mutex_);
    workers.splice(workers.end(), workers_);
  }
  // Not under the lock: a finishing worker takes it to mark itself finished.
  for (Worker& worker : workers) worker.thread.join();
  ::close(cancel_fd_);
}

Status CommandProvider::Spawn(std::function<void()> work) {
  std::lock_guard lock(mutex_);
  // Join the runs that ended since the last call, so the list stays short.
  for (auto it = workers_.begin(); it != workers_.end();) {
    if (!it->finished) {
      ++it;
      continue;
    }
    it->thread.join();
    it = workers_.erase(it);
  }
  auto worker = workers_.emplace(workers_.end());
  try {
    worker->thread = std::thread([this, worker, work = std::move(work)] {
      work();
      std::lock_guard finished_lock(mutex_);
      worker->finished = true;
    });
  } catch (const std::system_error& error) {
    workers_.erase(worker);
    return Unavailable(std::string("cannot start a thread: ") + error.what());
  }
  return Ok();
}

void CommandProvider::Launch(const LaunchRequest& request, LaunchDone done) {
  std::vector<std::string> ids = request.instance_ids;
  std::string what = "launch program " + options_.launch_program;
  if (ids.empty()) {
    options_.post([done = std::move(done)] { done({}); });
    return;
  }
  auto work = [this, ids, what, done, input = LaunchInput(request)] {
    RunOutcome outcome = RunProgram(options_.launch_program, input, options_.timeout, cancel_fd_);
    if (outcome.kind == RunOutcome::Kind::kCancelled) return;  // Shutting down.
    // Captures no `this`: it may run after the provider is gone.
    options_.post(
        [done, results = LaunchResults(ids, what, outcome, options_.timeout)] { done(results); });
  };
  if (Status started = Spawn(std::move(work)); !started) {
    std::vector<LaunchResult> results;
    for (const std::string& id : ids) {
      results.push_back(
          {.instance_id = id, .status = Unavailable(what + ": " + started.error().message)});
    }
    options_.post([done = std::move(done), results = std::move(results)] { done(results); });
  }
}

void CommandProvider::Terminate(const std::vector<Instance>& instances, TerminateDone done) {
  std::string what = "terminate program " + options_.terminate_program;
  if (instances.empty()) {
    options_.post([done = std::move(done)] { done(Ok()); });
    return;
  }
  auto work = [this, what, done, input = TerminateInput(instances)] {
    RunOutcome outcome =
        RunProgram(options_.terminate_program, input, options_.timeout, cancel_fd_);
    if (outcome.kind == RunOutcome::Kind::kCancelled) return;  // Shutting down.
    options_.post([done, status = RunStatus(what, outcome, options_.timeout)] { done(status); });
  };
  if (Status started = Spawn(std::move(work)); !started) {
    options_.post([done = std::move(done), error = started.error(), what] {
      done(Unavailable(what + ": " + error.message));
    });
  }
}

}  // namespace barge::fleet
