#include "codec/json_reader.h"

#include <gtest/gtest.h>

namespace barge::codec {
namespace {

std::string ErrorOf(const JsonReader& reader) {
  Status status = reader.status();
  if (status) return "";
  EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument);
  return status.error().message;
}

TEST(JsonReaderTest, NonObjectBodyIsRejected) {
  Json body = Json::array();

  JsonReader reader(body, "");

  EXPECT_EQ(ErrorOf(reader), "request body must be a JSON object");
}

TEST(JsonReaderTest, NonObjectAtPathNamesThePath) {
  Json body = "text";

  JsonReader reader(body, "containerOverrides");

  EXPECT_EQ(ErrorOf(reader), "containerOverrides must be an object");
}

TEST(JsonReaderTest, ReadsTypedMembers) {
  Json body = Json::parse(R"({"s": "x", "i": -7, "d": 0.5, "b": true, "l": ["a", "b"],
                              "m": {"k": "v"}, "f": 3.0})");
  JsonReader reader(body, "");

  EXPECT_EQ(reader.String("s"), "x");
  EXPECT_EQ(reader.Int32("i"), -7);
  EXPECT_EQ(reader.Int32("f"), 3);
  EXPECT_EQ(reader.Double("d"), 0.5);
  EXPECT_EQ(reader.Double("i"), -7.0);
  EXPECT_EQ(reader.Bool("b"), true);
  EXPECT_EQ(reader.StringList("l"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(reader.StringMap("m"), (std::map<std::string, std::string>{{"k", "v"}}));
  EXPECT_TRUE(reader.ok());
}

TEST(JsonReaderTest, AbsentAndNullMembersAreNotSet) {
  Json body = Json::parse(R"({"n": null})");
  JsonReader reader(body, "");

  EXPECT_EQ(reader.String("n"), std::nullopt);
  EXPECT_EQ(reader.Int32("absent"), std::nullopt);
  EXPECT_EQ(reader.StringList("n"), std::nullopt);
  EXPECT_FALSE(reader.Has("n"));
  EXPECT_TRUE(reader.ok());
}

struct WrongTypeCase {
  const char* body;
  const char* message;
};

class JsonReaderWrongTypeTest : public ::testing::TestWithParam<WrongTypeCase> {};

TEST_P(JsonReaderWrongTypeTest, NamesMemberAndKind) {
  Json body = Json::parse(GetParam().body);
  JsonReader reader(body, "outer");

  (void)reader.String("s");
  (void)reader.Int32("i");
  (void)reader.Double("d");
  (void)reader.Bool("b");
  (void)reader.StringList("l");
  (void)reader.StringMap("m");

  EXPECT_EQ(ErrorOf(reader), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, JsonReaderWrongTypeTest,
    ::testing::Values(WrongTypeCase{R"({"s": 1})", "outer.s must be a string"},
                      WrongTypeCase{R"({"i": "1"})", "outer.i must be an integer"},
                      WrongTypeCase{R"({"i": 1.5})", "outer.i must be an integer"},
                      WrongTypeCase{R"({"i": true})", "outer.i must be an integer"},
                      WrongTypeCase{R"({"i": 2147483648})", "outer.i must be a 32-bit integer"},
                      WrongTypeCase{R"({"i": -2147483649})", "outer.i must be a 32-bit integer"},
                      WrongTypeCase{R"({"i": 1e12})", "outer.i must be a 32-bit integer"},
                      WrongTypeCase{R"({"d": "0.5"})", "outer.d must be a number"},
                      WrongTypeCase{R"({"b": "true"})", "outer.b must be a boolean"},
                      WrongTypeCase{R"({"l": "a"})", "outer.l must be a list"},
                      WrongTypeCase{R"({"l": ["a", 2]})", "outer.l[1] must be a string"},
                      WrongTypeCase{R"({"m": []})", "outer.m must be an object"},
                      WrongTypeCase{R"({"m": {"k": 1}})", "outer.m.k must be a string"}));

TEST(JsonReaderTest, Int32AcceptsItsLimits) {
  Json body = Json::parse(R"({"max": 2147483647, "min": -2147483648})");
  JsonReader reader(body, "");

  EXPECT_EQ(reader.Int32("max"), 2147483647);
  EXPECT_EQ(reader.Int32("min"), -2147483647 - 1);
  EXPECT_TRUE(reader.ok());
}

TEST(JsonReaderTest, KeepsOnlyTheFirstError) {
  Json body = Json::parse(R"({"a": 1, "b": 2})");
  JsonReader reader(body, "");

  (void)reader.String("a");
  (void)reader.String("b");

  EXPECT_EQ(ErrorOf(reader), "a must be a string");
}

TEST(JsonReaderTest, NestedReadersReportFullPaths) {
  Json body = Json::parse(R"({"outer": {"items": [{"name": "a"}, {"name": "b"}, {"name": 3}]}})");
  JsonReader reader(body, "");

  auto names = reader.Object("outer", [](JsonReader& outer) {
    return OrEmpty(outer.ObjectList(
        "items", [](JsonReader& item) { return item.String("name").value_or(""); }));
  });

  ASSERT_TRUE(names.has_value());
  EXPECT_EQ(ErrorOf(reader), "outer.items[2].name must be a string");
}

TEST(JsonReaderTest, ObjectListElementMustBeAnObject) {
  Json body = Json::parse(R"({"items": [{}, 5]})");
  JsonReader reader(body, "");

  (void)reader.ObjectList("items", [](JsonReader& item) { return item.path(); });

  EXPECT_EQ(ErrorOf(reader), "items[1] must be an object");
}

TEST(JsonReaderTest, ObjectMemberMustBeAnObject) {
  Json body = Json::parse(R"({"inner": [1]})");
  JsonReader reader(body, "body");

  auto inner = reader.Object("inner", [](JsonReader& r) { return r.path(); });

  EXPECT_FALSE(inner.has_value());
  EXPECT_EQ(ErrorOf(reader), "body.inner must be an object");
}

TEST(JsonReaderTest, EnumRejectsUnknownValues) {
  Json body = Json::parse(R"({"state": "PAUSED"})");
  JsonReader reader(body, "");

  auto state = reader.Enum("state", ParseResourceState, "ENABLED, DISABLED");

  EXPECT_FALSE(state.has_value());
  EXPECT_EQ(ErrorOf(reader), "state must be one of ENABLED, DISABLED");
}

TEST(JsonReaderTest, AwsOnlyKeepsTableMembersAsCompactJson) {
  Json body = Json::parse(R"({"subnets": ["s-1", "s-2"], "launchTemplate": {"b": [1, {"c": null}]},
                              "flag": false, "notInTable": 1})");
  constexpr AwsOnlyMember kTable[] = {{"subnets", JsonKind::kStringList},
                                      {"launchTemplate", JsonKind::kObject},
                                      {"flag", JsonKind::kBool},
                                      {"absent", JsonKind::kString}};
  JsonReader reader(body, "");

  AwsOnlyFields fields = reader.AwsOnly(kTable);

  EXPECT_TRUE(reader.ok());
  EXPECT_EQ(fields, (AwsOnlyFields{{"subnets", R"(["s-1","s-2"])"},
                                   {"launchTemplate", R"({"b":[1,{"c":null}]})"},
                                   {"flag", "false"}}));
}

TEST(JsonReaderTest, AwsOnlyChecksKinds) {
  constexpr AwsOnlyMember kTable[] = {{"subnets", JsonKind::kStringList},
                                      {"ec2Configuration", JsonKind::kObjectList},
                                      {"tags", JsonKind::kStringMap}};
  struct Case {
    const char* body;
    const char* message;
  };
  for (const Case& c :
       {Case{R"({"subnets": "s"})", "cr.subnets must be a list"},
        Case{R"({"subnets": [1]})", "cr.subnets[0] must be a string"},
        Case{R"({"ec2Configuration": [[]]})", "cr.ec2Configuration[0] must be an object"},
        Case{R"({"tags": {"a": 1}})", "cr.tags.a must be a string"}}) {
    Json body = Json::parse(c.body);
    JsonReader reader(body, "cr");

    (void)reader.AwsOnly(kTable);

    EXPECT_EQ(ErrorOf(reader), c.message) << c.body;
  }
}

TEST(JsonReaderTest, AsStringMapReadsWholeObject) {
  Json good = Json::parse(R"({"a": "1", "b": "2"})");
  Json bad = Json::parse(R"({"a": "1", "b": 2})");
  JsonReader good_reader(good, "tags");
  JsonReader bad_reader(bad, "tags");

  auto map = good_reader.AsStringMap();
  (void)bad_reader.AsStringMap();

  EXPECT_EQ(map, (std::map<std::string, std::string>{{"a", "1"}, {"b", "2"}}));
  EXPECT_EQ(ErrorOf(bad_reader), "tags.b must be a string");
}

TEST(JsonReaderTest, DecodeObjectTurnsExceptionsIntoErrors) {
  Json body = Json::object();

  Result<int> result = DecodeObject(body, "", [](JsonReader&) -> int {
    throw nlohmann::json::type_error::create(302, "boom", nullptr);
  });

  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace barge::codec
