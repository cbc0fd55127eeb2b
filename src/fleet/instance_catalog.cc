#include "fleet/instance_catalog.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <system_error>
#include <tuple>
#include <utility>

#include "core/check.h"

namespace barge::fleet {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kBuiltInCatalog =
#include "fleet/instance_types_json.inc"
    ;

constexpr std::string_view kOptimal = "optimal";
constexpr std::string_view kDefaultX86 = "default_x86_64";
constexpr std::string_view kDefaultArm = "default_arm64";
constexpr std::string_view kX86 = "x86_64";
constexpr std::string_view kArm = "arm64";

constexpr std::array<std::string_view, 2> kTopLevelFields = {"optimalFamilies", "instanceTypes"};
constexpr std::array<std::string_view, 9> kEntryFields = {"name",
                                                          "family",
                                                          "vcpus",
                                                          "memoryMiB",
                                                          "gpus",
                                                          "architecture",
                                                          "onDemandPricePerHour",
                                                          "spotPricePerHour",
                                                          "spotInterruption"};

bool Contains(std::span<const std::string_view> fields, std::string_view field) {
  return std::find(fields.begin(), fields.end(), field) != fields.end();
}

// nlohmann's what() starts with "[json.exception.parse_error.101] "; users
// need only the part after it.
std::string WithoutExceptionId(const char* what) {
  std::string_view text = what;
  if (size_t end = text.find("] "); !text.empty() && text.front() == '[' && end != text.npos) {
    text.remove_prefix(end + 2);
  }
  return std::string(text);
}

// How a rejected value is shown: scalars as JSON, containers by kind only.
std::string Shown(const Json& value) {
  return value.is_primitive() ? value.dump() : std::string(value.type_name());
}

// Reads the fields of one instanceTypes entry. Like codec's JsonReader it
// keeps the first error, so ParseEntry reads as a flat list of fields; every
// message names the entry by index and, once known, by name.
class EntryReader {
 public:
  EntryReader(const Json& entry, size_t index) : entry_(entry), index_(index) {}

  bool ok() const { return !error_.has_value(); }
  const Error& error() const { return *error_; }
  void set_name(std::string name) { name_ = std::move(name); }

  void Fail(std::string_view field, const std::string& problem) {
    if (!error_) error_ = InvalidArgument(Label() + ": " + std::string(field) + " " + problem);
  }

  // An absent member and a JSON null both read as "not set".
  const Json* Find(std::string_view field) const {
    auto it = entry_.find(std::string(field));
    return it == entry_.end() || it->is_null() ? nullptr : &*it;
  }

  std::optional<std::string> String(std::string_view field) {
    const Json* value = Find(field);
    if (value == nullptr) return std::nullopt;
    if (!value->is_string()) {
      Fail(field, "must be a string, got " + Shown(*value));
      return std::nullopt;
    }
    return value->get<std::string>();
  }

  // An integer in [min, max]; `kind` says which in messages ("a positive integer").
  std::optional<int64_t> Integer(std::string_view field, int64_t min, int64_t max,
                                 std::string_view kind) {
    const Json* value = Find(field);
    if (value == nullptr) return std::nullopt;
    bool in_range = false;
    int64_t number = 0;
    if (value->is_number_unsigned()) {
      uint64_t unsigned_number = value->get<uint64_t>();
      in_range = unsigned_number <= static_cast<uint64_t>(max);
      number = in_range ? static_cast<int64_t>(unsigned_number) : 0;
    } else if (value->is_number_integer()) {
      number = value->get<int64_t>();
      in_range = true;
    }
    if (!in_range || number < min || number > max) {
      Fail(field, "must be " + std::string(kind) + ", got " + Shown(*value));
      return std::nullopt;
    }
    return number;
  }

  // A price: a finite number that is not negative.
  std::optional<double> Price(std::string_view field) {
    const Json* value = Find(field);
    if (value == nullptr) return std::nullopt;
    double number = value->is_number() ? value->get<double>() : -1;
    if (!std::isfinite(number) || number < 0) {
      Fail(field, "must be a non-negative number, got " + Shown(*value));
      return std::nullopt;
    }
    return number;
  }

  void RejectUnknownFields() {
    for (const auto& [key, unused] : entry_.items()) {
      // A misspelt optional field would otherwise silently take its default.
      if (!Contains(kEntryFields, key)) Fail(key, "is not a known field");
    }
  }

 private:
  std::string Label() const {
    std::string label = "instanceTypes[" + std::to_string(index_) + "]";
    if (!name_.empty()) label += " (" + name_ + ")";
    return label;
  }

