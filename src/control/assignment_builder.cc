#include "control/assignment_builder.h"

#include "control/executor_choice.h"

namespace barge::control {

protocol::Assignment BuildAssignment(const Job& job, const Attempt& attempt,
                                     ExecutorKind executor) {
  protocol::Assignment assignment{.attempt_id = attempt.id,
                                  .job_id = job.id,
                                  .job_name = job.name,
                                  .attempt_number = attempt.number,
                                  .command = job.container->command,
                                  .image = job.container->image,
                                  .user = job.container->user,
                                  .resources = {.millicpus = job.request.millicpus,
                                                .memory_mib = job.request.memory_mib,
                                                .gpus = job.request.gpus},
                                  .timeout_seconds = job.attempt_duration_seconds,
                                  .log_stream_name = LogStreamName(job, attempt.id),
                                  .executor = std::string(ProtocolExecutor(executor)),
                                  .container = job.container};
  for (const KeyValuePair& variable : job.container->environment) {
    assignment.environment[variable.name] = variable.value;
  }
  // Set last: the AWS_BATCH_ prefix is reserved, so these always win.
  assignment.environment["AWS_BATCH_JOB_ID"] = job.id;
  assignment.environment["AWS_BATCH_JQ_NAME"] = job.queue;
  assignment.environment["AWS_BATCH_CE_NAME"] = attempt.compute_environment;
  assignment.environment["AWS_BATCH_JOB_ATTEMPT"] = std::to_string(attempt.number);
  if (job.array && job.array->index) {
    assignment.environment["AWS_BATCH_JOB_ARRAY_INDEX"] = std::to_string(*job.array->index);
    assignment.environment["AWS_BATCH_JOB_ARRAY_SIZE"] = std::to_string(job.array->size);
  }
  return assignment;
}

}  // namespace barge::control
