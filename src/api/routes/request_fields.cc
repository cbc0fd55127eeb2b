#include "api/routes/request_fields.h"

#include "codec/json_reader.h"

namespace barge::api {

Result<std::string> RequiredString(const nlohmann::json& body, std::string_view member) {
  codec::JsonReader reader(body, "");
  std::optional<std::string> value = reader.String(member);
  BARGE_RETURN_IF_ERROR(reader.status());
  if (!value || value->empty()) return InvalidArgument(std::string(member) + " is required");
  return std::move(*value);
}

Result<std::vector<std::string>> OptionalStringList(const nlohmann::json& body,
                                                    std::string_view member, size_t max_items) {
  codec::JsonReader reader(body, "");
  std::vector<std::string> values = codec::OrEmpty(reader.StringList(member));
  BARGE_RETURN_IF_ERROR(reader.status());
  if (values.size() > max_items) {
    return InvalidArgument(std::string(member) + " may list at most " + std::to_string(max_items) +
                           " items, not " + std::to_string(values.size()));
  }
  return values;
}

}  // namespace barge::api
