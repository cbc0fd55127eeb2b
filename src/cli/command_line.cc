#include "cli/command_line.h"

#include <algorithm>
#include <charconv>
#include <string_view>

#include "cli/batch_operations.h"

namespace barge::cli {
namespace {

enum class Arity { kNone, kOne, kMany };

// How one `--name` on the command line is read and where its words go.
struct FlagSpec {
  Arity arity = Arity::kOne;
  std::string store_as{};  // Key in the words map.
  std::string implied{};   // The word stored for kNone flags.
};

// Global options, valid before or after the verb.
constexpr std::string_view kGlobalWithValue[] = {"endpoint", "endpoint-url", "region", "output"};
constexpr std::string_view kGlobalSwitches[] = {"debug", "no-paginate", "help"};
constexpr std::string_view kPagingFlags[] = {"page-size", "max-items", "starting-token"};

bool Contains(std::span<const std::string_view> names, std::string_view name) {
  return std::ranges::find(names, name) != names.end();
}

std::optional<FlagSpec> Resolve(std::string_view name, const Operation* op) {
  if (Contains(kGlobalWithValue, name)) {
    return FlagSpec{.store_as = name == "endpoint-url" ? "endpoint" : std::string(name)};
  }
  if (Contains(kGlobalSwitches, name)) {
    return FlagSpec{.arity = Arity::kNone, .store_as = std::string(name), .implied = "true"};
  }
  if (op == nullptr) return std::nullopt;
  if (name == "cli-input-json") return FlagSpec{.store_as = "cli-input-json"};
  if (op->paginated && Contains(kPagingFlags, name)) return FlagSpec{.store_as = std::string(name)};
  for (const Param& param : op->params) {
    if (param.kind == ParamKind::kBoolean) {
      if (name == param.flag) {
        return FlagSpec{
            .arity = Arity::kNone, .store_as = std::string(param.flag), .implied = "true"};
      }
      if (name.starts_with("no-") && name.substr(3) == param.flag) {
        return FlagSpec{
            .arity = Arity::kNone, .store_as = std::string(param.flag), .implied = "false"};
      }
      continue;
    }
    if (name != param.flag) continue;
    bool many = param.kind == ParamKind::kStringList || param.kind == ParamKind::kStructureList;
    return FlagSpec{.arity = many ? Arity::kMany : Arity::kOne,
                    .store_as = std::string(param.flag)};
  }
  return std::nullopt;
}

bool LooksLikeFlag(std::string_view word) {
  return (word.size() > 2 && word.starts_with("--")) || word == "-h";
}

Result<int64_t> PositiveInteger(std::string_view flag, const std::string& word) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), value);
  if (word.empty() || ec != std::errc() || end != word.data() + word.size() || value < 1) {
    return InvalidArgument("argument --" + std::string(flag) + ": invalid positive integer: '" +
                           word + "'");
  }
  return value;
}

// Moves the global and paging words out of `words` into `invocation`.
Status ApplyGlobals(FlagWords& words, const Environment& env, Invocation& invocation) {
  auto take = [&](std::string_view name) -> std::optional<std::string> {
    auto found = words.find(name);
    if (found == words.end()) return std::nullopt;
    std::string value = found->second.back();
    words.erase(found);
    return value;
  };
  GlobalOptions& globals = invocation.globals;
  if (auto endpoint = take("endpoint")) {
    globals.endpoint = *endpoint;
  } else if (!env.endpoint.empty()) {
    globals.endpoint = env.endpoint;
  }
  if (auto region = take("region")) {
    globals.region = *region;
  } else if (!env.region.empty()) {
    globals.region = env.region;
  }
  std::optional<std::string> output = take("output");
  if (!output && !env.output.empty()) output = env.output;
  if (!output) {
    globals.output = env.stdout_is_terminal ? OutputFormat::kTable : OutputFormat::kJson;
  } else if (*output == "json") {
    globals.output = OutputFormat::kJson;
  } else if (*output == "table") {
    globals.output = OutputFormat::kTable;
  } else {
    return InvalidArgument("argument --output: Invalid choice: '" + *output +
                           "' (choose from 'json', 'table')");
  }
  globals.debug = take("debug").has_value();
  globals.paginate = !take("no-paginate").has_value();

  std::string paging_flags;
  for (std::string_view flag : kPagingFlags) {
    if (words.contains(flag))
      paging_flags += (paging_flags.empty() ? "--" : ", --") + std::string(flag);
  }
  if (auto page_size = take("page-size")) {
    Result<int64_t> value = PositiveInteger("page-size", *page_size);
    if (!value) return value.error();
    invocation.paging.page_size = *value;
  }
  if (auto max_items = take("max-items")) {
    Result<int64_t> value = PositiveInteger("max-items", *max_items);
    if (!value) return value.error();
    invocation.paging.max_items = *value;
  }
  invocation.paging.starting_token = take("starting-token");
  if (!globals.paginate && !paging_flags.empty()) {
    return InvalidArgument("Cannot specify --no-paginate along with pagination arguments: " +
                           paging_flags);
  }
  // An explicit --next-token asks for exactly one page, as in the AWS CLI.
  if (words.contains("next-token")) {
    if (!paging_flags.empty()) {
      return InvalidArgument("Cannot specify --next-token along with pagination arguments: " +
                             paging_flags);
    }
    globals.paginate = false;
  }
  return Ok();
}

