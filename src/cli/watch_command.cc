#include "cli/watch_command.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <optional>
#include <ostream>
#include <set>
#include <thread>
#include <tuple>
#include <variant>

#include "cli/job_counts.h"
#include "cli/service_error.h"
#include "cli/shorthand.h"

namespace barge::cli {
namespace {

constexpr std::string_view kUserAgent = "barge-cli/0.1 watch";
constexpr int64_t kListJobsPageSize = 1000;  // ListJobs' maximum maxResults.
constexpr int64_t kDescribeQueuesPageSize = 100;

constexpr std::string_view kWatchHelp =
    "usage: barge watch [--job-queue Q ...] [--interval SECONDS] [--once]\n"
    "                   [--max-count N] [--output table|json] [--endpoint-url URL]\n"
    "\n"
    "Live counts of jobs per state (SUBMITTED ... FAILED) in each job queue.\n"
    "\n"
    "  --job-queue Q ...    Queues to show, by name or ARN (default: all).\n"
    "  --interval SECONDS   Time between refreshes (default 2).\n"
    "  --once               Print the counts once and exit.\n"
    "  --max-count N        Stop counting a state at N jobs and show \"N+\" (default 1000).\n"
    "  --output table|json  A table (default), or one JSON object per line and refresh.\n"
    "  --endpoint-url URL   Server to call (also --endpoint; env BARGE_ENDPOINT).\n"
    "  --region REGION      Signing region (env AWS_REGION or AWS_DEFAULT_REGION).\n";

struct WatchOptions {
  std::string endpoint = "http://127.0.0.1:8000";
  std::string region = "us-east-1";
  std::vector<std::string> queues{};  // Empty: every queue.
  double interval_seconds = 2;
  bool once = false;
  bool json = false;
  int64_t max_count = 1000;
  bool help = false;
};

// A refresh that could not be completed, with the exit code it means.
struct Failure {
  int exit_code = kExitFailure;
  std::string message{};
};

bool IsGlobalWithValue(std::string_view word) {
  return word == "--endpoint-url" || word == "--endpoint" || word == "--region" ||
         word == "--output";
}

Result<double> ParseInterval(const std::string& word) {
  double value = 0;
  auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), value);
  if (word.empty() || ec != std::errc() || end != word.data() + word.size() ||
      !std::isfinite(value) || value < 0.1 || value > 86400) {
    return InvalidArgument("argument --interval: expected seconds between 0.1 and 86400: '" +
                           word + "'");
  }
  return value;
}

Result<int64_t> ParseMaxCount(const std::string& word) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), value);
  if (word.empty() || ec != std::errc() || end != word.data() + word.size() || value < 1) {
    return InvalidArgument("argument --max-count: invalid positive integer: '" + word + "'");
  }
  return value;
}

Result<WatchOptions> ParseWatchArgs(const std::vector<std::string>& args, const Environment& env) {
  WatchOptions options;
  if (!env.endpoint.empty()) options.endpoint = env.endpoint;
  if (!env.region.empty()) options.region = env.region;
  std::string output = env.output;
  bool seen_verb = false;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string word = args[i];
    if (!word.starts_with("--") && word != "-h") {
      if (!seen_verb && word == "watch") {
        seen_verb = true;
        continue;
      }
      if (word == "help") {
        options.help = true;
        continue;
      }
      return InvalidArgument("unexpected argument: " + word);
    }
    std::optional<std::string> inline_value;
    if (size_t eq = word.find('='); eq != std::string::npos) {
      inline_value = word.substr(eq + 1);
      word.resize(eq);
    }
    auto value = [&]() -> Result<std::string> {
      if (inline_value) return *inline_value;
      if (i + 1 >= args.size() || args[i + 1].starts_with("--")) {
        return InvalidArgument("argument " + word + ": expected one argument");
      }
      return args[++i];
    };
    if (word == "--help" || word == "-h") {
      options.help = true;
    } else if (word == "--once") {
      options.once = true;
    } else if (word == "--job-queue" || word == "--job-queues") {
      if (inline_value) options.queues.push_back(*inline_value);
      while (!inline_value && i + 1 < args.size() && !args[i + 1].starts_with("--")) {
        options.queues.push_back(args[++i]);
      }
      if (!inline_value && options.queues.empty()) {
        return InvalidArgument("argument " + word + ": expected at least one argument");
      }
    } else if (word == "--interval") {
      Result<std::string> text = value();
      if (!text) return text.error();
      Result<double> seconds = ParseInterval(*text);
      if (!seconds) return seconds.error();
      options.interval_seconds = *seconds;
    } else if (word == "--max-count") {
      Result<std::string> text = value();
      if (!text) return text.error();
      Result<int64_t> count = ParseMaxCount(*text);
      if (!count) return count.error();
      options.max_count = *count;
    } else if (IsGlobalWithValue(word)) {
      Result<std::string> text = value();
      if (!text) return text.error();
      if (word == "--region") {
        options.region = *text;
      } else if (word == "--output") {
        output = *text;
      } else {
        options.endpoint = *text;
      }
    } else {
      return InvalidArgument("unknown option for watch: " + word);
    }
  }
  if (output == "json") {
    options.json = true;
  } else if (!output.empty() && output != "table") {
    return InvalidArgument("argument --output: Invalid choice: '" + output +
                           "' (choose from 'json', 'table')");
  }
  return options;
}

