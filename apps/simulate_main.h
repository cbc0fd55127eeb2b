#pragma once
// `barge simulate`: runs a workload through the control plane at virtual time
// against a simulated fleet and prints the figures (sim/simulation.h), or
// writes a synthetic workload (--generate). argv[0] is "simulate"; the rest
// are its flags (see --help). Returns the process exit code.
namespace barge::apps {
int RunSimulate(int argc, char** argv);
}
