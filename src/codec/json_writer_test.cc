#include "codec/json_writer.h"

#include <gtest/gtest.h>

namespace barge::codec {
namespace {

TEST(JsonWriterTest, PutsOnlySetMembers) {
  Json out = Json::object();

  PutIfSet(out, "set", std::optional<int32_t>(0));
  PutIfSet(out, "unset", std::optional<int32_t>());
  PutIfSet(out, "empty_but_engaged", std::optional<std::string>(""));
  PutIfNotEmpty(out, "empty_string", std::string());
  PutIfNotEmpty(out, "string", std::string("x"));
  PutIfNotEmpty(out, "empty_list", std::vector<std::string>{});
  PutIfNotEmpty(out, "empty_map", std::map<std::string, std::string>{});

  EXPECT_EQ(out, Json::parse(R"({"set": 0, "empty_but_engaged": "", "string": "x"})"));
}

TEST(JsonWriterTest, AwsOnlyIsWrittenBackAsJson) {
  Json out = Json::object();

  PutAwsOnly(out, {{"launchTemplate", R"({"a":[1,2.5,null]})"}, {"context", R"("c")"}});

  EXPECT_EQ(out, Json::parse(R"({"launchTemplate": {"a": [1, 2.5, null]}, "context": "c"})"));
}

TEST(JsonWriterTest, AwsOnlyNeverOverwritesAndSkipsCorruptText) {
  Json out = Json::parse(R"({"type": "EC2"})");

  PutAwsOnly(out, {{"type", R"("SPOT")"}, {"broken", "{not json"}});

  EXPECT_EQ(out, Json::parse(R"({"type": "EC2"})"));
}

}  // namespace
}  // namespace barge::codec
