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

}  // namespace
}  // namespace barge
