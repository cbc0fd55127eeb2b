#include "cli/shorthand.h"

#include <gtest/gtest.h>

#include <array>

namespace barge::cli {
namespace {

Json Parse(std::string_view text) {
  Result<Json> parsed = ParseShorthand(text);
  EXPECT_TRUE(parsed) << (parsed ? "" : parsed.error().message);
  return parsed ? *parsed : Json();
}

TEST(ShorthandTest, ParsesFlatKeyValuePairsAsStrings) {
  EXPECT_EQ(Parse("order=1,computeEnvironment=ce1"),
            Json::parse(R"({"order":"1","computeEnvironment":"ce1"})"));
}

TEST(ShorthandTest, CommaSeparatedValuesBecomeAListUntilTheNextKey) {
  EXPECT_EQ(Parse("name=JOB_NAME,values=a,b,c,other=x"),
            Json::parse(R"({"name":"JOB_NAME","values":["a","b","c"],"other":"x"})"));
}

TEST(ShorthandTest, ParsesExplicitListsAndNestedHashes) {
  EXPECT_EQ(Parse("a=[x,y],b={c=d,e=[f]},g=[]"),
            Json::parse(R"({"a":["x","y"],"b":{"c":"d","e":["f"]},"g":[]})"));
}

TEST(ShorthandTest, HonoursQuotesAndEscapedCommas) {
  EXPECT_EQ(Parse(R"(a='x,y',b=p\,q,c="say \"hi\"")"),
            Json::parse(R"({"a":"x,y","b":"p,q","c":"say \"hi\""})"));
}

TEST(ShorthandTest, KeepsGlobsAndEqualsSignsInsideFirstValues) {
  EXPECT_EQ(Parse("onStatusReason=Host EC2*,action=retry"),
            Json::parse(R"({"onStatusReason":"Host EC2*","action":"retry"})"));
  EXPECT_EQ(Parse("value=a=b"), Json::parse(R"({"value":"a=b"})"));
}

TEST(ShorthandTest, EmptyValuesAreEmptyStrings) {
  EXPECT_EQ(Parse("a=,b=c"), Json::parse(R"({"a":"","b":"c"})"));
}

TEST(ShorthandTest, MissingEqualsSignIsASyntaxErrorWithACaret) {
  Result<Json> parsed = ParseShorthand("abc");

  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().message, "Expected: '=', received: 'EOF' for input:\nabc\n   ^");
}

TEST(ShorthandTest, RepeatedKeyIsAnError) {
  Result<Json> parsed = ParseShorthand("a=1,a=2");

  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message.find("Second instance of key \"a\""), std::string::npos);
}

TEST(ShorthandTest, UnterminatedQuoteIsAnError) { EXPECT_FALSE(ParseShorthand("a='xyz")); }

TEST(ShorthandTest, ApplyShapeConvertsIntegersFloatsAndBooleans) {
  Json value = Parse("attempts=2,weight=0.5,flag=TRUE,name=x");

  Status typed = ApplyShape(value, "{attempts:i,weight:f,flag:b}", {});

  ASSERT_TRUE(typed);
  EXPECT_EQ(value, Json::parse(R"({"attempts":2,"weight":0.5,"flag":true,"name":"x"})"));
}

TEST(ShorthandTest, ApplyShapeWrapsASingleValueIntoAList) {
  Json value = Parse("instanceTypes=optimal,subnets=s1,s2");

  ASSERT_TRUE(ApplyShape(value, "{instanceTypes:[s],subnets:[s]}", {}));

  EXPECT_EQ(value, Json::parse(R"({"instanceTypes":["optimal"],"subnets":["s1","s2"]})"));
}

TEST(ShorthandTest, ApplyShapeFollowsListsOfStructures) {
  Json value =
      Json::array({Parse("order=1,computeEnvironment=a"), Parse("order=2,computeEnvironment=b")});

  ASSERT_TRUE(ApplyShape(value, "[{order:i}]", {}));

  EXPECT_EQ(value, Json::parse(R"([{"order":1,"computeEnvironment":"a"},
                                   {"order":2,"computeEnvironment":"b"}])"));
}

TEST(ShorthandTest, ApplyShapeResolvesNamedShapes) {
  constexpr std::array kLibrary = {NamedShape{.name = "Timeout", .shape = "{seconds:i}"}};
  Json value = Parse("timeout={seconds=60}");

  ASSERT_TRUE(ApplyShape(value, "{timeout:@Timeout}", kLibrary));

  EXPECT_EQ(value, Json::parse(R"({"timeout":{"seconds":60}})"));
}

TEST(ShorthandTest, ApplyShapeRejectsANonNumericInteger) {
  Json value = Parse("attempts=two");

  Status typed = ApplyShape(value, "{attempts:i}", {});

  ASSERT_FALSE(typed);
  EXPECT_EQ(typed.error().message, "invalid integer value \"two\" for member attempts");
}

}  // namespace
}  // namespace barge::cli
