#pragma once
// `barge logs JOB_ID [--follow | -f] [--attempt N]`: prints a job's output,
// one line per log event, from its latest attempt (or attempt N). With
// --follow it keeps printing as lines arrive, moves on to a retry's attempt
// when one starts, and exits 0 once the job is SUCCEEDED or FAILED and its
// output is read to the end.
//
// Exit codes as the other verbs: 0, 252 bad parameters, 254 the service said
// no (an unknown job id included), 255 connection failure; 130 when
// interrupted.
//
// One thread.
#include <iosfwd>
#include <string>
#include <vector>

#include "cli/log_follower.h"
#include "cli/signed_client.h"
#include "cli/verb_args.h"

namespace barge::cli {

// The flags of `barge logs`.
VerbSpec LogsVerb();

std::string LogsUsage();

// `args` as parsed for LogsVerb() (help already handled).
int RunLogs(const VerbArgs& args, SignedClient& client, const Wait& wait, std::ostream& out,
            std::ostream& err);

}  // namespace barge::cli
