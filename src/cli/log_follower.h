#pragma once
// Reading a job's output the way `barge logs` and `barge run` show it:
// DescribeJobs names the log stream of each attempt (logStreamName), and
// CloudWatch Logs' GetLogEvents reads it from the head, page by page, until
// the forward token comes back unchanged, which is CloudWatch's "no more for
// now". Following repeats that every poll interval until the job is
// SUCCEEDED or FAILED; the last read happens after the job was seen ended,
// and the agent reports an exit only once that attempt's output is stored,
// so nothing is lost at the end.
//
// One thread; the client is not owned.
#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/signed_client.h"
#include "core/result.h"

namespace barge::cli {

using PrintLine = std::function<void(const std::string& message)>;

// One log stream, read forward from its first line.
class LogStreamReader {
 public:
  LogStreamReader(SignedClient& client, std::string stream)
      : client_(client), stream_(std::move(stream)) {}

  const std::string& stream() const { return stream_; }

  // Prints every line stored since the last call. A stream that does not
  // exist yet (the attempt has printed nothing) reads as empty.
  Status ReadNew(const PrintLine& print);

 private:
  SignedClient& client_;
  std::string stream_;
  std::optional<std::string> token_{};  // nextForwardToken of the last page.
};

// The log streams of a DescribeJobs job detail, oldest attempt first: the
// finished attempts' and then the running one's (container.logStreamName).
std::vector<std::string> AttemptStreams(const nlohmann::json& job);

bool IsFinished(const nlohmann::json& job);  // SUCCEEDED or FAILED.

struct FollowOptions {
  // Keep reading until the job is finished; otherwise read what is there now.
  bool follow = false;
  // 1-based attempt to show; unset: the latest one, and when following, each
  // later attempt (a retry) as it starts.
  std::optional<int> attempt{};
  std::chrono::milliseconds poll_interval{250};
};

struct FollowOutcome {
  nlohmann::json job{};      // The job detail last seen.
  bool interrupted = false;  // `wait` said the user asked to stop.
};

// Sleeps for the interval; false when the user interrupted (Ctrl-C).
using Wait = std::function<bool(std::chrono::milliseconds)>;

// Prints the job's output as described above. kNotFound "job <id> does not
// exist"; kInvalidArgument when --attempt names an attempt the finished job
// does not have; client errors as they come.
Result<FollowOutcome> FollowJobLogs(SignedClient& client, const std::string& job_id,
                                    const FollowOptions& options, const Wait& wait,
                                    const PrintLine& print);

}  // namespace barge::cli