std::string ValueHint(const Param& param) {
  switch (param.kind) {
    case ParamKind::kString:
      return "<string>";
    case ParamKind::kInteger:
      return "<integer>";
    case ParamKind::kBoolean:
      return "";
    case ParamKind::kStringList:
      return "<string> [<string> ...]";
    case ParamKind::kStructure:
      return "<key=value,...|JSON>";
    case ParamKind::kStructureList:
      return "<key=value,...> [...] | <JSON list>";
    case ParamKind::kStringMap:
      return "<key=value,...|JSON>";
  }
  return "";
}

}  // namespace

Result<Invocation> ParseCommandLine(const std::vector<std::string>& args, const Environment& env) {
  Invocation invocation;
  FlagWords words;
  std::vector<std::string> unknown;
  bool help = false;
  bool verb_seen = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (word == "-h") {
      help = true;
      continue;
    }
    if (!LooksLikeFlag(word)) {
      if (!verb_seen) {
        verb_seen = true;
        if (word == "help") {
          help = true;
          continue;
        }
        invocation.op = FindOperation(word);
        if (invocation.op == nullptr) {
          return InvalidArgument("argument command: Invalid choice: '" + word +
                                 "' (see `barge help` for the commands)");
        }
      } else if (word == "help" && invocation.op != nullptr) {
        help = true;
      } else {
        unknown.push_back(word);
      }
      continue;
    }

    std::string_view text = std::string_view(word).substr(2);
    std::optional<std::string> inline_value;
    if (size_t eq = text.find('='); eq != std::string_view::npos) {
      inline_value = std::string(text.substr(eq + 1));
      text = text.substr(0, eq);
    }
    std::optional<FlagSpec> spec = Resolve(text, invocation.op);
    if (!spec) {
      unknown.push_back(word);
      continue;
    }
    std::string flag = "--" + std::string(text);
    std::vector<std::string> values;
    switch (spec->arity) {
      case Arity::kNone:
        if (inline_value) {
          return InvalidArgument("argument " + flag + ": ignored explicit argument '" +
                                 *inline_value + "'");
        }
        values.push_back(spec->implied);
        break;
      case Arity::kOne:
        if (inline_value) {
          values.push_back(*inline_value);
        } else if (i + 1 < args.size() && !LooksLikeFlag(args[i + 1])) {
          values.push_back(args[++i]);
        } else {
          return InvalidArgument("argument " + flag + ": expected one argument");
        }
        break;
      case Arity::kMany:
        if (inline_value) values.push_back(*inline_value);
        while (i + 1 < args.size() && !LooksLikeFlag(args[i + 1])) values.push_back(args[++i]);
        if (values.empty()) {
          return InvalidArgument("argument " + flag + ": expected at least one argument");
        }
        break;
    }
    words[spec->store_as] = std::move(values);  // The last occurrence wins, as in argparse.
  }

  if (help || words.contains("help")) {
    invocation.help = invocation.op != nullptr ? OperationHelp(*invocation.op) : GeneralHelp();
    return invocation;
  }
  if (invocation.op == nullptr) {
    return InvalidArgument("the following arguments are required: command");
  }
  if (!unknown.empty()) {
    std::string list;
    for (const std::string& word : unknown) list += (list.empty() ? "" : ", ") + word;
    return InvalidArgument("Unknown options: " + list);
  }
  BARGE_RETURN_IF_ERROR(ApplyGlobals(words, env, invocation));
  invocation.words = std::move(words);
  return invocation;
}

