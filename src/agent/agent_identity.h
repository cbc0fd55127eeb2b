#pragma once
// AgentIdentity: who this host is to the server, kept in <work dir>/agent.json
// so that a restarted agent is the same host (same instance id, same agent
// id) and the server can match the attempts it reports.
//
// Plain value and file helpers; any thread.
#include <filesystem>
#include <string>

#include "core/result.h"

namespace barge::agent {

struct AgentIdentity {
  std::string instance_id{};  // "i-" + 17 hex digits unless given.
  std::string agent_id{};     // Given by the server at registration; empty before.
};

// A made-up EC2-style instance id: "i-" + 17 random lowercase hex digits.
std::string NewInstanceId();

// Reads <dir>/agent.json. A missing file gives a new identity (and saves it);
// `instance_id`, when not empty, replaces the stored one (a provider named
// this host). kInternal when the file is unreadable or cannot be written.
Result<AgentIdentity> LoadOrCreateIdentity(const std::filesystem::path& dir,
                                           const std::string& instance_id);
// Replaces <dir>/agent.json. kInternal on failure.
Status SaveIdentity(const std::filesystem::path& dir, const AgentIdentity& identity);

}  // namespace barge::agent
