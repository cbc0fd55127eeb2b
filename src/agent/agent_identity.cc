#include "agent/agent_identity.h"

#include <nlohmann/json.hpp>
#include <random>

#include "executor/attempt_files.h"

namespace barge::agent {
namespace {

using Json = nlohmann::json;

std::string FileOf(const std::filesystem::path& dir) { return (dir / "agent.json").string(); }

}  // namespace

std::string NewInstanceId() {
  std::random_device device;
  std::mt19937_64 random(static_cast<uint64_t>(device()) << 32 | device());
  constexpr char kHex[] = "0123456789abcdef";
  std::string id = "i-";
  for (int i = 0; i < 17; ++i) id += kHex[random() % 16];
  return id;
}

Result<AgentIdentity> LoadOrCreateIdentity(const std::filesystem::path& dir,
                                           const std::string& instance_id) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Internal("cannot create " + dir.string() + ": " + ec.message());
  AgentIdentity identity;
  bool changed = false;
  Result<std::string> text = executor::ReadWholeFile(FileOf(dir));
  if (text) {
    Json json = Json::parse(*text, nullptr, /*allow_exceptions=*/false);
    if (!json.is_object() || !json.value("instance_id", Json()).is_string() ||
        !json.value("agent_id", Json("")).is_string()) {
      return Internal(FileOf(dir) + " is not a valid agent state file");
    }
    identity.instance_id = json["instance_id"].get<std::string>();
    identity.agent_id = json.value("agent_id", std::string());
  } else if (text.error().code != ErrorCode::kNotFound) {
    return text.error();
  } else {
    identity.instance_id = NewInstanceId();
    changed = true;
  }
  if (!instance_id.empty() && instance_id != identity.instance_id) {
    identity.instance_id = instance_id;
    identity.agent_id.clear();  // Another host as far as the server knows.
    changed = true;
  }
  if (changed) BARGE_RETURN_IF_ERROR(SaveIdentity(dir, identity));
  return identity;
}

Status SaveIdentity(const std::filesystem::path& dir, const AgentIdentity& identity) {
  Json json{{"instance_id", identity.instance_id}, {"agent_id", identity.agent_id}};
  return executor::WriteFileAtomically(FileOf(dir), json.dump(2));
}

}  // namespace barge::agent
