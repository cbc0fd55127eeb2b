#include "protocol/codec.h"

#include <gtest/gtest.h>

#include <limits>

namespace barge::protocol {
namespace {

TEST(ProtocolCodecTest, RegisterRequestRoundTrips) {
  RegisterRequest in{.agent_id = "agent-1",
                     .compute_environment = "default",
                     .instance_id = "i-0123456789abcdef0",
                     .instance_type = "local",
                     .hostname = "host",
                     .private_ipv4 = "10.0.0.1",
                     .capacity = {.millicpus = 4000, .memory_mib = 8192, .gpus = 1},
                     .labels = {{"zone", "a"}},
                     .executors = {"process"},
                     .running_attempts = {"att-1", "att-2"}};

  auto out = RegisterRequestFromJson(Json::parse(ToJson(in).dump()));

  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out->protocol_version, kProtocolVersion);
  EXPECT_EQ(out->agent_id, "agent-1");
  EXPECT_EQ(out->compute_environment, "default");
  EXPECT_EQ(out->instance_id, "i-0123456789abcdef0");
  EXPECT_EQ(out->instance_type, "local");
  EXPECT_EQ(out->hostname, "host");
  EXPECT_EQ(out->private_ipv4, "10.0.0.1");
  EXPECT_EQ(out->capacity.millicpus, 4000);
  EXPECT_EQ(out->capacity.memory_mib, 8192);
  EXPECT_EQ(out->capacity.gpus, 1);
  EXPECT_EQ(out->labels, in.labels);
  EXPECT_EQ(out->executors, in.executors);
  EXPECT_EQ(out->running_attempts, in.running_attempts);
}

TEST(ProtocolCodecTest, RegisterReplyRoundTrips) {
  RegisterReply in{
      .agent_id = "a", .lease_ms = 30000, .heartbeat_ms = 5000, .kill_attempts = {"x"}};

  auto out = RegisterReplyFromJson(ToJson(in));

  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out->agent_id, "a");
  EXPECT_EQ(out->lease_ms, 30000);
  EXPECT_EQ(out->heartbeat_ms, 5000);
  EXPECT_EQ(out->kill_attempts, std::vector<std::string>{"x"});
}

TEST(ProtocolCodecTest, HeartbeatRoundTrips) {
  auto request = HeartbeatRequestFromJson(
      ToJson(HeartbeatRequest{.agent_id = "a", .running_attempts = {"r1"}}));
  auto reply =
      HeartbeatReplyFromJson(ToJson(HeartbeatReply{.lease_ms = 7, .kill_attempts = {"k"}}));

  ASSERT_TRUE(request);
  ASSERT_TRUE(reply);
  EXPECT_EQ(request->agent_id, "a");
  EXPECT_EQ(request->running_attempts, std::vector<std::string>{"r1"});
  EXPECT_EQ(reply->lease_ms, 7);
  EXPECT_EQ(reply->kill_attempts, std::vector<std::string>{"k"});
}

TEST(ProtocolCodecTest, PollRoundTripsAssignmentsAndKills) {
  PollReply in;
  in.assignments.push_back(Share({.attempt_id = "att-1",
                                  .job_id = "job-1",
                                  .job_name = "name",
                                  .attempt_number = 2,
                                  .command = {"sh", "-c", "echo hi"},
                                  .environment = {{"A", "1"}},
                                  .image = "",
                                  .user = "nobody",
                                  .resources = {.millicpus = 500, .memory_mib = 64},
                                  .timeout_seconds = 60,
                                  .log_stream_name = "def/default/att-1"}));
  in.assignments.push_back(Share({.attempt_id = "att-2"}));
  in.kills.push_back(KillOrder{.attempt_id = "att-0", .reason = "terminated", .grace_ms = 10});

  auto out = PollReplyFromJson(Json::parse(ToJson(in).dump()));
  auto request = PollRequestFromJson(ToJson(PollRequest{.agent_id = "a", .wait_ms = 100}));

  ASSERT_TRUE(out) << out.error().message;
  ASSERT_EQ(out->assignments.size(), 2u);
  const Assignment& a = *out->assignments[0];
  EXPECT_EQ(a.attempt_id, "att-1");
  EXPECT_EQ(a.job_id, "job-1");
  EXPECT_EQ(a.job_name, "name");
  EXPECT_EQ(a.attempt_number, 2);
  EXPECT_EQ(a.command, in.assignments[0]->command);
  EXPECT_EQ(a.environment, in.assignments[0]->environment);
  EXPECT_EQ(a.user, std::optional<std::string>("nobody"));
  EXPECT_EQ(a.resources.millicpus, 500);
  EXPECT_EQ(a.resources.memory_mib, 64);
  EXPECT_EQ(a.timeout_seconds, std::optional<int32_t>(60));
  EXPECT_EQ(a.log_stream_name, "def/default/att-1");
  EXPECT_FALSE(out->assignments[1]->user.has_value());
  EXPECT_FALSE(out->assignments[1]->timeout_seconds.has_value());
  ASSERT_EQ(out->kills.size(), 1u);
  EXPECT_EQ(out->kills[0].attempt_id, "att-0");
  EXPECT_EQ(out->kills[0].reason, "terminated");
  EXPECT_EQ(out->kills[0].grace_ms, 10);
  ASSERT_TRUE(request);
  EXPECT_EQ(request->wait_ms, 100);
}

