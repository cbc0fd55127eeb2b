#include "protocol/codec.h"

#include <cmath>
#include <exception>
#include <limits>
#include <utility>

#include "codec/codec.h"

namespace barge::protocol {
namespace {

// Strict, typed reads of one JSON object's members. The first error wins and
// is reported once at the end, so decoders read as flat member lists. Absent
// and null members both mean "not set"; unknown members are ignored.
class Reader {
 public:
  Reader(const Json& json, std::string path, std::optional<Error>* error = nullptr)
      : json_(json), path_(std::move(path)), error_(error ? error : &own_error_) {
    if (!json_.is_object())
      Fail((path_.empty() ? std::string("message") : path_) + " must be an object");
  }

  Status status() const {
    if (error_->has_value()) return **error_;
    return Ok();
  }

  std::string Path(std::string_view member) const {
    return path_.empty() ? std::string(member) : path_ + "." + std::string(member);
  }

  void Fail(std::string message) {
    if (!error_->has_value()) *error_ = InvalidArgument(std::move(message));
  }

  const Json* Find(std::string_view member) const {
    if (!json_.is_object()) return nullptr;
    auto it = json_.find(member);
    if (it == json_.end() || it->is_null()) return nullptr;
    return &*it;
  }

  void String(std::string_view member, std::string& out) {
    if (auto v = OptString(member)) out = std::move(*v);
  }

  std::optional<std::string> OptString(std::string_view member) {
    const Json* v = Find(member);
    if (v == nullptr) return std::nullopt;
    if (!v->is_string()) {
      Fail(Path(member) + " must be a string");
      return std::nullopt;
    }
    return v->get<std::string>();
  }

  std::optional<int64_t> OptInt(std::string_view member, int64_t min, int64_t max) {
    const Json* v = Find(member);
    if (v == nullptr) return std::nullopt;
    std::optional<int64_t> value;
    if (v->is_number_integer()) {
      if (v->is_number_unsigned()) {
        uint64_t u = v->get<uint64_t>();
        if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
          value = static_cast<int64_t>(u);
        }
      } else {
        value = v->get<int64_t>();
      }
    } else if (v->is_number_float()) {
      double d = v->get<double>();
      if (std::trunc(d) != d || !std::isfinite(d)) {
        Fail(Path(member) + " must be an integer");
        return std::nullopt;
      }
      if (d >= -9.2e18 && d <= 9.2e18) value = static_cast<int64_t>(d);
    } else {
      Fail(Path(member) + " must be an integer");
      return std::nullopt;
    }
    if (!value || *value < min || *value > max) {
      Fail(Path(member) + " is out of range");
      return std::nullopt;
    }
    return value;
  }

  template <typename I>
  void Int(std::string_view member, I& out) {
    if (auto v = OptInt(member, std::numeric_limits<I>::min(), std::numeric_limits<I>::max())) {
      out = static_cast<I>(*v);
    }
  }

  void StringList(std::string_view member, std::vector<std::string>& out) {
    const Json* v = List(member);
    if (v == nullptr) return;
    out.clear();
    for (size_t i = 0; i < v->size(); ++i) {
      const Json& element = (*v)[i];
      if (!element.is_string()) {
        Fail(Path(member) + "[" + std::to_string(i) + "] must be a string");
        return;
      }
      out.push_back(element.get<std::string>());
    }
  }

  void StringMap(std::string_view member, std::map<std::string, std::string>& out) {
    const Json* v = Find(member);
    if (v == nullptr) return;
    if (!v->is_object()) {
      Fail(Path(member) + " must be an object");
      return;
    }
    out.clear();
    for (const auto& [key, value] : v->items()) {
      if (!value.is_string()) {
        Fail(Path(member) + "." + key + " must be a string");
        return;
      }
      out.emplace(key, value.get<std::string>());
    }
  }

  template <typename T, typename Read>
  void ObjectList(std::string_view member, std::vector<T>& out, Read read) {
    const Json* v = List(member);
    if (v == nullptr) return;
    out.clear();
    for (size_t i = 0; i < v->size(); ++i) {
      Reader child((*v)[i], Path(member) + "[" + std::to_string(i) + "]", error_);
      out.push_back(read(child));
    }
  }

