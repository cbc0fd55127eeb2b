#include "codec/json_writer.h"

namespace barge::codec {

void PutIfNotEmpty(Json& out, std::string_view member, const std::string& value) {
  if (!value.empty()) out[std::string(member)] = value;
}

void PutIfNotEmpty(Json& out, std::string_view member, const std::vector<std::string>& value) {
  if (!value.empty()) out[std::string(member)] = value;
}

void PutIfNotEmpty(Json& out, std::string_view member,
                   const std::map<std::string, std::string>& value) {
  if (!value.empty()) out[std::string(member)] = value;
}

void PutAwsOnly(Json& out, const AwsOnlyFields& aws_only) {
  for (const auto& [member, text] : aws_only) {
    if (out.contains(member)) continue;
    Json value = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded()) continue;
    out[member] = std::move(value);
  }
}

}  // namespace barge::codec