TEST(ProtocolCodecTest, EventsRoundTrip) {
  EventsRequest in{
      .agent_id = "a",
      .events = {AttemptEvent{.attempt_id = "x", .kind = EventKind::kStarted, .at_ms = 5},
                 AttemptEvent{.attempt_id = "x",
                              .kind = EventKind::kExited,
                              .at_ms = 6,
                              .exit_code = 137,
                              .reason = "OutOfMemoryError"}}};

  auto out = EventsRequestFromJson(ToJson(in));

  ASSERT_TRUE(out) << out.error().message;
  ASSERT_EQ(out->events.size(), 2u);
  EXPECT_EQ(out->events[0].kind, EventKind::kStarted);
  EXPECT_FALSE(out->events[0].exit_code.has_value());
  EXPECT_EQ(out->events[1].kind, EventKind::kExited);
  EXPECT_EQ(out->events[1].at_ms, 6);
  EXPECT_EQ(out->events[1].exit_code, std::optional<int32_t>(137));
  EXPECT_EQ(out->events[1].reason, "OutOfMemoryError");
}

TEST(ProtocolCodecTest, LogsRoundTrip) {
  LogsRequest in{
      .agent_id = "a",
      .attempt_id = "x",
      .first_sequence = 42,
      .lines = {{.timestamp_ms = 1, .message = "one"}, {.timestamp_ms = 2, .message = ""}}};

  auto out = LogsRequestFromJson(ToJson(in));

  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out->first_sequence, 42);
  ASSERT_EQ(out->lines.size(), 2u);
  EXPECT_EQ(out->lines[0].message, "one");
  EXPECT_EQ(out->lines[1].timestamp_ms, 2);
}

TEST(ProtocolCodecTest, UnknownMembersAreIgnored) {
  Json json = ToJson(HeartbeatRequest{.agent_id = "a"});
  json["from_the_future"] = {{"x", 1}};

  auto out = HeartbeatRequestFromJson(json);

  ASSERT_TRUE(out);
  EXPECT_EQ(out->agent_id, "a");
}

TEST(ProtocolCodecTest, WrongTypeNamesTheMember) {
  Json json = ToJson(PollReply{.assignments = {Share({.attempt_id = "x"})}});
  json["assignments"][0]["command"] = {"ok", 3};

  auto out = PollReplyFromJson(json);

  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(out.error().message, "assignments[0].command[1] must be a string");
}

TEST(ProtocolCodecTest, IntegersAreCheckedForTypeAndRange) {
  Json fraction = ToJson(RegisterReply{.agent_id = "a"});
  fraction["lease_ms"] = 1.5;
  Json text = ToJson(RegisterReply{.agent_id = "a"});
  text["heartbeat_ms"] = "5";
  Json too_big = ToJson(PollReply{.assignments = {Share({.attempt_id = "x"})}});
  too_big["assignments"][0]["attempt_number"] = int64_t{1} << 40;
  Json whole_float = ToJson(RegisterReply{.agent_id = "a"});
  whole_float["lease_ms"] = 2.0;

  auto a = RegisterReplyFromJson(fraction);
  auto b = RegisterReplyFromJson(text);
  auto c = PollReplyFromJson(too_big);
  auto d = RegisterReplyFromJson(whole_float);

  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().message, "lease_ms must be an integer");
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().message, "heartbeat_ms must be an integer");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message, "assignments[0].attempt_number is out of range");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->lease_ms, 2);
}

TEST(ProtocolCodecTest, UnknownEventKindIsRejected) {
  Json json = ToJson(EventsRequest{.agent_id = "a", .events = {AttemptEvent{.attempt_id = "x"}}});
  json["events"][0]["kind"] = "paused";

  auto out = EventsRequestFromJson(json);

  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().message, "events[0].kind must be one of started, exited");
}

