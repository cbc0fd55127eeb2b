// The one `barge` binary: `barge server ...` runs the control plane, `barge
// dev` the embedded default (server and local agents), `barge simulate` a
// workload at virtual time; every other verb is the command-line client.
#include <cstdio>
#include <exception>
#include <string_view>

#include "apps/agent_main.h"
#include "apps/server_main.h"
#include "apps/simulate_main.h"
#include "cli/cli.h"
#include "cli/dev_command.h"

int main(int argc, char** argv) {
  try {
    if (argc >= 2 && std::string_view(argv[1]) == "server") {
      return barge::apps::RunServer(argc - 1, argv + 1);
    }
    if (argc >= 2 && std::string_view(argv[1]) == "agent") {
      return barge::apps::RunAgent(argc - 1, argv + 1);
    }
    if (argc >= 2 && std::string_view(argv[1]) == "simulate") {
      return barge::apps::RunSimulate(argc - 1, argv + 1);
    }
    if (argc >= 2 && std::string_view(argv[1]) == "dev") {
      return barge::cli::RunDev(argc - 1, argv + 1);
    }
    return barge::cli::Run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "barge: fatal: %s\n", e.what());
    return 70;
  }
}
