// ListTagsForResource (GET), TagResource (POST) and UntagResource (DELETE) on
// /v1/tags/{resourceArn}.
#include "api/routes/routes.h"
#include "codec/codec.h"

namespace barge::api {
namespace {

using Json = nlohmann::json;

}  // namespace

void AddTagRoutes(Router& router, control::TagService& service) {
  router.AddTagsMethod("GET", {.name = "ListTagsForResource",
                               .effect = RouteEffect::kReadOnly,
                               .handler = [&service](const RouteRequest& request) -> Result<Json> {
                                 Result<Tags> tags = service.List(request.resource_arn);
                                 if (!tags) return tags.error();
                                 return Json{{"tags", Json(*tags)}};
                               },
                               .has_body = false});

  router.AddTagsMethod("POST", {.name = "TagResource",
                                .effect = RouteEffect::kMutating,
                                .handler = [&service](const RouteRequest& request) -> Result<Json> {
                                  auto member = request.body.find("tags");
                                  if (member == request.body.end() || member->is_null()) {
                                    return InvalidArgument("tags is required");
                                  }
                                  Result<Tags> tags = codec::TagsFromJson(*member, "tags");
                                  if (!tags) return tags.error();
                                  BARGE_RETURN_IF_ERROR(service.Tag(request.resource_arn, *tags));
                                  return Json::object();
                                },
                                .has_body = true});

  router.AddTagsMethod("DELETE",
                       {.name = "UntagResource",
                        .effect = RouteEffect::kMutating,
                        .handler = [&service](const RouteRequest& request) -> Result<Json> {
                          std::vector<std::string> keys;
                          for (const auto& [name, value] : request.query) {
                            if (name == "tagKeys") keys.push_back(value);
                          }
                          if (keys.empty()) return InvalidArgument("tagKeys is required");
                          BARGE_RETURN_IF_ERROR(service.Untag(request.resource_arn, keys));
                          return Json::object();
                        },
                        .has_body = false});
}

}  // namespace barge::api
