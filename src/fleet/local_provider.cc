#include "fleet/local_provider.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <limits>
#include <thread>

#include "fleet/agent_command.h"

namespace barge::fleet {
namespace {

using SteadyClock = std::chrono::steady_clock;

// The pid in provider_data; nullopt unless it is a plain decimal above 1, so
// that a corrupt value can never make kill() signal our own group (0) or
// every process (-1).
std::optional<pid_t> ParsePid(const std::string& text) {
  long long value = 0;
  const char* end = text.data() + text.size();
  auto [at, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || at != end || text.empty()) return std::nullopt;
  if (value <= 1 || value > std::numeric_limits<pid_t>::max()) return std::nullopt;
  return static_cast<pid_t>(value);
}

// A /proc file of process `pid`, or nullopt when it cannot be read. With
// read(2), not a stream: the process may exit while it is read, and then the
// read fails with ESRCH, which libstdc++'s filebuf turns into an exception.
std::optional<std::string> ReadProcFile(pid_t pid, const char* name) {
  std::string path = "/proc/" + std::to_string(pid) + "/" + name;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string content;
  char buffer[4096];
  while (true) {
    ssize_t got = read(fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      close(fd);
      return std::nullopt;
    }
    if (got == 0) break;
    content.append(buffer, static_cast<size_t>(got));
  }
  close(fd);
  return content;
}

// Whether /proc/<pid>/cmdline holds "--instance-id <instance_id>". False when
// it cannot be read; a zombie's is empty.
bool CmdlineNamesInstance(pid_t pid, const std::string& instance_id) {
  std::optional<std::string> read = ReadProcFile(pid, "cmdline");
  if (!read) return false;
  const std::string& cmdline = *read;
  std::string_view previous;
  for (size_t at = 0; at < cmdline.size();) {
    size_t end = cmdline.find('\0', at);
    if (end == std::string::npos) end = cmdline.size();
    std::string_view arg = std::string_view(cmdline).substr(at, end - at);
    if (previous == "--instance-id" && arg == instance_id) return true;
    previous = arg;
    at = end + 1;
  }
  return false;
}

// Whether `pid` is alive and is the agent of `instance_id`. The cmdline check
// tells a recycled pid from the agent; a zombie has an empty cmdline, so a
// dead agent not yet reaped by its parent counts as gone.
bool IsAgentProcess(pid_t pid, const std::string& instance_id) {
  if (kill(pid, 0) != 0 && errno == ESRCH) return false;  // EPERM: alive, another user's.
  return CmdlineNamesInstance(pid, instance_id);
}

// The agent runs each job under a monitor (executor/monitor.h) that it forks
// without exec, in a session of its own: out of reach of the agent's process
// group, but with the agent's command line. Once the agent is gone nobody
// will stop them, so SIGTERM them (a monitor then kills its job's tree), as a
// vanished machine takes its jobs with it. Scans /proc, so only when an agent
// is found gone.
void StopLeftovers(const std::string& instance_id) {
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return;
  while (const dirent* entry = readdir(proc)) {
    std::optional<pid_t> pid = ParsePid(entry->d_name);
    if (!pid || *pid == getpid()) continue;
    if (CmdlineNamesInstance(*pid, instance_id)) kill(*pid, SIGTERM);
  }
  closedir(proc);
}

// The live agent of `instance_id` (one restarted since provider_data was
// written has another pid): a process naming the instance that is not one of
// its job monitors (those are called barge-monitor). nullopt when none.
std::optional<pid_t> FindAgentProcess(const std::string& instance_id) {
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return std::nullopt;
  std::optional<pid_t> found;
  while (const dirent* entry = readdir(proc)) {
    std::optional<pid_t> pid = ParsePid(entry->d_name);
    if (!pid || *pid == getpid() || !CmdlineNamesInstance(*pid, instance_id)) continue;
    std::optional<std::string> comm = ReadProcFile(*pid, "comm");
    if (!comm) continue;  // Gone meanwhile.
    if (comm->substr(0, comm->find('\n')) == "barge-monitor") continue;
    found = *pid;
    break;
  }
  closedir(proc);
  return found;
}

// The instance id becomes a directory name under work_root.
bool IsPlainFileName(const std::string& name) {
  return !name.empty() && name != "." && name != ".." &&
         name.find_first_of(std::string_view("/\0", 2)) == std::string::npos;
}

std::string DescribeExit(int status) {
  if (WIFEXITED(status)) {
    return "agent process exited with status " + std::to_string(WEXITSTATUS(status));
  }
  if (WIFSIGNALED(status)) {
    return "agent process killed by signal " + std::to_string(WTERMSIG(status));
  }
  return "agent process ended with wait status " + std::to_string(status);
}

// The whole group, so that what the agent started in it dies too; the agent
// alone if its group is gone (it cannot have left it, but be sure).
void KillGroup(pid_t pid) {
  if (kill(-pid, SIGKILL) != 0) kill(pid, SIGKILL);
}

// The server's environment with the join token set to `token` (and any
// inherited one dropped: the request's token is the one that counts).
std::vector<std::string> AgentEnvironment(const std::string& token) {
  std::string prefix = std::string(kAgentTokenVariable) + "=";
  std::vector<std::string> environment;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    if (std::string_view(*entry).starts_with(prefix)) continue;
    environment.emplace_back(*entry);
  }
  if (!token.empty()) environment.push_back(prefix + token);
  return environment;
}

std::vector<char*> CStrings(const std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (const std::string& s : strings) pointers.push_back(const_cast<char*>(s.c_str()));
  pointers.push_back(nullptr);
  return pointers;
}

}  // namespace

