#pragma once
// `barge watch`: live counts of jobs per state per job queue.
//
//   barge watch [--job-queue Q ...] [--interval SECONDS] [--once]
//               [--max-count N] [--output table|json] [--endpoint-url URL]
//
// Every refresh lists the queues (DescribeJobQueues, or the --job-queue ones)
// and counts each state of each queue by paging through ListJobs (1000 per
// page) until --max-count (default 1000), beyond which the count shows as
// "1000+". Only the standard AWS API is used, so `watch` works against any
// barge server without a private endpoint; the cap bounds what one refresh
// costs the server (at most ceil(N/1000) pages per queue and state).
//
// On a terminal the table is redrawn in place (ANSI home/clear); otherwise
// one table per refresh is printed, one after the other. `--output json`
// prints one JSON object per line and refresh. `--once` prints one refresh
// and exits: 0, or the AWS CLI's codes on failure (254 the service answered
// with an error, 255 it could not be reached, 252 bad parameters). Without
// --once a failed refresh is shown and retried at the next interval, so the
// watch survives a server restart; it runs until interrupted.
//
// One thread.
#include <iosfwd>
#include <string>
#include <vector>

#include "cli/command_runner.h"

namespace barge::cli {

// True when the verb of `args` (program name excluded; global options such as
// --endpoint-url may come first) is `watch`.
bool IsWatchCommand(const std::vector<std::string>& args);

// Runs `barge watch`; `args` excludes the program name. Returns the exit code.
int RunWatch(const std::vector<std::string>& args, const ProcessContext& context,
             std::ostream& out, std::ostream& err);

}  // namespace barge::cli
