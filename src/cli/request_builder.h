#pragma once
// Turns the words typed after each flag of one verb into the HTTP request the
// AWS CLI would send for it: path (with path members percent-encoded), query
// (repeated values) and JSON body (only the members the caller set).
//
// Rules, as in the AWS CLI:
//   - `--cli-input-json '<json>'` (or file://path) is the base body; flags
//     override its members; unknown members in it are rejected;
//   - any value may be `file://path`, read from that file;
//   - structures and maps take JSON ('{...}') or shorthand (a=1,b=2);
//     lists take JSON ('[...]') or one word per element;
//   - required members missing from both flags and --cli-input-json are an
//     error listing their flags.
// Every error is kInvalidArgument (exit 252: the server is never contacted).
//
// Pure apart from reading file:// paths; any thread.
#include <map>
#include <string>
#include <vector>

#include "cli/operation.h"
#include "cli/shorthand.h"
#include "core/result.h"

namespace barge::cli {

// Flag name without dashes -> its words in order. Booleans hold one word,
// "true" (--propagate-tags) or "false" (--no-propagate-tags). "cli-input-json"
// holds the --cli-input-json word.
using FlagWords = std::map<std::string, std::vector<std::string>, std::less<>>;

struct ApiRequest {
  std::string method{};        // "POST", "GET", "DELETE"
  std::string path{};          // Percent-encoded: "/v1/tags/arn%3Aaws%3A..."
  std::string query{};         // Percent-encoded, without '?': "tagKeys=a&tagKeys=b"
  Json body = Json::object();  // Sent only when method is POST.
};

Result<ApiRequest> BuildRequest(const Operation& op, const FlagWords& words);

// The contents of `value`'s file when it starts with "file://", else `value`
// itself. kInvalidArgument naming the path when the file cannot be read.
Result<std::string> ResolveParamFile(const std::string& value);

}  // namespace barge::cli
