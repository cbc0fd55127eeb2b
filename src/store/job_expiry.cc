#include "store/job_expiry.h"

namespace barge {

std::optional<Timestamp> JobEndedAt(const Job& job) {
  if (!IsTerminal(job.status)) return std::nullopt;
  return job.stopped_at.value_or(job.created_at);
}

std::vector<std::string> JobLogStreams(const Job& job) {
  std::vector<std::string> streams;
  streams.reserve(job.attempts.size());
  for (const Attempt& attempt : job.attempts) {
    streams.push_back(LogStreamName(job, attempt.id));
  }
  return streams;
}

}  // namespace barge
