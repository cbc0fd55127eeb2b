#include "cli/command_runner.h"

#include <algorithm>
#include <ostream>
#include <set>
#include <utility>
#include <variant>

#include "cli/service_error.h"

namespace barge::cli {
namespace {

constexpr std::string_view kUserAgent = "barge-cli/0.1";

// A call that did not produce a reply to print.
struct Failure {
  int exit_code = kExitFailure;
  std::string message{};
};
using Outcome = std::variant<Json, Failure>;

void PrintDebug(std::ostream& err, std::string_view first_line, const HttpHeaders& headers,
                const std::string& body) {
  err << "[debug] " << first_line << "\n";
  for (const auto& [name, value] : headers) err << "[debug]   " << name << ": " << value << "\n";
  if (!body.empty()) err << "[debug]   " << body << "\n";
}

// Sends ApiRequests of one invocation over one transport (one connection).
class Caller {
 public:
  Caller(const Invocation& invocation, const Endpoint& endpoint, Transport& transport,
         const ProcessContext& context, std::ostream& err)
      : invocation_(invocation),
        endpoint_(endpoint),
        transport_(transport),
        context_(context),
        err_(err) {}

  Outcome Call(const ApiRequest& request) {
    HttpRequest http{.method = request.method, .target = endpoint_.base_path + request.path};
    if (!request.query.empty()) http.target += "?" + request.query;
    http.headers = {{"Host", endpoint_.HostHeader()},
                    {"Accept-Encoding", "identity"},
                    {"User-Agent", std::string(kUserAgent)}};
    if (request.method == "POST") {
      http.headers.emplace_back("Content-Type", "application/json");
      http.body = request.body.dump(-1, ' ', false, Json::error_handler_t::replace);
    }
    if (context_.credentials.complete()) {
      SignRequest(http, context_.credentials, invocation_.globals.region, context_.now());
    }
    if (invocation_.globals.debug) {
      PrintDebug(err_, http.method + " " + endpoint_.url + http.target, http.headers, http.body);
    }

    Result<HttpResponse> response = transport_.RoundTrip(http);
    if (!response) return Failure{.exit_code = kExitFailure, .message = response.error().message};
    if (invocation_.globals.debug) {
      PrintDebug(err_, "HTTP " + std::to_string(response->status) + " " + response->reason,
                 response->headers, response->body);
    }
    if (response->status < 200 || response->status > 299) {
      ServiceError error = ServiceErrorFrom(*response);
      return Failure{.exit_code = kExitServiceError,
                     .message = DescribeServiceError(error, invocation_.op->name)};
    }
    if (response->body.empty()) return Json::object();
    Json reply = Json::parse(response->body, nullptr, /*allow_exceptions=*/false);
    if (reply.is_discarded()) {
      return Failure{.exit_code = kExitFailure,
                     .message = "could not parse the reply to " +
                                std::string(invocation_.op->name) +
                                " as JSON: " + response->body.substr(0, 200)};
    }
    return reply;
  }

 private:
  const Invocation& invocation_;
  const Endpoint& endpoint_;
  Transport& transport_;
  const ProcessContext& context_;
  std::ostream& err_;
};

// Follows nextToken like the AWS CLI's paginator and merges the rows of every
// page into the first reply. With --max-items, asks for no more rows than are
// still wanted, so the reply's nextToken can be handed back as NextToken.
Outcome Paginate(Caller& caller, const Invocation& invocation, ApiRequest request) {
  const std::string rows_key(invocation.op->rows_key);
  const PagingOptions& paging = invocation.paging;
  if (paging.page_size) request.body["maxResults"] = *paging.page_size;
  std::string token = paging.starting_token.value_or("");
  std::set<std::string> seen;
  Json merged;
  Json rows = Json::array();
  while (true) {
    ApiRequest page = request;
    if (!token.empty()) page.body["nextToken"] = token;
    if (paging.max_items) {
      int64_t wanted = *paging.max_items - static_cast<int64_t>(rows.size());
      int64_t size = page.body.contains("maxResults") && page.body["maxResults"].is_number_integer()
                         ? std::min(page.body["maxResults"].get<int64_t>(), wanted)
                         : wanted;
      page.body["maxResults"] = size;
    }
    Outcome outcome = caller.Call(page);
    if (std::holds_alternative<Failure>(outcome)) return outcome;
    Json& reply = std::get<Json>(outcome);
    if (!reply.is_object()) {
      return Failure{
          .exit_code = kExitFailure,
          .message = "the reply to " + std::string(invocation.op->name) + " is not a JSON object"};
    }
    if (reply.contains(rows_key) && reply[rows_key].is_array()) {
      for (Json& row : reply[rows_key]) rows.push_back(std::move(row));
    }
    std::string next;
    if (reply.contains("nextToken") && reply["nextToken"].is_string()) {
      next = reply["nextToken"].get<std::string>();
    }
    if (merged.is_null()) merged = std::move(reply);
    if (next.empty()) break;
    if (paging.max_items && static_cast<int64_t>(rows.size()) >= *paging.max_items) {
      merged["NextToken"] = next;
      break;
    }
    if (!seen.insert(next).second) {
      return Failure{.exit_code = kExitFailure,
                     .message = "The same next token was received twice: " + next};
    }
    token = std::move(next);
  }
  if (paging.max_items && static_cast<int64_t>(rows.size()) > *paging.max_items) {
    rows.erase(rows.begin() + *paging.max_items, rows.end());
  }
  merged.erase("nextToken");
  merged[rows_key] = std::move(rows);
  return merged;
}

}  // namespace

int RunCommand(const std::vector<std::string>& args, const ProcessContext& context,
               std::ostream& out, std::ostream& err) {
  auto param_error = [&err](const std::string& message) {
    err << "barge: error: " << message << "\n\n" << UsageHint();
    return kExitParamError;
  };
  Result<Invocation> parsed = ParseCommandLine(args, context.env);
  if (!parsed) return param_error(parsed.error().message);
  const Invocation& invocation = *parsed;
  if (invocation.help) {
    out << *invocation.help;
    return kExitOk;
  }
  Result<Endpoint> endpoint = ParseEndpoint(invocation.globals.endpoint);
  if (!endpoint) return param_error(endpoint.error().message);
  Result<ApiRequest> request = BuildRequest(*invocation.op, invocation.words);
  if (!request) return param_error(request.error().message);

  std::unique_ptr<Transport> transport = context.make_transport(*endpoint);
  Caller caller(invocation, *endpoint, *transport, context, err);
  Outcome outcome = invocation.op->paginated && invocation.globals.paginate
                        ? Paginate(caller, invocation, std::move(request).value())
                        : caller.Call(*request);
  if (auto* failure = std::get_if<Failure>(&outcome)) {
    err << failure->message << "\n";
    return failure->exit_code;
  }
  out << FormatReply(*invocation.op, std::get<Json>(outcome), invocation.globals.output);
  out.flush();
  return kExitOk;
}

}  // namespace barge::cli
