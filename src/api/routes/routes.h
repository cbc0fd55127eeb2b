#pragma once
// The AWS Batch operations, one function per family, each adding its routes
// to a Router. A route decodes the request with codec/, calls one control
// service and encodes the AWS output shape; it holds no state of its own.
//
// The services are not owned and must outlive the Router. Handlers run on the
// control thread, like the services they call.
#include "api/router.h"
#include "control/compute_environment_service.h"
#include "control/cost_service.h"
#include "control/job_definition_service.h"
#include "control/job_queue_service.h"
#include "control/job_service.h"
#include "control/log_service.h"
#include "control/scheduling_policy_service.h"
#include "control/tag_service.h"

namespace barge::api {

// Create/Describe/Update/DeleteComputeEnvironment(s).
void AddComputeEnvironmentRoutes(Router& router, control::ComputeEnvironmentService& service);
// Create/Describe/Update/DeleteJobQueue(s).
void AddJobQueueRoutes(Router& router, control::JobQueueService& service);
// Register/Describe/DeregisterJobDefinition(s).
void AddJobDefinitionRoutes(Router& router, control::JobDefinitionService& service);
// Create/Describe/List/Update/DeleteSchedulingPolic(y|ies).
void AddSchedulingPolicyRoutes(Router& router, control::SchedulingPolicyService& service);
// ListTagsForResource (GET), TagResource (POST), UntagResource (DELETE).
void AddTagRoutes(Router& router, control::TagService& service);
// SubmitJob, DescribeJobs, ListJobs, Cancel/TerminateJob(s).
void AddJobRoutes(Router& router, control::JobService& service);
// CloudWatch Logs' GetLogEvents (AWS JSON 1.1, X-Amz-Target Logs_20140328.*).
void AddLogRoutes(Router& router, control::LogService& service);
// barge's extension: GetCostReport and ListInstances (POST /v1/getcostreport,
// /v1/listinstances).
void AddCostRoutes(Router& router, control::CostService& service);

}  // namespace barge::api