  const Json& entry_;
  size_t index_ = 0;
  std::string name_;
  std::optional<Error> error_;
};

Result<InstanceType> ParseEntry(const Json& entry, size_t index) {
  if (!entry.is_object()) {
    return InvalidArgument("instanceTypes[" + std::to_string(index) + "] must be an object, got " +
                           Shown(entry));
  }
  EntryReader in(entry, index);
  std::optional<std::string> name = in.String("name");
  if (!in.ok()) return in.error();
  if (!name) in.Fail("name", "is required");
  if (name && name->empty()) in.Fail("name", "must not be empty");
  if (!in.ok()) return in.error();
  in.set_name(*name);
  // Resolve reads these as keywords, so a type with such a name could never be chosen.
  if (*name == kOptimal || *name == kDefaultX86 || *name == kDefaultArm) {
    in.Fail("name", "is reserved");
  }
  in.RejectUnknownFields();

  constexpr int64_t kMaxInt32 = std::numeric_limits<int32_t>::max();
  constexpr int64_t kMaxInt64 = std::numeric_limits<int64_t>::max();
  std::optional<std::string> family = in.String("family");
  std::optional<int64_t> vcpus = in.Integer("vcpus", 1, kMaxInt32, "a positive integer");
  std::optional<int64_t> memory_mib = in.Integer("memoryMiB", 1, kMaxInt64, "a positive integer");
  std::optional<int64_t> gpus = in.Integer("gpus", 0, kMaxInt32, "a non-negative integer");
  std::optional<std::string> architecture = in.String("architecture");
  std::optional<double> on_demand = in.Price("onDemandPricePerHour");
  std::optional<double> spot = in.Price("spotPricePerHour");
  std::optional<std::string> band_text = in.String("spotInterruption");
  if (!in.ok()) return in.error();

  if (family && family->empty()) in.Fail("family", "must not be empty");
  if (!vcpus) in.Fail("vcpus", "is required");
  if (!memory_mib) in.Fail("memoryMiB", "is required");
  if (!on_demand) in.Fail("onDemandPricePerHour", "is required");
  if (architecture && *architecture != kX86 && *architecture != kArm) {
    in.Fail("architecture", "must be x86_64 or arm64, got \"" + *architecture + "\"");
  }
  std::optional<InterruptionBand> band = InterruptionBand::kUnder5;
  if (band_text) {
    band = ParseInterruptionBand(*band_text);
    if (!band) {
      in.Fail("spotInterruption",
              "must be one of <5%, 5-10%, 10-15%, 15-20%, >20%, got \"" + *band_text + "\"");
    }
  }
  if (!in.ok()) return in.error();

  return InstanceType{
      .name = *name,
      // Own hardware may use names without a '.'; such a type is its own family.
      .family = family ? *family : name->substr(0, name->find('.')),
      .vcpus = static_cast<int32_t>(*vcpus),
      .memory_mib = *memory_mib,
      .gpus = static_cast<int32_t>(gpus.value_or(0)),
      .architecture = architecture.value_or(std::string(kX86)),
      .on_demand_per_hour = *on_demand,
      .spot_per_hour = spot.value_or(*on_demand),
      .interruption = *band,
  };
}

Result<std::vector<std::string>> ParseOptimalFamilies(const Json& catalog,
                                                      const std::vector<InstanceType>& types) {
  std::vector<std::string> families;
  auto it = catalog.find("optimalFamilies");
  if (it == catalog.end() || it->is_null()) return families;
  if (!it->is_array()) {
    return InvalidArgument("optimalFamilies must be a list of strings, got " + Shown(*it));
  }
  for (size_t i = 0; i < it->size(); ++i) {
    const Json& family = (*it)[i];
    std::string where = "optimalFamilies[" + std::to_string(i) + "]";
    if (!family.is_string()) {
      return InvalidArgument(where + " must be a string, got " + Shown(family));
    }
    std::string name = family.get<std::string>();
    // A typo here would make "optimal" quietly narrower than intended.
    bool known = std::any_of(types.begin(), types.end(),
                             [&](const InstanceType& type) { return type.family == name; });
    if (!known) {
      return InvalidArgument(where + " names family " + name + ", which no instance type is in");
    }
    families.push_back(std::move(name));
  }
  return families;
}

}  // namespace

InstanceCatalog::InstanceCatalog(std::vector<InstanceType> types,
                                 std::vector<std::string> optimal_families)
    : types_(std::move(types)), optimal_families_(std::move(optimal_families)) {}

