#include "cli/run_command.h"

#include <ostream>

#include "cli/run_definition.h"

namespace barge::cli {
namespace {

using Json = nlohmann::json;

// barge dev's queues: `default` runs commands on the host (the image is
// ignored), `containers` runs them in containers from their image.
constexpr const char* kHostQueue = "default";
constexpr const char* kContainerQueue = "containers";

struct RunOptions {
  RunShape shape{.image = "busybox"};  // Ignored by `default`'s process executor.
  std::string job_queue = kHostQueue;
  std::string job_name{};
  std::optional<int64_t> timeout_seconds{};
  std::vector<std::string> command{};
};

Result<RunOptions> ReadOptions(const VerbArgs& args) {
  RunOptions options;
  if (!args.positional.empty()) return InvalidArgument("unexpected word " + args.positional[0]);
  if (args.command.empty()) return InvalidArgument("expected a command after --");
  options.command = args.command;
  if (auto vcpus = args.Value("vcpus")) {
    Result<int64_t> value = IntegerFlag("vcpus", *vcpus, 1, 10'000);
    if (!value) return value.error();
    options.shape.vcpus = *value;
  }
  if (auto memory = args.Value("memory")) {
    Result<int64_t> value = IntegerFlag("memory", *memory, 4, 1'000'000'000);
    if (!value) return value.error();
    options.shape.memory_mib = *value;
  }
  if (auto timeout = args.Value("timeout")) {
    Result<int64_t> value = IntegerFlag("timeout", *timeout, 1, 1'000'000'000);
    if (!value) return value.error();
    options.timeout_seconds = *value;
  }
  if (auto image = args.Value("image")) {
    options.shape.image = *image;
    options.job_queue = kContainerQueue;  // An image only means something in a container.
  }
  if (auto queue = args.Value("job-queue")) options.job_queue = *queue;
  options.job_name = args.Value("name").value_or(RunJobName(options.command[0]));
  return options;
}

// "barge-run-<hash>:<revision>": an ACTIVE revision with the same
// properties, or one registered now.
Result<std::string> ResolveDefinition(SignedClient& client, const RunShape& shape) {
  std::string name = RunDefinitionName(shape);
  Json request = {{"jobDefinitionName", name}, {"status", "ACTIVE"}};
  int64_t best = 0;
  for (int page = 0; page < 100; ++page) {
    Result<Json> reply = client.Batch("DescribeJobDefinitions", request);
    if (!reply) return reply.error();
    for (const Json& definition : reply->value("jobDefinitions", Json::array())) {
      if (MatchesRunShape(definition, shape)) {
        best = std::max<int64_t>(best, definition.value("revision", int64_t{0}));
      }
    }
    std::string next = reply->value("nextToken", "");
    if (next.empty()) break;
    request["nextToken"] = next;
  }
  if (best > 0) return name + ":" + std::to_string(best);
  Result<Json> registered = client.Batch("RegisterJobDefinition", RunDefinitionRequest(shape));
  if (!registered) return registered.error();
  return name + ":" + std::to_string(registered->value("revision", int64_t{0}));
}

Result<std::string> Submit(SignedClient& client, const RunOptions& options,
                           const std::string& definition) {
  Json request = {{"jobName", options.job_name},
                  {"jobQueue", options.job_queue},
                  {"jobDefinition", definition},
                  {"containerOverrides", {{"command", options.command}}}};
  if (options.timeout_seconds) {
    request["timeout"] = {{"attemptDurationSeconds", *options.timeout_seconds}};
  }
  Result<Json> reply = client.Batch("SubmitJob", request);
  if (!reply) return reply.error();
  std::string job_id = reply->value("jobId", "");
  if (job_id.empty()) return FailedPrecondition("the reply to SubmitJob has no jobId");
  return job_id;
}

std::optional<int> ExitCodeOf(const Json& job) {
  auto container = job.find("container");
  if (container == job.end() || !container->is_object()) return std::nullopt;
  auto code = container->find("exitCode");
  if (code == container->end() || !code->is_number_integer()) return std::nullopt;
  return code->get<int>();
}

}  // namespace

VerbSpec RunVerb() {
  return {.verb = "run",
          .value_flags = {"vcpus", "memory", "image", "job-queue", "name", "timeout"},
          .takes_command = true};
}

std::string RunUsage() {
  return "usage: barge run [--vcpus N] [--memory MiB] [--image IMG] [--job-queue Q]\n"
         "                 [--name NAME] [--timeout SECONDS] -- CMD [ARGS...]\n"
         "\n"
         "Runs CMD as a job on job queue Q with N vCPUs (default 1) and MiB of memory\n"
         "(default 512), prints its output as it runs, and exits with its exit code. The\n"
         "queue is `default` (barge dev: the command runs directly on the host), or\n"
         "`containers` with --image (barge dev: in a runc container from IMG). The job\n"
         "definition barge-run-<hash> of the image, vCPUs and memory is registered once\n"
         "and reused. --timeout sets attemptDurationSeconds. Ctrl-C terminates the job.\n";
}

int RunRun(const VerbArgs& args, SignedClient& client, const Wait& wait, std::ostream& out,
           std::ostream& err) {
  Result<RunOptions> options = ReadOptions(args);
  if (!options) {
    err << "barge run: " << options.error().message << "\n\n" << RunUsage();
    return 252;
  }
  auto fail = [&err](const Error& error) {
    err << "barge run: " << error.message << "\n";
    return ExitCodeFor(error);
  };
  Result<std::string> definition = ResolveDefinition(client, options->shape);
  if (!definition) return fail(definition.error());
  Result<std::string> job_id = Submit(client, *options, *definition);
  if (!job_id) return fail(job_id.error());
  err << "barge run: job " << *job_id << " (" << options->job_name << ") submitted to "
      << options->job_queue << "\n";
  err.flush();

  Result<FollowOutcome> outcome =
      FollowJobLogs(client, *job_id, {.follow = true}, wait, [&out](const std::string& line) {
        out << line << '\n';
        out.flush();
      });
  if (!outcome) return fail(outcome.error());
  if (outcome->interrupted) {
    Result<Json> terminated =
        client.Batch("TerminateJob", {{"jobId", *job_id}, {"reason", "barge run was interrupted"}});
    if (terminated) {
      err << "barge run: interrupted; terminated job " << *job_id << "\n";
    } else {
      err << "barge run: interrupted; could not terminate job " << *job_id << ": "
          << terminated.error().message << "\n";
    }
    return 130;
  }

  const Json& job = outcome->job;
  std::string status = job.value("status", "?");
  std::optional<int> exit_code = ExitCodeOf(job);
  err << "barge run: job " << *job_id << " " << status;
  std::string reason = job.value("statusReason", "");
  if (status != "SUCCEEDED" && !reason.empty()) err << ": " << reason;
  if (exit_code) err << " (exit " << *exit_code << ")";
  err << "\n";
  if (exit_code) return *exit_code;
  return status == "SUCCEEDED" ? 0 : 1;
}

}  // namespace barge::cli
