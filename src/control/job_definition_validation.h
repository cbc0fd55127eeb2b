#pragma once
// The RegisterJobDefinition rules of AWS Batch that concern one definition on
// its own (type, container and node properties, volumes, ulimits, retry
// strategy, timeout, platform capabilities, scheduling priority, tags). The
// rules shared with SubmitJob's overrides live in core/validation.h; the size
// limit and revision numbering belong to JobDefinitionService.
//
// Pure functions; every failure is kInvalidArgument naming the member at fault.
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/job_definition.h"
#include "core/result.h"

namespace barge::control {

inline constexpr int32_t kMaxSchedulingPriority = 9999;

// The nodes a nodeRangeProperties.targetNodes selects, inclusive.
struct NodeRange {
  int32_t first = 0;
  int32_t last = 0;
};

// Parses targetNodes: "a:b", ":b" (from 0), "a:" (to num_nodes - 1) or "n".
// nullopt when malformed or reversed (a > b). Bounds are not checked, so
// SubmitJob can check them against an overridden numNodes.
std::optional<NodeRange> ParseTargetNodes(std::string_view target_nodes, int32_t num_nodes);

struct ContainerRules {
  bool fargate = false;  // platformCapabilities holds FARGATE.
};

// containerProperties (or a node range's container): image required,
// environment, resourceRequirements, legacy vcpus >= 1 and memory >= 4,
// volumes named once, mountPoints naming a volume, Docker ulimits with
// soft <= hard, linuxParameters, logConfiguration and secrets.
// `field` prefixes messages ("containerProperties").
Status ValidateContainerProperties(std::string_view field, const ContainerProperties& container,
                                   const ContainerRules& rules);

// nodeProperties: numNodes >= 1, mainNode < numNodes, ranges within
// 0..numNodes-1 that together cover every node, at most one instance type per
// range, and a valid container per range.
Status ValidateNodeProperties(const NodeProperties& nodes);

// Every rule above plus name, type and the members common to both types.
Status ValidateJobDefinition(const JobDefinition& definition);

}  // namespace barge::control