  // A containerProperties object, decoded by the AWS-shape codec.
  void Container(std::string_view member, ContainerProperties& out) {
    const Json* v = Find(member);
    if (v == nullptr) return;
    Result<ContainerProperties> decoded = codec::ContainerPropertiesFromJson(*v, Path(member));
    if (!decoded) {
      Fail(decoded.error().message);
      return;
    }
    out = std::move(decoded).value();
  }

  template <typename T, typename Read>
  void Object(std::string_view member, T& out, Read read) {
    const Json* v = Find(member);
    if (v == nullptr) return;
    Reader child(*v, Path(member), error_);
    out = read(child);
  }

 private:
  const Json* List(std::string_view member) {
    const Json* v = Find(member);
    if (v == nullptr) return nullptr;
    if (!v->is_array()) {
      Fail(Path(member) + " must be a list");
      return nullptr;
    }
    return v;
  }

  const Json& json_;
  std::string path_;
  std::optional<Error> own_error_{};
  std::optional<Error>* error_;
};

// Decodes `json` with `read(Reader&)`; no exception escapes.
template <typename T, typename Read>
Result<T> Decode(const Json& json, Read read) noexcept {
  try {
    Reader reader(json, "");
    T value = read(reader);
    if (Status status = reader.status(); !status) return status.error();
    return value;
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument(std::string("malformed message: ") + e.what());
  } catch (const std::exception& e) {
    return Internal(std::string("decoding failed: ") + e.what());
  } catch (...) {
    return Internal("decoding failed");
  }
}

Json CapacityJson(const Capacity& c) {
  return Json{{"millicpus", c.millicpus}, {"memory_mib", c.memory_mib}, {"gpus", c.gpus}};
}

Capacity ReadCapacity(Reader& r) {
  Capacity c;
  r.Int("millicpus", c.millicpus);
  r.Int("memory_mib", c.memory_mib);
  r.Int("gpus", c.gpus);
  if (c.millicpus < 0) r.Fail(r.Path("millicpus") + " must not be negative");
  if (c.memory_mib < 0) r.Fail(r.Path("memory_mib") + " must not be negative");
  if (c.gpus < 0) r.Fail(r.Path("gpus") + " must not be negative");
  return c;
}

Json AssignmentJson(const Assignment& a) {
  Json j{{"attempt_id", a.attempt_id},
         {"job_id", a.job_id},
         {"job_name", a.job_name},
         {"attempt_number", a.attempt_number},
         {"command", a.command},
         {"environment", a.environment},
         {"image", a.image},
         {"resources", CapacityJson(a.resources)},
         {"log_stream_name", a.log_stream_name}};
  if (a.user) j["user"] = *a.user;
  if (a.timeout_seconds) j["timeout_seconds"] = *a.timeout_seconds;
  j["executor"] = a.executor;
  // The AWS wire shape of containerProperties, as the store keeps it.
  j["container"] = codec::ToJson(*a.container);
  return j;
}

Assignment ReadAssignment(Reader& r) {
  Assignment a;
  r.String("attempt_id", a.attempt_id);
  r.String("job_id", a.job_id);
  r.String("job_name", a.job_name);
  r.Int("attempt_number", a.attempt_number);
  r.StringList("command", a.command);
  r.StringMap("environment", a.environment);
  r.String("image", a.image);
  a.user = r.OptString("user");
  r.Object("resources", a.resources, ReadCapacity);
  if (auto t = r.OptInt("timeout_seconds", 0, std::numeric_limits<int32_t>::max())) {
    a.timeout_seconds = static_cast<int32_t>(*t);
  }
  r.String("log_stream_name", a.log_stream_name);
  // Absent from older servers, which only had the process executor.
  r.String("executor", a.executor);
  if (a.executor != kExecutorProcess && a.executor != kExecutorContainer) {
    r.Fail(r.Path("executor") + " must be one of process, container");
  }
  r.Container("container", a.container.mutable_value());
  if (a.attempt_id.empty()) r.Fail(r.Path("attempt_id") + " is required");
  return a;
}

Json KillOrderJson(const KillOrder& k) {
  return Json{{"attempt_id", k.attempt_id}, {"reason", k.reason}, {"grace_ms", k.grace_ms}};
}

KillOrder ReadKillOrder(Reader& r) {
  KillOrder k;
  r.String("attempt_id", k.attempt_id);
  r.String("reason", k.reason);
  if (auto g = r.OptInt("grace_ms", 0, std::numeric_limits<int64_t>::max())) k.grace_ms = *g;
  if (k.attempt_id.empty()) r.Fail(r.Path("attempt_id") + " is required");
  return k;
}

Json InstanceActionJson(const InstanceAction& a) {
  return Json{{"action", a.action}, {"time", a.time_ms}};
}

InstanceAction ReadInstanceActionObject(Reader& r) {
  InstanceAction a;
  r.String("action", a.action);
  if (auto t = r.OptInt("time", 0, std::numeric_limits<int64_t>::max())) {
    a.time_ms = *t;
  } else {
    r.Fail(r.Path("time") + " is required");
  }
  if (a.action.empty()) r.Fail(r.Path("action") + " must not be empty");
  return a;
}

// The optional "instanceAction" member of heartbeat and poll replies.
void ReadInstanceAction(Reader& r, std::optional<InstanceAction>& out) {
  if (r.Find("instanceAction") == nullptr) return;
  InstanceAction a;
  r.Object("instanceAction", a, ReadInstanceActionObject);
  out = std::move(a);
}

std::string_view EventKindName(EventKind kind) {
  switch (kind) {
    case EventKind::kStarted:
      return "started";
    case EventKind::kExited:
      return "exited";
  }
  return "started";
}

Json EventJson(const AttemptEvent& e) {
  Json j{{"attempt_id", e.attempt_id},
         {"kind", EventKindName(e.kind)},
         {"at_ms", e.at_ms},
         {"reason", e.reason}};
  if (e.exit_code) j["exit_code"] = *e.exit_code;
  return j;
}

AttemptEvent ReadEvent(Reader& r) {
  AttemptEvent e;
  r.String("attempt_id", e.attempt_id);
  if (auto kind = r.OptString("kind")) {
    if (*kind == "started") {
      e.kind = EventKind::kStarted;
    } else if (*kind == "exited") {
      e.kind = EventKind::kExited;
    } else {
      r.Fail(r.Path("kind") + " must be one of started, exited");
    }
  } else {
    r.Fail(r.Path("kind") + " is required");
  }
  r.Int("at_ms", e.at_ms);
  if (auto code = r.OptInt("exit_code", 0, 255)) e.exit_code = static_cast<int32_t>(*code);
  r.String("reason", e.reason);
  if (e.attempt_id.empty()) r.Fail(r.Path("attempt_id") + " is required");
  return e;
}

}  // namespace

