#include "cli/request_builder.h"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>

#include "cli/batch_operations.h"
#include "util/sigv4.h"

namespace barge::cli {
namespace {

constexpr std::string_view kFilePrefix = "file://";

// The first non-blank character, or '\0'.
char FirstChar(std::string_view text) {
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return c;
  }
  return '\0';
}

Error ParamError(const Param& param, const std::string& why) {
  return InvalidArgument("Error parsing parameter '--" + std::string(param.flag) + "': " + why);
}

Result<Json> ParseJson(const Param& param, const std::string& text) {
  Json value = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    return ParamError(param, "Invalid JSON:\nJSON received: " + text);
  }
  return value;
}

const char* TypeName(const Json& value) {
  if (value.is_object()) return "structure";
  if (value.is_array()) return "list";
  if (value.is_string()) return "string";
  if (value.is_boolean()) return "boolean";
  if (value.is_number()) return "number";
  return "null";
}

Status ExpectType(const Param& param, const Json& value, bool want_object) {
  bool ok = want_object ? value.is_object() : value.is_array();
  if (ok) return Ok();
  return ParamError(param, std::string("expected a JSON ") + (want_object ? "object" : "array") +
                               ", got a " + TypeName(value));
}

// One structure from a JSON word or a shorthand word.
Result<Json> ParseStructureWord(const Param& param, const std::string& word) {
  if (FirstChar(word) == '{') return ParseJson(param, word);
  Result<Json> parsed = ParseShorthand(word);
  if (!parsed) return ParamError(param, parsed.error().message);
  return parsed;
}

Result<Json> ConvertWords(const Param& param, const std::vector<std::string>& raw_words) {
  std::vector<std::string> words = raw_words;
  if (words.size() == 1) {
    Result<std::string> resolved = ResolveParamFile(words.front());
    if (!resolved) return resolved.error();
    words.front() = std::move(resolved).value();
  }
  if (words.empty()) return ParamError(param, "expected a value");
  const std::string& first = words.front();
  switch (param.kind) {
    case ParamKind::kString:
      return Json(first);
    case ParamKind::kInteger: {
      std::string_view digits = first;
      if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
      int64_t number = 0;
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
      if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
        return ParamError(param, "invalid integer value: '" + first + "'");
      }
      return Json(number);
    }
    case ParamKind::kBoolean:
      return Json(first == "true");
    case ParamKind::kStringList: {
      if (words.size() == 1 && FirstChar(first) == '[') {
        Result<Json> list = ParseJson(param, first);
        if (!list) return list;
        BARGE_RETURN_IF_ERROR(ExpectType(param, *list, /*want_object=*/false));
        return list;
      }
      Json list = Json::array();
      for (const std::string& word : words) list.push_back(word);
      return list;
    }
    case ParamKind::kStructure: {
      Result<Json> value = ParseStructureWord(param, first);
      if (!value) return value;
      BARGE_RETURN_IF_ERROR(ExpectType(param, *value, /*want_object=*/true));
      if (FirstChar(first) != '{') {
        Status typed = ApplyShape(*value, param.shape, BatchShapes());
        if (!typed) return ParamError(param, typed.error().message);
      }
      return value;
    }
    case ParamKind::kStructureList: {
      if (words.size() == 1 && FirstChar(first) == '[') {
        Result<Json> list = ParseJson(param, first);
        if (!list) return list;
        BARGE_RETURN_IF_ERROR(ExpectType(param, *list, /*want_object=*/false));
        return list;
      }
      Json list = Json::array();
      bool any_shorthand = false;
      for (const std::string& word : words) {
        Result<Json> element = ParseStructureWord(param, word);
        if (!element) return element;
        any_shorthand = any_shorthand || FirstChar(word) != '{';
        list.push_back(std::move(element).value());
      }
      if (any_shorthand) {
        Status typed = ApplyShape(list, param.shape, BatchShapes());
        if (!typed) return ParamError(param, typed.error().message);
      }
      return list;
    }
    case ParamKind::kStringMap: {
      Result<Json> map = ParseStructureWord(param, first);
      if (!map) return map;
      BARGE_RETURN_IF_ERROR(ExpectType(param, *map, /*want_object=*/true));
      for (const auto& [key, value] : map->items()) {
        if (!value.is_string()) {
          return ParamError(param, "Invalid type for " + std::string(param.member) + "." + key +
                                       ", value: " + value.dump() + ", type: " + TypeName(value) +
                                       ", valid types: string");
        }
      }
      return map;
    }
  }
  return ParamError(param, "unsupported parameter kind");
}

// The --cli-input-json base body, checked against the operation's members.
Result<Json> InputJson(const Operation& op, const std::string& word) {
  Result<std::string> text = ResolveParamFile(word);
  if (!text) return text.error();
  Json input = Json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (input.is_discarded() || !input.is_object()) {
    return InvalidArgument("Error parsing parameter '--cli-input-json': Invalid JSON received.");
  }
  for (const auto& [key, value] : input.items()) {
    bool known = false;
    for (const Param& param : op.params) known = known || param.member == key;
    if (!known) {
      std::string members;
      for (const Param& param : op.params) {
        if (!members.empty()) members += ", ";
        members += param.member;
      }
      return InvalidArgument("Unknown parameter in input: \"" + key +
                             "\", must be one of: " + members);
    }
  }
  return input;
}

std::string ValueAsText(const Json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

}  // namespace

Result<std::string> ResolveParamFile(const std::string& value) {
  if (value.compare(0, kFilePrefix.size(), kFilePrefix) != 0) return value;
  std::string path = value.substr(kFilePrefix.size());
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return InvalidArgument("Unable to load paramfile " + value + ": " + std::strerror(errno));
  }
  std::ostringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

Result<ApiRequest> BuildRequest(const Operation& op, const FlagWords& words) {
  Json members = Json::object();
  if (auto input = words.find("cli-input-json"); input != words.end() && !input->second.empty()) {
    Result<Json> base = InputJson(op, input->second.front());
    if (!base) return base.error();
    members = std::move(base).value();
  }
  for (const Param& param : op.params) {
    auto found = words.find(param.flag);
    if (found == words.end()) continue;
    Result<Json> value = ConvertWords(param, found->second);
    if (!value) return value.error();
    members[std::string(param.member)] = std::move(value).value();
  }

  std::string missing;
  for (const Param& param : op.params) {
    if (!param.required || members.contains(std::string(param.member))) continue;
    if (!missing.empty()) missing += ", ";
    missing += "--" + std::string(param.flag);
  }
  if (!missing.empty()) {
    return InvalidArgument("the following arguments are required: " + missing);
  }

  ApiRequest request{.method = std::string(op.method), .path = std::string(op.path)};
  for (const Param& param : op.params) {
    std::string member(param.member);
    if (!members.contains(member)) continue;
    if (param.location == ParamLocation::kPath) {
      std::string label = "{" + member + "}";
      std::string encoded = sigv4::UriEncode(ValueAsText(members[member]), /*encode_slash=*/true);
      request.path.replace(request.path.find(label), label.size(), encoded);
    } else if (param.location == ParamLocation::kQuery) {
      const Json& value = members[member];
      for (const Json& element : value.is_array() ? value : Json::array({value})) {
        if (!request.query.empty()) request.query += '&';
        request.query += sigv4::UriEncode(member, true) + "=" +
                         sigv4::UriEncode(ValueAsText(element), /*encode_slash=*/true);
      }
    } else {
      request.body[member] = members[member];
    }
  }
  return request;
}

}  // namespace barge::cli
