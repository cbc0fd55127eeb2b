#pragma once
// Runs one `barge <verb> ...` command line from parse to printed reply: parse
// the flags, build the request, sign it, send it (following nextToken for
// paginated verbs), print the reply, and return the AWS CLI's exit code:
//
//   0    success
//   252  bad parameters: message and usage hint on stderr, nothing sent
//   254  the service replied with an error: "An error occurred (<Type>) when
//        calling the <Operation> operation: <message>" on stderr
//   255  the endpoint could not be reached, or another failure
//
// Everything the process supplies (environment, network, clock, streams) is
// passed in, so tests run it against a fake Transport.
//
// One thread.
#include <chrono>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "cli/command_line.h"
#include "cli/request_signer.h"
#include "cli/transport.h"

namespace barge::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitParamError = 252;
inline constexpr int kExitServiceError = 254;
inline constexpr int kExitFailure = 255;

struct ProcessContext {
  Environment env{};
  Credentials credentials{};  // Incomplete credentials send requests unsigned.
  // Called once, after parsing, with the endpoint to talk to.
  std::function<std::unique_ptr<Transport>(const Endpoint&)> make_transport{};
  std::function<std::chrono::system_clock::time_point()> now{};  // For X-Amz-Date.
};

// `args` excludes the program name.
int RunCommand(const std::vector<std::string>& args, const ProcessContext& context,
               std::ostream& out, std::ostream& err);

}  // namespace barge::cli