Json ToJson(const RegisterRequest& m) {
  return Json{{"protocol_version", m.protocol_version},
              {"agent_id", m.agent_id},
              {"compute_environment", m.compute_environment},
              {"instance_id", m.instance_id},
              {"instance_type", m.instance_type},
              {"hostname", m.hostname},
              {"private_ipv4", m.private_ipv4},
              {"capacity", CapacityJson(m.capacity)},
              {"labels", m.labels},
              {"executors", m.executors},
              {"running_attempts", m.running_attempts}};
}

Json ToJson(const RegisterReply& m) {
  return Json{{"agent_id", m.agent_id},
              {"lease_ms", m.lease_ms},
              {"heartbeat_ms", m.heartbeat_ms},
              {"kill_attempts", m.kill_attempts}};
}

Json ToJson(const HeartbeatRequest& m) {
  return Json{{"agent_id", m.agent_id}, {"running_attempts", m.running_attempts}};
}

Json ToJson(const HeartbeatReply& m) {
  Json j{{"lease_ms", m.lease_ms}, {"kill_attempts", m.kill_attempts}};
  if (m.instance_action) j["instanceAction"] = InstanceActionJson(*m.instance_action);
  return j;
}

Json ToJson(const PollRequest& m) { return Json{{"agent_id", m.agent_id}, {"wait_ms", m.wait_ms}}; }

Json ToJson(const PollReply& m) {
  Json assignments = Json::array();
  for (const SharedAssignment& a : m.assignments) assignments.push_back(AssignmentJson(*a));
  Json kills = Json::array();
  for (const KillOrder& k : m.kills) kills.push_back(KillOrderJson(k));
  Json j{{"assignments", std::move(assignments)}, {"kills", std::move(kills)}};
  if (m.instance_action) j["instanceAction"] = InstanceActionJson(*m.instance_action);
  return j;
}