Result<std::unique_ptr<LocalProvider>> LocalProvider::Create(LocalProviderOptions options) {
  const std::string& executable = options.barge_executable;
  if (executable.empty() || executable.front() != '/') {
    return InvalidArgument("barge executable must be an absolute path, not '" + executable + "'");
  }
  struct stat info {};
  if (stat(executable.c_str(), &info) != 0) {
    int error = errno;
    if (error == ENOENT) return NotFound("barge executable " + executable + " does not exist");
    return InvalidArgument("barge executable " + executable + ": " + std::strerror(error));
  }
  if (!S_ISREG(info.st_mode) || access(executable.c_str(), X_OK) != 0) {
    return InvalidArgument("barge executable " + executable + " is not an executable file");
  }
  if (options.work_root.empty()) return InvalidArgument("local provider work root is empty");
  std::error_code error;
  std::filesystem::path root = std::filesystem::absolute(options.work_root, error);
  if (!error) std::filesystem::create_directories(root, error);
  if (error) {
    return Unavailable("cannot create local provider work root " + options.work_root + ": " +
                       error.message());
  }
  // Absolute, so that the agents' --work-dir does not depend on their cwd.
  options.work_root = root.string();
  return std::unique_ptr<LocalProvider>(new LocalProvider(std::move(options)));
}

void LocalProvider::Launch(const LaunchRequest& request, LaunchDone done) {
  std::vector<std::string> environment = AgentEnvironment(request.join.token);
  std::vector<LaunchResult> results;
  for (const std::string& id : request.instance_ids) {
    LaunchResult result{.instance_id = id};
    Result<pid_t> pid = Spawn(request, id, environment);
    if (pid) {
      agents_[id] =
          Agent{.pid = *pid, .is_child = true, .request = request, .environment = environment};
      result.provider_data = std::to_string(*pid);
    } else {
      result.status = pid.error();
    }
    results.push_back(std::move(result));
  }
  done(std::move(results));
}

