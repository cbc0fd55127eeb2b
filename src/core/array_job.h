#pragma once
// Array jobs (AWS-BATCH.md 5.4): one SubmitJob with arrayProperties.size N
// makes a parent job and N children "<parent id>:0" .. ":<N-1>". A child is
// the parent's job with its own index and its own run: everything it does
// not change itself (definition, container, retry strategy, timeout, queue,
// name, createdAt) is the parent's. Pure functions; any thread.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/job.h"
#include "core/result.h"

namespace barge {

// AWS's bounds on arrayProperties.size.
inline constexpr int32_t kMinArraySize = 2;
inline constexpr int32_t kMaxArraySize = 10000;

std::string ArrayChildId(std::string_view parent_id, int32_t index);

struct ArrayChildRef {
  std::string_view parent_id{};
  int32_t index = 0;
};
// "<parent>:<index>" with a non-empty parent and a decimal index (no sign,
// no leading zero); nullopt for anything else, so a plain UUID is not a child.
std::optional<ArrayChildRef> ParseArrayChildId(std::string_view job_id);

bool IsArrayParent(const Job& job);
bool IsArrayChild(const Job& job);

// Child `index` of `parent` as it is created: the parent's job with id
// "<parent>:<index>", arrayProperties {index, size}, no attempts, times or
// flags of its own, no tags (AWS tags the parent only), and the dependsOn
// AWS shows on a child: {"<parent>:<index-1>", SEQUENTIAL} for a SEQUENTIAL
// array past index 0, and {"<A>:<index>", N_TO_N} for each N_TO_N array A.
// Its status is the parent's; the caller sets the one it needs.
Job MakeArrayChild(const Job& parent, int32_t index);
// Turns `child`, made by MakeArrayChild from `parent`, into child `index`
// (id, arrayProperties.index, dependsOn) without copying the rest again:
// for code that walks 10,000 children.
void SetArrayChildIndex(const Job& parent, int32_t index, Job& child);

// SubmitJob's arrayProperties.size rule. kInvalidArgument names the member.
Status ValidateArraySize(int32_t size);

}  // namespace barge
