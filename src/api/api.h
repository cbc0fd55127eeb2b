#pragma once
// Api: the AWS Batch REST-JSON API (and CloudWatch Logs' GetLogEvents in AWS
// JSON 1.1, for job output) as a function from HttpRequest to
// HttpReply, with no sockets involved. It checks the body size and the SigV4
// signature, routes (router.h), parses the JSON body, calls the route and
// turns its result or error into the wire shape (error_response.h). The Beast
// server (http_server.h) feeds it; unit tests and the fuzz target call Handle
// directly. It never throws and never crashes on any input.
//
// Runs on the control thread, like the services it calls: Handle is not
// thread-safe.
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "api/http_message.h"
#include "api/router.h"
#include "api/routes/agent.h"
#include "api/sigv4_verifier.h"
#include "control/compute_environment_service.h"
#include "control/cost_service.h"
#include "control/job_definition_service.h"
#include "control/job_queue_service.h"
#include "control/job_service.h"
#include "control/log_service.h"
#include "control/scheduling_policy_service.h"
#include "control/tag_service.h"

namespace barge::api {

// The services the routes call. Not owned; they outlive the Api.
struct ApiServices {
  control::ComputeEnvironmentService& compute_environments;
  control::JobQueueService& job_queues;
  control::JobDefinitionService& job_definitions;
  control::SchedulingPolicyService& scheduling_policies;
  control::TagService& tags;
  // The job operations are served only when set (tests of the resource
  // families leave it out).
  control::JobService* jobs = nullptr;
  // CloudWatch Logs' GetLogEvents (POST / with X-Amz-Target) only when set.
  control::LogService* logs = nullptr;
  // The agent protocol (/agent/v1/...) is served only when set.
  control::AgentService* agents = nullptr;
  // barge's cost extension (GetCostReport, ListInstances) only when set.
  control::CostService* cost = nullptr;
};

struct ApiOptions {
  // Not owned. Null means development mode: signatures are not checked.
  const Sigv4Verifier* verifier = nullptr;
  // Called after each request that succeeded and may have changed a resource
  // (the server uses it to run the status reconciler at once).
  std::function<void()> after_mutation{};
  // The bearer token agents must present; see routes/agent.h.
  std::string agent_token{};
};

class Api {
 public:
  Api(ApiServices services, ApiOptions options);
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  // Always returns a complete reply carrying x-amzn-RequestId and
  // Content-Type: application/json.
  // For a request that completes later (the agent long-poll; SubmitJob when
  // the JobService group-commits) this answers 500 unless the reply is
  // ready at once: servers use HandleAsync.
  HttpReply Handle(const HttpRequest& request);

  // Like Handle, but `done` may run later (on this thread): the agent
  // long-poll completes when work arrives, SubmitJob when its group commit
  // is durable. Every other request calls `done` before HandleAsync returns.
  void HandleAsync(const HttpRequest& request, std::function<void(HttpReply)> done);

 private:
  struct Exchange;  // One AWS API request until it is answered; in api.cc.

  void Serve(const HttpRequest& request, std::function<void(HttpReply)> done);
  // The reply, or nullopt when an asynchronous route answers later through
  // Finish. Sets exchange->route_name and ->mutated, for logging and the hook.
  std::optional<HttpReply> Dispatch(const HttpRequest& request,
                                    const std::shared_ptr<Exchange>& exchange);
  // Runs the mutation hook, logs and calls `done`, once per exchange.
  void Finish(Exchange& exchange, HttpReply reply);

  Router router_;
  ApiOptions options_;
  std::unique_ptr<AgentRoutes> agent_routes_;  // Null without ApiServices::agents.
};

}  // namespace barge::api
