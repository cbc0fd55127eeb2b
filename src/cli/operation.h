#pragma once
// One row of the CLI's operation table: how an `aws batch` verb maps to an
// HTTP call (method, path, query, JSON body) and how its reply is shown as a
// table. The rows live in batch_operations.cc; everything else in cli/ is
// generic over them, so a new operation is a new row and nothing more.
//
// Plain constant data; any thread.
#include <string_view>
#include <vector>

namespace barge::cli {

// How a flag's command-line words become a JSON member (the AWS CLI's rules).
enum class ParamKind {
  kString,         // --job-queue q1                      -> "q1"
  kInteger,        // --priority 10                       -> 10
  kBoolean,        // --propagate-tags / --no-propagate-tags -> true / false
  kStringList,     // --job-queues a b c  or  '["a","b"]' -> ["a","b","c"]
  kStructure,      // JSON object, or shorthand a=1,b=x   -> {"a":1,"b":"x"}
  kStructureList,  // JSON array, or one shorthand word per element
  kStringMap,      // --tags a=1,b=2  or  '{"a":"1"}'     -> {"a":"1","b":"2"}
};

// Where a member travels. Path members fill `{member}` in Operation::path,
// percent-encoded as one segment; query members repeat `member=v` per value.
enum class ParamLocation { kBody, kPath, kQuery };

struct Param {
  std::string_view flag{};    // Kebab case without the dashes: "compute-environment-name".
  std::string_view member{};  // Wire name: "computeEnvironmentName".
  ParamKind kind = ParamKind::kString;
  bool required = false;
  // Types for shorthand values of kStructure / kStructureList (see shorthand.h
  // for the grammar): which members are integers, booleans, lists... Empty
  // means every leaf stays a string.
  std::string_view shape{};
  ParamLocation location = ParamLocation::kBody;
};

// Special renderings of a table cell; plain values print as they are, and
// integers under a member named *At print as ISO-8601 UTC.
enum class CellFormat {
  kPlain,
  kComputeEnvironmentOrder,  // [{order, computeEnvironment}] -> "ce1,ce2" by order, ARNs as names.
  kArnResourceName,          // "arn:...:scheduling-policy/fair" -> "fair"
};

struct Column {
  std::string_view header{};  // "NAME"
  std::string_view path{};    // Dotted member path inside one row: "computeResources.maxvCpus".
  CellFormat format = CellFormat::kPlain;
};

struct Operation {
  std::string_view verb{};  // "describe-job-queues"
  std::string_view name{};  // "DescribeJobQueues", as in error messages.
  std::string_view method = "POST";
  std::string_view path{};     // "/v1/describejobqueues", or a template "/v1/tags/{resourceArn}".
  std::string_view summary{};  // One line for `barge help`.
  std::vector<Param> params{};
  // Paginated operations follow nextToken and merge `rows_key` across pages.
  bool paginated = false;
  // The reply member holding one row per item in table output; empty prints
  // the reply as key/value rows.
  std::string_view rows_key{};
  std::vector<Column> columns{};
};

}  // namespace barge::cli
