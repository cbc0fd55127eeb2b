// CreateComputeEnvironment, DescribeComputeEnvironments,
// UpdateComputeEnvironment, DeleteComputeEnvironment.
#include "api/pagination.h"
#include "api/routes/request_fields.h"
#include "api/routes/routes.h"
#include "codec/codec.h"

namespace barge::api {
namespace {

using Json = nlohmann::json;

Json NameAndArn(const ComputeEnvironment& ce) {
  return {{"computeEnvironmentName", ce.name}, {"computeEnvironmentArn", ce.arn}};
}

}  // namespace

void AddComputeEnvironmentRoutes(Router& router, control::ComputeEnvironmentService& service) {
  router.AddOperation("createcomputeenvironment",
                      {.name = "CreateComputeEnvironment",
                       .effect = RouteEffect::kMutating,
                       .handler = [&service](const RouteRequest& request) -> Result<Json> {
                         Result<ComputeEnvironment> spec =
                             codec::ComputeEnvironmentFromJson(request.body);
                         if (!spec) return spec.error();
                         Result<ComputeEnvironment> created = service.Create(std::move(*spec));
                         if (!created) return created.error();
                         return NameAndArn(*created);
                       }});

  router.AddOperation(
      "describecomputeenvironments",
      {.name = "DescribeComputeEnvironments",
       .effect = RouteEffect::kReadOnly,
       .handler = [&service](const RouteRequest& request) -> Result<Json> {
         auto names = OptionalStringList(request.body, "computeEnvironments", 100);
         if (!names) return names.error();
         Result<PageRequest> page_request = ReadPageRequest(request.body, PageLimits{});
         if (!page_request) return page_request.error();
         Result<std::vector<ComputeEnvironment>> all = service.Describe(*names);
         if (!all) return all.error();
         return PageReply("computeEnvironments", TakePage(std::move(*all), *page_request),
                          [](const ComputeEnvironment& ce) { return codec::ToJson(ce); });
       }});

  router.AddOperation("updatecomputeenvironment",
                      {.name = "UpdateComputeEnvironment",
                       .effect = RouteEffect::kMutating,
                       .handler = [&service](const RouteRequest& request) -> Result<Json> {
                         Result<ComputeEnvironmentUpdate> update =
                             codec::ComputeEnvironmentUpdateFromJson(request.body);
                         if (!update) return update.error();
                         if (update->compute_environment.empty()) {
                           return InvalidArgument("computeEnvironment is required");
                         }
                         Result<ComputeEnvironment> updated = service.Update(*update);
                         if (!updated) return updated.error();
                         return NameAndArn(*updated);
                       }});

  router.AddOperation("deletecomputeenvironment",
                      {.name = "DeleteComputeEnvironment",
                       .effect = RouteEffect::kMutating,
                       .handler = [&service](const RouteRequest& request) -> Result<Json> {
                         Result<std::string> name =
                             RequiredString(request.body, "computeEnvironment");
                         if (!name) return name.error();
                         BARGE_RETURN_IF_ERROR(service.Delete(*name));
                         return Json::object();
                       }});
}

}  // namespace barge::api
