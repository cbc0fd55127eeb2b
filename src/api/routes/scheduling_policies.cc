// CreateSchedulingPolicy, DescribeSchedulingPolicies, ListSchedulingPolicies,
// UpdateSchedulingPolicy, DeleteSchedulingPolicy.
#include "api/pagination.h"
#include "api/routes/request_fields.h"
#include "api/routes/routes.h"
#include "codec/codec.h"

namespace barge::api {
namespace {

using Json = nlohmann::json;

// ListSchedulingPolicies returns up to 1000 per page in AWS, but defaults to 100 here
// like the other paginated operations.
constexpr PageLimits kListLimits{.default_max_results = 100, .max_max_results = 1000};

}  // namespace

void AddSchedulingPolicyRoutes(Router& router, control::SchedulingPolicyService& service) {
  router.AddOperation("createschedulingpolicy",
                      {.name = "CreateSchedulingPolicy",
                       .effect = RouteEffect::kMutating,
                       .handler = [&service](const RouteRequest& request) -> Result<Json> {
                         Result<SchedulingPolicy> spec =
                             codec::SchedulingPolicyFromJson(request.body);
                         if (!spec) return spec.error();
                         Result<SchedulingPolicy> created = service.Create(std::move(*spec));
                         if (!created) return created.error();
                         return Json{{"name", created->name}, {"arn", created->arn}};
                       }});

  router.AddOperation("describeschedulingpolicies",
                      {.name = "DescribeSchedulingPolicies",
                       .effect = RouteEffect::kReadOnly,
                       .handler = [&service](const RouteRequest& request) -> Result<Json> {
                         auto arns = OptionalStringList(request.body, "arns", 100);
                         if (!arns) return arns.error();
                         if (arns->empty()) return InvalidArgument("arns is required");
                         Result<std::vector<SchedulingPolicy>> policies = service.Describe(*arns);
                         if (!policies) return policies.error();
                         Json items = Json::array();
                         for (const SchedulingPolicy& policy : *policies)
                           items.push_back(codec::ToJson(policy));
                         return Json{{"schedulingPolicies", std::move(items)}};
                       }});

  router.AddOperation(
      "listschedulingpolicies",
      {.name = "ListSchedulingPolicies",
       .effect = RouteEffect::kReadOnly,
       .handler = [&service](const RouteRequest& request) -> Result<Json> {
         Result<PageRequest> page_request = ReadPageRequest(request.body, kListLimits);
         if (!page_request) return page_request.error();
         Result<std::vector<SchedulingPolicy>> all = service.List();
         if (!all) return all.error();
         return PageReply("schedulingPolicies", TakePage(std::move(*all), *page_request),
                          [](const SchedulingPolicy& policy) {
                            return Json{{"arn", policy.arn}};
                          });
       }});

  router.AddOperation("updateschedulingpolicy",
                      {.name = "UpdateSchedulingPolicy",
                       .effect = RouteEffect::kMutating,
                       .handler = [&service](const RouteRequest& request) -> Result<Json> {
                         Result<SchedulingPolicyUpdate> update =
                             codec::SchedulingPolicyUpdateFromJson(request.body);
                         if (!update) return update.error();
                         if (update->arn.empty()) return InvalidArgument("arn is required");
                         Result<SchedulingPolicy> updated = service.Update(*update);
                         if (!updated) return updated.error();
                         return Json::object();
                       }});

  router.AddOperation("deleteschedulingpolicy",
                      {.name = "DeleteSchedulingPolicy",
                       .effect = RouteEffect::kMutating,
                       .handler = [&service](const RouteRequest& request) -> Result<Json> {
                         Result<std::string> arn = RequiredString(request.body, "arn");
                         if (!arn) return arn.error();
                         BARGE_RETURN_IF_ERROR(service.Delete(*arn));
                         return Json::object();
                       }});
}

}  // namespace barge::api
