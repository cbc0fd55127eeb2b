#pragma once
// What an image says about running it: the `config` object of an OCI image
// configuration (the same fields Docker writes), plus the layer diff ids.
// Plain value; any thread.
#include <string>
#include <vector>

#include "core/result.h"

namespace barge::image {

struct ImageConfig {
  std::string architecture{};      // "amd64"
  std::string os{};                // "linux"
  std::vector<std::string> env{};  // "PATH=/bin", in image order.
  std::vector<std::string> entrypoint{};
  std::vector<std::string> cmd{};
  std::string working_dir{};
  std::string user{};
  std::vector<std::string> diff_ids{};  // rootfs.diff_ids: sha256 of each uncompressed layer.
};

// Parses the JSON text of an image configuration. kInvalidArgument when it
// is not JSON or a field has the wrong type; missing fields stay empty.
Result<ImageConfig> ParseImageConfig(const std::string& json_text);

}  // namespace barge::image
