// libFuzzer target for the request parsing and validation path: the bytes
// become one HTTP request (an operation chosen by the first byte, the rest as
// its JSON body, or as a raw tags target, or as a GetLogEvents body) handed to Api::Handle over a real
// service graph on an in-memory SQLite store. Any crash, sanitizer report or
// reply without the AWS error shape is a bug.
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "api/api.h"
#include "control/compute_environment_service.h"
#include "control/dependency_resolver.h"
#include "control/job_definition_service.h"
#include "control/job_events.h"
#include "control/job_queue_service.h"
#include "control/job_service.h"
#include "control/log_service.h"
#include "control/resource_status_reconciler.h"
#include "control/scheduling_policy_service.h"
#include "control/tag_service.h"
#include "core/arn.h"
#include "core/clock.h"
#include "store/sqlite_store.h"

namespace {

constexpr std::array<std::string_view, 27> kTargets{
    "/v1/createcomputeenvironment", "/v1/describecomputeenvironments",
    "/v1/updatecomputeenvironment", "/v1/deletecomputeenvironment",
    "/v1/createjobqueue",           "/v1/describejobqueues",
    "/v1/updatejobqueue",           "/v1/deletejobqueue",
    "/v1/registerjobdefinition",    "/v1/describejobdefinitions",
    "/v1/deregisterjobdefinition",  "/v1/createschedulingpolicy",
    "/v1/describeschedulingpolicies", "/v1/listschedulingpolicies",
    "/v1/updateschedulingpolicy",   "/v1/deleteschedulingpolicy",
    "/v1/tags/arn%3Aaws%3Abatch%3Aus-east-1%3A000000000000%3Ajob-queue%2Fq",
    "/v1/tags/",                    "/v1/",
    "/v1/submitjob",                "/v1/describejobs",
    "/v1/listjobs",                 "/v1/canceljob",
    "/v1/terminatejob",             "/v1/canceljobs",
    "/v1/terminatejobs",            "/v1/submitjob",
};

// The whole server-side object graph (jobs included), rebuilt every 500 inputs so the store
// stays small: a describe-everything request over thousands of large job definitions is
// slow under the sanitizers, and libFuzzer would report it as a timeout.
struct Graph {
  std::unique_ptr<barge::SqliteStore> store =
      std::move(barge::SqliteStore::Open(":memory:")).value();
  barge::ArnFormatter arns{"us-east-1", "000000000000"};
  barge::control::ComputeEnvironmentService ces{*store, arns};
  barge::control::JobQueueService queues{*store, arns};
  barge::control::JobDefinitionService definitions{*store, arns};
  barge::control::SchedulingPolicyService policies{*store, arns};
  barge::control::TagService tags{*store, arns};
  barge::control::ResourceStatusReconciler reconciler{*store};
  barge::SystemClock clock;
  barge::control::NoJobEvents job_events;
  barge::control::DependencyResolver dependencies{*store, clock, job_events};
  // Arrays of at most 50 children: 500 inputs of 10,000-child arrays would
  // outgrow the fuzzer's memory limit before the graph is rebuilt.
  barge::control::JobService jobs{*store,      clock,        arns, definitions,
                                  job_events,  dependencies, {.max_array_size = 50}};
  barge::control::LogService logs{*store};
  barge::api::Api api{{.compute_environments = ces,
                       .job_queues = queues,
                       .job_definitions = definitions,
                       .scheduling_policies = policies,
                       .tags = tags,
                       .jobs = &jobs,
                       .logs = &logs},
                      {.after_mutation = [this] { (void)reconciler.Tick(); }}};
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::unique_ptr<Graph> graph;
  static int runs = 0;
  if (!graph || ++runs % 500 == 0) graph = std::make_unique<Graph>();
  if (size == 0) return 0;

  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  barge::api::HttpRequest request;
  uint8_t selector = data[0];
  if (selector == 0xff) {
    // Raw target: exercises percent-decoding and tags query parsing.
    request.method = "DELETE";
    request.target = "/v1/tags/" + std::string(rest);
  } else {
    request.method = (selector & 0x80) ? "GET" : "POST";
    request.target = std::string(kTargets[selector % kTargets.size()]);
    request.body = std::string(rest);
  }
  request.headers = {{"Content-Type", "application/json"}, {"Host", "127.0.0.1"}};
  if (selector == 0xfe) {
    // CloudWatch Logs' GetLogEvents: POST / routed by X-Amz-Target.
    request.method = "POST";
    request.target = "/";
    request.headers = {{"Content-Type", "application/x-amz-json-1.1"},
                       {"X-Amz-Target", "Logs_20140328.GetLogEvents"},
                       {"Host", "127.0.0.1"}};
  }

  barge::api::HttpReply reply = graph->api.Handle(request);

  bool has_request_id = barge::api::FindHeader(reply.headers, "x-amzn-RequestId").has_value();
  bool is_error = reply.status >= 400;
  bool has_error_type = barge::api::FindHeader(reply.headers, "x-amzn-ErrorType").has_value();
  if (!has_request_id || (is_error && !has_error_type) || reply.status >= 500) {
    // Say what went wrong before libFuzzer's "deadly signal", which alone names no cause.
    std::fprintf(stderr, "bad reply to %s %s: status %d, body %s\n", request.method.c_str(),
                 request.target.c_str(), reply.status, reply.body.c_str());
    std::abort();
  }
  return 0;
}