Result<pid_t> LocalProvider::Spawn(const LaunchRequest& request, const std::string& instance_id,
                                   const std::vector<std::string>& environment) {
  if (!IsPlainFileName(instance_id)) {
    return InvalidArgument("instance id '" + instance_id + "' cannot name a work dir");
  }
  std::filesystem::path work_dir = std::filesystem::path(options_.work_root) / instance_id;
  std::error_code error;
  std::filesystem::create_directories(work_dir, error);
  if (error) {
    return Unavailable("instance " + instance_id + ": cannot create work dir " + work_dir.string() +
                       ": " + error.message());
  }

  std::vector<std::string> argv{options_.barge_executable};
  for (std::string& arg : AgentArguments(request, instance_id)) argv.push_back(std::move(arg));
  argv.push_back("--work-dir");
  argv.push_back(work_dir.string());
  if (request.join.executor == "container") {
    argv.insert(argv.end(), options_.container_agent_args.begin(),
                options_.container_agent_args.end());
  }
  argv.insert(argv.end(), options_.extra_agent_args.begin(), options_.extra_agent_args.end());
  std::vector<char*> c_argv = CStrings(argv);
  std::vector<char*> c_environment = CStrings(environment);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
#if defined(__GLIBC__) && __GLIBC_PREREQ(2, 34)
  // The agent outlives this server: a descriptor it inherited by accident
  // (the listening socket, the database) would outlive it too.
  posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);
#endif
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  // Its own process group (0: the agent's pid), so that its whole tree can be
  // signalled and the terminal's Ctrl-C does not reach it; the server's
  // blocked and ignored signals are not the agent's business.
  posix_spawnattr_setflags(&attributes,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attributes, 0);
  sigset_t signals;
  sigemptyset(&signals);
  posix_spawnattr_setsigmask(&attributes, &signals);
  sigfillset(&signals);
  posix_spawnattr_setsigdefault(&attributes, &signals);

  pid_t pid = 0;
  int rc = posix_spawn(&pid, c_argv[0], &actions, &attributes, c_argv.data(), c_environment.data());
  posix_spawnattr_destroy(&attributes);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    return Unavailable("instance " + instance_id + ": cannot start " + options_.barge_executable +
                       ": " + std::strerror(rc));
  }
  return pid;
}

void LocalProvider::Terminate(const std::vector<Instance>& instances, TerminateDone done) {
  SteadyClock::time_point now = SteadyClock::now();
  for (const Instance& instance : instances) {
    auto tracked = agents_.find(instance.id);
    if (tracked == agents_.end()) {
      // Launched by an earlier server and not adopted yet: trust the pid only
      // once it proves to be this instance's agent.
      std::optional<pid_t> pid = ParsePid(instance.provider_data);
      if (!pid || !IsAgentProcess(*pid, instance.id)) continue;  // Already gone.
      tracked = agents_.emplace(instance.id, Agent{.pid = *pid, .is_child = false}).first;
    }
    Agent& agent = tracked->second;
    if (agent.kill_at) continue;  // Asked before: keep the first deadline.
    kill(agent.pid, SIGTERM);
    agent.kill_at = now + options_.terminate_grace;
  }
  done(Ok());
}

bool LocalProvider::StillExists(const Instance& instance) {
  if (auto tracked = agents_.find(instance.id); tracked != agents_.end()) {
    if (!CheckExited(instance.id, tracked->second)) return true;
    agents_.erase(tracked);  // The caller now knows it is gone; TakeLost need not say so.
    return false;
  }
  std::optional<pid_t> pid = ParsePid(instance.provider_data);
  if (!pid || !IsAgentProcess(*pid, instance.id)) pid = FindAgentProcess(instance.id);
  if (!pid) {
    StopLeftovers(instance.id);  // The agent died while no server watched it.
    return false;
  }
  agents_.emplace(instance.id, Agent{.pid = *pid, .is_child = false});
  return true;
}