// Sends the watch's requests over one connection, signed when there are
// credentials.
class WatchClient {
 public:
  WatchClient(const WatchOptions& options, const Endpoint& endpoint, Transport& transport,
              const ProcessContext& context)
      : options_(options), endpoint_(endpoint), transport_(transport), context_(context) {}

  std::variant<Json, Failure> Call(std::string_view operation, std::string_view path,
                                   const Json& body) {
    HttpRequest http{.method = "POST", .target = endpoint_.base_path + std::string(path)};
    http.headers = {{"Host", endpoint_.HostHeader()},
                    {"Accept-Encoding", "identity"},
                    {"User-Agent", std::string(kUserAgent)},
                    {"Content-Type", "application/json"}};
    http.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
    if (context_.credentials.complete()) {
      SignRequest(http, context_.credentials, options_.region, context_.now());
    }
    Result<HttpResponse> response = transport_.RoundTrip(http);
    if (!response) return Failure{.exit_code = kExitFailure, .message = response.error().message};
    if (response->status < 200 || response->status > 299) {
      return Failure{.exit_code = kExitServiceError,
                     .message = DescribeServiceError(ServiceErrorFrom(*response), operation)};
    }
    Json reply = Json::parse(response->body, nullptr, /*allow_exceptions=*/false);
    if (!reply.is_object()) {
      return Failure{.message = "could not parse the reply to " + std::string(operation) +
                                " as a JSON object: " + response->body.substr(0, 200)};
    }
    return reply;
  }

 private:
  const WatchOptions& options_;
  const Endpoint& endpoint_;
  Transport& transport_;
  const ProcessContext& context_;
};

std::string NextToken(const Json& reply) {
  auto found = reply.find("nextToken");
  return found != reply.end() && found->is_string() ? found->get<std::string>() : "";
}

// The names of the queues to show: every queue (sorted by name), or the
// requested ones in the order given.
std::variant<std::vector<std::string>, Failure> ListQueues(WatchClient& client,
                                                           const WatchOptions& options) {
  std::vector<std::pair<std::string, std::string>> found;  // (name, arn)
  std::set<std::string> seen_tokens;
  std::string token;
  do {
    Json body = {{"maxResults", kDescribeQueuesPageSize}};
    if (!options.queues.empty()) body = {{"jobQueues", options.queues}};
    if (!token.empty()) body["nextToken"] = token;
    auto reply = client.Call("DescribeJobQueues", "/v1/describejobqueues", body);
    if (auto* failure = std::get_if<Failure>(&reply)) return *failure;
    const Json& json = std::get<Json>(reply);
    if (auto queues = json.find("jobQueues"); queues != json.end() && queues->is_array()) {
      for (const Json& queue : *queues) {
        found.emplace_back(queue.value("jobQueueName", ""), queue.value("jobQueueArn", ""));
      }
    }
    token = NextToken(json);
  } while (!token.empty() && seen_tokens.insert(token).second);

  std::vector<std::string> names;
  if (options.queues.empty()) {
    for (const auto& [name, arn] : found) names.push_back(name);
    std::ranges::sort(names);
    return names;
  }
  for (const std::string& wanted : options.queues) {
    auto match = std::ranges::find_if(
        found, [&](const auto& queue) { return queue.first == wanted || queue.second == wanted; });
    if (match == found.end()) {
      return Failure{.exit_code = kExitServiceError,
                     .message = "job queue " + wanted + " does not exist"};
    }
    names.push_back(match->first);
  }
  return names;
}

