#pragma once
// AgentChannel: how the agent talks to the server (protocol/messages.h). The
// seam between the agent's logic and its transport: HttpAgentChannel in
// production, FakeAgentChannel in the agent's tests.
//
// Every call answers exactly once through its callback, later, on the
// agent's io_context thread, never inside the call itself. Errors:
//   kNotFound           the server does not know this agent (410 Gone):
//                       register again;
//   kUnavailable        the server is unreachable, timed out, or failed (5xx):
//                       try again later;
//   kFailedPrecondition the join token was refused (401/403);
//   kInvalidArgument    the server refused the request (other 4xx), or its
//                       reply could not be decoded.
// CancelAll() drops every request in flight without calling its callback;
// the owner of the callbacks calls it before it goes away.
#include <functional>

#include "core/result.h"
#include "protocol/messages.h"

namespace barge::agent {

struct Acknowledged {};  // The reply of events and logs: nothing but success.

class AgentChannel {
 public:
  template <typename T>
  using Reply = std::function<void(Result<T>)>;

  virtual ~AgentChannel() = default;

  virtual void Register(const protocol::RegisterRequest& request,
                        Reply<protocol::RegisterReply> done) = 0;
  virtual void Heartbeat(const protocol::HeartbeatRequest& request,
                         Reply<protocol::HeartbeatReply> done) = 0;
  // Long poll: answers when work is waiting, or after request.wait_ms.
  virtual void Poll(const protocol::PollRequest& request, Reply<protocol::PollReply> done) = 0;
  virtual void SendEvents(const protocol::EventsRequest& request, Reply<Acknowledged> done) = 0;
  virtual void SendLogs(const protocol::LogsRequest& request, Reply<Acknowledged> done) = 0;
  virtual void CancelAll() = 0;
};

}  // namespace barge::agent
