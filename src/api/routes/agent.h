#pragma once
// AgentRoutes: the agent protocol (protocol/messages.h) over HTTP, under
// /agent/v1/. Not part of the AWS API: no SigV4; every request carries
// `Authorization: Bearer <token>`, compared in constant time with the
// server's agent token.
//
//   POST /agent/v1/register | heartbeat | poll | events | logs
//
// Replies: 200 with the message as JSON ({} for events and logs); 401 for a
// missing or wrong token; 410 Gone for an agent the server does not know
// (the agent registers again); 400 for a malformed request; 404 / 405 for an
// unknown path or method; 413 for an oversized body; 500 / 503 for server
// errors (the agent retries; every message is idempotent). Error bodies are
// {"__type": ..., "message": ...} like the AWS routes'.
//
// /agent/v1/poll completes later: Handle returns at once and `done` runs when
// the AgentService answers the long-poll. Every other route calls `done`
// before Handle returns.
//
// Control thread only, like the service it calls.
#include <functional>
#include <string>
#include <string_view>

#include "api/http_message.h"
#include "control/agent_service.h"

namespace barge::api {

inline constexpr std::string_view kAgentPathPrefix = "/agent/v1/";

class AgentRoutes {
 public:
  using Done = std::function<void(HttpReply)>;

  // `service` is not owned. An empty token refuses every request.
  AgentRoutes(control::AgentService& service, std::string token);

  // Whether the request target is an agent route (it may still be unknown).
  static bool Owns(std::string_view target);

  void Handle(const HttpRequest& request, Done done);

 private:
  bool Authorized(const HttpRequest& request) const;

  control::AgentService& service_;
  std::string token_;
};

}  // namespace barge::api
