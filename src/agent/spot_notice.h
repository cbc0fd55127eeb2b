#pragma once
// SpotNotice: how the jobs on this host learn that its instance is about to
// be reclaimed, the way EC2 tells a spot instance. The server puts the
// instance's action (protocol::InstanceAction) in heartbeat and poll replies
// once the instance has its interruption notice; the agent hands each one to
// Notice(). The first time it sees an action, SpotNotice writes EC2's
// instance-metadata document (what spot/instance-action at 169.254.169.254
// returns), atomically (temp file, rename):
//
//   <state dir>/spot/instance-action   {"action":"terminate","time":"2026-12-06T05:20:00Z"}
//
// and the agent then sends kSpotNoticeSignal (SIGWINCH, ignored unless
// trapped) to every running attempt's job (Executor::Signal). Every attempt,
// from the start, has kSpotFileVariable in its environment naming where the
// file appears (Expose): the host path for a process attempt; for a
// container attempt kContainerSpotFile, with <state dir>/spot bind-mounted
// read-only at kContainerSpotDir. The file exists only once there is a
// notice.
//
// Restart. The file is the only memory: Open() takes a file whose time is
// still to come as seen (the notice is not signalled twice) and removes one
// whose time has passed (left by an earlier life of this state dir).
//
// One thread (the agent's).
#include <signal.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/time.h"
#include "protocol/messages.h"

namespace barge::agent {

inline constexpr std::string_view kSpotFileVariable = "BARGE_SPOT_INSTANCE_ACTION_FILE";
inline constexpr std::string_view kContainerSpotDir = "/run/barge/spot";
inline constexpr std::string_view kContainerSpotFile = "/run/barge/spot/instance-action";
inline constexpr int kSpotNoticeSignal = SIGWINCH;

// EC2's instance-action document: {"action":"terminate","time":"<ISO 8601 UTC, seconds>Z"}.
std::string InstanceActionDocument(const protocol::InstanceAction& action);
// The document's action back; kInvalidArgument when it is not one.
Result<protocol::InstanceAction> ParseInstanceActionDocument(std::string_view text);

class SpotNotice {
 public:
  // Creates <state_dir>/spot (mode 0755) and looks at a file left there (see
  // Restart above) against `now`. kInternal when the directory cannot be made.
  static Result<SpotNotice> Open(const std::filesystem::path& state_dir, Timestamp now);

  // True when `action` differs from the last one seen (the same action at
  // the same second is the same notice): the file now holds it, and the
  // caller signals the jobs. A file that could not be written is logged and written again at the
  // next call.
  bool Notice(const protocol::InstanceAction& action);

  // Adds kSpotFileVariable to the attempt's environment and, for a container
  // attempt, the read-only mount of the spot directory (unless the job mounts
  // something at kContainerSpotDir itself).
  void Expose(protocol::Assignment& assignment) const;

  const std::filesystem::path& dir() const { return dir_; }
  const std::filesystem::path& file() const { return file_; }
  const std::optional<protocol::InstanceAction>& seen() const { return seen_; }

 private:
  explicit SpotNotice(std::filesystem::path dir)
      : dir_(std::move(dir)), file_(dir_ / "instance-action") {}

  std::filesystem::path dir_;
  std::filesystem::path file_;
  std::optional<protocol::InstanceAction> seen_{};
  bool written_ = false;  // file_ holds seen_.
};

}  // namespace barge::agent
