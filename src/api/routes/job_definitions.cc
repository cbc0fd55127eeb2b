// RegisterJobDefinition, DescribeJobDefinitions, DeregisterJobDefinition.
#include "api/pagination.h"
#include "api/routes/request_fields.h"
#include "api/routes/routes.h"
#include "codec/codec.h"
#include "codec/json_reader.h"

namespace barge::api {
namespace {

using Json = nlohmann::json;

Result<control::JobDefinitionQuery> ReadQuery(const Json& body) {
  control::JobDefinitionQuery query;
  auto definitions = OptionalStringList(body, "jobDefinitions", 100);
  if (!definitions) return definitions.error();
  query.job_definitions = std::move(*definitions);
  codec::JsonReader reader(body, "");
  query.name = reader.String("jobDefinitionName");
  query.status = reader.Enum("status", &ParseJobDefinitionStatus, "ACTIVE, INACTIVE");
  BARGE_RETURN_IF_ERROR(reader.status());
  return query;
}

}  // namespace

void AddJobDefinitionRoutes(Router& router, control::JobDefinitionService& service) {
  router.AddOperation("registerjobdefinition",
                      {.name = "RegisterJobDefinition",
                       .effect = RouteEffect::kMutating,
                       .handler = [&service](const RouteRequest& request) -> Result<Json> {
                         Result<JobDefinition> spec = codec::JobDefinitionFromJson(request.body);
                         if (!spec) return spec.error();
                         Result<JobDefinition> registered =
                             service.Register(std::move(*spec), request.body_bytes);
                         if (!registered) return registered.error();
                         return Json{{"jobDefinitionName", registered->name},
                                     {"jobDefinitionArn", registered->arn},
                                     {"revision", registered->revision}};
                       }});

  router.AddOperation(
      "describejobdefinitions",
      {.name = "DescribeJobDefinitions",
       .effect = RouteEffect::kReadOnly,
       .handler = [&service](const RouteRequest& request) -> Result<Json> {
         Result<control::JobDefinitionQuery> query = ReadQuery(request.body);
         if (!query) return query.error();
         Result<PageRequest> page_request = ReadPageRequest(request.body, PageLimits{});
         if (!page_request) return page_request.error();
         Result<std::vector<JobDefinition>> all = service.Describe(*query);
         if (!all) return all.error();
         return PageReply(
             "jobDefinitions", TakePage(std::move(*all), *page_request),
             [](const JobDefinition& definition) { return codec::ToJson(definition); });
       }});

  router.AddOperation("deregisterjobdefinition",
                      {.name = "DeregisterJobDefinition",
                       .effect = RouteEffect::kMutating,
                       .handler = [&service](const RouteRequest& request) -> Result<Json> {
                         Result<std::string> definition =
                             RequiredString(request.body, "jobDefinition");
                         if (!definition) return definition.error();
                         BARGE_RETURN_IF_ERROR(service.Deregister(*definition));
                         return Json::object();
                       }});
}

}  // namespace barge::api
