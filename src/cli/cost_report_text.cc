#include "cli/cost_report_text.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <optional>
#include <vector>

#include "cli/output_formatter.h"
#include "util/duration_text.h"

namespace barge::cli {
namespace {

using JsonValue = nlohmann::json;
using Row = std::vector<std::string>;

std::optional<int64_t> Digits(std::string_view text) {
  int64_t value = 0;
  if (text.empty() || !std::isdigit(static_cast<unsigned char>(text.front()))) return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// "hh:mm[:ss[.fff]]" as milliseconds into the day.
std::optional<int64_t> TimeOfDay(std::string_view text) {
  if (text.size() < 5 || text[2] != ':') return std::nullopt;
  std::optional<int64_t> hours = Digits(text.substr(0, 2));
  std::optional<int64_t> minutes = Digits(text.substr(3, 2));
  int64_t seconds = 0;
  int64_t millis = 0;
  text.remove_prefix(5);
  if (!text.empty()) {
    if (text.size() < 3 || text[0] != ':') return std::nullopt;
    std::optional<int64_t> ss = Digits(text.substr(1, 2));
    if (!ss || *ss > 59) return std::nullopt;
    seconds = *ss;
    text.remove_prefix(3);
  }
  if (!text.empty()) {
    if (text[0] != '.' || text.size() < 2 || !Digits(text.substr(1))) return std::nullopt;
    std::string fraction(text.substr(1, 3));
    fraction.resize(3, '0');
    millis = *Digits(fraction);
  }
  if (!hours || !minutes || *hours > 23 || *minutes > 59) return std::nullopt;
  return ((*hours * 60 + *minutes) * 60 + seconds) * 1000 + millis;
}

// "YYYY-MM-DD[(T| )hh:mm[:ss[.fff]][Z]]", UTC.
std::optional<int64_t> IsoUtc(std::string_view text) {
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  std::optional<int64_t> y = Digits(text.substr(0, 4));
  std::optional<int64_t> m = Digits(text.substr(5, 2));
  std::optional<int64_t> d = Digits(text.substr(8, 2));
  if (!y || !m || !d) return std::nullopt;
  std::chrono::year_month_day date{std::chrono::year(static_cast<int>(*y)),
                                   std::chrono::month(static_cast<unsigned>(*m)),
                                   std::chrono::day(static_cast<unsigned>(*d))};
  if (!date.ok()) return std::nullopt;
  int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::sys_days(date).time_since_epoch())
                   .count();
  text.remove_prefix(10);
  if (text.empty()) return ms;
  if (text[0] != 'T' && text[0] != ' ') return std::nullopt;
  text.remove_prefix(1);
  if (text.ends_with('Z')) text.remove_suffix(1);
  std::optional<int64_t> time = TimeOfDay(text);
  if (!time) return std::nullopt;
  return ms + *time;
}

double Number(const JsonValue& object, const char* member) {
  auto found = object.find(member);
  return found != object.end() && found->is_number() ? found->get<double>() : 0;
}

std::string Text(const JsonValue& object, const char* member) {
  auto found = object.find(member);
  return found != object.end() && found->is_string() ? found->get<std::string>() : "-";
}

std::string Time(const JsonValue& object, const char* member) {
  auto found = object.find(member);
  if (found == object.end() || !found->is_number_integer()) return "-";
  return FormatTimestamp(found->get<int64_t>());
}

std::string Hours(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", seconds / 3600);
  return text;
}

std::string Percent(double part, double whole) {
  if (whole <= 0) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.1f%%", 100 * part / whole);
  return text;
}

const JsonValue& List(const JsonValue& object, const char* member) {
  static const JsonValue kEmpty = JsonValue::array();
  auto found = object.find(member);
  return found != object.end() && found->is_array() ? *found : kEmpty;
}

}  // namespace

std::string FormatUsd(double amount) {
  char text[48];
  std::snprintf(text, sizeof text, "%s$%.4f", amount < 0 ? "-" : "", amount < 0 ? -amount : amount);
  return text;
}

Result<int64_t> ParseTimeArgument(std::string_view flag, std::string_view text, int64_t now_ms) {
  if (std::optional<int64_t> epoch_ms = Digits(text)) return *epoch_ms;
  if (!text.empty() && std::isalpha(static_cast<unsigned char>(text.back())) &&
      text.back() != 'Z') {
    if (std::optional<std::chrono::seconds> ago = ParseDurationText(text)) {
      return now_ms - std::chrono::duration_cast<std::chrono::milliseconds>(*ago).count();
    }
  } else if (std::optional<int64_t> at = IsoUtc(text)) {
    return *at;
  }
  return InvalidArgument("--" + std::string(flag) +
                         " must be epoch milliseconds, an ISO-8601 UTC time "
                         "(2025-11-25T02:40:12Z) or a time before now (24h, 30m, 7d), not '" +
                         std::string(text) + "'");
}

std::string RenderCostReport(const JsonValue& report, size_t max_jobs) {
  double total = Number(report, "totalCost");
  double idle = Number(report, "idleCost");
  double on_demand = Number(report, "onDemandCost");
  double savings = Number(report, "savings");
  std::string out = "Cost from " + Time(report, "since") + " to " + Time(report, "until") + " (" +
                    Text(report, "currency") + ")\n";
  out += "Total " + FormatUsd(total) + "   idle " + FormatUsd(idle) + " (" + Percent(idle, total) +
         ")   on-demand equivalent " + FormatUsd(on_demand) + "   savings " + FormatUsd(savings) +
         " (" + Percent(savings, on_demand) + ")\n";

  const JsonValue& environments = List(report, "computeEnvironments");
  if (environments.empty()) return out + "\nNo managed instance ran in this period.\n";
  std::vector<Row> rows{{"COMPUTE ENVIRONMENT", "COST", "IDLE", "ON-DEMAND", "INSTANCE-HOURS"}};
  for (const JsonValue& row : environments) {
    rows.push_back({Text(row, "computeEnvironmentName"), FormatUsd(Number(row, "cost")),
                    FormatUsd(Number(row, "idleCost")), FormatUsd(Number(row, "onDemandCost")),
                    Hours(Number(row, "instanceSeconds"))});
  }
  out += "\n" + RenderTable(rows);

  const JsonValue& queues = List(report, "jobQueues");
  if (!queues.empty()) {
    rows = {{"JOB QUEUE", "COST", "ON-DEMAND", "VCPU-HOURS"}};
    for (const JsonValue& row : queues) {
      rows.push_back({Text(row, "jobQueueName"), FormatUsd(Number(row, "cost")),
                      FormatUsd(Number(row, "onDemandCost")), Hours(Number(row, "vcpuSeconds"))});
    }
    out += "\n" + RenderTable(rows);
  }

  const JsonValue& jobs = List(report, "jobs");
  size_t job_count = jobs.size();
  if (auto count = report.find("jobCount"); count != report.end() && count->is_number_integer()) {
    job_count = static_cast<size_t>(std::max<int64_t>(0, count->get<int64_t>()));
  }
  if (!jobs.empty() && max_jobs > 0) {
    rows = {{"JOB ID", "NAME", "QUEUE", "ENVIRONMENT", "VCPU-HOURS", "COST", "ON-DEMAND"}};
    for (size_t i = 0; i < jobs.size() && i < max_jobs; ++i) {
      const JsonValue& row = jobs[i];
      rows.push_back({Text(row, "jobId"), Text(row, "jobName"), Text(row, "jobQueue"),
                      Text(row, "computeEnvironment"), Hours(Number(row, "vcpuSeconds")),
                      FormatUsd(Number(row, "cost")), FormatUsd(Number(row, "onDemandCost"))});
    }
    out += "\n" + RenderTable(rows);
  }
  size_t shown = std::min(jobs.size(), max_jobs);
  if (job_count > shown) {
    out += "... and " + std::to_string(job_count - shown) +
           " more jobs (--output json lists them all)\n";
  }
  return out;
}

std::string RenderInstances(const JsonValue& reply) {
  const JsonValue& instances = List(reply, "instances");
  if (instances.empty()) return "No instances.\n";
  std::vector<Row> rows{
      {"INSTANCE ID", "ENVIRONMENT", "TYPE", "CAPACITY", "STATE", "LAUNCHED", "TERMINATED", "$/H"}};
  for (const JsonValue& row : instances) {
    std::string type = "-";
    if (auto found = row.find("instanceType"); found != row.end() && found->is_object()) {
      type = Text(*found, "name");
    }
    rows.push_back({Text(row, "instanceId"), Text(row, "computeEnvironment"), type,
                    Text(row, "capacityType"), Text(row, "state"), Time(row, "launchedAt"),
                    Time(row, "terminatedAt"), FormatUsd(Number(row, "pricePerHour"))});
  }
  return RenderTable(rows);
}

}  // namespace barge::cli
