#include "cli/job_commands.h"

#include <signal.h>

#include <cerrno>
#include <chrono>
#include <ctime>
#include <ostream>

#include "cli/cost_command.h"
#include "cli/logs_command.h"
#include "cli/run_command.h"

namespace barge::cli {
namespace {

// Global options that take a value and may come before the verb.
bool IsGlobalValueFlag(const std::string& word) {
  return word == "--endpoint-url" || word == "--endpoint" || word == "--region" ||
         word == "--output";
}

// The index of the verb in `args`, skipping global options before it.
size_t VerbIndex(const std::vector<std::string>& args) {
  size_t i = 0;
  while (i < args.size() && args[i].starts_with("--")) i += IsGlobalValueFlag(args[i]) ? 2 : 1;
  return i;
}

// Sleeps up to `interval` on a blocked SIGINT/SIGTERM; false when one came.
// Blocking them (instead of a handler setting a flag) keeps the HTTP calls
// uninterrupted and needs no global state.
bool WaitForSignal(std::chrono::milliseconds interval) {
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  timespec timeout{.tv_sec = static_cast<time_t>(interval.count() / 1000),
                   .tv_nsec = static_cast<long>(interval.count() % 1000) * 1'000'000};
  while (true) {
    int taken = sigtimedwait(&stop, nullptr, &timeout);
    if (taken == SIGINT || taken == SIGTERM) return false;
    if (taken < 0 && errno == EINTR) continue;  // Another signal; wait again.
    return true;                                // EAGAIN: the interval passed.
  }
}

}  // namespace

bool IsJobCommand(const std::vector<std::string>& args) {
  size_t verb = VerbIndex(args);
  return verb < args.size() && (args[verb] == "logs" || args[verb] == "run" ||
                                 args[verb] == "cost" || args[verb] == "instances");
}

int RunJobCommand(const std::vector<std::string>& args, const ProcessContext& context,
                  std::ostream& out, std::ostream& err) {
  size_t verb_index = VerbIndex(args);
  std::string verb = args[verb_index];
  VerbSpec spec = verb == "logs"   ? LogsVerb()
                  : verb == "run"  ? RunVerb()
                  : verb == "cost" ? CostVerb()
                                   : InstancesVerb();
  std::string usage = verb == "logs"   ? LogsUsage()
                      : verb == "run"  ? RunUsage()
                      : verb == "cost" ? CostUsage()
                                       : InstancesUsage();
  // Global options before the verb, then the verb's own words.
  std::vector<std::string> words(args.begin(),
                                 args.begin() + static_cast<std::ptrdiff_t>(verb_index));
  words.insert(words.end(), args.begin() + static_cast<std::ptrdiff_t>(verb_index) + 1, args.end());
  Result<VerbArgs> parsed = ParseVerbArgs(spec, words);
  if (!parsed) {
    err << "barge " << verb << ": " << parsed.error().message << "\n\n" << usage;
    return kExitParamError;
  }
  if (parsed->help) {
    out << usage;
    return kExitOk;
  }

  std::string url =
      parsed->Value("endpoint-url")
          .value_or(context.env.endpoint.empty() ? "http://127.0.0.1:8000" : context.env.endpoint);
  Result<Endpoint> endpoint = ParseEndpoint(url);
  if (!endpoint) {
    err << "barge " << verb << ": " << endpoint.error().message << "\n";
    return kExitParamError;
  }
  std::string region = parsed->Value("region").value_or(
      context.env.region.empty() ? "us-east-1" : context.env.region);
  std::unique_ptr<Transport> transport = context.make_transport(*endpoint);
  SignedClient client(*transport, {.endpoint = *endpoint,
                                   .credentials = context.credentials,
                                   .region = region,
                                   .now = context.now});
  if (verb == "cost") {
    int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         context.now().time_since_epoch())
                         .count();
    return RunCost(*parsed, client, context.env, now_ms, out, err);
  }
  if (verb == "instances") return RunInstances(*parsed, client, context.env, out, err);

  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  sigprocmask(SIG_BLOCK, &stop, nullptr);
  return verb == "logs" ? RunLogs(*parsed, client, WaitForSignal, out, err)
                        : RunRun(*parsed, client, WaitForSignal, out, err);
}

}  // namespace barge::cli
