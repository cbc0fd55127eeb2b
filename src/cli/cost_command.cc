#include "cli/cost_command.h"

#include <algorithm>
#include <functional>
#include <iterator>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>

#include "cli/command_runner.h"
#include "cli/cost_report_text.h"
#include "cli/output_formatter.h"

namespace barge::cli {
namespace {

using JsonValue = nlohmann::json;

constexpr std::string_view kStates[] = {"LAUNCHING", "RUNNING", "DRAINING", "TERMINATED"};

// --output, else BARGE_OUTPUT, else a table for a terminal.
Result<OutputFormat> OutputOf(const VerbArgs& args, const Environment& env) {
  std::string output = args.Value("output").value_or(env.output);
  if (output.empty()) return env.stdout_is_terminal ? OutputFormat::kTable : OutputFormat::kJson;
  if (output == "json") return OutputFormat::kJson;
  if (output == "table") return OutputFormat::kTable;
  return InvalidArgument("argument --output: Invalid choice: '" + output +
                         "' (choose from 'json', 'table')");
}

int UsageError(std::string_view verb, const std::string& message, const std::string& usage,
               std::ostream& err) {
  err << "barge " << verb << ": " << message << "\n\n" << usage;
  return kExitParamError;
}

// Prints the reply, or the error and its exit code.
int Finish(std::string_view verb, const Result<JsonValue>& reply, OutputFormat format,
           const std::function<std::string(const JsonValue&)>& table, std::ostream& out,
           std::ostream& err) {
  if (!reply) {
    err << "barge " << verb << ": " << reply.error().message << "\n";
    return ExitCodeFor(reply.error());
  }
  out << (format == OutputFormat::kJson ? reply->dump(2) + "\n" : table(*reply));
  return kExitOk;
}

}  // namespace

VerbSpec CostVerb() {
  return {
      .verb = "cost",
      .value_flags = {"job-queue", "compute-environment", "since", "until", "max-jobs", "output"}};
}

std::string CostUsage() {
  return "usage: barge cost [--job-queue Q] [--compute-environment CE] [--since T] [--until T]\n"
         "                  [--max-jobs N] [--output json|table]\n"
         "\n"
         "What managed compute environments cost over a period, and which jobs, queues and\n"
         "environments it belongs to: every instance-second is priced (spot or on-demand) and\n"
         "shared among the jobs on the instance by the vCPUs they held; the rest is idle.\n"
         "Also what the same work would have cost on demand.\n"
         "\n"
         "  --job-queue Q            Only the jobs of this queue (name or ARN); no idle cost.\n"
         "  --compute-environment CE Only this environment (name or ARN), idle cost included.\n"
         "  --since T                Start of the period (default 24h before now).\n"
         "  --until T                End of the period (default now).\n"
         "  --max-jobs N             Most expensive jobs to list (table default 20).\n"
         "  --output json|table      Reply format (env BARGE_OUTPUT).\n"
         "\n"
         "T is epoch milliseconds, an ISO-8601 UTC time (2025-11-25T02:40:12Z, 2025-11-25)\n"
         "or a time before now (90s, 30m, 24h, 7d).\n";
}

VerbSpec InstancesVerb() {
  return {.verb = "instances", .value_flags = {"compute-environment", "state", "output"}};
}

std::string InstancesUsage() {
  return "usage: barge instances [--compute-environment CE] [--state S[,S...]]\n"
         "                       [--output json|table]\n"
         "\n"
         "The instances managed compute environments launched, terminated ones included,\n"
         "oldest first, with their type, capacity (ON_DEMAND or SPOT) and price per hour.\n"
         "\n"
         "  --compute-environment CE  Only this environment (name or ARN).\n"
         "  --state S[,S...]          Only these states: LAUNCHING, RUNNING, DRAINING,\n"
         "                            TERMINATED.\n"
         "  --output json|table       Reply format (env BARGE_OUTPUT).\n";
}

int RunCost(const VerbArgs& args, SignedClient& client, const Environment& env, int64_t now_ms,
            std::ostream& out, std::ostream& err) {
  auto usage_error = [&err](const std::string& message) {
    return UsageError("cost", message, CostUsage(), err);
  };
  if (!args.positional.empty()) return usage_error("unexpected argument: " + args.positional[0]);
  Result<OutputFormat> format = OutputOf(args, env);
  if (!format) return usage_error(format.error().message);
  JsonValue body = JsonValue::object();
  for (const char* flag : {"since", "until"}) {
    if (std::optional<std::string> text = args.Value(flag)) {
      Result<int64_t> at = ParseTimeArgument(flag, *text, now_ms);
      if (!at) return usage_error(at.error().message);
      body[flag] = *at;
    }
  }
  if (std::optional<std::string> queue = args.Value("job-queue")) body["jobQueue"] = *queue;
  if (std::optional<std::string> environment = args.Value("compute-environment")) {
    body["computeEnvironment"] = *environment;
  }
  int64_t max_jobs = kDefaultCostJobRows;
  if (std::optional<std::string> text = args.Value("max-jobs")) {
    Result<int64_t> parsed = IntegerFlag("max-jobs", *text, 0, 1'000'000);
    if (!parsed) return usage_error(parsed.error().message);
    max_jobs = *parsed;
    body["maxJobs"] = max_jobs;
  } else if (*format == OutputFormat::kTable) {
    body["maxJobs"] = max_jobs;
  }
  return Finish(
      "cost", client.Batch("GetCostReport", body), *format,
      [max_jobs](const JsonValue& reply) {
        return RenderCostReport(reply, static_cast<size_t>(max_jobs));
      },
      out, err);
}

int RunInstances(const VerbArgs& args, SignedClient& client, const Environment& env,
                 std::ostream& out, std::ostream& err) {
  auto usage_error = [&err](const std::string& message) {
    return UsageError("instances", message, InstancesUsage(), err);
  };
  if (!args.positional.empty()) return usage_error("unexpected argument: " + args.positional[0]);
  Result<OutputFormat> format = OutputOf(args, env);
  if (!format) return usage_error(format.error().message);
  JsonValue body = JsonValue::object();
  if (std::optional<std::string> environment = args.Value("compute-environment")) {
    body["computeEnvironment"] = *environment;
  }
  if (std::optional<std::string> states = args.Value("state")) {
    JsonValue list = JsonValue::array();
    std::stringstream words(*states);
    for (std::string state; std::getline(words, state, ',');) {
      if (std::ranges::find(kStates, state) == std::end(kStates)) {
        return usage_error("--state must list LAUNCHING, RUNNING, DRAINING or TERMINATED, not '" +
                           state + "'");
      }
      list.push_back(state);
    }
    body["states"] = std::move(list);
  }
  return Finish("instances", client.Batch("ListInstances", body), *format, RenderInstances, out,
                err);
}

}  // namespace barge::cli
