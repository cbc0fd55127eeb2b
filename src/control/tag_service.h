#pragma once
// TagResource, UntagResource and ListTagsForResource on every taggable
// resource, addressed by ARN (compute environment, job queue, job definition,
// scheduling policy, job; not array children or multi-node nodes). AWS limits: at most 50 tags per
// resource, keys 1..128 and values 0..256 characters, no "aws:" prefix.
//
// Runs on the control thread; one Store transaction per call.
#include <string>
#include <vector>

#include "core/arn.h"
#include "core/common_types.h"
#include "core/result.h"
#include "store/store.h"

namespace barge::control {

class TagService {
 public:
  TagService(Store& store, const ArnFormatter& arns);  // Not owned.

  // Merges `tags` into the resource's tags (a key given again gets the new
  // value). kInvalidArgument (not a batch ARN, an array child's ARN, no tags, bad
  // tags, more than 50 after the merge), kNotFound ("resource <arn> does not
  // exist").
  Status Tag(const std::string& arn, const Tags& tags);
  // Removes `keys`; keys the resource does not have are ignored. The same
  // errors as Tag (and at least one key).
  Status Untag(const std::string& arn, const std::vector<std::string>& keys);
  Result<Tags> List(const std::string& arn);

 private:
  Store& store_;
  // Unused: resources are found by the name or id inside the ARN, whatever
  // its region and account, as the other services do.
  [[maybe_unused]] const ArnFormatter& arns_;
};

}  // namespace barge::control
