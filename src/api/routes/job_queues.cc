// CreateJobQueue, DescribeJobQueues, UpdateJobQueue, DeleteJobQueue.
#include "api/pagination.h"
#include "api/routes/request_fields.h"
#include "api/routes/routes.h"
#include "codec/codec.h"

namespace barge::api {
namespace {

using Json = nlohmann::json;

Json NameAndArn(const JobQueue& queue) {
  return {{"jobQueueName", queue.name}, {"jobQueueArn", queue.arn}};
}

}  // namespace

void AddJobQueueRoutes(Router& router, control::JobQueueService& service) {
  router.AddOperation("createjobqueue",
                      {.name = "CreateJobQueue",
                       .effect = RouteEffect::kMutating,
                       .handler = [&service](const RouteRequest& request) -> Result<Json> {
                         Result<JobQueue> spec = codec::JobQueueFromJson(request.body);
                         if (!spec) return spec.error();
                         Result<JobQueue> created = service.Create(std::move(*spec));
                         if (!created) return created.error();
                         return NameAndArn(*created);
                       }});

  router.AddOperation(
      "describejobqueues",
      {.name = "DescribeJobQueues",
       .effect = RouteEffect::kReadOnly,
       .handler = [&service](const RouteRequest& request) -> Result<Json> {
         auto names = OptionalStringList(request.body, "jobQueues", 100);
         if (!names) return names.error();
         Result<PageRequest> page_request = ReadPageRequest(request.body, PageLimits{});
         if (!page_request) return page_request.error();
         Result<std::vector<JobQueue>> all = service.Describe(*names);
         if (!all) return all.error();
         return PageReply("jobQueues", TakePage(std::move(*all), *page_request),
                          [](const JobQueue& queue) { return codec::ToJson(queue); });
       }});

  router.AddOperation("updatejobqueue",
                      {.name = "UpdateJobQueue",
                       .effect = RouteEffect::kMutating,
                       .handler = [&service](const RouteRequest& request) -> Result<Json> {
                         Result<JobQueueUpdate> update =
                             codec::JobQueueUpdateFromJson(request.body);
                         if (!update) return update.error();
                         if (update->job_queue.empty()) {
                           return InvalidArgument("jobQueue is required");
                         }
                         Result<JobQueue> updated = service.Update(*update);
                         if (!updated) return updated.error();
                         return NameAndArn(*updated);
                       }});

  router.AddOperation("deletejobqueue",
                      {.name = "DeleteJobQueue",
                       .effect = RouteEffect::kMutating,
                       .handler = [&service](const RouteRequest& request) -> Result<Json> {
                         Result<std::string> name = RequiredString(request.body, "jobQueue");
                         if (!name) return name.error();
                         BARGE_RETURN_IF_ERROR(service.Delete(*name));
                         return Json::object();
                       }});
}

}  // namespace barge::api
