#pragma once
// `barge agent`: the composition root of a worker host. argv[0] is "agent";
// the rest are its flags (see --help). Returns the process exit code.
namespace barge::apps {
int RunAgent(int argc, char** argv);
}
