#include "agent/attempt_ledger.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "executor/attempt_files.h"

namespace barge::agent {
namespace {

using Json = nlohmann::json;

constexpr size_t kCompactAfterLines = 4096;

std::string Line(const AttemptProgress& p) {
  Json json{{"attempt_id", p.attempt_id},         {"started_at_ms", p.started_at_ms},
            {"started_acked", p.started_acked},   {"exited_acked", p.exited_acked},
            {"log_sequence", p.shipped.sequence}, {"log_offset", p.shipped.offset}};
  if (p.result) json["result"] = Json::parse(executor::EncodeResult(*p.result));
  return json.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
}

// Applies one journal line to `entries`; false when it is not a valid line.
bool Apply(const std::string& text, std::map<std::string, AttemptProgress>& entries) {
  Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return false;
  try {
    std::string id = json.at("attempt_id").get<std::string>();
    if (json.value("removed", false)) {
      entries.erase(id);
      return true;
    }
    AttemptProgress p{.attempt_id = id,
                      .started_at_ms = json.value("started_at_ms", int64_t{0}),
                      .started_acked = json.value("started_acked", false),
                      .exited_acked = json.value("exited_acked", false),
                      .shipped = {.sequence = json.value("log_sequence", int64_t{0}),
                                  .offset = json.value("log_offset", int64_t{0})}};
    if (json.contains("result") && json["result"].is_object()) {
      Result<executor::AttemptResult> result = executor::DecodeResult(json["result"].dump());
      if (!result) return false;
      p.result = *result;
    }
    entries[id] = std::move(p);
    return true;
  } catch (const Json::exception&) {
    return false;
  }
}

std::string JournalOf(const std::filesystem::path& dir) { return (dir / "ledger.jsonl").string(); }

}  // namespace

Result<AttemptLedger> AttemptLedger::Open(std::filesystem::path dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Internal("cannot create " + dir.string() + ": " + ec.message());
  AttemptLedger ledger(std::move(dir));
  Result<std::string> text = executor::ReadWholeFile(JournalOf(ledger.dir_));
  if (!text && text.error().code != ErrorCode::kNotFound) return text.error();
  if (text) {
    size_t at = 0;
    while (at < text->size()) {
      size_t end = text->find('\n', at);
      if (end == std::string::npos) break;  // Torn by a crash: dropped.
      (void)Apply(text->substr(at, end - at), ledger.entries_);
      at = end + 1;
    }
  }
  BARGE_RETURN_IF_ERROR(ledger.Compact());
  return ledger;
}

AttemptLedger::AttemptLedger(AttemptLedger&& other) noexcept
    : dir_(std::move(other.dir_)),
      entries_(std::move(other.entries_)),
      fd_(std::exchange(other.fd_, -1)),
      lines_(other.lines_) {}

AttemptLedger& AttemptLedger::operator=(AttemptLedger&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    dir_ = std::move(other.dir_);
    entries_ = std::move(other.entries_);
    fd_ = std::exchange(other.fd_, -1);
    lines_ = other.lines_;
  }
  return *this;
}

AttemptLedger::~AttemptLedger() {
  if (fd_ >= 0) ::close(fd_);
}

Status AttemptLedger::Save(const AttemptProgress& progress) {
  entries_[progress.attempt_id] = progress;
  return Append(Line(progress));
}

void AttemptLedger::Remove(const std::string& attempt_id) {
  if (entries_.erase(attempt_id) == 0) return;
  Json json{{"attempt_id", attempt_id}, {"removed", true}};
  (void)Append(json.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n");
}

Status AttemptLedger::Append(const std::string& line) {
  if (lines_ >= kCompactAfterLines && lines_ >= 4 * entries_.size()) {
    BARGE_RETURN_IF_ERROR(Compact());
  }
  if (fd_ < 0) return Internal("the ledger in " + dir_.string() + " is not open");
  // One write per line: O_APPEND keeps lines whole unless the process dies mid-write.
  size_t written = 0;
  while (written < line.size()) {
    ssize_t n = ::write(fd_, line.data() + written, line.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      return Internal("cannot append to " + JournalOf(dir_) + ": " + std::strerror(errno));
    written += static_cast<size_t>(n);
  }
  ++lines_;
  return Ok();
}

Status AttemptLedger::Compact() {
  std::string content;
  for (const auto& [id, progress] : entries_) content += Line(progress);
  std::string path = JournalOf(dir_);
  BARGE_RETURN_IF_ERROR(executor::WriteFileAtomically(path, content, executor::FileSync::kNone));
  if (fd_ >= 0) ::close(fd_);
  fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd_ < 0) return Internal("cannot open " + path + ": " + std::strerror(errno));
  lines_ = entries_.size();
  return Ok();
}

}  // namespace barge::agent
