#pragma once
// For a batch computation that builds a large heap quickly (`barge
// simulate`): re-executes the process with jemalloc's transparent-huge-page
// mode on, so that its heap grows by 2 MiB pages instead of taking a page
// fault per 4 KiB page (on a virtual machine those faults took about a sixth
// of a simulation's time: docs/performance.md). jemalloc reads MALLOC_CONF
// once, as the process starts, hence the re-exec. The server and the agents
// keep the default: huge pages can raise a long-running process's resident
// size.
//
// Returns without re-executing when MALLOC_CONF is set already (the user's
// own settings, or this is the re-executed process), when the process does
// not allocate with jemalloc (BARGE_JEMALLOC=OFF, sanitizer builds), or when
// the exec fails; otherwise it does not return. `argv` is main's.
namespace barge {

void ReexecWithHugePageHeap(char** argv);

}  // namespace barge
