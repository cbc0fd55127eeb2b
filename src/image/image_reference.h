#pragma once
// Image references, normalised the way Docker does it, so that `busybox`,
// `busybox:latest` and `docker.io/library/busybox:latest` name one image:
//
//   [DOMAIN/]PATH[:TAG][@sha256:HEX]
//
// - The first component is a DOMAIN when it contains '.' or ':' or is
//   `localhost`; otherwise the domain is `docker.io`, and a one-component
//   path gets the `library/` prefix. `index.docker.io` means `docker.io`.
// - PATH components are lowercase letters and digits joined by '.', '_',
//   '__' or runs of '-' (Docker's grammar).
// - With no TAG and no digest the tag is `latest`. A reference with a digest
//   and no tag keeps no tag (`busybox@sha256:...`).
//
// Plain values; pure functions, any thread.
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace barge::image {

struct ImageReference {
  std::string domain{};  // "docker.io", "registry.example", "localhost:5000"
  std::string path{};    // "library/busybox", "team/app"
  std::string tag{};     // "latest"; empty only when digest is set.
  std::string digest{};  // "sha256:..." or empty.

  // DOMAIN/PATH, without tag or digest: "docker.io/library/busybox".
  std::string Name() const { return domain + "/" + path; }
  // The full normalised form: "docker.io/library/busybox:latest".
  std::string String() const;
  // The short form Docker prints: "busybox:latest", "registry.example/team/app:v1".
  std::string Familiar() const;
};

// Parses and normalises `text`. kInvalidArgument, naming the text, when it is
// not a valid reference (uppercase in a path, an empty component, a bad tag,
// a digest that is not sha256 with 64 lowercase hex digits, ...).
Result<ImageReference> ParseImageReference(std::string_view text);

}  // namespace barge::image
