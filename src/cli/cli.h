#pragma once
// The `barge` command-line client: the AWS Batch verbs and flags of
// `aws batch` (create-compute-environment, describe-job-queues, ...) sent
// over HTTP, signed with SigV4 when AWS credentials are in the environment.
// Returns the process exit code: 0 ok, 254 service error, 252 bad
// parameters, 255 connection error (the AWS CLI's codes).
namespace barge::cli {
int Run(int argc, char** argv);
}
