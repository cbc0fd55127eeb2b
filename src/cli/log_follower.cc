#include "cli/log_follower.h"

#include <algorithm>

namespace barge::cli {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kJobLogGroup = "/aws/batch/job";

std::string StringAt(const Json& object, std::string_view member) {
  if (!object.is_object()) return "";
  auto found = object.find(member);
  return found != object.end() && found->is_string() ? found->get<std::string>() : "";
}

const Json& MemberOrNull(const Json& object, std::string_view member) {
  static const Json kNull;  // Immutable: a stand-in for "absent".
  if (!object.is_object()) return kNull;
  auto found = object.find(member);
  return found == object.end() ? kNull : *found;
}

Result<Json> DescribeJob(SignedClient& client, const std::string& job_id) {
  Result<Json> reply = client.Batch("DescribeJobs", Json{{"jobs", {job_id}}});
  if (!reply) return reply.error();
  const Json& jobs = MemberOrNull(*reply, "jobs");
  if (!jobs.is_array() || jobs.empty()) return NotFound("job " + job_id + " does not exist");
  return jobs[0];
}

Error NoSuchAttempt(const std::string& job_id, int attempt, size_t count) {
  return InvalidArgument("job " + job_id + " has no attempt " + std::to_string(attempt) +
                         " (it has " + std::to_string(count) + ")");
}

}  // namespace

Status LogStreamReader::ReadNew(const PrintLine& print) {
  while (true) {
    Json body = {
        {"logGroupName", kJobLogGroup}, {"logStreamName", stream_}, {"startFromHead", true}};
    if (token_) body["nextToken"] = *token_;
    Result<Json> reply = client_.Logs("GetLogEvents", body);
    if (!reply) {
      // The stream is created by the attempt's first line.
      bool not_yet = reply.error().code == ErrorCode::kNotFound &&
                     reply.error().message.find("log stream") != std::string::npos;
      return not_yet ? Ok() : Status(reply.error());
    }
    const Json& events = MemberOrNull(*reply, "events");
    if (events.is_array()) {
      for (const Json& event : events) print(StringAt(event, "message"));
    }
    std::string next = StringAt(*reply, "nextForwardToken");
    bool at_end = !events.is_array() || events.empty() || next.empty() || next == token_;
    if (!next.empty()) token_ = std::move(next);
    if (at_end) return Ok();
  }
}

std::vector<std::string> AttemptStreams(const Json& job) {
  std::vector<std::string> streams;
  auto add = [&streams](std::string stream) {
    if (!stream.empty() && std::ranges::find(streams, stream) == streams.end()) {
      streams.push_back(std::move(stream));
    }
  };
  const Json& attempts = MemberOrNull(job, "attempts");
  if (attempts.is_array()) {
    for (const Json& attempt : attempts) {
      add(StringAt(MemberOrNull(attempt, "container"), "logStreamName"));
    }
  }
  add(StringAt(MemberOrNull(job, "container"), "logStreamName"));
  return streams;
}

bool IsFinished(const Json& job) {
  std::string status = StringAt(job, "status");
  return status == "SUCCEEDED" || status == "FAILED";
}

Result<FollowOutcome> FollowJobLogs(SignedClient& client, const std::string& job_id,
                                    const FollowOptions& options, const Wait& wait,
                                    const PrintLine& print) {
  Result<Json> job = DescribeJob(client, job_id);
  if (!job) return job.error();
  std::vector<std::string> streams = AttemptStreams(*job);
  size_t index = streams.empty() ? 0 : streams.size() - 1;
  if (options.attempt) {
    if (*options.attempt < 1) return InvalidArgument("--attempt must be 1 or more");
    index = static_cast<size_t>(*options.attempt - 1);
    if (index >= streams.size() && (!options.follow || IsFinished(*job))) {
      return NoSuchAttempt(job_id, *options.attempt, streams.size());
    }
  }

  std::optional<LogStreamReader> reader;
  while (true) {
    // Read the attempt being shown to its current end; without --attempt,
    // an attempt that has a successor is over, so move on to the next one.
    while (index < streams.size()) {
      if (!reader || reader->stream() != streams[index]) reader.emplace(client, streams[index]);
      BARGE_RETURN_IF_ERROR(reader->ReadNew(print));
      if (options.attempt || index + 1 == streams.size()) break;
      ++index;
    }
    bool attempt_over = options.attempt && index + 1 < streams.size();
    if (!options.follow || IsFinished(*job) || attempt_over) {
      return FollowOutcome{.job = std::move(*job)};
    }
    if (!wait(options.poll_interval)) {
      return FollowOutcome{.job = std::move(*job), .interrupted = true};
    }
    job = DescribeJob(client, job_id);
    if (!job) return job.error();
    streams = AttemptStreams(*job);
    if (options.attempt && index >= streams.size() && IsFinished(*job)) {
      return NoSuchAttempt(job_id, *options.attempt, streams.size());
    }
  }
}

}  // namespace barge::cli
