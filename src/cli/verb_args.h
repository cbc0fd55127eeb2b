#pragma once
// Parses the command lines of the client verbs that are not AWS Batch
// operations (`barge logs`, `barge run`): `--flag value`, `--flag=value`,
// switches, positional words, and for `run` the command to execute, which is
// everything after `--` (or after the first positional word), untouched.
// The global options --endpoint-url (--endpoint) and --region are accepted
// anywhere before the command, as with the AWS verbs.
//
// Pure; any thread.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace barge::cli {

struct VerbSpec {
  std::string_view verb{};                      // "logs"
  std::vector<std::string_view> value_flags{};  // Without dashes: "attempt".
  std::vector<std::string_view> switches{};     // "follow"
  // Single-letter aliases: {"f", "follow"} makes -f mean --follow.
  std::map<std::string_view, std::string_view> short_aliases{};
  // `run`: the first positional word and all after it are the command.
  bool takes_command = false;
};

struct VerbArgs {
  std::map<std::string, std::string> values{};  // The last occurrence wins.
  std::set<std::string> switches{};
  std::vector<std::string> positional{};
  std::vector<std::string> command{};
  bool help = false;  // --help, -h or `help`.

  std::optional<std::string> Value(const std::string& flag) const;
};

// `args` starts after the verb. kInvalidArgument for an unknown flag or a
// flag without its value.
Result<VerbArgs> ParseVerbArgs(const VerbSpec& spec, const std::vector<std::string>& args);

// A flag's value as a whole number in [min, max]: kInvalidArgument
// "--<flag> must be a whole number from <min> to <max>, not '<text>'".
Result<int64_t> IntegerFlag(std::string_view flag, const std::string& text, int64_t min,
                            int64_t max);

}  // namespace barge::cli
