#include "image/image_config.h"

#include <nlohmann/json.hpp>

namespace barge::image {
namespace {

using Json = nlohmann::json;

std::vector<std::string> Strings(const Json& object, const char* key) {
  std::vector<std::string> out;
  if (auto it = object.find(key); it != object.end() && it->is_array()) {
    for (const Json& item : *it) out.push_back(item.get<std::string>());
  }
  return out;
}

std::string String(const Json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

Result<ImageConfig> ParseImageConfig(const std::string& json_text) {
  try {
    Json doc = Json::parse(json_text);
    if (!doc.is_object()) return InvalidArgument("image config is not a JSON object");
    ImageConfig config{.architecture = String(doc, "architecture"), .os = String(doc, "os")};
    if (auto it = doc.find("config"); it != doc.end() && it->is_object()) {
      config.env = Strings(*it, "Env");
      config.entrypoint = Strings(*it, "Entrypoint");
      config.cmd = Strings(*it, "Cmd");
      config.working_dir = String(*it, "WorkingDir");
      config.user = String(*it, "User");
    }
    if (auto it = doc.find("rootfs"); it != doc.end() && it->is_object()) {
      config.diff_ids = Strings(*it, "diff_ids");
    }
    return config;
  } catch (const Json::exception& e) {
    return InvalidArgument(std::string("bad image config: ") + e.what());
  }
}

}  // namespace barge::image
