#pragma once
// Finding a program the way execvp does, for the places that locate a tool
// (runc) before running it: barge dev, barge agent, the benchmarks.
#include <string>

namespace barge {

// The first executable regular file `name` in the ':'-separated `path_env`
// (an empty entry is the current directory, as for execvp); empty when none.
std::string FindExecutableInPath(const std::string& name, const std::string& path_env);

// FindExecutableInPath over this process's $PATH.
std::string FindExecutable(const std::string& name);

// Whether `path` is a regular file this process may execute.
bool IsExecutableFile(const std::string& path);

}  // namespace barge