Result<InstanceCatalog> InstanceCatalog::Parse(std::string_view json) {
  // Only parse() is expected to throw: the checks below test each value's
  // type before reading it. The second catch keeps "no exceptions leave
  // Parse" true should one of those checks be missed.
  try {
    Json catalog = Json::parse(json.begin(), json.end());
    if (!catalog.is_object()) {
      return InvalidArgument("instance type catalog must be a JSON object, got " + Shown(catalog));
    }
    for (const auto& [key, unused] : catalog.items()) {
      if (!Contains(kTopLevelFields, key)) {
        return InvalidArgument("instance type catalog: " + key + " is not a known field");
      }
    }
    auto entries = catalog.find("instanceTypes");
    if (entries == catalog.end() || entries->is_null()) {
      return InvalidArgument("instanceTypes is required");
    }
    if (!entries->is_array()) {
      return InvalidArgument("instanceTypes must be a list, got " + Shown(*entries));
    }
    if (entries->empty()) return InvalidArgument("instanceTypes must list at least one type");

    std::vector<InstanceType> types;
    std::map<std::string, size_t, std::less<>> index_of_name;
    for (size_t i = 0; i < entries->size(); ++i) {
      Result<InstanceType> type = ParseEntry((*entries)[i], i);
      if (!type) return type.error();
      auto [first, inserted] = index_of_name.emplace(type->name, i);
      if (!inserted) {
        return InvalidArgument("instanceTypes[" + std::to_string(i) + "] (" + type->name +
                               "): name repeats instanceTypes[" + std::to_string(first->second) +
                               "]");
      }
      types.push_back(std::move(type).value());
    }
    Result<std::vector<std::string>> optimal = ParseOptimalFamilies(catalog, types);
    if (!optimal) return optimal.error();

    std::sort(types.begin(), types.end(), [](const InstanceType& a, const InstanceType& b) {
      return std::tie(a.family, a.vcpus, a.name) < std::tie(b.family, b.vcpus, b.name);
    });
    return InstanceCatalog(std::move(types), std::move(optimal).value());
  } catch (const Json::parse_error& e) {
    return InvalidArgument("instance type catalog is not valid JSON: " +
                           WithoutExceptionId(e.what()));
  } catch (const Json::exception& e) {
    return InvalidArgument("instance type catalog: " + WithoutExceptionId(e.what()));
  }
}

Result<InstanceCatalog> InstanceCatalog::Load(const std::string& path) {
  std::error_code ignored;
  // An ifstream opens a directory and then reads nothing from it.
  if (std::filesystem::is_directory(path, ignored)) {
    return NotFound("cannot read instance type catalog " + path + ": it is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::string reason = std::generic_category().message(errno);
    if (!reason.empty()) reason[0] = static_cast<char>(std::tolower(reason[0]));  // House style.
    return NotFound("cannot read instance type catalog " + path + ": " + reason);
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return NotFound("cannot read instance type catalog " + path);

  Result<InstanceCatalog> catalog = Parse(text);
  if (!catalog) {
    return InvalidArgument("instance type catalog " + path + ": " + catalog.error().message);
  }
  return catalog;
}

InstanceCatalog InstanceCatalog::BuiltIn() {
  Result<InstanceCatalog> catalog = Parse(kBuiltInCatalog);
  BARGE_CHECK(catalog.ok(), catalog.ok() ? "" : catalog.error().message.c_str());
  return std::move(catalog).value();
}

const InstanceType* InstanceCatalog::Find(std::string_view name) const {
  auto it = std::find_if(types_.begin(), types_.end(),
                         [&](const InstanceType& type) { return type.name == name; });
  return it == types_.end() ? nullptr : &*it;
}

Result<std::vector<InstanceType>> InstanceCatalog::Resolve(
    const std::vector<std::string>& names) const {
  std::vector<const InstanceType*> picked;
  // Adds every type `matches` accepts; false when there was none.
  auto pick = [&](auto matches) {
    size_t before = picked.size();
    for (const InstanceType& type : types_) {
      if (matches(type)) picked.push_back(&type);
    }
    return picked.size() > before;
  };
  auto resolve_one = [&](std::string_view name) -> Status {
    bool matched = false;
    if (name == kOptimal || name == kDefaultX86) {
      matched = pick([&](const InstanceType& type) {
        if (type.architecture != kX86) return false;
        return optimal_families_.empty() ||
               std::find(optimal_families_.begin(), optimal_families_.end(), type.family) !=
                   optimal_families_.end();
      });
    } else if (name == kDefaultArm) {
      matched = pick([](const InstanceType& type) { return type.architecture == kArm; });
    } else if (const InstanceType* exact = Find(name); exact != nullptr) {
      picked.push_back(exact);
      matched = true;
    } else {
      matched = pick([&](const InstanceType& type) { return type.family == name; });
    }
    if (!matched) {
      return InvalidArgument("instance type " + std::string(name) +
                             " matches no instance type or family in the catalog");
    }
    return Ok();
  };
  if (names.empty()) {
    BARGE_RETURN_IF_ERROR(resolve_one(kOptimal));  // What AWS Batch does with no types.
  }
  for (const std::string& name : names) BARGE_RETURN_IF_ERROR(resolve_one(name));

  std::sort(picked.begin(), picked.end(), [](const InstanceType* a, const InstanceType* b) {
    return std::tie(a->vcpus, a->on_demand_per_hour, a->name) <
           std::tie(b->vcpus, b->on_demand_per_hour, b->name);
  });
  // Names are unique, so the same type picked twice sorts next to itself.
  picked.erase(std::unique(picked.begin(), picked.end()), picked.end());

  std::vector<InstanceType> resolved;
  resolved.reserve(picked.size());
  for (const InstanceType* type : picked) {
    if (type->architecture != picked.front()->architecture) {
      return InvalidArgument("instance types must share one architecture: " + picked.front()->name +
                             " is " + picked.front()->architecture + " but " + type->name + " is " +
                             type->architecture);
    }
    resolved.push_back(*type);
  }
  return resolved;
}

}  // namespace barge::fleet