std::string UsageHint() {
  return "usage: barge [global options] <command> [parameters]\n"
         "To see help text, you can run:\n"
         "\n"
         "  barge help\n"
         "  barge <command> --help\n";
}

std::string GeneralHelp() {
  std::string out =
      "usage: barge [global options] <command> [parameters]\n"
      "\n"
      "The AWS Batch API on your own machines. The commands and their flags are those of\n"
      "`aws batch`; replies print as JSON, or as a table for people.\n"
      "\n"
      "Commands:\n";
  size_t width = 0;
  for (const Operation& op : BatchOperations()) width = std::max(width, op.verb.size());
  auto line = [&](std::string_view name, std::string_view text) {
    out += "  " + std::string(name) + std::string(width - name.size() + 2, ' ') +
           std::string(text) + "\n";
  };
  for (const Operation& op : BatchOperations()) line(op.verb, op.summary);
  line("agent", "Runs a worker agent that joins a server (see `barge agent --help`).");
  line("cost", "Cost by job, queue and environment (see `barge cost --help`).");
  line("dev", "Server, local agents and a `default` queue in one process tree.");
  line("instances", "The instances of managed compute environments, with their prices.");
  line("simulate", "Runs a workload at virtual time on a simulated fleet (see `barge simulate --help`).");
  line("logs", "Prints a job's output; -f follows it (see `barge logs --help`).");
  line("run", "Runs a command as a job, shows its output, exits with its code.");
  line("server", "Runs the control plane (see `barge server --help`).");
  line("watch", "Live job counts per state and queue (see `barge watch --help`).");
  out +=
      "\n"
      "Global options:\n"
      "  --endpoint-url URL   Server to call (also --endpoint; env BARGE_ENDPOINT;\n"
      "                       default http://127.0.0.1:8000).\n"
      "  --region REGION      Signing region (env AWS_REGION or AWS_DEFAULT_REGION;\n"
      "                       default us-east-1).\n"
      "  --output json|table  Reply format (env BARGE_OUTPUT; default table on a terminal,\n"
      "                       json otherwise).\n"
      "  --no-paginate        Fetch only the first page of paginated replies.\n"
      "  --debug              Print each HTTP request and reply to stderr.\n"
      "\n"
      "Requests are signed with SigV4 when AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are\n"
      "set (and AWS_SESSION_TOKEN, if any). Exit codes: 0 success, 252 bad parameters,\n"
      "254 the service returned an error, 255 connection or other failure.\n";
  return out;
}

std::string OperationHelp(const Operation& op) {
  std::string out = "usage: barge " + std::string(op.verb) + " [parameters]\n\n" +
                    std::string(op.summary) + "\n\nParameters:\n";
  std::vector<std::pair<std::string, std::string>> rows;
  for (const Param& param : op.params) {
    std::string flag = "--" + std::string(param.flag);
    if (param.kind == ParamKind::kBoolean) flag += " | --no-" + std::string(param.flag);
    std::string hint = ValueHint(param);
    if (!hint.empty()) flag += " " + hint;
    std::string note = param.required ? "required; " : "";
    note += std::string(param.member);
    if (param.location == ParamLocation::kPath) note += " (in the path)";
    if (param.location == ParamLocation::kQuery) note += " (in the query)";
    rows.emplace_back(std::move(flag), std::move(note));
  }
  rows.emplace_back("--cli-input-json <JSON|file://path>",
                    "base request body; flags override its members");
  if (op.paginated) {
    rows.emplace_back("--page-size <integer>", "items per request (sent as maxResults)");
    rows.emplace_back("--max-items <integer>", "stop after this many items; prints NextToken");
    rows.emplace_back("--starting-token <string>", "NextToken of an earlier --max-items call");
  }
  size_t width = 0;
  for (const auto& [flag, note] : rows) width = std::max(width, flag.size());
  for (const auto& [flag, note] : rows) {
    out += "  " + flag + std::string(width - flag.size() + 2, ' ') + note + "\n";
  }
  out +=
      "\n"
      "Any value may be file://path. Structures take JSON or shorthand (a=1,b=x,y);\n"
      "lists take one word per element or a JSON list. See `barge help` for global options.\n";
  return out;
}

}  // namespace barge::cli
