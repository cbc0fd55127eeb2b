#pragma once
// HttpAgentChannel: the AgentChannel over HTTP/1.1 + JSON (Boost.Beast),
// asynchronous on the agent's own io_context, so the agent stays one thread
// with no locks (STYLE.md) and the long poll costs nothing while it waits.
// (The alternative, blocking calls on a helper thread posting results back,
// would need a thread per concurrent request and locks around cancellation.)
//
// Three keep-alive connections ("lanes"), each sending its requests one at a
// time in order: one for the long poll, one for register and heartbeat, one
// for events and logs, so a slow log upload never delays the lease or the
// next assignment. A request on a reused connection that the server had
// already closed is sent once more on a fresh one. Plain http:// only; put a
// TLS terminator in front of the server for https.
//
// Status mapping: 2xx -> decoded reply; 410 -> kNotFound; 401/403 ->
// kFailedPrecondition; 404 (no agent protocol at that URL yet), 5xx,
// connection failures and timeouts -> kUnavailable; other 4xx and
// undecodable replies -> kInvalidArgument.
//
// Create, use and destroy on the io_context's thread. Callbacks are never
// called after CancelAll() or destruction.
#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>
#include <utility>  // Before Boost: Asio 1.74 under C++20 needs it.

#include "agent/agent_channel.h"
#include "core/time.h"

namespace barge::agent {

struct HttpAgentChannelOptions {
  std::string server_url = "http://127.0.0.1:8000";  // http://host[:port][/base]
  std::string token{};  // Sent as "Authorization: Bearer <token>" when not empty.
  Duration request_timeout = std::chrono::seconds(30);
  // A poll may take its wait_ms; it times out this much later.
  Duration poll_slack = std::chrono::seconds(10);
};

class HttpAgentChannel final : public AgentChannel {
 public:
  // kInvalidArgument when server_url is not an http:// URL.
  static Result<std::unique_ptr<HttpAgentChannel>> Create(boost::asio::io_context& io,
                                                          HttpAgentChannelOptions options);
  ~HttpAgentChannel() override;
  HttpAgentChannel(const HttpAgentChannel&) = delete;
  HttpAgentChannel& operator=(const HttpAgentChannel&) = delete;

  void Register(const protocol::RegisterRequest& request,
                Reply<protocol::RegisterReply> done) override;
  void Heartbeat(const protocol::HeartbeatRequest& request,
                 Reply<protocol::HeartbeatReply> done) override;
  void Poll(const protocol::PollRequest& request, Reply<protocol::PollReply> done) override;
  void SendEvents(const protocol::EventsRequest& request, Reply<Acknowledged> done) override;
  void SendLogs(const protocol::LogsRequest& request, Reply<Acknowledged> done) override;
  void CancelAll() override;

 private:
  class Lane;
  struct Endpoint {
    std::string host{};
    std::string port{};
    std::string base_path{};  // "" or "/prefix"
  };
  HttpAgentChannel(boost::asio::io_context& io, Endpoint endpoint, HttpAgentChannelOptions options);

  HttpAgentChannelOptions options_;
  std::shared_ptr<Lane> poll_lane_;
  std::shared_ptr<Lane> control_lane_;
  std::shared_ptr<Lane> report_lane_;
};

}  // namespace barge::agent
