#pragma once
// FakeAgentChannel: an AgentChannel that records each request with its
// callback; the test answers them when and how it likes (success, 410,
// unreachable), always from outside the agent's own call. Tests only
// (belongs with the shared fakes of src/testing/ once that folder takes it).
#include <deque>
#include <utility>

#include "agent/agent_channel.h"

namespace barge::agent {

class FakeAgentChannel final : public AgentChannel {
 public:
  template <typename Request, typename ReplyType>
  struct Call {
    Request request{};
    Reply<ReplyType> done{};
  };

  void Register(const protocol::RegisterRequest& request,
                Reply<protocol::RegisterReply> done) override {
    registers.push_back({request, std::move(done)});
  }
  void Heartbeat(const protocol::HeartbeatRequest& request,
                 Reply<protocol::HeartbeatReply> done) override {
    heartbeats.push_back({request, std::move(done)});
  }
  void Poll(const protocol::PollRequest& request, Reply<protocol::PollReply> done) override {
    polls.push_back({request, std::move(done)});
  }
  void SendEvents(const protocol::EventsRequest& request, Reply<Acknowledged> done) override {
    events.push_back({request, std::move(done)});
  }
  void SendLogs(const protocol::LogsRequest& request, Reply<Acknowledged> done) override {
    logs.push_back({request, std::move(done)});
  }
  void CancelAll() override {
    ++cancelled;
    registers.clear();
    heartbeats.clear();
    polls.clear();
    events.clear();
    logs.clear();
  }

  // Answers the oldest pending call in `calls` with `reply` (a value or an Error).
  template <typename C, typename R>
  static void Answer(std::deque<C>& calls, R reply) {
    C call = std::move(calls.front());
    calls.pop_front();
    call.done(std::move(reply));
  }

  std::deque<Call<protocol::RegisterRequest, protocol::RegisterReply>> registers{};
  std::deque<Call<protocol::HeartbeatRequest, protocol::HeartbeatReply>> heartbeats{};
  std::deque<Call<protocol::PollRequest, protocol::PollReply>> polls{};
  std::deque<Call<protocol::EventsRequest, Acknowledged>> events{};
  std::deque<Call<protocol::LogsRequest, Acknowledged>> logs{};
  int cancelled = 0;
};

}  // namespace barge::agent
