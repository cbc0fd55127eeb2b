#pragma once
// ArrayStatus: the status of an array job's parent, aggregated from its
// children. It keeps AWS's `arrayProperties.statusSummary` (how many children
// are in each status) and derives the parent's status from it, updated in O(1)
// per child transition, so a 10,000-child array costs no scan when one child
// moves. Plain value, no clock (the caller stamps statusSummaryLastUpdatedAt),
// not thread-safe: owned by whoever owns the array's jobs (the control thread).
//
// The parent's status, by AWS's rules (AWS-BATCH.md 5.1 and 5.4, issue 5):
//   SUBMITTED  while every child is SUBMITTED;
//   PENDING    once any child has left SUBMITTED, as long as any child is not
//              terminal (AWS moves the parent to PENDING when a child becomes
//              RUNNABLE; a child PENDING on a dependency counts too, so an
//              array waiting for its dependencies reads PENDING, not SUBMITTED);
//   SUCCEEDED  when every child SUCCEEDED;
//   FAILED     when every child is terminal and at least one FAILED, with
//              statusReason "Array Child Job failed" (AWS's string as AWS
//              users see it; AWS-BATCH.md does not give one).
// The parent never reads RUNNABLE, STARTING or RUNNING, as on AWS.
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/job.h"
#include "core/result.h"

namespace barge {

inline constexpr std::string_view kArrayChildFailedReason = "Array Child Job failed";

class ArrayStatus {
 public:
  // A new array: all `size` children SUBMITTED. size >= 1 (checked: callers
  // validate arrayProperties.size before building one).
  explicit ArrayStatus(int32_t size);

  // Rebuilds one from stored counts (after a restart). kInvalidArgument when a
  // count is negative or all are zero.
  static Result<ArrayStatus> FromSummary(const StatusSummary& counts);

  // One child moved from `from` to `to`. Returns the parent's new status when
  // this transition changed it, so the caller knows to persist the parent.
  // `from` must hold at least one child (checked: a miscount is a bug).
  std::optional<JobStatus> OnChildTransition(JobStatus from, JobStatus to);

  int32_t size() const { return size_; }
  int32_t count(JobStatus status) const { return counts_[static_cast<size_t>(status)]; }
  const StatusSummary& summary() const { return counts_; }
  JobStatus parent_status() const;
  // "Array Child Job failed" when the parent is FAILED, else empty.
  std::string_view parent_status_reason() const;

 private:
  explicit ArrayStatus(const StatusSummary& counts, int32_t size);

  StatusSummary counts_{};
  int32_t size_ = 0;
};

}  // namespace barge
