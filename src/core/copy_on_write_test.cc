#include "core/copy_on_write.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/job.h"

namespace barge {
namespace {

TEST(CopyOnWriteTest, ADefaultValueReadsAsADefaultT) {
  CopyOnWrite<std::vector<std::string>> value;
  EXPECT_TRUE(value->empty());
  value.mutable_value().push_back("a");
  EXPECT_EQ(*value, std::vector<std::string>{"a"});
}

TEST(CopyOnWriteTest, CopiesShareTheValueUntilOneChangesIt) {
  CopyOnWrite<std::vector<std::string>> original(std::vector<std::string>{"a", "b"});
  CopyOnWrite<std::vector<std::string>> copy = original;
  EXPECT_EQ(&*copy, &*original);  // Shared, not copied.

  copy.mutable_value().push_back("c");

  EXPECT_EQ(*original, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(*copy, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_NE(&*copy, &*original);
}

TEST(CopyOnWriteTest, AValueNoOtherCopyHoldsIsChangedInPlace) {
  CopyOnWrite<std::vector<std::string>> value(std::vector<std::string>{"a"});
  const std::vector<std::string>* before = &*value;
  value.mutable_value().push_back("b");
  EXPECT_EQ(&*value, before);
}

TEST(CopyOnWriteTest, ACopiedJobKeepsItsContainerWhenTheOriginalChangesIt) {
  Job original{.id = "j",
               .container = ContainerProperties{.image = "busybox", .command = {"true"}}};
  Job copy = original;
  original.container.mutable_value().command = {"false"};
  original.retry_strategy.mutable_value().attempts = 2;

  EXPECT_EQ(copy.container->command, std::vector<std::string>{"true"});
  EXPECT_EQ(copy.container->image, "busybox");
  EXPECT_FALSE(copy.retry_strategy->attempts.has_value());
  EXPECT_EQ(original.container->command, std::vector<std::string>{"false"});
}

TEST(CopyOnWriteTest, ConvertsFromWhatConvertsToItsValueAndJobCopiesShareTheArn) {
  Job job{.job_definition_arn = "arn:aws:batch:us-east-1:123456789012:job-definition/jd:2"};
  Job copy = job;

  EXPECT_EQ(*copy.job_definition_arn, "arn:aws:batch:us-east-1:123456789012:job-definition/jd:2");
  EXPECT_EQ(&*copy.job_definition_arn, &*job.job_definition_arn);  // Shared, not copied.
  job.job_definition_arn = std::string("arn:aws:batch:us-east-1:123456789012:job-definition/jd:3");
  EXPECT_EQ(*copy.job_definition_arn, "arn:aws:batch:us-east-1:123456789012:job-definition/jd:2");
}

TEST(CopyOnWriteOptionalTest, StartsEmptyAndTakesAValueOrNullopt) {
  CopyOnWriteOptional<std::string> value;
  EXPECT_FALSE(value);
  EXPECT_EQ(value, std::nullopt);
  EXPECT_EQ(value.value_or("none"), "none");

  value = std::string("a");
  ASSERT_TRUE(value);
  EXPECT_EQ(*value, "a");
  EXPECT_EQ(value->size(), 1u);
  EXPECT_EQ(value.ToOptional(), std::optional<std::string>("a"));

  value = std::optional<std::string>();
  EXPECT_FALSE(value.has_value());
  value = std::optional<std::string>("b");
  EXPECT_EQ(value, std::string("b"));
  value = std::nullopt;
  EXPECT_FALSE(value);
}

TEST(CopyOnWriteOptionalTest, CopiesShareTheValueUntilOneChangesIt) {
  CopyOnWriteOptional<std::vector<std::string>> original(std::vector<std::string>{"a"});
  CopyOnWriteOptional<std::vector<std::string>> copy = original;
  EXPECT_EQ(&*copy, &*original);

  copy.mutable_value().push_back("b");

  EXPECT_EQ(*original, std::vector<std::string>{"a"});
  EXPECT_EQ(*copy, (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(copy == original);
  copy.reset();
  EXPECT_FALSE(copy);
  EXPECT_TRUE(original);
}

TEST(CopyOnWriteOptionalTest, EqualityComparesValuesNotSharing) {
  CopyOnWriteOptional<std::string> a(std::string("x"));
  CopyOnWriteOptional<std::string> b(std::string("x"));
  CopyOnWriteOptional<std::string> none;
  EXPECT_TRUE(a == b);
  EXPECT_FALSE(a == none);
  EXPECT_TRUE(none == CopyOnWriteOptional<std::string>());
}

TEST(CopyOnWriteOptionalTest, ACopiedJobKeepsItsArrayPropertiesWhenTheOriginalChangesThem) {
  Job original{.id = "p", .array = ArrayJob{.size = 3}};
  Job copy = original;
  original.array.mutable_value().status_summary[0] = 3;

  EXPECT_EQ(copy.array->status_summary[0], 0);
  EXPECT_EQ(original.array->status_summary[0], 3);
  EXPECT_EQ(copy.array->size, 3);
}

}  // namespace
}  // namespace barge
