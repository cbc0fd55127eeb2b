#include "codec/json_reader.h"

#include <cmath>
#include <limits>

namespace barge::codec {
namespace {

std::string_view KindName(JsonKind kind) {
  switch (kind) {
    case JsonKind::kString:
      return "a string";
    case JsonKind::kBool:
      return "a boolean";
    case JsonKind::kObject:
      return "an object";
    case JsonKind::kStringList:
    case JsonKind::kObjectList:
      return "a list";
    case JsonKind::kStringMap:
      return "an object";
  }
  return "a value";
}

// Dumping never throws here: invalid UTF-8 (only possible in a Json built in
// code, never in a parsed one) is replaced rather than reported.
std::string CompactText(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace

JsonReader::JsonReader(const Json& json, std::string path)
    : JsonReader(json, std::move(path), nullptr) {}

JsonReader::JsonReader(const Json& json, std::string path, std::optional<Error>* error)
    : json_(json), path_(std::move(path)), error_(error == nullptr ? &own_error_ : error) {
  if (!json_.is_object()) {
    Fail(path_.empty() ? "request body must be a JSON object" : path_ + " must be an object");
  }
}

Status JsonReader::status() const {
  if (error_->has_value()) return **error_;
  return Ok();
}

std::string JsonReader::MemberPath(std::string_view member) const {
  if (path_.empty()) return std::string(member);
  std::string out = path_;
  out += '.';
  out += member;
  return out;
}

void JsonReader::Fail(std::string message) {
  if (!error_->has_value()) *error_ = InvalidArgument(std::move(message));
}

const Json* JsonReader::Find(std::string_view member) const {
  if (!json_.is_object()) return nullptr;
  auto it = json_.find(member);
  if (it == json_.end() || it->is_null()) return nullptr;
  return &*it;
}

const Json* JsonReader::List(std::string_view member) {
  const Json* value = Find(member);
  if (value == nullptr) return nullptr;
  if (!value->is_array()) {
    Fail(MemberPath(member) + " must be a list");
    return nullptr;
  }
  return value;
}

std::optional<std::string> JsonReader::String(std::string_view member) {
  const Json* value = Find(member);
  if (value == nullptr) return std::nullopt;
  if (!value->is_string()) {
    Fail(MemberPath(member) + " must be a string");
    return std::nullopt;
  }
  return value->get_ref<const std::string&>();
}

std::optional<int32_t> JsonReader::Int32(std::string_view member) {
  const Json* value = Find(member);
  if (value == nullptr) return std::nullopt;
  constexpr int64_t kMin = std::numeric_limits<int32_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int32_t>::max();
  bool in_range = false;
  int64_t number = 0;
  if (value->is_number_unsigned()) {
    uint64_t raw = value->get<uint64_t>();
    in_range = raw <= static_cast<uint64_t>(kMax);
    number = in_range ? static_cast<int64_t>(raw) : 0;
  } else if (value->is_number_integer()) {
    number = value->get<int64_t>();
    in_range = number >= kMin && number <= kMax;
  } else if (value->is_number_float()) {
    // Python clients may send 2.0 for 2; any fraction is a type error.
    double raw = value->get<double>();
    if (!std::isfinite(raw) || std::trunc(raw) != raw) {
      Fail(MemberPath(member) + " must be an integer");
      return std::nullopt;
    }
    in_range = raw >= static_cast<double>(kMin) && raw <= static_cast<double>(kMax);
    number = in_range ? static_cast<int64_t>(raw) : 0;
  } else {
    Fail(MemberPath(member) + " must be an integer");
    return std::nullopt;
  }
  if (!in_range) {
    Fail(MemberPath(member) + " must be a 32-bit integer");
    return std::nullopt;
  }
  return static_cast<int32_t>(number);
}

std::optional<int64_t> JsonReader::Int64(std::string_view member) {
  const Json* value = Find(member);
  if (value == nullptr) return std::nullopt;
  if (value->is_number_unsigned()) {
    uint64_t raw = value->get<uint64_t>();
    if (raw <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return static_cast<int64_t>(raw);
    }
  } else if (value->is_number_integer()) {
    return value->get<int64_t>();
  } else if (value->is_number_float()) {
    double raw = value->get<double>();
    // 2^63 is exactly representable; anything at or past it is out of range.
    constexpr double kLimit = 9223372036854775808.0;
    if (!std::isfinite(raw) || std::trunc(raw) != raw) {
      Fail(MemberPath(member) + " must be an integer");
      return std::nullopt;
    }
    if (raw >= -kLimit && raw < kLimit) return static_cast<int64_t>(raw);
  } else {
    Fail(MemberPath(member) + " must be an integer");
    return std::nullopt;
  }
  Fail(MemberPath(member) + " must be a 64-bit integer");
  return std::nullopt;
}

std::optional<double> JsonReader::Double(std::string_view member) {
  const Json* value = Find(member);
  if (value == nullptr) return std::nullopt;
  if (!value->is_number()) {
    Fail(MemberPath(member) + " must be a number");
    return std::nullopt;
  }
  return value->get<double>();
}

std::optional<bool> JsonReader::Bool(std::string_view member) {
  const Json* value = Find(member);
  if (value == nullptr) return std::nullopt;
  if (!value->is_boolean()) {
    Fail(MemberPath(member) + " must be a boolean");
    return std::nullopt;
  }
  return value->get<bool>();
}

std::optional<std::vector<std::string>> JsonReader::StringList(std::string_view member) {
  const Json* value = Find(member);
  if (value == nullptr) return std::nullopt;
  if (!CheckKind(*value, MemberPath(member), JsonKind::kStringList)) return std::nullopt;
  std::vector<std::string> out;
  out.reserve(value->size());
  for (const Json& element : *value) out.push_back(element.get_ref<const std::string&>());
  return out;
}

std::optional<std::map<std::string, std::string>> JsonReader::StringMap(std::string_view member) {
  const Json* value = Find(member);
  if (value == nullptr) return std::nullopt;
  if (!CheckKind(*value, MemberPath(member), JsonKind::kStringMap)) return std::nullopt;
  std::map<std::string, std::string> out;
  for (const auto& [key, element] : value->items()) {
    out.emplace(key, element.get_ref<const std::string&>());
  }
  return out;
}

std::map<std::string, std::string> JsonReader::AsStringMap() {
  std::map<std::string, std::string> out;
  if (!json_.is_object()) return out;
  for (const auto& [key, element] : json_.items()) {
    if (!element.is_string()) {
      Fail(MemberPath(key) + " must be a string");
      return {};
    }
    out.emplace(key, element.get_ref<const std::string&>());
  }
  return out;
}

AwsOnlyFields JsonReader::AwsOnly(std::span<const AwsOnlyMember> table) {
  AwsOnlyFields out;
  for (const AwsOnlyMember& entry : table) {
    const Json* value = Find(entry.name);
    if (value == nullptr) continue;
    if (!CheckKind(*value, MemberPath(entry.name), entry.kind)) continue;
    out.emplace(std::string(entry.name), CompactText(*value));
  }
  return out;
}

bool JsonReader::CheckKind(const Json& value, const std::string& path, JsonKind kind) {
  bool shape_ok = false;
  switch (kind) {
    case JsonKind::kString:
      shape_ok = value.is_string();
      break;
    case JsonKind::kBool:
      shape_ok = value.is_boolean();
      break;
    case JsonKind::kObject:
    case JsonKind::kStringMap:
      shape_ok = value.is_object();
      break;
    case JsonKind::kStringList:
    case JsonKind::kObjectList:
      shape_ok = value.is_array();
      break;
  }
  if (!shape_ok) {
    Fail(path + " must be " + std::string(KindName(kind)));
    return false;
  }
  if (kind == JsonKind::kStringList || kind == JsonKind::kObjectList) {
    bool want_string = kind == JsonKind::kStringList;
    for (size_t i = 0; i < value.size(); ++i) {
      const Json& element = value[i];
      if (want_string ? element.is_string() : element.is_object()) continue;
      Fail(path + "[" + std::to_string(i) + "] must be " +
           (want_string ? "a string" : "an object"));
      return false;
    }
  }
  if (kind == JsonKind::kStringMap) {
    for (const auto& [key, element] : value.items()) {
      if (element.is_string()) continue;
      Fail(path + "." + key + " must be a string");
      return false;
    }
  }
  return true;
}

}  // namespace barge::codec
