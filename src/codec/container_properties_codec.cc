// ContainerProperties and the shapes nested in it (volumes, mount points,
// ulimits, linuxParameters, logConfiguration, secrets).
#include "codec/codec.h"
#include "codec/codec_parts.h"
#include "codec/json_reader.h"
#include "codec/json_writer.h"

namespace barge::codec {
namespace {

constexpr AwsOnlyMember kContainerAwsOnly[] = {
    {"jobRoleArn", JsonKind::kString},
    {"executionRoleArn", JsonKind::kString},
    {"networkConfiguration", JsonKind::kObject},
    {"fargatePlatformConfiguration", JsonKind::kObject},
    {"ephemeralStorage", JsonKind::kObject},
    {"runtimePlatform", JsonKind::kObject},
    {"repositoryCredentials", JsonKind::kObject},
    {"enableExecuteCommand", JsonKind::kBool},
};
constexpr AwsOnlyMember kVolumeAwsOnly[] = {{"efsVolumeConfiguration", JsonKind::kObject}};
constexpr AwsOnlyMember kLogConfigurationAwsOnly[] = {{"secretOptions", JsonKind::kObjectList}};

Volume ReadVolume(JsonReader& r) {
  Volume volume{.name = r.String("name").value_or("")};
  std::optional<std::optional<std::string>> source_path =
      r.Object("host", [](JsonReader& host) { return host.String("sourcePath"); });
  if (source_path) volume.host_source_path = *source_path;
  volume.aws_only = r.AwsOnly(kVolumeAwsOnly);
  return volume;
}

LinuxParameters ReadLinuxParameters(JsonReader& r) {
  return LinuxParameters{
      .devices = OrEmpty(r.ObjectList("devices",
                                      [](JsonReader& d) {
                                        return Device{
                                            .host_path = d.String("hostPath").value_or(""),
                                            .container_path =
                                                d.String("containerPath").value_or(""),
                                            .permissions = OrEmpty(d.StringList("permissions")),
                                        };
                                      })),
      .init_process_enabled = r.Bool("initProcessEnabled"),
      .shared_memory_size = r.Int32("sharedMemorySize"),
      .tmpfs = OrEmpty(r.ObjectList("tmpfs",
                                    [](JsonReader& t) {
                                      return Tmpfs{
                                          .container_path = t.String("containerPath").value_or(""),
                                          .size = t.Int32("size").value_or(0),
                                          .mount_options = OrEmpty(t.StringList("mountOptions")),
                                      };
                                    })),
      .max_swap = r.Int32("maxSwap"),
      .swappiness = r.Int32("swappiness"),
  };
}

LogConfiguration ReadLogConfiguration(JsonReader& r) {
  return LogConfiguration{
      .log_driver = r.String("logDriver").value_or(""),
      .options = OrEmpty(r.StringMap("options")),
      .aws_only = r.AwsOnly(kLogConfigurationAwsOnly),
  };
}

Json VolumeToJson(const Volume& volume) {
  Json out = Json::object();
  PutIfNotEmpty(out, "name", volume.name);
  if (volume.host_source_path) out["host"] = Json{{"sourcePath", *volume.host_source_path}};
  PutAwsOnly(out, volume.aws_only);
  return out;
}

Json LinuxParametersToJson(const LinuxParameters& params) {
  Json out = Json::object();
  if (!params.devices.empty()) {
    Json& devices = out["devices"] = Json::array();
    for (const Device& device : params.devices) {
      Json item = Json::object();
      item["hostPath"] = device.host_path;
      PutIfNotEmpty(item, "containerPath", device.container_path);
      PutIfNotEmpty(item, "permissions", device.permissions);
      devices.push_back(std::move(item));
    }
  }
  PutIfSet(out, "initProcessEnabled", params.init_process_enabled);
  PutIfSet(out, "sharedMemorySize", params.shared_memory_size);
  if (!params.tmpfs.empty()) {
    Json& tmpfs = out["tmpfs"] = Json::array();
    for (const Tmpfs& mount : params.tmpfs) {
      Json item = Json::object();
      item["containerPath"] = mount.container_path;
      item["size"] = mount.size;
      PutIfNotEmpty(item, "mountOptions", mount.mount_options);
      tmpfs.push_back(std::move(item));
    }
  }
  PutIfSet(out, "maxSwap", params.max_swap);
  PutIfSet(out, "swappiness", params.swappiness);
  return out;
}

Json LogConfigurationToJson(const LogConfiguration& log) {
  Json out = Json::object();
  out["logDriver"] = log.log_driver;
  PutIfNotEmpty(out, "options", log.options);
  PutAwsOnly(out, log.aws_only);
  return out;
}

}  // namespace

ContainerProperties ReadContainerProperties(JsonReader& r) {
  ContainerProperties c{
      .image = r.String("image").value_or(""),
      .command = OrEmpty(r.StringList("command")),
      .environment = OrEmpty(r.ObjectList("environment",
                                          [](JsonReader& e) {
                                            return KeyValuePair{
                                                .name = e.String("name").value_or(""),
                                                .value = e.String("value").value_or(""),
                                            };
                                          })),
      .resource_requirements = OrEmpty(r.ObjectList("resourceRequirements",
                                                    [](JsonReader& e) {
                                                      return ResourceRequirement{
                                                          .type = e.String("type").value_or(""),
                                                          .value = e.String("value").value_or(""),
                                                      };
                                                    })),
      .vcpus = r.Int32("vcpus"),
      .memory = r.Int32("memory"),
      .volumes = OrEmpty(r.ObjectList("volumes", ReadVolume)),
      .mount_points =
          OrEmpty(r.ObjectList("mountPoints",
                               [](JsonReader& e) {
                                 return MountPoint{
                                     .container_path = e.String("containerPath").value_or(""),
                                     .read_only = e.Bool("readOnly"),
                                     .source_volume = e.String("sourceVolume").value_or(""),
                                 };
                               })),
      .ulimits = OrEmpty(r.ObjectList("ulimits",
                                      [](JsonReader& e) {
                                        return Ulimit{
                                            .name = e.String("name").value_or(""),
                                            .soft_limit = e.Int32("softLimit").value_or(0),
                                            .hard_limit = e.Int32("hardLimit").value_or(0),
                                        };
                                      })),
      .user = r.String("user"),
      .readonly_root_filesystem = r.Bool("readonlyRootFilesystem"),
      .privileged = r.Bool("privileged"),
      .linux_parameters = r.Object("linuxParameters", ReadLinuxParameters),
      .log_configuration = r.Object("logConfiguration", ReadLogConfiguration),
      .secrets = OrEmpty(r.ObjectList("secrets",
                                      [](JsonReader& e) {
                                        return Secret{
                                            .name = e.String("name").value_or(""),
                                            .value_from = e.String("valueFrom").value_or(""),
                                        };
                                      })),
      .instance_type = r.String("instanceType"),
      .aws_only = r.AwsOnly(kContainerAwsOnly),
  };
  return c;
}

Result<ContainerProperties> ContainerPropertiesFromJson(const Json& json, std::string_view path) {
  return DecodeObject(json, path, ReadContainerProperties);
}

Json ToJson(const ContainerProperties& c) {
  Json out = Json::object();
  PutIfNotEmpty(out, "image", c.image);
  out["command"] = c.command;
  Json& environment = out["environment"] = Json::array();
  for (const KeyValuePair& pair : c.environment) {
    environment.push_back(Json{{"name", pair.name}, {"value", pair.value}});
  }
  Json& requirements = out["resourceRequirements"] = Json::array();
  for (const ResourceRequirement& requirement : c.resource_requirements) {
    requirements.push_back(Json{{"type", requirement.type}, {"value", requirement.value}});
  }
  PutIfSet(out, "vcpus", c.vcpus);
  PutIfSet(out, "memory", c.memory);
  Json& volumes = out["volumes"] = Json::array();
  for (const Volume& volume : c.volumes) volumes.push_back(VolumeToJson(volume));
  Json& mount_points = out["mountPoints"] = Json::array();
  for (const MountPoint& mount : c.mount_points) {
    Json item = Json::object();
    item["containerPath"] = mount.container_path;
    PutIfSet(item, "readOnly", mount.read_only);
    item["sourceVolume"] = mount.source_volume;
    mount_points.push_back(std::move(item));
  }
  Json& ulimits = out["ulimits"] = Json::array();
  for (const Ulimit& ulimit : c.ulimits) {
    ulimits.push_back(Json{
        {"name", ulimit.name}, {"softLimit", ulimit.soft_limit}, {"hardLimit", ulimit.hard_limit}});
  }
  PutIfSet(out, "user", c.user);
  PutIfSet(out, "readonlyRootFilesystem", c.readonly_root_filesystem);
  PutIfSet(out, "privileged", c.privileged);
  if (c.linux_parameters) out["linuxParameters"] = LinuxParametersToJson(*c.linux_parameters);
  if (c.log_configuration) out["logConfiguration"] = LogConfigurationToJson(*c.log_configuration);
  Json& secrets = out["secrets"] = Json::array();
  for (const Secret& secret : c.secrets) {
    secrets.push_back(Json{{"name", secret.name}, {"valueFrom", secret.value_from}});
  }
  PutIfSet(out, "instanceType", c.instance_type);
  PutAwsOnly(out, c.aws_only);
  return out;
}

}  // namespace barge::codec
