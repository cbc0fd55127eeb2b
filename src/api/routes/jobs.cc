// SubmitJob, DescribeJobs, ListJobs, CancelJob, TerminateJob, CancelJobs,
// TerminateJobs.
//
// ListJobs pages with a keyset cursor instead of api/pagination.h's offset,
// because jobs arrive all the time: the token is the hex of
// "j1:<createdAt ms>:<jobId>", the last job of the page, so the next page
// starts right after it whatever was submitted in between.
//
// The job routes are RouteEffect::kReadOnly: they change jobs, never the
// status of a compute environment or queue, so the server's reconciler has
// nothing to do after them (and SubmitJob stays cheap).

// clang-format off
// routes.h (this file's own header) comes first: router.h declares an
// enumerator that error_response.h's constant of the same name would
// otherwise shadow (-Wshadow).
#include "api/routes/routes.h"
// clang-format on

#include <charconv>

#include "api/error_response.h"
#include "api/routes/request_fields.h"
#include "codec/job_codec.h"
#include "codec/json_reader.h"

namespace barge::api {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kTokenPrefix = "j1:";
constexpr std::string_view kJobStatuses =
    "SUBMITTED, PENDING, RUNNABLE, STARTING, RUNNING, SUCCEEDED, FAILED";

std::string EncodeJobToken(const JobListCursor& cursor) {
  constexpr std::string_view kHex = "0123456789abcdef";
  std::string text = std::string(kTokenPrefix) + std::to_string(ToEpochMillis(cursor.created_at)) +
                     ":" + cursor.id;
  std::string out;
  out.reserve(text.size() * 2);
  for (unsigned char c : text) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

Result<JobListCursor> DecodeJobToken(std::string_view token) {
  Error invalid = InvalidArgument("invalid nextToken");
  if (token.empty() || token.size() % 2 != 0 || token.size() > 512) return invalid;
  std::string text;
  for (size_t i = 0; i < token.size(); i += 2) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(token.data() + i, token.data() + i + 2, value, 16);
    if (ec != std::errc{} || end != token.data() + i + 2) return invalid;
    text += static_cast<char>(value);
  }
  if (!text.starts_with(kTokenPrefix)) return invalid;
  std::string_view rest = std::string_view(text).substr(kTokenPrefix.size());
  size_t colon = rest.find(':');
  if (colon == std::string_view::npos || colon + 1 == rest.size()) return invalid;
  int64_t ms = 0;
  auto [end, ec] = std::from_chars(rest.data(), rest.data() + colon, ms);
  if (ec != std::errc{} || end != rest.data() + colon) return invalid;
  return JobListCursor{.created_at = FromEpochMillis(ms),
                       .id = std::string(rest.substr(colon + 1))};
}

Result<control::JobListRequest> ReadListRequest(const Json& body) {
  codec::JsonReader r(body, "");
  control::JobListRequest request{
      .job_queue = r.String("jobQueue").value_or(""),
      .array_job_id = r.String("arrayJobId"),
      .multi_node_job_id = r.String("multiNodeJobId"),
      .job_status = r.Enum("jobStatus", &ParseJobStatus, kJobStatuses),
      .filters = codec::OrEmpty(r.ObjectList("filters",
                                             [](codec::JsonReader& f) {
                                               return control::KeyValues{
                                                   .name = f.String("name").value_or(""),
                                                   .values = codec::OrEmpty(f.StringList("values")),
                                               };
                                             })),
      .max_results = r.Int32("maxResults"),
  };
  std::optional<std::string> token = r.String("nextToken");
  BARGE_RETURN_IF_ERROR(r.status());
  if (token) {
    auto cursor = DecodeJobToken(*token);
    if (!cursor) return cursor.error();
    request.start_after = std::move(cursor).value();
  }
  return request;
}

Json BulkReply(const control::BulkJobResult& result) {
  Json errors = Json::array();
  for (const control::JobFailure& failure : result.failed) {
    errors.push_back(Json{{"job", failure.job_id},
                          {"code", ToErrorShape(failure.error.code).aws_type},
                          {"message", failure.error.message}});
  }
  return Json{{"successful", result.successful}, {"errors", std::move(errors)}};
}

using StopOne = Status (control::JobService::*)(const std::string&, const std::string&);
using StopMany = Result<control::BulkJobResult> (control::JobService::*)(
    const std::vector<std::string>&, const std::string&);

RouteHandler StopOneHandler(control::JobService& service, StopOne stop) {
  return [&service, stop](const RouteRequest& request) -> Result<Json> {
    Result<std::string> job_id = RequiredString(request.body, "jobId");
    if (!job_id) return job_id.error();
    Result<std::string> reason = RequiredString(request.body, "reason");
    if (!reason) return reason.error();
    BARGE_RETURN_IF_ERROR((service.*stop)(*job_id, *reason));
    return Json::object();
  };
}

RouteHandler StopManyHandler(control::JobService& service, StopMany stop) {
  return [&service, stop](const RouteRequest& request) -> Result<Json> {
    auto ids = OptionalStringList(request.body, "jobs", control::JobService::kMaxBulkJobs);
    if (!ids) return ids.error();
    Result<std::string> reason = RequiredString(request.body, "reason");
    if (!reason) return reason.error();
    auto result = (service.*stop)(*ids, *reason);
    if (!result) return result.error();
    return BulkReply(*result);
  };
}

}  // namespace