// Counts the jobs of `queue` in `state` up to `max_count`.
std::variant<std::pair<int64_t, bool>, Failure> CountJobs(WatchClient& client,
                                                          const std::string& queue,
                                                          std::string_view state,
                                                          int64_t max_count) {
  int64_t counted = 0;
  std::set<std::string> seen_tokens;
  std::string token;
  while (true) {
    Json body = {{"jobQueue", queue},
                 {"jobStatus", state},
                 {"maxResults", std::min(kListJobsPageSize, max_count - counted)}};
    if (!token.empty()) body["nextToken"] = token;
    auto reply = client.Call("ListJobs", "/v1/listjobs", body);
    if (auto* failure = std::get_if<Failure>(&reply)) return *failure;
    const Json& json = std::get<Json>(reply);
    if (auto jobs = json.find("jobSummaryList"); jobs != json.end() && jobs->is_array()) {
      counted += static_cast<int64_t>(jobs->size());
    }
    token = NextToken(json);
    if (token.empty() || !seen_tokens.insert(token).second) return std::pair{counted, false};
    if (counted >= max_count) return std::pair{counted, true};
  }
}

std::variant<JobCountsSnapshot, Failure> TakeSnapshot(WatchClient& client,
                                                      const WatchOptions& options,
                                                      const ProcessContext& context) {
  auto queues = ListQueues(client, options);
  if (auto* failure = std::get_if<Failure>(&queues)) return *failure;
  JobCountsSnapshot snapshot{
      .taken_at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         context.now().time_since_epoch())
                         .count()};
  for (const std::string& name : std::get<std::vector<std::string>>(queues)) {
    QueueJobCounts counts{.queue = name};
    for (size_t i = 0; i < kJobStates.size(); ++i) {
      auto counted = CountJobs(client, name, kJobStates[i], options.max_count);
      if (auto* failure = std::get_if<Failure>(&counted)) return *failure;
      std::tie(counts.counts[i], counts.capped[i]) = std::get<std::pair<int64_t, bool>>(counted);
    }
    snapshot.queues.push_back(std::move(counts));
  }
  return snapshot;
}

// Redraws `frame` from the top-left corner, erasing what the previous frame
// left to the right of each line and below the last one.
std::string InPlace(const std::string& frame, bool first) {
  std::string text = first ? "\x1b[H\x1b[2J" : "\x1b[H";
  for (char c : frame) {
    if (c == '\n') text += "\x1b[K";
    text += c;
  }
  return text + "\x1b[J";
}

}  // namespace

bool IsWatchCommand(const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (IsGlobalWithValue(word)) {
      ++i;
      continue;
    }
    if (word.starts_with("--")) continue;
    return word == "watch";
  }
  return false;
}

int RunWatch(const std::vector<std::string>& args, const ProcessContext& context,
             std::ostream& out, std::ostream& err) {
  auto param_error = [&err](const std::string& message) {
    err << "barge: error: " << message << "\n\n" << kWatchHelp;
    return kExitParamError;
  };
  Result<WatchOptions> parsed = ParseWatchArgs(args, context.env);
  if (!parsed) return param_error(parsed.error().message);
  const WatchOptions& options = *parsed;
  if (options.help) {
    out << kWatchHelp;
    return kExitOk;
  }
  Result<Endpoint> endpoint = ParseEndpoint(options.endpoint);
  if (!endpoint) return param_error(endpoint.error().message);

  std::unique_ptr<Transport> transport = context.make_transport(*endpoint);
  WatchClient client(options, *endpoint, *transport, context);
  const bool redraw = !options.once && !options.json && context.env.stdout_is_terminal;
  const TableHeader header{.endpoint = endpoint->url,
                           .interval_seconds = options.once ? 0 : options.interval_seconds};
  // Refreshes start every interval, however long counting took (at once when it took longer).
  const auto interval = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(options.interval_seconds));
  auto next_refresh = std::chrono::steady_clock::now();
  for (bool first = true;; first = false) {
    next_refresh += interval;
    auto snapshot = TakeSnapshot(client, options, context);
    if (auto* failure = std::get_if<Failure>(&snapshot)) {
      err << failure->message << "\n";
      if (options.once) return failure->exit_code;
    } else if (options.json) {
      out << RenderJobCountsJson(std::get<JobCountsSnapshot>(snapshot));
    } else {
      std::string frame = RenderJobCountsTable(std::get<JobCountsSnapshot>(snapshot), header);
      out << (redraw ? InPlace(frame, first) : frame + (options.once ? "" : "\n"));
    }
    out.flush();
    if (options.once) return kExitOk;
    auto now = std::chrono::steady_clock::now();
    if (next_refresh < now) next_refresh = now;
    std::this_thread::sleep_until(next_refresh);
  }
}

}  // namespace barge::cli