TEST(ProtocolCodecTest, NonObjectsAreRejectedWithoutThrowing) {
  auto top = PollReplyFromJson(Json::array());
  auto nested = RegisterRequestFromJson(Json{{"capacity", 5}});
  auto element = PollReplyFromJson(Json{{"kills", {1}}});
  auto environment = PollReplyFromJson(
      Json{{"assignments", {{{"attempt_id", "x"}, {"environment", {{"A", 1}}}}}}});

  ASSERT_FALSE(top);
  EXPECT_EQ(top.error().message, "message must be an object");
  ASSERT_FALSE(nested);
  EXPECT_EQ(nested.error().message, "capacity must be an object");
  ASSERT_FALSE(element);
  EXPECT_EQ(element.error().message, "kills[0] must be an object");
  ASSERT_FALSE(environment);
  EXPECT_EQ(environment.error().message, "assignments[0].environment.A must be a string");
}

TEST(ProtocolCodecTest, MissingAttemptIdIsRejected) {
  auto out = PollReplyFromJson(Json{{"assignments", {Json::object()}}});

  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().message, "assignments[0].attempt_id is required");
}

TEST(ProtocolCodecTest, NullMeansNotSet) {
  Json json = ToJson(PollReply{.assignments = {Share({.attempt_id = "x", .user = "u"})}});
  json["assignments"][0]["user"] = nullptr;
  json["kills"] = nullptr;

  auto out = PollReplyFromJson(json);

  ASSERT_TRUE(out) << out.error().message;
  EXPECT_FALSE(out->assignments[0]->user.has_value());
  EXPECT_TRUE(out->kills.empty());
}

TEST(ProtocolCodecTest, AssignmentCarriesItsExecutorAndContainer) {
  ContainerProperties container{
      .image = "busybox:latest",
      .command = {"sh", "-c", "ls /data"},
      .volumes = {Volume{.name = "data", .host_source_path = "/srv/data"},
                  Volume{.name = "scratch"}},
      .mount_points = {MountPoint{
                           .container_path = "/data", .read_only = true, .source_volume = "data"},
                       MountPoint{.container_path = "/scratch", .source_volume = "scratch"}},
      .ulimits = {Ulimit{.name = "nofile", .soft_limit = 1024, .hard_limit = 4096}},
      .user = "1000:1000",
      .readonly_root_filesystem = true,
      .privileged = false,
      .linux_parameters = LinuxParameters{
          .devices = {Device{.host_path = "/dev/fuse",
                             .container_path = "/dev/fuse",
                             .permissions = {"READ", "WRITE"}}},
          .init_process_enabled = true,
          .shared_memory_size = 64,
          .tmpfs = {Tmpfs{.container_path = "/tmp", .size = 32, .mount_options = {"noexec"}}},
          .max_swap = 0,
          .swappiness = 10}};
  PollReply in{.assignments = {Share({.attempt_id = "att-1",
                                      .executor = std::string(kExecutorContainer),
                                      .container = container})}};

  auto out = PollReplyFromJson(Json::parse(ToJson(in).dump()));

  ASSERT_TRUE(out) << out.error().message;
  const Assignment& a = *out->assignments.at(0);
  EXPECT_EQ(a.executor, "container");
  const ContainerProperties& c = *a.container;
  EXPECT_EQ(c.image, "busybox:latest");
  EXPECT_EQ(c.command, container.command);
  ASSERT_EQ(c.volumes.size(), 2u);
  EXPECT_EQ(c.volumes[0].name, "data");
  EXPECT_EQ(c.volumes[0].host_source_path, std::optional<std::string>("/srv/data"));
  EXPECT_EQ(c.volumes[1].name, "scratch");
  EXPECT_FALSE(c.volumes[1].host_source_path.has_value());
  ASSERT_EQ(c.mount_points.size(), 2u);
  EXPECT_EQ(c.mount_points[0].container_path, "/data");
  EXPECT_EQ(c.mount_points[0].read_only, std::optional<bool>(true));
  EXPECT_EQ(c.mount_points[0].source_volume, "data");
  EXPECT_FALSE(c.mount_points[1].read_only.has_value());
  ASSERT_EQ(c.ulimits.size(), 1u);
  EXPECT_EQ(c.ulimits[0].name, "nofile");
  EXPECT_EQ(c.ulimits[0].soft_limit, 1024);
  EXPECT_EQ(c.ulimits[0].hard_limit, 4096);
  EXPECT_EQ(c.user, std::optional<std::string>("1000:1000"));
  EXPECT_EQ(c.readonly_root_filesystem, std::optional<bool>(true));
  EXPECT_EQ(c.privileged, std::optional<bool>(false));
  ASSERT_TRUE(c.linux_parameters.has_value());
  const LinuxParameters& linux = *c.linux_parameters;
  ASSERT_EQ(linux.devices.size(), 1u);
  EXPECT_EQ(linux.devices[0].host_path, "/dev/fuse");
  EXPECT_EQ(linux.devices[0].container_path, "/dev/fuse");
  EXPECT_EQ(linux.devices[0].permissions, (std::vector<std::string>{"READ", "WRITE"}));
  EXPECT_EQ(linux.init_process_enabled, std::optional<bool>(true));
  EXPECT_EQ(linux.shared_memory_size, std::optional<int32_t>(64));
  ASSERT_EQ(linux.tmpfs.size(), 1u);
  EXPECT_EQ(linux.tmpfs[0].container_path, "/tmp");
  EXPECT_EQ(linux.tmpfs[0].size, 32);
  EXPECT_EQ(linux.tmpfs[0].mount_options, std::vector<std::string>{"noexec"});
  EXPECT_EQ(linux.max_swap, std::optional<int32_t>(0));
  EXPECT_EQ(linux.swappiness, std::optional<int32_t>(10));
}