void AddJobRoutes(Router& router, control::JobService& service) {
  const ArnFormatter& arns = service.arns();

  router.AddOperation("submitjob",
                      {.name = "SubmitJob",
                       .effect = RouteEffect::kReadOnly,
                       // Answered once the group commit holding the job is durable.
                       .async_handler =
                           [&service](const RouteRequest& request, RouteReply reply) {
                             auto submission = codec::JobSubmissionFromJson(request.body);
                             if (!submission) return reply(submission.error());
                             service.SubmitAsync(
                                 *submission, request.body_bytes,
                                 [reply = std::move(reply)](
                                     Result<control::SubmittedJob> submitted) {
                                   if (!submitted) return reply(submitted.error());
                                   reply(Json{{"jobArn", submitted->job_arn},
                                              {"jobName", submitted->job_name},
                                              {"jobId", submitted->job_id}});
                                 });
                           }});

  router.AddOperation("describejobs",
                      {.name = "DescribeJobs",
                       .effect = RouteEffect::kReadOnly,
                       .handler = [&service, &arns](const RouteRequest& request) -> Result<Json> {
                         if (!request.body.contains("jobs"))
                           return InvalidArgument("jobs is required");
                         auto ids = OptionalStringList(request.body, "jobs",
                                                       control::JobService::kMaxDescribeJobs);
                         if (!ids) return ids.error();
                         auto jobs = service.Describe(*ids);
                         if (!jobs) return jobs.error();
                         Json out = Json::array();
                         for (const Job& job : *jobs)
                           out.push_back(codec::JobDetailToJson(job, arns));
                         return Json{{"jobs", std::move(out)}};
                       }});

  router.AddOperation("listjobs",
                      {.name = "ListJobs",
                       .effect = RouteEffect::kReadOnly,
                       .handler = [&service, &arns](const RouteRequest& request) -> Result<Json> {
                         auto list_request = ReadListRequest(request.body);
                         if (!list_request) return list_request.error();
                         auto page = service.List(*list_request);
                         if (!page) return page.error();
                         Json summaries = Json::array();
                         for (const Job& job : page->jobs) {
                           summaries.push_back(codec::JobSummaryToJson(job, arns));
                         }
                         Json out{{"jobSummaryList", std::move(summaries)}};
                         if (page->next) out["nextToken"] = EncodeJobToken(*page->next);
                         return out;
                       }});

  router.AddOperation("canceljob",
                      {.name = "CancelJob",
                       .effect = RouteEffect::kReadOnly,
                       .handler = StopOneHandler(service, &control::JobService::Cancel)});
  router.AddOperation("terminatejob",
                      {.name = "TerminateJob",
                       .effect = RouteEffect::kReadOnly,
                       .handler = StopOneHandler(service, &control::JobService::Terminate)});
  router.AddOperation("canceljobs",
                      {.name = "CancelJobs",
                       .effect = RouteEffect::kReadOnly,
                       .handler = StopManyHandler(service, &control::JobService::CancelMany)});
  router.AddOperation("terminatejobs",
                      {.name = "TerminateJobs",
                       .effect = RouteEffect::kReadOnly,
                       .handler = StopManyHandler(service, &control::JobService::TerminateMany)});
}

}  // namespace barge::api
