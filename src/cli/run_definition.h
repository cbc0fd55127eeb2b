#pragma once
// The job definition `barge run` submits against: one per (image, vCPUs,
// memory), named "barge-run-<8 hex digits of their hash>", without a command
// (each run passes its own as containerOverrides.command). An ACTIVE
// revision with the same properties is reused, so repeated runs do not pile
// up revisions; anything else under that name (edited by hand) is passed
// over and a new revision registered.
//
// Pure functions; any thread.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace barge::cli {

struct RunShape {
  std::string image{};
  int64_t vcpus = 1;
  int64_t memory_mib = 512;
};

std::string RunDefinitionName(const RunShape& shape);

// The RegisterJobDefinition request body.
nlohmann::json RunDefinitionRequest(const RunShape& shape);

// Whether `definition` (one entry of DescribeJobDefinitions) is an ACTIVE
// container definition with `shape`'s image, vCPUs and memory.
bool MatchesRunShape(const nlohmann::json& definition, const RunShape& shape);

// A jobName from the command's program: "/usr/bin/python3" -> "python3";
// characters AWS does not allow become '-', at most 128 characters.
std::string RunJobName(const std::string& program);

}  // namespace barge::cli
