#include "bounded_json.h"

#include <string>

#include <gtest/gtest.h>

namespace sigconform {
namespace {

using nlohmann::json;

constexpr JsonBounds kWide{1u << 20, 64, 100000};

std::string Nested(size_t depth, const std::string& open = "[", const std::string& close = "]") {
  std::string s;
  for (size_t i = 0; i < depth; ++i) s += open;
  s += "1";
  for (size_t i = 0; i < depth; ++i) s += close;
  return s;
}

TEST(ParseBoundedJson, BuildsTheSameDocumentAsTheStandardParser) {
  const std::string text = R"({"a": [1, -2, 3.5, "x", null, true, {"b": {}}], "c": []})";
  json doc;
  JsonError error;
  size_t values = 0;
  ASSERT_TRUE(ParseBoundedJson(text, kWide, &doc, &error, &values)) << error.message;
  EXPECT_EQ(doc, json::parse(text));
  EXPECT_EQ(values, 14u);  // 5 arrays and objects, 6 scalars, 3 keys
}

TEST(ParseBoundedJson, DuplicateKeyIsRefusedAtItsPath) {
  json doc;
  JsonError error;
  EXPECT_FALSE(ParseBoundedJson(R"({"platforms": ["linux"], "steps": [{"do": "x", "do": "y"}]})",
                                kWide, &doc, &error));
  EXPECT_EQ(error.json_path, "/steps/0/do");
  EXPECT_NE(error.message.find("duplicate key 'do'"), std::string::npos) << error.message;

  EXPECT_FALSE(ParseBoundedJson(R"({"platforms": ["linux"], "platforms": ["windows"]})", kWide,
                                &doc, &error));
  EXPECT_EQ(error.json_path, "/platforms");
}

TEST(ParseBoundedJson, TheSameKeyInDifferentObjectsIsFine) {
  json doc;
  JsonError error;
  EXPECT_TRUE(ParseBoundedJson(R"([{"a": 1}, {"a": 2}, {"b": {"a": 3}}])", kWide, &doc, &error));
}

TEST(ParseBoundedJson, DepthIsBoundedWithoutRecursion) {
  json doc;
  JsonError error;
  EXPECT_TRUE(ParseBoundedJson(Nested(64), kWide, &doc, &error)) << error.message;
  EXPECT_FALSE(ParseBoundedJson(Nested(65), kWide, &doc, &error));
  EXPECT_NE(error.message.find("nested deeper than 64"), std::string::npos) << error.message;
  EXPECT_EQ(error.json_path, "/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/"
                             "0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0");
  // Deep enough to overflow any recursive parser or walker: refused just the same.
  EXPECT_FALSE(ParseBoundedJson(Nested(300000), JsonBounds{1u << 30, 64, 1u << 30}, &doc, &error));
  EXPECT_FALSE(ParseBoundedJson(Nested(100000, "{\"a\":", "}"),
                                JsonBounds{1u << 30, 64, 1u << 30}, &doc, &error));
  EXPECT_EQ(error.json_path.substr(0, 6), "/a/a/a");
}

TEST(ParseBoundedJson, SizeAndValueCountAreBounded) {
  json doc;
  JsonError error;
  EXPECT_FALSE(ParseBoundedJson(std::string(100, ' ') + "1", JsonBounds{100, 64, 10}, &doc, &error));
  EXPECT_NE(error.message.find("101 bytes long"), std::string::npos) << error.message;
  EXPECT_TRUE(ParseBoundedJson("[1,2,3,4]", JsonBounds{100, 64, 5}, &doc, &error));
  EXPECT_FALSE(ParseBoundedJson("[1,2,3,4,5]", JsonBounds{100, 64, 5}, &doc, &error));
  EXPECT_NE(error.message.find("more than 5 values"), std::string::npos) << error.message;
  EXPECT_EQ(error.json_path, "/4");
}

TEST(ParseBoundedJson, SyntaxErrorsAndInvalidUtf8HaveLineAndColumn) {
  json doc;
  JsonError error;
  EXPECT_FALSE(ParseBoundedJson("{\n  \"a\": tru\n}", kWide, &doc, &error));
  EXPECT_EQ(error.json_path, "");
  EXPECT_EQ(error.message.rfind("invalid JSON: parse error at line 3, column", 0), 0u)
      << error.message;
  EXPECT_FALSE(ParseBoundedJson("[\"\xff\"]", kWide, &doc, &error));
  EXPECT_EQ(error.message.rfind("invalid JSON", 0), 0u) << error.message;
  EXPECT_FALSE(ParseBoundedJson("[1] [2]", kWide, &doc, &error));  // one document only
  EXPECT_FALSE(ParseBoundedJson("", kWide, &doc, &error));
}

TEST(WithinJsonDepth, MeasuresWithoutRecursionAndNamesTheSpot) {
  json deep = 1;
  for (int i = 0; i < 200000; ++i) {
    json wrapper = json::array();
    wrapper.push_back(std::move(deep));
    deep = std::move(wrapper);
  }
  std::string where;
  EXPECT_FALSE(WithinJsonDepth(deep, 64, &where));
  EXPECT_EQ(where.size(), 2u * 64);
  EXPECT_TRUE(WithinJsonDepth(json::parse(Nested(64)), 64, &where));
  EXPECT_FALSE(WithinJsonDepth(json::parse(R"({"a": [{"b~/": [1]}]})"), 3, &where));
  EXPECT_EQ(where, "/a/0/b~0~1");
  EXPECT_TRUE(WithinJsonDepth(json(5), 0, &where));
  EXPECT_FALSE(WithinJsonDepth(json::array(), 0, &where));
}

}  // namespace
}  // namespace sigconform
