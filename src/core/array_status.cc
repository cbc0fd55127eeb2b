#include "core/array_status.h"

#include "core/check.h"

namespace barge {
namespace {

size_t At(JobStatus status) { return static_cast<size_t>(status); }

}  // namespace

ArrayStatus::ArrayStatus(int32_t size) : size_(size) {
  BARGE_CHECK(size >= 1, "an array has at least one child");
  counts_[At(JobStatus::kSubmitted)] = size;
}

ArrayStatus::ArrayStatus(const StatusSummary& counts, int32_t size)
    : counts_(counts), size_(size) {}

Result<ArrayStatus> ArrayStatus::FromSummary(const StatusSummary& counts) {
  int64_t size = 0;
  for (int32_t n : counts) {
    if (n < 0) return InvalidArgument("array status summary has a negative count");
    size += n;
  }
  if (size == 0) return InvalidArgument("array status summary counts no child");
  if (size > INT32_MAX) return InvalidArgument("array status summary counts too many children");
  return ArrayStatus(counts, static_cast<int32_t>(size));
}

std::optional<JobStatus> ArrayStatus::OnChildTransition(JobStatus from, JobStatus to) {
  if (from == to) return std::nullopt;
  BARGE_CHECK(counts_[At(from)] > 0, "array child transition from a status no child is in");
  JobStatus before = parent_status();
  --counts_[At(from)];
  ++counts_[At(to)];
  JobStatus after = parent_status();
  if (after == before) return std::nullopt;
  return after;
}

JobStatus ArrayStatus::parent_status() const {
  if (count(JobStatus::kSubmitted) == size_) return JobStatus::kSubmitted;
  int32_t succeeded = count(JobStatus::kSucceeded);
  int32_t failed = count(JobStatus::kFailed);
  if (succeeded + failed < size_) return JobStatus::kPending;
  return failed > 0 ? JobStatus::kFailed : JobStatus::kSucceeded;
}

std::string_view ArrayStatus::parent_status_reason() const {
  return parent_status() == JobStatus::kFailed ? kArrayChildFailedReason : std::string_view{};
}

}  // namespace barge
