#include "cli/logs_command.h"

#include <ostream>

namespace barge::cli {

VerbSpec LogsVerb() {
  return {.verb = "logs",
          .value_flags = {"attempt"},
          .switches = {"follow"},
          .short_aliases = {{"f", "follow"}}};
}

std::string LogsUsage() {
  return "usage: barge logs JOB_ID [--follow | -f] [--attempt N]\n"
         "\n"
         "Prints the output of a job's latest attempt (or attempt N, counting from 1), read\n"
         "through CloudWatch Logs' GetLogEvents. --follow keeps printing new lines, and\n"
         "later attempts as retries start, until the job is SUCCEEDED or FAILED.\n";
}

int RunLogs(const VerbArgs& args, SignedClient& client, const Wait& wait, std::ostream& out,
            std::ostream& err) {
  auto usage_error = [&err](const std::string& message) {
    err << "barge logs: " << message << "\n\n" << LogsUsage();
    return 252;
  };
  if (args.positional.size() != 1) return usage_error("expected one JOB_ID");
  FollowOptions options{.follow = args.switches.contains("follow")};
  if (std::optional<std::string> attempt = args.Value("attempt")) {
    Result<int64_t> number = IntegerFlag("attempt", *attempt, 1, 1000);
    if (!number) return usage_error(number.error().message);
    options.attempt = static_cast<int>(*number);
  }
  const std::string& job_id = args.positional[0];
  Result<FollowOutcome> outcome =
      FollowJobLogs(client, job_id, options, wait, [&out](const std::string& line) {
        out << line << '\n';
        out.flush();
      });
  if (!outcome) {
    err << "barge logs: " << outcome.error().message << "\n";
    return outcome.error().code == ErrorCode::kInvalidArgument ? 252 : ExitCodeFor(outcome.error());
  }
  if (outcome->interrupted) return 130;
  if (AttemptStreams(outcome->job).empty()) {
    err << "barge logs: job " << job_id << " has not started yet ("
        << outcome->job.value("status", "?") << ")\n";
  }
  return 0;
}

}  // namespace barge::cli
