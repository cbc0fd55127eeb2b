#include "control/array_tracker.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "control/transact.h"
#include "core/array_job.h"
#include "core/check.h"

namespace barge::control {
namespace {

// Children read per transaction while rebuilding.
constexpr size_t kRebuildPage = 5000;

bool IsActive(JobStatus status) {
  return status == JobStatus::kStarting || status == JobStatus::kRunning;
}

StatusSummary Count(const std::vector<JobStatus>& children) {
  StatusSummary summary{};
  for (JobStatus status : children) ++summary[static_cast<size_t>(status)];
  return summary;
}

}  // namespace

ArrayTracker::ArrayTracker(Store& store, const Clock& clock, std::function<void()> slot_freed)
    : store_(store), clock_(clock), slot_freed_(std::move(slot_freed)) {}

void ArrayTracker::Track(const Job& parent, const std::vector<JobStatus>& children) {
  BARGE_CHECK(IsArrayParent(parent) && children.size() == static_cast<size_t>(parent.array->size),
              "an array is tracked with one status per child");
  Result<ArrayStatus> status = ArrayStatus::FromSummary(Count(children));
  BARGE_CHECK(static_cast<bool>(status), "an array has children");
  Array array{.status = std::move(status).value(),
              .updated_at = clock_.Now(),
              .max_concurrency = parent.array->max_concurrency,
              .parent_stored = parent.status};
  array.children.reserve(children.size());
  for (JobStatus child : children) {
    array.children.push_back(static_cast<uint8_t>(child));
    if (IsActive(child)) ++array.active;
  }
  auto [it, inserted] = arrays_.insert_or_assign(parent.id, std::move(array));
  NoteParent(it->first, it->second);
}

void ArrayTracker::ChildWritten(std::string_view child_id, JobStatus status) {
  std::optional<ArrayChildRef> ref = ParseArrayChildId(child_id);
  if (!ref) return;
  auto it = arrays_.find(ref->parent_id);
  if (it == arrays_.end()) return;
  Array& array = it->second;
  if (ref->index >= static_cast<int32_t>(array.children.size())) return;
  auto from = static_cast<JobStatus>(array.children[static_cast<size_t>(ref->index)]);
  if (from == status) return;
  array.children[static_cast<size_t>(ref->index)] = static_cast<uint8_t>(status);
  array.active += (IsActive(status) ? 1 : 0) - (IsActive(from) ? 1 : 0);
  array.updated_at = clock_.Now();
  if (array.status.OnChildTransition(from, status)) NoteParent(it->first, array);
  if (IsActive(from) && !IsActive(status) && array.max_concurrency && slot_freed_) slot_freed_();
}

void ArrayTracker::NoteParent(const std::string& parent_id, const Array& array) {
  if (array.status.parent_status() == array.parent_stored) return;
  if (std::ranges::find(pending_, parent_id) == pending_.end()) pending_.push_back(parent_id);
}

Status ArrayTracker::ApplyPending() {
  if (pending_.empty()) return Ok();
  std::vector<std::string> batch = std::exchange(pending_, {});
  std::vector<std::pair<std::string, JobStatus>> written;
  Timestamp now = clock_.Now();
  Status status = TransactWithRetry(store_, [&](StoreTransaction& txn) -> Status {
    written.clear();
    for (const std::string& id : batch) {
      auto it = arrays_.find(id);
      if (it == arrays_.end()) continue;
      const Array& array = it->second;
      Result<Job> loaded = txn.GetJob(id);
      if (!loaded) {
        if (loaded.error().code == ErrorCode::kNotFound) continue;
        return loaded.error();
      }
      Job parent = std::move(loaded).value();
      JobStatus target = array.status.parent_status();
      if (parent.status == target) {
        written.emplace_back(id, target);
        continue;
      }
      parent.status = target;
      parent.status_reason = std::string(array.status.parent_status_reason());
      if (IsTerminal(target)) {
        parent.stopped_at = now;
        parent.array.mutable_value().status_summary = array.status.summary();
        parent.array.mutable_value().status_summary_updated_at = array.updated_at;
      }
      BARGE_RETURN_IF_ERROR(txn.UpdateJob(parent));
      written.emplace_back(id, target);
    }
    return Ok();
  });
  if (!status) {
    for (std::string& id : batch) {
      if (std::ranges::find(pending_, id) == pending_.end()) pending_.push_back(std::move(id));
    }
    return status;
  }
  for (const auto& [id, target] : written) {
    auto it = arrays_.find(id);
    if (it == arrays_.end()) continue;
    it->second.parent_stored = target;
    if (IsTerminal(target)) {
      arrays_.erase(it);
    } else {
      NoteParent(id, it->second);  // Children moved again while it was written.
    }
  }
  return Ok();
}

Status ArrayTracker::RebuildArray(StoreTransaction& txn, const Job& parent,
                                  const ChildEnded& child_ended) {
  std::vector<JobStatus> children;
  children.reserve(static_cast<size_t>(parent.array->size));
  std::optional<int32_t> after;
  while (true) {
    Result<std::vector<Job>> page = txn.ListArrayChildren(
        {.parent_id = parent.id, .after_index = after, .limit = kRebuildPage});
    if (!page) return page.error();
    for (const Job& child : *page) {
      if (*child.array->index != static_cast<int32_t>(children.size())) {
        return Internal("array job " + parent.id + " lacks child " +
                        std::to_string(children.size()));
      }
      children.push_back(child.status);
      if (IsTerminal(child.status) && child_ended) child_ended(child.id, child.status);
      after = child.array->index;
    }
    if (page->size() < kRebuildPage) break;
  }
  if (children.size() != static_cast<size_t>(parent.array->size)) {
    return Internal("array job " + parent.id + " has " + std::to_string(children.size()) +
                    " children, not " + std::to_string(parent.array->size));
  }
  Track(parent, children);
  return Ok();
}

Status ArrayTracker::Rebuild(const ChildEnded& child_ended) {
  std::optional<JobListCursor> cursor;
  while (true) {
    bool last_page = false;
    Status read = store_.Transact([&](StoreTransaction& txn) -> Status {
      Result<std::vector<Job>> page =
          txn.ListJobs({.statuses = {JobStatus::kSubmitted, JobStatus::kPending},
                        .limit = 100,
                        .start_after = cursor,
                        .scope = JobScope::kTopLevel});
      if (!page) return page.error();
      last_page = page->size() < 100;
      for (const Job& job : *page) {
        cursor = JobListCursor{.created_at = job.created_at, .id = job.id};
        if (IsArrayParent(job)) BARGE_RETURN_IF_ERROR(RebuildArray(txn, job, child_ended));
      }
      return Ok();
    });
    if (!read) return read;
    if (last_page) break;
  }
  if (!arrays_.empty()) spdlog::info("arrays: {} array job(s) not ended", arrays_.size());
  return ApplyPending();
}

std::optional<ArraySnapshot> ArrayTracker::Find(std::string_view parent_id) const {
  auto it = arrays_.find(parent_id);
  if (it == arrays_.end()) return std::nullopt;
  return ArraySnapshot{.summary = it->second.status.summary(),
                       .updated_at = it->second.updated_at,
                       .active = it->second.active,
                       .max_concurrency = it->second.max_concurrency};
}

bool ArrayTracker::MayStart(std::string_view child_id, int32_t extra) const {
  std::optional<ArrayChildRef> ref = ParseArrayChildId(child_id);
  if (!ref) return true;
  auto it = arrays_.find(ref->parent_id);
  if (it == arrays_.end() || !it->second.max_concurrency) return true;
  return it->second.active + extra < *it->second.max_concurrency;
}

}  // namespace barge::control
