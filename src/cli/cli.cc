// Composition root of the client: reads the process environment and wires
// the real HTTP client into RunCommand.
#include "cli/cli.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "cli/command_runner.h"
#include "cli/http_client.h"
#include "cli/image_command.h"
#include "cli/job_commands.h"
#include "cli/watch_command.h"

namespace barge::cli {
namespace {

std::string Getenv(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

}  // namespace

int Run(int argc, char** argv) {
  ProcessContext context{
      .env = {.endpoint = Getenv("BARGE_ENDPOINT"),
              .region = Getenv("AWS_REGION"),
              .output = Getenv("BARGE_OUTPUT"),
              .stdout_is_terminal = isatty(STDOUT_FILENO) == 1},
      .credentials = {.access_key_id = Getenv("AWS_ACCESS_KEY_ID"),
                      .secret_access_key = Getenv("AWS_SECRET_ACCESS_KEY"),
                      .session_token = Getenv("AWS_SESSION_TOKEN")},
      .make_transport =
          [](const Endpoint& endpoint) { return std::make_unique<HttpClient>(endpoint); },
      .now = [] { return std::chrono::system_clock::now(); },
  };
  if (context.env.region.empty()) context.env.region = Getenv("AWS_DEFAULT_REGION");
  std::vector<std::string> args(argv + 1, argv + argc);
  if (IsImageCommand(args)) {
    return RunImageCommand(args, context, Getenv("BARGE_IMAGE_STORE"), std::cout, std::cerr);
  }
  if (IsWatchCommand(args)) return RunWatch(args, context, std::cout, std::cerr);
  if (IsJobCommand(args)) return RunJobCommand(args, context, std::cout, std::cerr);
  return RunCommand(args, context, std::cout, std::cerr);
}

}  // namespace barge::cli
