#pragma once
// JSON codecs for jobs: the store's document of a whole Job, the AWS wire
// shapes JobDetail (DescribeJobs) and JobSummary (ListJobs), and the SubmitJob
// request. Same conventions as codec.h: strict types, unknown members
// ignored, messages naming the member path, epoch-millisecond integers for
// every timestamp.
//
// The store document and JobDetail share their member names; the document
// also carries what the wire does not show (queue by name, attempt and agent
// ids, the resource request, the pending stop reason) and leaves out what is
// derived from an ArnFormatter (jobArn, queue ARN). JobFromJson(ToJson(j))
// equals j except `version`, which the Store keeps apart.
//
// Pure functions; any thread.
#include <nlohmann/json.hpp>

#include "core/arn.h"
#include "core/job.h"
#include "core/job_submission.h"
#include "core/result.h"

namespace barge::codec {

using Json = nlohmann::json;

// The store's document of `job`.
Json ToJson(const Job& job);
Result<Job> JobFromJson(const Json& json);

// An array child as the store keeps it: only what a child changes itself
// (status, statusReason, startedAt, stoppedAt, attempts, isCancelled,
// isTerminated, the pending stop reason); the rest is its parent's
// (core/array_job.h MakeArrayChild). Apply overwrites those members of
// `child`, which MakeArrayChild built. Apply's errors name the member.
Json ArrayChildStateToJson(const Job& child);
Status ApplyArrayChildState(const Json& state, Job& child);

// AWS JobDetail: jobArn, jobName, jobId, jobQueue (ARN), status,
// statusReason, attempts[], createdAt, startedAt, stoppedAt, dependsOn,
// jobDefinition (ARN), parameters, container (the container as it runs plus
// the latest attempt's exitCode, reason and logStreamName), retryStrategy,
// timeout, tags, propagateTags, platformCapabilities, schedulingPriority,
// shareIdentifier, isCancelled, isTerminated, arrayProperties (a parent's
// statusSummary, size and statusSummaryLastUpdatedAt, plus barge's
// maxConcurrency when set; a child's index).
Json JobDetailToJson(const Job& job, const ArnFormatter& arns);

// AWS JobSummary: jobArn, jobId, jobName, createdAt, startedAt, stoppedAt,
// status, statusReason, container{exitCode, reason}, jobDefinition (ARN).
Json JobSummaryToJson(const Job& job, const ArnFormatter& arns);

// The SubmitJob request body. Types are checked here; rules (names, sizes,
// what is not supported yet) are control::JobService's.
Result<JobSubmission> JobSubmissionFromJson(const Json& json);

}  // namespace barge::codec
