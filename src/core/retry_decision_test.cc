#include "core/retry_decision.h"

#include <gtest/gtest.h>

#include <vector>

namespace barge {
namespace {

EvaluateOnExit Rule(std::string action, std::optional<std::string> status_reason = {},
                    std::optional<std::string> reason = {},
                    std::optional<std::string> exit_code = {}) {
  return {.on_status_reason = std::move(status_reason),
          .on_reason = std::move(reason),
          .on_exit_code = std::move(exit_code),
          .action = std::move(action)};
}

struct Row {
  const char* name;
  RetryStrategy strategy;
  AttemptOutcome outcome;
  bool retry;
};

TEST(RetryDecisionTest, FollowsAwsBatchRules) {
  RetryStrategy three{.attempts = 3};
  RetryStrategy spot_only{.attempts = 3,
                          .evaluate_on_exit = {Rule("RETRY", "Host EC2*"), Rule("EXIT", {}, "*")}};
  RetryStrategy exit_codes{.attempts = 5,
                           .evaluate_on_exit = {Rule("exit", {}, {}, "1"), Rule("retry", {}, {}, "4*")}};
  RetryStrategy combined{.attempts = 2,
                         .evaluate_on_exit = {Rule("RETRY", {}, "OutOfMemory*", "137")}};
  AttemptOutcome exit3{.end = AttemptEnd::kExited, .attempt_number = 1, .exit_code = 3};
  AttemptOutcome host_lost{.end = AttemptEnd::kHostLost,
                           .attempt_number = 1,
                           .status_reason = "Host EC2 (instance i-1) terminated."};

  std::vector<Row> rows = {
      {"default strategy has one attempt", {}, exit3, false},
      {"no rules means retry", three, exit3, true},
      {"last attempt is never retried", three,
       {.end = AttemptEnd::kExited, .attempt_number = 3, .exit_code = 3}, false},
      {"timeout is never retried", three, {.end = AttemptEnd::kTimedOut, .attempt_number = 1}, false},
      {"terminate is never retried", three, {.end = AttemptEnd::kTerminated, .attempt_number = 1}, false},
      {"cancel is never retried", three, {.end = AttemptEnd::kCancelled, .attempt_number = 1}, false},
      {"host loss retried by Host EC2* rule", spot_only, host_lost, true},
      {"first matching rule wins (EXIT on *)", spot_only, exit3, false},
      {"exact exit code EXIT", exit_codes,
       {.end = AttemptEnd::kExited, .attempt_number = 1, .exit_code = 1}, false},
      {"prefix exit code RETRY", exit_codes,
       {.end = AttemptEnd::kExited, .attempt_number = 1, .exit_code = 42}, true},
      {"no rule matches means retry", exit_codes,
       {.end = AttemptEnd::kExited, .attempt_number = 1, .exit_code = 7}, true},
      {"exact exit code does not match a longer one", exit_codes,
       {.end = AttemptEnd::kExited, .attempt_number = 1, .exit_code = 11}, true},
      {"all conditions of a rule must match", combined,
       {.end = AttemptEnd::kExited, .attempt_number = 1, .exit_code = 137,
        .reason = "OutOfMemoryError: Container killed due to memory usage"}, true},
      {"host loss has no exit code for onExitCode rules", exit_codes, host_lost, true},
  };

  for (const Row& row : rows) {
    EXPECT_EQ(ShouldRetry(row.strategy, row.outcome), row.retry) << row.name;
  }
}

TEST(RetryDecisionTest, ExitRuleWithoutMatchingConditionsFallsThroughToRetry) {
  RetryStrategy strategy{.attempts = 2,
                         .evaluate_on_exit = {Rule("EXIT", {}, "CannotPullContainerError:*")}};

  bool retry = ShouldRetry(strategy, {.end = AttemptEnd::kExited, .attempt_number = 1,
                                      .exit_code = 1, .reason = "Essential container exited"});

  EXPECT_TRUE(retry);
}

}  // namespace
}  // namespace barge
