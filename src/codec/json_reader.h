#pragma once
// JsonReader: strict, typed access to the members of one JSON object. Every
// decoder in codec/ is written with it, and api/ may use it for the request
// shapes that have no domain type (ListJobs, Describe*, ...).
//
// A reader keeps the first error it meets, the way a std::istream keeps its
// failbit: a getter that finds a member of the wrong type records
// "<path> must be <kind>" and returns nullopt, later errors are dropped, and
// the decoder checks status() once at the end. Decoders therefore read as a
// flat list of members instead of one early return per member. Readers for
// nested objects (Object, ObjectList) share the root reader's error slot.
//
// Conventions:
//  - Paths: members join with '.', list elements add "[i]", map entries add
//    ".<key>" ("containerProperties.environment[2].name"). An empty root path
//    means the request body; a non-object body is "request body must be a
//    JSON object".
//  - An absent member and a JSON null both read as "not set", as in AWS.
//  - Int32 accepts JSON integers in [-2^31, 2^31 - 1] and floats with an exact
//    integral value (1.0); 1.5 is "must be an integer", 2^31 is
//    "must be a 32-bit integer".
//  - Kinds in messages: "a string", "an integer", "a number", "a boolean",
//    "an object", "a list".
//
// Never throws. Not thread-safe: it lives on the stack of one decode call and
// refers to the Json it reads (which must outlive it).
#include <cstdint>
#include <exception>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/common_types.h"
#include "core/result.h"

namespace barge::codec {

using Json = nlohmann::json;

// The JSON type an AWS-only member must have.
enum class JsonKind { kString, kBool, kObject, kStringList, kStringMap, kObjectList };

// One AWS model member barge accepts, stores and returns without interpreting.
struct AwsOnlyMember {
  std::string_view name{};
  JsonKind kind = JsonKind::kString;
};

class JsonReader {
 public:
  // Reads `json` as an object found at `path` ("" for a request body).
  JsonReader(const Json& json, std::string path);
  JsonReader(const JsonReader&) = delete;
  JsonReader& operator=(const JsonReader&) = delete;

  bool ok() const { return !error_->has_value(); }
  // OK, or the first kInvalidArgument recorded by this reader or its children.
  Status status() const;
  const std::string& path() const { return path_; }
  // "path.member", or "member" at the root.
  std::string MemberPath(std::string_view member) const;
  // True when `member` is present and not null.
  bool Has(std::string_view member) const { return Find(member) != nullptr; }
  // Records `message` unless an earlier error is already recorded.
  void Fail(std::string message);

  std::optional<std::string> String(std::string_view member);
  std::optional<int32_t> Int32(std::string_view member);
  // Like Int32 over the whole int64 range (epoch milliseconds); "must be a 64-bit integer".
  std::optional<int64_t> Int64(std::string_view member);
  std::optional<double> Double(std::string_view member);
  std::optional<bool> Bool(std::string_view member);
  std::optional<std::vector<std::string>> StringList(std::string_view member);
  std::optional<std::map<std::string, std::string>> StringMap(std::string_view member);

  // This whole object as a map of strings ("tags"): each member must be a string.
  std::map<std::string, std::string> AsStringMap();

  // A string member that must be one of a fixed set: `parse` maps the wire
  // text, and `allowed` ("MANAGED, UNMANAGED") goes into
  // "<path> must be one of <allowed>".
  template <typename E>
  std::optional<E> Enum(std::string_view member, std::optional<E> (*parse)(std::string_view),
                        std::string_view allowed) {
    std::optional<std::string> text = String(member);
    if (!text) return std::nullopt;
    std::optional<E> value = parse(*text);
    if (!value) Fail(MemberPath(member) + " must be one of " + std::string(allowed));
    return value;
  }

  // Decodes the object at `member` with `read(JsonReader&)`. nullopt when the
  // member is absent or not an object (then an error is recorded).
  template <typename Read>
  auto Object(std::string_view member, Read&& read)
      -> std::optional<std::invoke_result_t<Read&, JsonReader&>> {
    const Json* value = Find(member);
    if (value == nullptr) return std::nullopt;
    JsonReader child(*value, MemberPath(member), error_);
    if (!value->is_object()) return std::nullopt;
    return read(child);
  }

  // Decodes each element of the list at `member` with `read(JsonReader&)`.
  // nullopt when absent or not a list; an element that is not an object
  // records an error.
  template <typename Read>
  auto ObjectList(std::string_view member, Read&& read)
      -> std::optional<std::vector<std::invoke_result_t<Read&, JsonReader&>>> {
    const Json* value = List(member);
    if (value == nullptr) return std::nullopt;
    std::vector<std::invoke_result_t<Read&, JsonReader&>> out;
    out.reserve(value->size());
    for (size_t i = 0; i < value->size(); ++i) {
      JsonReader child((*value)[i], MemberPath(member) + "[" + std::to_string(i) + "]", error_);
      out.push_back(read(child));
    }
    return out;
  }

  // Type-checks the members named in `table` and returns each one present as
  // compact JSON text, for AwsOnlyFields. Members not in the table are ignored.
  AwsOnlyFields AwsOnly(std::span<const AwsOnlyMember> table);

 private:
  JsonReader(const Json& json, std::string path, std::optional<Error>* error);
  // The member's value, or nullptr when absent, null, or this is no object.
  const Json* Find(std::string_view member) const;
  // The member's value when it is a list; nullptr (and an error unless absent) otherwise.
  const Json* List(std::string_view member);
  // Checks `value` found at `path` against `kind`, recording the first mismatch.
  bool CheckKind(const Json& value, const std::string& path, JsonKind kind);

  const Json& json_;
  std::string path_;
  std::optional<Error> own_error_{};
  std::optional<Error>* error_;  // &own_error_ at the root, the root's slot in children.
};

// The value of `value`, or an empty T when it is not set: for list and map
// members where "absent" and "empty" mean the same.
template <typename T>
T OrEmpty(std::optional<T> value) {
  return value ? std::move(*value) : T{};
}

// Runs `decode` (returning Result<T>) and turns any exception that escapes it
// into an error, so no exception leaves the codec: a JSON library exception
// becomes kInvalidArgument, anything else kInternal.
template <typename Decode>
auto NoThrow(Decode&& decode) noexcept -> std::invoke_result_t<Decode&> {
  try {
    return decode();
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument(std::string("malformed JSON: ") + e.what());
  } catch (const std::exception& e) {
    return Internal(std::string("decoding failed: ") + e.what());
  } catch (...) {
    return Internal("decoding failed");
  }
}

// Decodes the object `json` found at `path` with `read(JsonReader&)`, as the
// public XxxFromJson functions do: type errors become kInvalidArgument and no
// exception escapes.
template <typename Read>
auto DecodeObject(const Json& json, std::string_view path, Read&& read)
    -> Result<std::invoke_result_t<Read&, JsonReader&>> {
  return NoThrow([&]() -> Result<std::invoke_result_t<Read&, JsonReader&>> {
    JsonReader reader(json, std::string(path));
    auto value = read(reader);
    if (Status status = reader.status(); !status) return status.error();
    return value;
  });
}

}  // namespace barge::codec
