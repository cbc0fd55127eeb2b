#include "executor/container_attempt.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "executor/attempt_files.h"
#include "executor/executor.h"

namespace barge::executor {

namespace fs = std::filesystem;

namespace {

std::string CannotStart(const std::string& detail) {
  return std::string(kReasonCannotStart) + detail;
}

// The file's content, or "" when the image has none.
std::string ImageFile(const std::string& rootfs, const char* path) {
  Result<std::string> text = ReadWholeFile(rootfs + path);
  return text ? *text : std::string();
}

Status MakeDir(const fs::path& dir, mode_t mode) {
  if (::mkdir(dir.c_str(), mode) != 0 && errno != EEXIST) {
    return Internal("cannot create " + dir.string() + ": " + std::strerror(errno));
  }
  return Ok();
}

}  // namespace

std::string ContainerPidFile(const fs::path& attempt_dir) {
  return (attempt_dir / "container.pid").string();
}

std::string EscapeOverlayPath(std::string_view path) {
  std::string escaped;
  for (char c : path) {
    if (c == '\\' || c == ',' || c == ':') escaped += '\\';
    escaped += c;
  }
  return escaped;
}

std::unique_ptr<ContainerPreparer> ContainerPreparer::Create(ContainerOptions options) {
  return std::unique_ptr<ContainerPreparer>(new ContainerPreparer(std::move(options)));
}

Status ContainerPreparer::OpenStore() {
  if (store_) return Ok();
  Result<std::unique_ptr<image::ImageStore>> store =
      image::ImageStore::Open(options_.image_store_dir);
  if (!store) {
    return Error{store.error().code, std::string(kReasonCannotPull) +
                                         "cannot open the image store: " + store.error().message};
  }
  store_ = std::move(*store);
  return Ok();
}

Status ContainerPreparer::UnpackInStore(const std::string& store_dir, const std::string& digest) {
  Result<std::unique_ptr<image::ImageStore>> store = image::ImageStore::Open(store_dir);
  if (!store) return store.error();
  Result<std::string> rootfs = (*store)->Unpack(digest);
  if (!rootfs) return rootfs.error();
  return Ok();
}

Result<image::ImageSummary> ContainerPreparer::Find(const std::string& reference) {
  if (reference.empty()) return InvalidArgument(CannotStart("the job names no image"));
  if (Status opened = OpenStore(); !opened) return opened.error();
  Result<image::ImageSummary> found = store_->Resolve(reference);
  if (!found) {
    std::string why = found.error().code == ErrorCode::kNotFound
                          ? "image " + reference + " is not in the image store " + store_->dir() +
                                " (import it with: barge image import FILE)"
                          : found.error().message;
    return Error{found.error().code, std::string(kReasonCannotPull) + why};
  }
  return found;
}

Result<const ContainerPreparer::Image*> ContainerPreparer::Load(const image::ImageSummary& found,
                                                                const std::string& reference) {
  auto cached = images_.find(found.digest);
  // `barge image rm` may have removed it since: look before trusting the cache.
  std::error_code ec;
  if (cached != images_.end() && fs::is_directory(cached->second.rootfs, ec)) {
    return &cached->second;
  }
  Result<std::string> rootfs = store_->Unpack(found.digest);
  if (!rootfs) {
    return Error{rootfs.error().code, std::string(kReasonCannotPull) + "cannot unpack image " +
                                          reference + ": " + rootfs.error().message};
  }
  Result<image::ImageConfig> config = store_->Config(found.digest);
  if (!config) {
    return Error{config.error().code,
                 std::string(kReasonCannotPull) + "image " + reference +
                     " has an unreadable configuration: " + config.error().message};
  }
  Image image{.rootfs = *rootfs,
              .config = std::move(*config),
              .etc_passwd = ImageFile(*rootfs, "/etc/passwd"),
              .etc_group = ImageFile(*rootfs, "/etc/group")};
  auto [it, inserted] = images_.insert_or_assign(found.digest, std::move(image));
  return &it->second;
}

Result<ContainerLaunch> ContainerPreparer::Prepare(const protocol::Assignment& a,
                                                   const image::ImageSummary& found,
                                                   const fs::path& attempt_dir,
                                                   const std::string& cgroup_parent) {
  if (options_.runc_path.empty()) {
    return FailedPrecondition(CannotStart("this agent runs no containers (runc not found)"));
  }
  Result<const Image*> image = Load(found, a.image);
  if (!image) return image.error();

  ContainerLaunch launch{.bundle_dir = (attempt_dir / "bundle").string(),
                         .overlay_target = (attempt_dir / "bundle" / "rootfs").string(),
                         .pid_file = ContainerPidFile(attempt_dir),
                         .runtime_log = (attempt_dir / "runc.log").string()};
  fs::path upper = attempt_dir / "upper";
  fs::path overlay_work = attempt_dir / "overlay-work";
  for (const fs::path& dir :
       {fs::path(launch.bundle_dir), fs::path(launch.overlay_target), upper, overlay_work}) {
    if (Status made = MakeDir(dir, 0700); !made) return Internal(CannotStart(made.error().message));
  }
  // The root of the container is the overlay's root: the image's modes, not 0700.
  struct stat image_root {};
  if (::stat((*image)->rootfs.c_str(), &image_root) == 0) {
    (void)::chmod(upper.c_str(), image_root.st_mode & 07777);
  }
  launch.overlay_options = "lowerdir=" + EscapeOverlayPath((*image)->rootfs) +
                           ",upperdir=" + EscapeOverlayPath(upper.string()) +
                           ",workdir=" + EscapeOverlayPath(overlay_work.string());

  const ContainerProperties& c = *a.container;
  BundleSpecInput input{
      .command = a.command,
      .image = (*image)->config,
      .batch_environment = a.environment,
      .user = a.user,
      .etc_passwd = (*image)->etc_passwd,
      .etc_group = (*image)->etc_group,
      .volumes = c.volumes,
      .mount_points = c.mount_points,
      .ulimits = c.ulimits,
      .readonly_root_filesystem = c.readonly_root_filesystem.value_or(false),
      .privileged = c.privileged.value_or(false),
      .linux_parameters = c.linux_parameters,
      // Limits live in the attempt's groups, the parent of runc's (see the header).
      .cgroups_path =
          "/" + cgroup_parent + "/" + a.attempt_id + "/" + std::string(kRuntimeCgroupLeaf),
      .rootfs_path = launch.overlay_target,
      .init_binary_path = options_.init_binary_path,
      .host_capabilities = options_.host_capabilities,
      .network = options_.network,
      .netns_path = options_.netns_path,
  };
  std::vector<std::string> anonymous = AnonymousVolumes(c.volumes, c.mount_points);
  if (!anonymous.empty()) {
    if (Status made = MakeDir(attempt_dir / "volumes", 0711); !made) {
      return Internal(CannotStart(made.error().message));
    }
  }
  for (const std::string& name : anonymous) {
    fs::path dir = attempt_dir / "volumes" / std::to_string(input.anonymous_volume_dirs.size());
    if (Status made = MakeDir(dir, 0777); !made) return Internal(CannotStart(made.error().message));
    (void)::chmod(dir.c_str(), 0777);  // Docker's anonymous volumes are writable by any user.
    input.anonymous_volume_dirs[name] = dir.string();
  }
  if (c.linux_parameters) {
    for (const Device& device : c.linux_parameters->devices) {
      struct stat st {};
      if (::stat(device.host_path.c_str(), &st) != 0) {
        return InvalidArgument(
            CannotStart("device " + device.host_path + ": " + std::strerror(errno)));
      }
      if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode)) {
        return InvalidArgument(CannotStart("device " + device.host_path + " is not a device"));
      }
      input.host_devices[device.host_path] =
          HostDevice{.type = S_ISCHR(st.st_mode) ? 'c' : 'b',
                     .major = static_cast<int64_t>(major(st.st_rdev)),
                     .minor = static_cast<int64_t>(minor(st.st_rdev)),
                     .file_mode = st.st_mode & 0777,
                     .uid = st.st_uid,
                     .gid = st.st_gid};
    }
  }
  Result<nlohmann::json> spec = GenerateBundleSpec(input);
  if (!spec) return Error{spec.error().code, CannotStart(spec.error().message)};
  if (Status written =
          WriteFileAtomically(launch.bundle_dir + "/config.json", spec->dump(), FileSync::kNone);
      !written) {
    return Internal(CannotStart(written.error().message));
  }
  fs::path state = attempt_dir / "runc";
  launch.argv = {options_.runc_path, "--root",          state.string(), "--log",
                 launch.runtime_log, "--log-format",    "json",         "run",
                 "--bundle",         launch.bundle_dir, "--pid-file",   launch.pid_file,
                 "--no-new-keyring", a.attempt_id};
  return launch;
}

}  // namespace barge::executor
