#pragma once
// The client verbs that are not one plain AWS Batch call: `barge logs` and
// `barge run` (logs_command.h, run_command.h), and barge's own `barge cost`
// and `barge instances` (cost_command.h). cli.cc hands them the command line
// when IsJobCommand says so; everything else is an AWS Batch verb.
//
// One thread.
#include <iosfwd>
#include <string>
#include <vector>

#include "cli/command_runner.h"

namespace barge::cli {

// Whether the verb of `args` (without the program name) is logs, run, cost
// or instances.
bool IsJobCommand(const std::vector<std::string>& args);

// Runs it with the endpoint, region and credentials of `context`. While logs
// or run waits between polls, SIGINT and SIGTERM count as "interrupted" (they are
// blocked for the rest of the time, and taken with sigtimedwait).
int RunJobCommand(const std::vector<std::string>& args, const ProcessContext& context,
                  std::ostream& out, std::ostream& err);

}  // namespace barge::cli
