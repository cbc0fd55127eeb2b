#pragma once
// `barge dev`: the embedded default. Starts `barge server` (SQLite under
// --data-dir) and `barge agent` processes on this machine as its children,
// makes sure the compute environment `default` (barge:executor=process: jobs
// run on the host) and the job queue `default` exist, and, when runc and
// root are there (dev_containers.h), the environment and queue `containers`
// (barge:executor=container) with agents of their own (--image-store
// DATA_DIR/images, --runtime RUNC); then supervises: an agent that dies is restarted, a server that dies
// ends `barge dev` with its exit code. SIGINT/SIGTERM stop the agents, then
// the server; children also die with it when it is killed outright
// (PR_SET_PDEATHSIG), so nothing is left behind.
//
// argv[0] is "dev". Returns the process exit code. One thread, plus one that
// copies the server's output.
namespace barge::cli {
int RunDev(int argc, char** argv);
}
