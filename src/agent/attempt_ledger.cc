#include "agent/attempt_ledger.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "executor/attempt_files.h"

namespace barge::agent {
namespace {

using Json = nlohmann::json;

Json ToJson(const AttemptProgress& p) {
  Json json{{"attempt_id", p.attempt_id},         {"started_at_ms", p.started_at_ms},
            {"started_acked", p.started_acked},   {"exited_acked", p.exited_acked},
            {"log_sequence", p.shipped.sequence}, {"log_offset", p.shipped.offset}};
  if (p.result) json["result"] = Json::parse(executor::EncodeResult(*p.result));
  return json;
}

std::optional<AttemptProgress> FromJson(const std::string& text) {
  Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return std::nullopt;
  try {
    AttemptProgress p{.attempt_id = json.at("attempt_id").get<std::string>(),
                      .started_at_ms = json.value("started_at_ms", int64_t{0}),
                      .started_acked = json.value("started_acked", false),
                      .exited_acked = json.value("exited_acked", false),
                      .shipped = {.sequence = json.value("log_sequence", int64_t{0}),
                                  .offset = json.value("log_offset", int64_t{0})}};
    if (json.contains("result") && json["result"].is_object()) {
      Result<executor::AttemptResult> result = executor::DecodeResult(json["result"].dump());
      if (!result) return std::nullopt;
      p.result = *result;
    }
    return p;
  } catch (const Json::exception&) {
    return std::nullopt;
  }
}

}  // namespace

Result<AttemptLedger> AttemptLedger::Open(std::filesystem::path dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Internal("cannot create " + dir.string() + ": " + ec.message());
  return AttemptLedger(std::move(dir));
}

std::map<std::string, AttemptProgress> AttemptLedger::LoadAll() const {
  std::map<std::string, AttemptProgress> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    if (entry.path().extension() != ".json") continue;
    Result<std::string> text = executor::ReadWholeFile(entry.path().string());
    if (!text) continue;
    std::optional<AttemptProgress> progress = FromJson(*text);
    if (!progress || progress->attempt_id + ".json" != entry.path().filename().string()) continue;
    out.emplace(progress->attempt_id, std::move(*progress));
  }
  return out;
}

Status AttemptLedger::Save(const AttemptProgress& progress) const {
  return executor::WriteFileAtomically((dir_ / (progress.attempt_id + ".json")).string(),
                                       ToJson(progress).dump(), executor::FileSync::kNone);
}

void AttemptLedger::Remove(const std::string& attempt_id) const {
  std::error_code ec;
  std::filesystem::remove(dir_ / (attempt_id + ".json"), ec);
}

}  // namespace barge::agent
