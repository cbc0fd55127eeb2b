#include "cli/output_formatter.h"

#include <algorithm>
#include <ctime>
#include <string_view>
#include <utility>
#include <vector>

namespace barge::cli {
namespace {

using Row = std::vector<std::string>;

bool EndsWithAt(std::string_view name) { return name.size() > 2 && name.ends_with("At"); }

// Characters on screen, counting each UTF-8 sequence once.
size_t DisplayWidth(std::string_view text) {
  return static_cast<size_t>(std::ranges::count_if(
      text, [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string Scalar(const Json& value, std::string_view member) {
  if (value.is_null()) return "-";
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer() && EndsWithAt(member)) {
    return FormatTimestamp(value.get<int64_t>());
  }
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string Cell(const Json& value, std::string_view member) {
  if (value.is_array()) {
    if (value.empty()) return "-";
    bool scalars = std::ranges::none_of(value, [](const Json& v) { return v.is_structured(); });
    if (!scalars) return value.dump(-1, ' ', false, Json::error_handler_t::replace);
    std::string joined;
    for (const Json& element : value) {
      if (!joined.empty()) joined += ',';
      joined += Scalar(element, member);
    }
    return joined;
  }
  if (value.is_object()) return value.dump(-1, ' ', false, Json::error_handler_t::replace);
  return Scalar(value, member);
}

// The value at a dotted path ("computeResources.maxvCpus"), or null.
const Json& AtPath(const Json& item, std::string_view path) {
  static const Json kNull;
  const Json* current = &item;
  while (!path.empty()) {
    size_t dot = path.find('.');
    std::string name(path.substr(0, dot));
    if (!current->is_object() || !current->contains(name)) return kNull;
    current = &(*current)[name];
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  }
  return *current;
}

// "arn:aws:batch:r:1:compute-environment/ce1" -> "ce1"; other text unchanged.
std::string ResourceName(const std::string& text) {
  if (!text.starts_with("arn:")) return text;
  return text.substr(text.rfind('/') + 1);
}

std::string FormatCell(const Json& item, const Column& column) {
  const Json& value = AtPath(item, column.path);
  std::string_view member = column.path.substr(column.path.rfind('.') + 1);
  switch (column.format) {
    case CellFormat::kComputeEnvironmentOrder: {
      if (!value.is_array() || value.empty()) return "-";
      std::vector<std::pair<int64_t, std::string>> order;
      for (const Json& entry : value) {
        const Json& order_value = AtPath(entry, "order");
        int64_t rank = order_value.is_number_integer() ? order_value.get<int64_t>() : 0;
        order.emplace_back(
            rank, ResourceName(Cell(AtPath(entry, "computeEnvironment"), "computeEnvironment")));
      }
      std::ranges::stable_sort(order, {}, &std::pair<int64_t, std::string>::first);
      std::string joined;
      for (const auto& [rank, name] : order) joined += (joined.empty() ? "" : ",") + name;
      return joined;
    }
    case CellFormat::kArnResourceName: {
      if (!value.is_string()) return Cell(value, member);
      return ResourceName(value.get<std::string>());
    }
    case CellFormat::kPlain:
      break;
  }
  return Cell(value, member);
}

std::string Render(const std::vector<Row>& rows) {
  std::vector<size_t> widths;
  for (const Row& row : rows) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], DisplayWidth(row[i]));
  }
  std::string out;
  for (const Row& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      out += row[i];
      if (i + 1 < row.size()) out += std::string(widths[i] - DisplayWidth(row[i]) + 2, ' ');
    }
    out += '\n';
  }
  return out;
}

void Flatten(const Json& value, const std::string& path, std::string_view member,
             std::vector<Row>& rows) {
  bool nested = (value.is_object() && !value.empty()) ||
                (value.is_array() &&
                 std::ranges::any_of(value, [](const Json& v) { return v.is_structured(); }));
  if (!nested) {
    rows.push_back({path, Cell(value, member)});
    return;
  }
  if (value.is_object()) {
    for (const auto& [key, child] : value.items()) {
      Flatten(child, path.empty() ? key : path + "." + key, key, rows);
    }
    return;
  }
  for (size_t i = 0; i < value.size(); ++i) {
    Flatten(value[i], path + "[" + std::to_string(i) + "]", member, rows);
  }
}

}  // namespace

std::string FormatTimestamp(int64_t epoch_ms) {
  std::time_t seconds = static_cast<std::time_t>(epoch_ms / 1000);
  if (epoch_ms < 0 && epoch_ms % 1000 != 0) --seconds;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

std::string RenderTable(const std::vector<std::vector<std::string>>& rows) { return Render(rows); }

std::string FormatReply(const Operation& op, const Json& reply, OutputFormat format) {
  if (reply.is_object() && reply.empty()) return "";
  if (format == OutputFormat::kJson) {
    return reply.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
  }

  std::string rows_key(op.rows_key);
  if (rows_key.empty() || !reply.is_object() || !reply.contains(rows_key) ||
      !reply[rows_key].is_array()) {
    std::vector<Row> rows;
    Flatten(reply, "", "", rows);
    return Render(rows);
  }
  std::vector<Row> rows;
  Row header;
  for (const Column& column : op.columns) header.emplace_back(column.header);
  rows.push_back(std::move(header));
  for (const Json& item : reply[rows_key]) {
    Row row;
    for (const Column& column : op.columns) row.push_back(FormatCell(item, column));
    rows.push_back(std::move(row));
  }
  std::string out = Render(rows);
  // Whatever else the reply carries (nextToken, NextToken) goes below.
  std::vector<Row> extras;
  for (const auto& [key, value] : reply.items()) {
    if (key != rows_key) Flatten(value, key, key, extras);
  }
  if (!extras.empty()) out += "\n" + Render(extras);
  return out;
}

}  // namespace barge::cli
