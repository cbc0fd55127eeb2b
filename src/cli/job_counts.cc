#include "cli/job_counts.h"

#include <algorithm>
#include <sstream>

#include "cli/output_formatter.h"
#include "cli/shorthand.h"

namespace barge::cli {
namespace {

std::string Cell(int64_t count, bool capped) {
  return std::to_string(count) + (capped ? "+" : "");
}

std::string FormatInterval(double seconds) {
  std::ostringstream text;
  text << seconds;  // 2 -> "2", 0.5 -> "0.5".
  return text.str();
}

}  // namespace

std::string RenderJobCountsTable(const JobCountsSnapshot& snapshot, const TableHeader& header) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> titles = {"QUEUE"};
  for (std::string_view state : kJobStates) titles.emplace_back(state);
  rows.push_back(std::move(titles));

  QueueJobCounts total{.queue = "TOTAL"};
  for (const QueueJobCounts& queue : snapshot.queues) {
    std::vector<std::string> row = {queue.queue};
    for (size_t i = 0; i < kJobStates.size(); ++i) {
      row.push_back(Cell(queue.counts[i], queue.capped[i]));
      total.counts[i] += queue.counts[i];
      total.capped[i] = total.capped[i] || queue.capped[i];
    }
    rows.push_back(std::move(row));
  }
  if (snapshot.queues.size() > 1) {
    std::vector<std::string> row = {total.queue};
    for (size_t i = 0; i < kJobStates.size(); ++i) {
      row.push_back(Cell(total.counts[i], total.capped[i]));
    }
    rows.push_back(std::move(row));
  }

  std::vector<size_t> widths(rows.front().size(), 0);
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  }

  std::string text = "Job counts at " + FormatTimestamp(snapshot.taken_at_ms);
  if (header.interval_seconds > 0) text += ", every " + FormatInterval(header.interval_seconds) + "s";
  if (!header.endpoint.empty()) text += " (" + header.endpoint + ")";
  text += "\n\n";
  if (snapshot.queues.empty()) return text + "No job queues.\n";
  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      if (c == 0) {
        line += row[c] + std::string(widths[c] - row[c].size(), ' ');
      } else {
        line += "  " + std::string(widths[c] - row[c].size(), ' ') + row[c];
      }
    }
    text += line + "\n";
  }
  return text;
}

std::string RenderJobCountsJson(const JobCountsSnapshot& snapshot) {
  Json queues = Json::array();
  for (const QueueJobCounts& queue : snapshot.queues) {
    Json counts = Json::object();
    Json capped = Json::array();
    for (size_t i = 0; i < kJobStates.size(); ++i) {
      counts[std::string(kJobStates[i])] = queue.counts[i];
      if (queue.capped[i]) capped.push_back(kJobStates[i]);
    }
    queues.push_back(
        Json{{"jobQueueName", queue.queue}, {"counts", counts}, {"capped", capped}});
  }
  Json line = {{"timestamp", snapshot.taken_at_ms}, {"queues", std::move(queues)}};
  return line.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace barge::cli
