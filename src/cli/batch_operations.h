#pragma once
// The AWS Batch operations the `barge` client knows: one Operation row per
// `aws batch` verb, and the named shapes their shorthand arguments refer to.
// Flag names, member names, kinds and required members follow the botocore
// 1.43 service model (batch/2016-08-10), so `barge <verb>` accepts what
// `aws batch <verb>` accepts.
//
// To add an operation, append a row in batch_operations.cc: verb, name, path
// (or a method and a path template for path/query members), its parameters,
// `paginated` and the table columns. Nothing else changes.
//
// Immutable after first use; any thread.
#include <span>
#include <string_view>

#include "cli/operation.h"
#include "cli/shorthand.h"

namespace barge::cli {

std::span<const Operation> BatchOperations();
// Nullptr when `verb` is not a known operation.
const Operation* FindOperation(std::string_view verb);
// Shapes referenced as "@Name" from Param::shape.
ShapeLibrary BatchShapes();

}  // namespace barge::cli