TEST(ProtocolCodecTest, AssignmentWithoutExecutorIsAProcessOne) {
  // What a server from before containers sends.
  Json older = {{"assignments", {{{"attempt_id", "att-1"}, {"command", {"true"}}}}}};

  auto out = PollReplyFromJson(older);

  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out->assignments.at(0)->executor, "process");
  EXPECT_TRUE(out->assignments.at(0)->container->volumes.empty());
  EXPECT_FALSE(out->assignments.at(0)->container->linux_parameters.has_value());
}

TEST(ProtocolCodecTest, AssignmentExecutorAndContainerAreChecked) {
  Json unknown = ToJson(PollReply{.assignments = {Share({.attempt_id = "x"})}});
  unknown["assignments"][0]["executor"] = "docker";
  Json bad_container = ToJson(PollReply{.assignments = {Share({.attempt_id = "x"})}});
  bad_container["assignments"][0]["container"]["privileged"] = "yes";

  auto a = PollReplyFromJson(unknown);
  auto b = PollReplyFromJson(bad_container);

  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().message, "assignments[0].executor must be one of process, container");
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(b.error().message, "assignments[0].container.privileged must be a boolean");
}

TEST(ProtocolCodecTest, InstanceActionRoundTripsInHeartbeatAndPollReplies) {
  InstanceAction action{.action = "terminate", .time_ms = 1796534400000};
  Json heartbeat_json = ToJson(HeartbeatReply{.lease_ms = 7, .instance_action = action});
  Json poll_json = ToJson(PollReply{.instance_action = action});

  auto heartbeat = HeartbeatReplyFromJson(Json::parse(heartbeat_json.dump()));
  auto poll = PollReplyFromJson(Json::parse(poll_json.dump()));

  EXPECT_EQ(heartbeat_json["instanceAction"],
            Json::parse(R"({"action": "terminate", "time": 1796534400000})"));
  ASSERT_TRUE(heartbeat) << heartbeat.error().message;
  ASSERT_TRUE(poll) << poll.error().message;
  EXPECT_EQ(heartbeat->instance_action, std::optional<InstanceAction>(action));
  EXPECT_EQ(poll->instance_action, std::optional<InstanceAction>(action));
}

TEST(ProtocolCodecTest, RepliesWithoutInstanceActionHaveNone) {
  Json heartbeat_json = ToJson(HeartbeatReply{.lease_ms = 7});
  Json poll_json = ToJson(PollReply{});

  auto heartbeat = HeartbeatReplyFromJson(heartbeat_json);
  auto poll = PollReplyFromJson(poll_json);

  EXPECT_FALSE(heartbeat_json.contains("instanceAction"));  // What older agents are sent too.
  ASSERT_TRUE(heartbeat);
  ASSERT_TRUE(poll);
  EXPECT_FALSE(heartbeat->instance_action.has_value());
  EXPECT_FALSE(poll->instance_action.has_value());
}

TEST(ProtocolCodecTest, MalformedInstanceActionIsRejected) {
  Json no_time = ToJson(HeartbeatReply{});
  no_time["instanceAction"] = {{"action", "terminate"}};
  Json text_time = ToJson(PollReply{});
  text_time["instanceAction"] = {{"action", "terminate"}, {"time", "2026-12-06T05:20:00Z"}};
  Json not_object = ToJson(PollReply{});
  not_object["instanceAction"] = "terminate";

  auto a = HeartbeatReplyFromJson(no_time);
  auto b = PollReplyFromJson(text_time);
  auto c = PollReplyFromJson(not_object);

  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().message, "instanceAction.time is required");
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().message, "instanceAction.time must be an integer");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message, "instanceAction must be an object");
}

}  // namespace
}  // namespace barge::protocol
