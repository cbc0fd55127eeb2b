#pragma once
// AWS Batch ARNs: arn:aws:batch:{region}:{account}:{resource-type}/{id}.
// ArnFormatter is configured once (--region, --account-id) and is immutable,
// so any thread may use it.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace barge {

enum class ResourceKind {
  kComputeEnvironment,
  kJobQueue,
  kJobDefinition,
  kJob,
  kSchedulingPolicy,
};

struct ParsedArn {
  std::string region{};
  std::string account_id{};
  ResourceKind kind = ResourceKind::kJob;
  std::string id{};  // The part after "<resource-type>/": a name, name:revision or job id.
};

// Parses any batch ARN; nullopt when `arn` is not one.
std::optional<ParsedArn> ParseArn(std::string_view arn);

class ArnFormatter {
 public:
  ArnFormatter(std::string region, std::string account_id)
      : region_(std::move(region)), account_id_(std::move(account_id)) {}

  const std::string& region() const { return region_; }
  const std::string& account_id() const { return account_id_; }

  std::string ComputeEnvironment(std::string_view name) const;
  std::string JobQueue(std::string_view name) const;
  std::string JobDefinition(std::string_view name, int32_t revision) const;
  std::string Job(std::string_view job_id) const;
  std::string SchedulingPolicy(std::string_view name) const;

 private:
  std::string Format(std::string_view resource_type, std::string_view id) const;
  std::string region_;
  std::string account_id_;
};

}  // namespace barge
