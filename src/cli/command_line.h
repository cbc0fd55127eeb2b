#pragma once
// Parses `barge [global options] <verb> [--flag value ...]` the way the AWS
// CLI (argparse) does: global options anywhere, `--flag value` or
// `--flag=value`, list flags taking every word up to the next `--flag`,
// `--x`/`--no-x` booleans, and `help` / `--help` at either level.
//
// Hand-written rather than CLI11: CLI11 2.1 splits a value shaped like
// "[a,b]" on commas whenever an option takes several values, which breaks
// JSON list arguments such as '[{"order":1,"computeEnvironment":"ce1"}]'.
//
// Pure; any thread.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/operation.h"
#include "cli/output_formatter.h"
#include "cli/request_builder.h"
#include "core/result.h"

namespace barge::cli {

// What the process environment contributes; read once by Run().
struct Environment {
  std::string endpoint{};  // BARGE_ENDPOINT
  std::string region{};    // AWS_REGION, else AWS_DEFAULT_REGION
  std::string output{};    // BARGE_OUTPUT
  bool stdout_is_terminal = false;
};

struct GlobalOptions {
  std::string endpoint = "http://127.0.0.1:8000";
  std::string region = "us-east-1";
  OutputFormat output = OutputFormat::kJson;
  bool debug = false;
  bool paginate = true;  // False with --no-paginate, or when --next-token is given.
};

// The AWS CLI's own paging flags (not sent as such).
struct PagingOptions {
  std::optional<int64_t> page_size{};           // --page-size: maxResults of each request.
  std::optional<int64_t> max_items{};           // --max-items: stop after this many items.
  std::optional<std::string> starting_token{};  // --starting-token: first nextToken.
};

struct Invocation {
  // Set when the user asked for help: print it to stdout and exit 0.
  std::optional<std::string> help{};
  const Operation* op = nullptr;  // Set unless `help` is.
  GlobalOptions globals{};
  FlagWords words{};
  PagingOptions paging{};
};

// `args` excludes the program name. kInvalidArgument (exit 252) for an
// unknown verb or flag, a missing flag value, a bad --output or a paging
// flag that does not fit.
Result<Invocation> ParseCommandLine(const std::vector<std::string>& args, const Environment& env);

// The lines printed under every parameter error.
std::string UsageHint();

// `barge help` and `barge <verb> --help`.
std::string GeneralHelp();
std::string OperationHelp(const Operation& op);

}  // namespace barge::cli
