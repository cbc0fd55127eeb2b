#pragma once
// `barge cost` and `barge instances`: barge's cost extension (GetCostReport,
// ListInstances; docs/fleet.md) on the command line.
//
//   barge cost [--job-queue Q] [--compute-environment CE] [--since T] [--until T]
//              [--max-jobs N] [--output json|table]
//   barge instances [--compute-environment CE] [--state S[,S...]] [--output json|table]
//
// T is epoch milliseconds, an ISO-8601 UTC time or a time before now (24h,
// 30m, 7d); see cost_report_text.h. --since defaults to 24 hours before now
// and --until to now (the server's defaults). The output is --output, else
// BARGE_OUTPUT, else a table on a terminal and JSON otherwise, as for the
// other verbs. A table lists the --max-jobs (default 20) most expensive jobs
// and asks the server for no more; JSON lists every job unless --max-jobs is
// given.
//
// Exit codes as the other verbs: 0, 252 bad parameters, 254 the service said
// no, 255 connection failure.
//
// One thread.
#include <cstdint>
#include <iosfwd>
#include <string>

#include "cli/command_line.h"
#include "cli/signed_client.h"
#include "cli/verb_args.h"

namespace barge::cli {

inline constexpr int64_t kDefaultCostJobRows = 20;

VerbSpec CostVerb();
std::string CostUsage();
VerbSpec InstancesVerb();
std::string InstancesUsage();

// `args` as parsed for CostVerb() / InstancesVerb() (help already handled).
// `env` gives the default output format; `now_ms` is "now" for --since 24h.
int RunCost(const VerbArgs& args, SignedClient& client, const Environment& env, int64_t now_ms,
            std::ostream& out, std::ostream& err);
int RunInstances(const VerbArgs& args, SignedClient& client, const Environment& env,
                 std::ostream& out, std::ostream& err);

}  // namespace barge::cli