Json ToJson(const EventsRequest& m) {
  Json events = Json::array();
  for (const AttemptEvent& e : m.events) events.push_back(EventJson(e));
  return Json{{"agent_id", m.agent_id}, {"events", std::move(events)}};
}

Json ToJson(const LogsRequest& m) {
  Json lines = Json::array();
  for (const LogLine& l : m.lines) {
    lines.push_back(Json{{"timestamp_ms", l.timestamp_ms}, {"message", l.message}});
  }
  return Json{{"agent_id", m.agent_id},
              {"attempt_id", m.attempt_id},
              {"first_sequence", m.first_sequence},
              {"lines", std::move(lines)}};
}

Result<RegisterRequest> RegisterRequestFromJson(const Json& json) {
  return Decode<RegisterRequest>(json, [](Reader& r) {
    RegisterRequest m;
    r.Int("protocol_version", m.protocol_version);
    r.String("agent_id", m.agent_id);
    r.String("compute_environment", m.compute_environment);
    r.String("instance_id", m.instance_id);
    r.String("instance_type", m.instance_type);
    r.String("hostname", m.hostname);
    r.String("private_ipv4", m.private_ipv4);
    r.Object("capacity", m.capacity, ReadCapacity);
    r.StringMap("labels", m.labels);
    r.StringList("executors", m.executors);
    r.StringList("running_attempts", m.running_attempts);
    return m;
  });
}

Result<RegisterReply> RegisterReplyFromJson(const Json& json) {
  return Decode<RegisterReply>(json, [](Reader& r) {
    RegisterReply m;
    r.String("agent_id", m.agent_id);
    r.Int("lease_ms", m.lease_ms);
    r.Int("heartbeat_ms", m.heartbeat_ms);
    r.StringList("kill_attempts", m.kill_attempts);
    if (m.agent_id.empty()) r.Fail("agent_id is required");
    return m;
  });
}

Result<HeartbeatRequest> HeartbeatRequestFromJson(const Json& json) {
  return Decode<HeartbeatRequest>(json, [](Reader& r) {
    HeartbeatRequest m;
    r.String("agent_id", m.agent_id);
    r.StringList("running_attempts", m.running_attempts);
    return m;
  });
}

Result<HeartbeatReply> HeartbeatReplyFromJson(const Json& json) {
  return Decode<HeartbeatReply>(json, [](Reader& r) {
    HeartbeatReply m;
    r.Int("lease_ms", m.lease_ms);
    r.StringList("kill_attempts", m.kill_attempts);
    ReadInstanceAction(r, m.instance_action);
    return m;
  });
}

Result<PollRequest> PollRequestFromJson(const Json& json) {
  return Decode<PollRequest>(json, [](Reader& r) {
    PollRequest m;
    r.String("agent_id", m.agent_id);
    if (auto w = r.OptInt("wait_ms", 0, std::numeric_limits<int64_t>::max())) m.wait_ms = *w;
    return m;
  });
}

Result<PollReply> PollReplyFromJson(const Json& json) {
  return Decode<PollReply>(json, [](Reader& r) {
    PollReply m;
    r.ObjectList("assignments", m.assignments,
                 [](Reader& assignment) { return Share(ReadAssignment(assignment)); });
    r.ObjectList("kills", m.kills, ReadKillOrder);
    ReadInstanceAction(r, m.instance_action);
    return m;
  });
}

Result<EventsRequest> EventsRequestFromJson(const Json& json) {
  return Decode<EventsRequest>(json, [](Reader& r) {
    EventsRequest m;
    r.String("agent_id", m.agent_id);
    r.ObjectList("events", m.events, ReadEvent);
    return m;
  });
}

Result<LogsRequest> LogsRequestFromJson(const Json& json) {
  return Decode<LogsRequest>(json, [](Reader& r) {
    LogsRequest m;
    r.String("agent_id", m.agent_id);
    r.String("attempt_id", m.attempt_id);
    if (auto s = r.OptInt("first_sequence", 0, std::numeric_limits<int64_t>::max())) {
      m.first_sequence = *s;
    }
    r.ObjectList("lines", m.lines, [](Reader& line_reader) {
      LogLine line;
      line_reader.Int("timestamp_ms", line.timestamp_ms);
      line_reader.String("message", line.message);
      return line;
    });
    if (m.attempt_id.empty()) r.Fail("attempt_id is required");
    return m;
  });
}

}  // namespace barge::protocol
