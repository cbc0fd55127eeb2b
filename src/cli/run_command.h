#pragma once
// `barge run [--vcpus N] [--memory MiB] [--image IMG] [--job-queue Q]
//            [--name NAME] [--timeout SECONDS] -- CMD ARGS...`
// Submits CMD as a job (against the reused-or-registered definition of
// run_definition.h, command passed as containerOverrides.command) to
// --job-queue, else to barge dev's `containers` queue when --image is given
// and to `default` when not, prints
// its output as it runs (log_follower.h), writes one status line to stderr
// when it ends and exits with the job's exit code: container.exitCode of
// its last attempt, or 1 when it FAILED without one (cancelled, host lost).
// Ctrl-C terminates the job (TerminateJob) and exits 130.
//
// Before the job exists the exit codes are the other verbs': 252 bad
// parameters, 254 the service refused, 255 connection failure. A job's own
// exit code can of course be any of those too.
//
// One thread.
#include <iosfwd>
#include <string>

#include "cli/log_follower.h"
#include "cli/signed_client.h"
#include "cli/verb_args.h"

namespace barge::cli {

// The flags of `barge run`.
VerbSpec RunVerb();

std::string RunUsage();

// `args` as parsed for RunVerb() (help already handled).
int RunRun(const VerbArgs& args, SignedClient& client, const Wait& wait, std::ostream& out,
           std::ostream& err);

}  // namespace barge::cli