std::vector<LostInstance> LocalProvider::TakeLost() {
  SteadyClock::time_point now = SteadyClock::now();
  std::vector<LostInstance> lost;
  for (auto it = agents_.begin(); it != agents_.end();) {
    Agent& agent = it->second;
    // An agent that exits unasked is restarted, as a host's service manager
    // would: the instance and the jobs its monitors still run are fine, and
    // the new agent adopts them. Only an agent that keeps dying, or one this
    // server did not start, makes the instance lost.
    bool may_restart = !agent.kill_at && agent.request && RestartBudgetLeft(agent, now);
    if (std::optional<std::string> reason =
            CheckExited(it->first, agent, /*stop_leftovers=*/!may_restart)) {
      if (may_restart) {
        Result<pid_t> pid = Spawn(*agent.request, it->first, agent.environment);
        if (pid) {
          agent.pid = *pid;
          agent.restarts.push_back(now);
          ++it;
          continue;
        }
        StopLeftovers(it->first);
        *reason += "; restarting it failed: " + pid.error().message;
      } else if (!agent.kill_at && agent.request && options_.max_restarts > 0) {
        *reason +=
            " (restarted " + std::to_string(agent.restarts.size()) + " times in the last " +
            std::to_string(
                std::chrono::duration_cast<std::chrono::seconds>(options_.restart_window).count()) +
            " s)";
      }
      if (!agent.kill_at) lost.push_back({.instance_id = it->first, .reason = std::move(*reason)});
      it = agents_.erase(it);
      continue;
    }
    if (agent.kill_at && !agent.killed && now >= *agent.kill_at) {
      KillGroup(agent.pid);
      agent.killed = true;
    }
    ++it;
  }
  return lost;
}

bool LocalProvider::RestartBudgetLeft(Agent& agent, SteadyTime now) const {
  while (!agent.restarts.empty() && now - agent.restarts.front() > options_.restart_window) {
    agent.restarts.pop_front();
  }
  return agent.restarts.size() < options_.max_restarts;
}

std::optional<std::string> LocalProvider::CheckExited(const std::string& instance_id,
                                                      const Agent& agent, bool stop_leftovers) {
  if (!agent.is_child) {
    if (IsAgentProcess(agent.pid, instance_id)) return std::nullopt;
    if (stop_leftovers) StopLeftovers(instance_id);
    return "agent process is gone";
  }
  // Look without reaping first: while the zombie stands, its pid (and so its
  // group id) cannot be reused, so the SIGKILL reaches only what the agent
  // left behind in its group, never a stranger.
  siginfo_t info{};
  if (waitid(P_PID, static_cast<id_t>(agent.pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
    if (errno == EINTR) return std::nullopt;
    // ECHILD: someone else reaped it (SIGCHLD ignored, or a stray waitpid(-1)).
    if (stop_leftovers) StopLeftovers(instance_id);
    return "agent process exited with an unknown status";
  }
  if (info.si_pid == 0) return std::nullopt;  // Still running.
  kill(-agent.pid, SIGKILL);
  int status = 0;
  while (waitpid(agent.pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (stop_leftovers) StopLeftovers(instance_id);
  return DescribeExit(status);
}

int LocalProvider::StopAll() {
  int stopped = 0;
  for (auto it = agents_.begin(); it != agents_.end();) {
    if (CheckExited(it->first, it->second)) {
      it = agents_.erase(it);
      continue;
    }
    if (!it->second.killed) kill(it->second.pid, SIGTERM);
    ++stopped;
    ++it;
  }
  SteadyClock::time_point deadline = SteadyClock::now() + options_.terminate_grace;
  while (!agents_.empty() && SteadyClock::now() < deadline) {
    std::erase_if(agents_, [this](const auto& entry) {
      return CheckExited(entry.first, entry.second).has_value();
    });
    if (!agents_.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (const auto& [id, agent] : agents_) {
    KillGroup(agent.pid);
    // SIGKILL cannot be caught, so this wait is short.
    if (agent.is_child) {
      int status = 0;
      while (waitpid(agent.pid, &status, 0) < 0 && errno == EINTR) {
      }
    }
    StopLeftovers(id);
  }
  agents_.clear();
  return stopped;
}

}  // namespace barge::fleet
