#include "executor/monitor.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>

#include "executor/attempt_files.h"
#include "executor/executor.h"
#include "executor/log_file.h"

namespace barge::executor {
namespace {

int64_t NowMillis(clockid_t clock = CLOCK_REALTIME) {
  struct timespec ts {};
  ::clock_gettime(clock, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

void WriteAll(int fd, const void* data, size_t size) {
  const char* at = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd, at, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    at += n;
    size -= static_cast<size_t>(n);
  }
}

void ResetSignals() {
  struct sigaction action {};
  action.sa_handler = SIG_DFL;
  sigemptyset(&action.sa_mask);
  for (int signal = 1; signal < NSIG; ++signal) ::sigaction(signal, &action, nullptr);
  // SIGTERM stays blocked (the agent blocks it across the fork): one that
  // arrives this early is read by the main loop like any other.
  sigset_t term;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  ::sigprocmask(SIG_SETMASK, &term, nullptr);
}

// Everything the job child needs, as plain pointers and descriptors
// prepared by the monitor: the child shares the monitor's memory (vfork
// semantics), so it may only make system calls with these, never allocate.
struct JobChild {
  const char* const* exec_paths = nullptr;  // nullptr-terminated.
  char* const* argv = nullptr;
  char* const* envp = nullptr;
  const int* cgroup_procs_fds = nullptr;  // Open cgroup.procs files to join.
  size_t cgroup_procs_count = 0;
  int null_fd = -1;
  int out_fd = -1;
  int err_fd = -1;
  const char* working_dir = nullptr;
  uint64_t address_space_bytes = 0;
  bool switch_user = false;
  uid_t uid = 0;
  gid_t gid = 0;
  const gid_t* groups = nullptr;
  size_t group_count = 0;
  const char* overlay_target = nullptr;  // Set: mount this overlay in a new mount namespace.
  const char* overlay_options = nullptr;
  // Written by the child when it cannot exec; read by the monitor once the
  // child has exec'd or exited.
  LaunchStage failed_stage = LaunchStage::kNone;
  int failed_errno = 0;
};

// The job: runs in a child made by clone(CLONE_VM | CLONE_VFORK), between
// clone and exec, on its own small stack. It shares the monitor's memory
// (which waits, suspended, until the exec or _exit), so it writes nothing
// but its own stack and the failed_* fields, and calls only system call
// wrappers: setgroups/setgid/setuid go straight to the kernel, as glibc's
// wrappers synchronise with the threads of the process whose memory the
// child borrows. Not instrumented by the
// sanitizers: their runtime assumes the stacks it knows.
[[noreturn]] __attribute__((no_sanitize("address", "undefined"))) void FailJob(JobChild& job,
                                                                               LaunchStage stage) {
  job.failed_errno = errno;
  job.failed_stage = stage;
  ::_exit(127);
}

__attribute__((no_sanitize("address", "undefined"))) int RunJob(void* arg) {
  JobChild& job = *static_cast<JobChild*>(arg);
  ::setsid();  // Own session and process group: the agent signals -pid.
  // The monitor ignores these and blocks SIGTERM; the job gets the defaults.
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  ::sigaction(SIGPIPE, &default_action, nullptr);
  ::sigaction(SIGINT, &default_action, nullptr);
  ::sigaction(SIGHUP, &default_action, nullptr);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  for (size_t i = 0; i < job.cgroup_procs_count; ++i) {
    if (::write(job.cgroup_procs_fds[i], "0", 1) != 1) FailJob(job, LaunchStage::kCgroup);
  }
  if (job.null_fd < 0 || ::dup2(job.null_fd, 0) < 0 || ::dup2(job.out_fd, 1) < 0 ||
      ::dup2(job.err_fd, 2) < 0) {
    FailJob(job, LaunchStage::kStdio);
  }
  if (job.overlay_target != nullptr) {
    // Private first, so that the overlay never shows in the host's namespace.
    if (::unshare(CLONE_NEWNS) != 0 ||
        ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
        ::mount("overlay", job.overlay_target, "overlay", 0, job.overlay_options) != 0) {
      FailJob(job, LaunchStage::kMount);
    }
  }
  // As root, before dropping privileges: the job may not be allowed to walk
  // the agent's work dir, but it can always use its own working directory.
  if (::chdir(job.working_dir) != 0) FailJob(job, LaunchStage::kChdir);
  if (job.address_space_bytes > 0) {
    struct rlimit limit {
      .rlim_cur = job.address_space_bytes, .rlim_max = job.address_space_bytes
    };
    if (::setrlimit(RLIMIT_AS, &limit) != 0) FailJob(job, LaunchStage::kLimits);
  }
  if (job.switch_user) {
    if (::syscall(SYS_setgroups, job.group_count, job.groups) != 0 ||
        ::syscall(SYS_setgid, job.gid) != 0 || ::syscall(SYS_setuid, job.uid) != 0) {
      FailJob(job, LaunchStage::kUser);
    }
  }
  ::umask(022);
  int error = ENOENT;
  bool denied = false;
  for (const char* const* path = job.exec_paths; *path != nullptr; ++path) {
    ::execve(*path, job.argv, job.envp);
    error = errno;
    if (error == EACCES) denied = true;
    if (error != ENOENT && error != ENOTDIR && error != EACCES) break;
  }
  errno = denied && error != ENOEXEC ? EACCES : error;
  FailJob(job, LaunchStage::kExec);
}

std::string StageName(LaunchStage stage) {
  switch (stage) {
    case LaunchStage::kNone:
      return "start";
    case LaunchStage::kFork:
      return "fork";
    case LaunchStage::kCgroup:
      return "join cgroup";
    case LaunchStage::kStdio:
      return "set up stdio";
    case LaunchStage::kChdir:
      return "enter working directory";
    case LaunchStage::kLimits:
      return "set resource limits";
    case LaunchStage::kUser:
      return "switch user";
    case LaunchStage::kExec:
      return "exec";
    case LaunchStage::kMount:
      return "mount the container's root filesystem";
  }
  return "start";
}

// Reads what is available on `fd` into `splitter`; false at end of stream.
bool Pump(int fd, LineSplitter& splitter, std::string& records) {
  char buffer[16384];
  ssize_t n = ::read(fd, buffer, sizeof buffer);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  if (n <= 0) return false;
  splitter.Add(std::string_view(buffer, static_cast<size_t>(n)), NowMillis(), records);
  return true;
}

// The message of runc's last error in its JSON log ("" when none).
std::string RuntimeError(const std::string& log_path) {
  Result<std::string> text = ReadWholeFile(log_path);
  if (!text) return {};
  std::string message;
  size_t at = 0;
  while (at < text->size()) {
    size_t end = text->find('\n', at);
    if (end == std::string::npos) end = text->size();
    nlohmann::json line = nlohmann::json::parse(text->begin() + static_cast<ptrdiff_t>(at),
                                                text->begin() + static_cast<ptrdiff_t>(end),
                                                nullptr, /*allow_exceptions=*/false);
    if (line.is_object() && line.value("level", "") == "error" && line.contains("msg") &&
        line["msg"].is_string()) {
      message = line["msg"].get<std::string>();
    }
    at = end + 1;
  }
  return message;
}

// How a runc that exited with `code` without starting the container ended
// the attempt: Docker's 127 and 126 for a command that is missing or not
// executable, else no exit code (as AWS reports CannotStartContainerError).
AttemptResult RuntimeFailure(const RuntimeWatch& runtime, int code) {
  std::string message = RuntimeError(runtime.log);
  if (message.empty()) message = "runc exited with " + std::to_string(code);
  AttemptResult result{.reason = std::string(kReasonCannotStart) + message};
  if (message.find("executable file not found") != std::string::npos ||
      message.find("no such file or directory") != std::string::npos) {
    result.exit_code = 127;
  } else if (message.find("permission denied") != std::string::npos) {
    result.exit_code = 126;
  }
  return result;
}

// Waits until runc (pid `runtime`) has written `pid_file` (the container
// runs) or has exited (`pid_fd` readable); true in the first case.
bool WaitForContainer(const std::string& pid_file, pid_t runtime, int pid_fd) {
  std::string dir = pid_file.substr(0, pid_file.rfind('/'));
  int notify = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (notify >= 0 &&
      ::inotify_add_watch(notify, dir.c_str(), IN_MOVED_TO | IN_CLOSE_WRITE | IN_CREATE) < 0) {
    ::close(notify);
    notify = -1;
  }
  bool started = false;
  while (true) {
    if (::access(pid_file.c_str(), F_OK) == 0) {
      started = true;
      break;
    }
    struct pollfd fds[2] = {{.fd = notify, .events = POLLIN, .revents = 0},
                            {.fd = pid_fd, .events = POLLIN, .revents = 0}};
    // Without inotify or a pidfd, look again every few milliseconds.
    int ready = ::poll(fds, 2, notify < 0 || pid_fd < 0 ? 5 : -1);
    if (ready < 0 && errno != EINTR) break;
    if (fds[1].revents & POLLIN) {
      started = ::access(pid_file.c_str(), F_OK) == 0;
      break;
    }
    siginfo_t info{};
    if (pid_fd < 0 &&
        ::waitid(P_PID, static_cast<id_t>(runtime), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
        info.si_pid != 0) {
      break;  // Exited (not reaped: the main loop does that).
    }
    char events[4096];
    while (notify >= 0 && ::read(notify, events, sizeof events) > 0) {
    }
  }
  if (notify >= 0) ::close(notify);
  return started;
}

[[noreturn]] void Finish(const MonitorSpec& spec, AttemptResult result) {
  result.attempt_id = spec.attempt_id;
  if (result.started_at_ms == 0) result.started_at_ms = spec.started_at_ms;
  result.stopped_at_ms = NowMillis();
  // No fsync (docs/jobs.md, "Process executor"): the record has to outlive
  // this process and the agent, which the page cache does; a machine crash
  // takes the job with it, and the server fails and retries such attempts.
  (void)WriteFileAtomically(spec.exit_json, EncodeResult(result), FileSync::kNone);
  // Reap whatever the subreaper inherited, then drop the groups.
  while (::waitpid(-1, nullptr, WNOHANG) > 0) {
  }
  if (spec.runtime) RemoveCgroupDirs(spec.runtime->nested_cgroups, /*wait_ms=*/2000);
  spec.cgroups.Remove(/*wait_ms=*/2000);
  while (::waitpid(-1, nullptr, WNOHANG) > 0) {
  }
  ::_exit(0);
}

}  // namespace

void RunMonitor(const MonitorSpec& spec, int report_fd) {
  ::setsid();  // Out of the agent's session: a Ctrl-C for the agent is not for the job.
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  ResetSignals();
  ::signal(SIGPIPE, SIG_IGN);
  ::signal(SIGINT, SIG_IGN);
  ::signal(SIGHUP, SIG_IGN);
  // SIGTERM is read through a signalfd in the main loop (the job unblocks it).
  sigset_t term;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  ::sigprocmask(SIG_BLOCK, &term, nullptr);
  ::prctl(PR_SET_NAME, "barge-monitor");

  // Keep only the report pipe (as fd 3) and stdio pointed at /dev/null.
  if (report_fd != 3) {
    ::dup2(report_fd, 3);
    report_fd = 3;
  }
  ::close_range(4, ~0U, 0);
  int null_fd = ::open("/dev/null", O_RDWR);
  for (int fd = 0; fd <= 2 && null_fd >= 0; ++fd) ::dup2(null_fd, fd);
  if (null_fd > 3) ::close(null_fd);
  ::fcntl(report_fd, F_SETFD, FD_CLOEXEC);

  // Created with the first output: most short jobs print nothing, and a file
  // not created is one inode fewer to allocate and free (ReadLog treats a
  // missing log as empty).
  int log_fd = -1;
  auto write_log = [&spec, &log_fd](std::string& records) {
    if (records.empty()) return;
    if (log_fd < 0) {
      log_fd = ::open(spec.output_log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    }
    if (log_fd >= 0) WriteAll(log_fd, records.data(), records.size());
    records.clear();
  };
  int out[2] = {-1, -1};
  int err[2] = {-1, -1};
  MonitorReport report;
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
    report.stage = LaunchStage::kFork;
    report.error = errno;
  }

  // Everything the child uses, resolved here: it may not allocate.
  std::vector<char*> argv;
  for (const std::string& arg : spec.job.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const std::string& entry : spec.job.env) envp.push_back(const_cast<char*>(entry.c_str()));
  envp.push_back(nullptr);
  std::vector<const char*> exec_paths;
  for (const std::string& path : spec.job.exec_paths) exec_paths.push_back(path.c_str());
  exec_paths.push_back(nullptr);
  std::vector<int> procs_fds;
  for (const std::string& procs : spec.job.cgroup_procs) {
    int fd = ::open(procs.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0 && report.stage == LaunchStage::kNone) {
      report.stage = LaunchStage::kCgroup;
      report.error = errno;
    }
    procs_fds.push_back(fd);
  }
  JobChild child{.exec_paths = exec_paths.data(),
                 .argv = argv.data(),
                 .envp = envp.data(),
                 .cgroup_procs_fds = procs_fds.data(),
                 .cgroup_procs_count = procs_fds.size(),
                 .null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC),
                 .out_fd = out[1],
                 .err_fd = err[1],
                 .working_dir = spec.job.working_dir.c_str(),
                 .address_space_bytes = spec.job.address_space_bytes,
                 .switch_user = spec.job.run_as.switch_user,
                 .uid = spec.job.run_as.uid,
                 .gid = spec.job.run_as.gid,
                 .groups = spec.job.run_as.groups.data(),
                 .group_count = spec.job.run_as.groups.size(),
                 .overlay_target =
                     spec.job.overlay_target.empty() ? nullptr : spec.job.overlay_target.c_str(),
                 .overlay_options = spec.job.overlay_options.c_str()};
  int oom_event = spec.runtime ? spec.cgroups.WatchOom() : -1;

  pid_t job = -1;
  if (report.stage == LaunchStage::kNone) {
    // Like posix_spawn: no copy of the address space, and clone returns
    // once the child has exec'd or given up (child.failed_stage says which).
    constexpr size_t kChildStackBytes = 64 * 1024;
    std::unique_ptr<char[]> stack(new char[kChildStackBytes]);
    job = ::clone(RunJob, stack.get() + kChildStackBytes, CLONE_VM | CLONE_VFORK | SIGCHLD, &child);
    if (job < 0) {
      report.stage = LaunchStage::kFork;
      report.error = errno;
    } else if (child.failed_stage != LaunchStage::kNone) {
      report.stage = child.failed_stage;
      report.error = child.failed_errno;
    }
  }
  for (int fd : procs_fds) {
    if (fd >= 0) ::close(fd);
  }
  if (child.null_fd >= 0) ::close(child.null_fd);
  if (out[1] >= 0) ::close(out[1]);
  if (err[1] >= 0) ::close(err[1]);
  report.job_pid = job;
  // pidfd: readable once the job exits, so one poll() waits for output and exit.
  int pid_fd = job > 0 ? static_cast<int>(::syscall(SYS_pidfd_open, job, 0)) : -1;
  if (report.stage == LaunchStage::kNone) {
    report.running = spec.runtime ? WaitForContainer(spec.runtime->pid_file, job, pid_fd) : 1;
    // A container's attempt starts when the container does.
    if (report.running != 0) report.running_at_ms = NowMillis();
  }
  int64_t running_at_ms = spec.runtime ? report.running_at_ms : 0;

  WriteAll(report_fd, &report, sizeof report);
  ::close(report_fd);

  if (report.stage != LaunchStage::kNone) {
    if (job > 0) ::waitpid(job, nullptr, 0);
    std::string what = StageName(report.stage);
    if (report.stage == LaunchStage::kExec && !spec.job.argv.empty()) {
      what += " " + spec.job.argv.front();
    }
    bool denied = report.stage == LaunchStage::kExec && report.error == EACCES;
    AttemptResult failed{.exit_code = denied ? 126 : 127,
                         .reason = std::string(kReasonCannotStart) + what + ": " +
                                   std::strerror(report.error)};
    if (report.stage == LaunchStage::kMount) failed.exit_code.reset();  // No command ran.
    Finish(spec, std::move(failed));
  }

  // SIGTERM to the monitor (someone stopping "barge" processes) kills the job's
  // tree; the exit is then recorded as usual rather than lost.
  int term_fd = ::signalfd(-1, &term, SFD_CLOEXEC | SFD_NONBLOCK);
  LineSplitter out_lines('o');
  LineSplitter err_lines('e');
  bool out_open = true;
  bool err_open = true;
  bool exited = false;
  int status = 0;
  int64_t drain_until = 0;
  std::string records;
  while (out_open || err_open || !exited) {
    struct pollfd fds[4] = {{.fd = out_open ? out[0] : -1, .events = POLLIN, .revents = 0},
                            {.fd = err_open ? err[0] : -1, .events = POLLIN, .revents = 0},
                            {.fd = exited ? -1 : pid_fd, .events = POLLIN, .revents = 0},
                            {.fd = exited ? -1 : term_fd, .events = POLLIN, .revents = 0}};
    int timeout = pid_fd < 0 && !exited ? 20 : -1;
    if (exited) {
      int64_t left = drain_until - NowMillis(CLOCK_MONOTONIC);
      if (left <= 0) break;  // Someone outside the tree holds the pipes: stop waiting.
      timeout = static_cast<int>(left);
    }
    int ready = ::poll(fds, 4, timeout);
    if (ready < 0 && errno != EINTR) break;
    if (!exited && (fds[3].revents & POLLIN)) {
      signalfd_siginfo info{};
      while (::read(term_fd, &info, sizeof info) == sizeof info) {
      }
      spec.cgroups.KillAll(job);
    }
    if (out_open && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
      out_open = Pump(out[0], out_lines, records);
    }
    if (err_open && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      err_open = Pump(err[0], err_lines, records);
    }
    write_log(records);
    if (!exited && ((fds[2].revents & POLLIN) || pid_fd < 0)) {
      pid_t done;
      do {
        done = ::waitpid(job, &status, pid_fd < 0 ? WNOHANG : 0);
      } while (done < 0 && errno == EINTR);
      if (done == job) {
        exited = true;
        spec.cgroups.KillAll(job);
        drain_until = NowMillis(CLOCK_MONOTONIC) + spec.drain_ms;
      }
    }
  }
  int64_t now = NowMillis();
  out_lines.Flush(now, records);
  err_lines.Flush(now, records);
  write_log(records);

  AttemptResult result{.reason = std::string(kReasonExited), .started_at_ms = running_at_ms};
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.exit_code = 128 + WTERMSIG(status);
  }
  if (spec.runtime && WIFEXITED(status) && WEXITSTATUS(status) != 0 &&
      ::access(spec.runtime->pid_file.c_str(), F_OK) != 0) {
    Finish(spec, RuntimeFailure(*spec.runtime, WEXITSTATUS(status)));
  }
  uint64_t oom_events = 0;
  if (oom_event >= 0 && ::read(oom_event, &oom_events, sizeof oom_events) != sizeof oom_events) {
    oom_events = 0;
  }
  if (spec.cgroups.OomKills() > 0 || oom_events > 0) {
    result.exit_code = 137;
    result.oom_killed = true;
    result.reason = std::string(kReasonOutOfMemory);
  }
  Finish(spec, std::move(result));
}

}  // namespace barge::executor
