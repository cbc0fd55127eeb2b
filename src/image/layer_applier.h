#pragma once
// Applies one image layer (a tar, compressed or not) on top of a root
// filesystem directory, as the OCI image spec describes:
//
// - `.wh.NAME` deletes NAME (file or whole tree) from the layers below;
// - `.wh..wh..opq` in a directory hides everything the layers below put in
//   it (entries of this same layer survive, whatever their order);
// - ownership, modes, times, symlinks, hardlinks and device nodes are kept
//   (ownership only when running as root, as with tar);
// - an entry whose path is absolute, has a `..` component, or passes
//   through a symlink is refused (kInvalidArgument), so nothing is written
//   outside `rootfs`. A hardlink target is held to the same rules.
//
// Not atomic: on an error the directory is left half applied, so callers
// apply into a private temporary directory (ImageStore::Unpack does).
// Thread-safe in the sense that calls on different directories are
// independent; it never changes the working directory or umask.
#include <string>

#include "core/result.h"

namespace barge::image {

// kNotFound when `layer_path` is missing, kInvalidArgument for a bad or
// unsafe archive, kInternal when writing fails.
Status ApplyLayer(const std::string& layer_path, const std::string& rootfs);

}  // namespace barge::image
