#pragma once
// `barge image`: the local image store of this host (image/image_store.h).
// No server is involved.
//
//   barge image import FILE|DIR [--tag NAME] [--store DIR] [--output table|json]
//   barge image ls [--store DIR] [--output table|json]
//   barge image rm REF [--store DIR] [--output table|json]
//
// The store is --store, else $BARGE_IMAGE_STORE, else ./.barge/images (next
// to `barge dev`'s data in ./.barge/). Output is a table on a terminal and
// JSON when piped, as with the other verbs; --output or BARGE_OUTPUT choose.
//
// Exit codes: 0 done; 252 bad usage (unknown flag, missing argument, an
// invalid reference or --tag); 1 the operation failed (file missing, not an
// image, a digest mismatch, an unknown image, an I/O error).
//
// One thread.
#include <iosfwd>
#include <string>
#include <vector>

#include "cli/command_runner.h"

namespace barge::cli {

// Whether the verb of `args` (program name excluded) is `image`.
bool IsImageCommand(const std::vector<std::string>& args);

// `store_from_env` is $BARGE_IMAGE_STORE ("" when unset).
int RunImageCommand(const std::vector<std::string>& args, const ProcessContext& context,
                    const std::string& store_from_env, std::ostream& out, std::ostream& err);

}  // namespace barge::cli
