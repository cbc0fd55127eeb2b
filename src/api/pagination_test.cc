#include "api/pagination.h"

#include <gtest/gtest.h>

namespace barge::api {
namespace {

using Json = nlohmann::json;

TEST(PaginationTest, TokenHasTheShapeAwsUses) {
  EXPECT_EQ(EncodePageToken(2), "eyJvZmZzZXQiOjJ9");  // base64 of {"offset":2}
}

TEST(PaginationTest, TokenRoundTrips) {
  for (size_t offset : {0u, 1u, 99u, 123456u}) {
    Result<size_t> decoded = DecodePageToken(EncodePageToken(offset));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(*decoded, offset);
  }
}

TEST(PaginationTest, RejectsTokensItDidNotIssue) {
  for (std::string_view token :
       {"", "!!!", "e30=", "eyJvZmZzZXQiOi0xfQ==", "bnVsbA==", "eyJvZmZzZXQiOiJ4In0="}) {
    Result<size_t> decoded = DecodePageToken(token);
    ASSERT_FALSE(decoded) << token;
    EXPECT_EQ(decoded.error().message, "invalid nextToken");
  }
}

TEST(PaginationTest, DefaultsWhenRequestHasNoPagingMembers) {
  Result<PageRequest> request = ReadPageRequest(Json::object(), PageLimits{});

  ASSERT_TRUE(request);
  EXPECT_EQ(request->offset, 0u);
  EXPECT_EQ(request->max_results, 100u);
}

TEST(PaginationTest, MaxResultsMustBeInRange) {
  EXPECT_FALSE(ReadPageRequest({{"maxResults", 0}}, PageLimits{}));
  EXPECT_FALSE(ReadPageRequest({{"maxResults", -3}}, PageLimits{}));
  EXPECT_FALSE(ReadPageRequest({{"maxResults", 101}}, PageLimits{}));
  EXPECT_FALSE(ReadPageRequest({{"maxResults", 1.5}}, PageLimits{}));
  EXPECT_TRUE(ReadPageRequest({{"maxResults", 100}}, PageLimits{}));
}

TEST(PaginationTest, PagesAreContiguousAndTheLastHasNoToken) {
  std::vector<int> all = {1, 2, 3, 4, 5};

  Page<int> first = TakePage(all, {.offset = 0, .max_results = 2});
  Result<size_t> next = DecodePageToken(*first.next_token);
  ASSERT_TRUE(next);
  Page<int> second = TakePage(all, {.offset = *next, .max_results = 3});

  EXPECT_EQ(first.items, (std::vector<int>{1, 2}));
  EXPECT_EQ(second.items, (std::vector<int>{3, 4, 5}));
  EXPECT_FALSE(second.next_token);
}

TEST(PaginationTest, OffsetPastTheEndIsAnEmptyLastPage) {
  Page<int> page = TakePage(std::vector<int>{1, 2}, {.offset = 7, .max_results = 2});

  EXPECT_TRUE(page.items.empty());
  EXPECT_FALSE(page.next_token);
}

}  // namespace
}  // namespace barge::api
