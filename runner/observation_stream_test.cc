#include "observation_stream.h"

#include <string>

#include <gtest/gtest.h>

namespace sigconform {
namespace {

void FeedString(ObservationStream* stream, const std::string& data) {
  stream->Feed(data.data(), data.size());
}

TEST(ObservationStream, RecordsSplitAcrossPieces) {
  ObservationStream stream;
  std::string data = "{\"ev\":\"start\",\"case\":\"x\"}\n{\"ev\":\"done\"}\n";
  for (char c : data) stream.Feed(&c, 1);  // one byte at a time
  stream.Finish();
  ASSERT_EQ(stream.records().size(), 2u);
  EXPECT_EQ(stream.records()[0]["ev"], "start");
  EXPECT_EQ(stream.records()[0]["case"], "x");
  EXPECT_EQ(stream.records()[1]["ev"], "done");
  EXPECT_TRUE(stream.protocol_errors().empty());
  EXPECT_FALSE(stream.truncated());
}

TEST(ObservationStream, GarbageBecomesProtocolErrorsWithLineNumbers) {
  ObservationStream stream;
  FeedString(&stream, "not json\n[1,2]\n{\"ev\":\"ok\"}\n{\"x\":1}\n{\"ev\":5}\n\n");
  stream.Finish();
  ASSERT_EQ(stream.records().size(), 1u);
  EXPECT_EQ(stream.records()[0]["ev"], "ok");
  ASSERT_EQ(stream.protocol_errors().size(), 5u);
  EXPECT_EQ(stream.protocol_errors()[0], "line 1: not a JSON object: not json");
  EXPECT_EQ(stream.protocol_errors()[1], "line 2: not a JSON object: [1,2]");
  EXPECT_EQ(stream.protocol_errors()[2], "line 4: record without an \"ev\" string: {\"x\":1}");
  EXPECT_EQ(stream.protocol_errors()[3], "line 5: record without an \"ev\" string: {\"ev\":5}");
  EXPECT_EQ(stream.protocol_errors()[4], "line 6: not a JSON object: ");
}

TEST(ObservationStream, LongBadLineIsQuotedShort) {
  ObservationStream stream;
  FeedString(&stream, std::string(5000, 'x') + "\n");
  ASSERT_EQ(stream.protocol_errors().size(), 1u);
  EXPECT_EQ(stream.protocol_errors()[0],
            "line 1: not a JSON object: " + std::string(200, 'x') + "...");
}

TEST(ObservationStream, LastLineWithoutNewlineIsAnError) {
  ObservationStream stream;
  FeedString(&stream, "{\"ev\":\"start\"}\n{\"ev\":\"done\"}");
  EXPECT_EQ(stream.records().size(), 1u);
  stream.Finish();
  EXPECT_EQ(stream.records().size(), 1u);
  ASSERT_EQ(stream.protocol_errors().size(), 1u);
  EXPECT_EQ(stream.protocol_errors()[0], "line 2: last line has no newline: {\"ev\":\"done\"}");
}

TEST(ObservationStream, CapTruncatesAndDrops) {
  ObservationStream stream(30);
  FeedString(&stream, "{\"ev\":\"a\"}\n{\"ev\":\"b\"}\n{\"ev\":\"c\"}\n{\"ev\":\"d\"}\n");
  FeedString(&stream, "{\"ev\":\"e\"}\n");
  stream.Finish();
  EXPECT_TRUE(stream.truncated());
  ASSERT_EQ(stream.records().size(), 2u);  // 2 * 11 bytes fit in 30; the third is cut
  EXPECT_TRUE(stream.protocol_errors().empty());  // the cut line is ours, not an error
}

TEST(ObservationStream, RequestsReachTheHandlerAtOnce) {
  ObservationStream stream;
  int calls = 0;
  stream.set_request_handler([&](const nlohmann::json& record) -> std::string {
    ++calls;
    if (record.value("sig", "") == "SIGNOPE") return "unknown signal";
    return "";
  });
  FeedString(&stream, "{\"ev\":\"request\",\"op\":\"kill\",\"sig\":\"SIGUSR1\"}\n");
  EXPECT_EQ(calls, 1);  // before Finish: while the driver still runs
  FeedString(&stream, "{\"ev\":\"request\",\"op\":\"kill\",\"sig\":\"SIGNOPE\"}\n");
  stream.Finish();
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(stream.records().size(), 2u);
  ASSERT_EQ(stream.protocol_errors().size(), 1u);
  EXPECT_EQ(stream.protocol_errors()[0].substr(0, 24), "line 2: unknown signal: ");
}

// Issue 12, failure 1: a record nested 30,000 levels deep (a 60 KB line) crashed the runner.
TEST(ObservationStream, DeeplyNestedRecordIsAProtocolErrorNotACrash) {
  ObservationStream stream;
  std::string line = "{\"ev\":\"step\",\"value\":" + std::string(30000, '[') +
                     std::string(30000, ']') + "}\n";
  FeedString(&stream, line);
  FeedString(&stream, "{\"ev\":\"done\"}\n");
  stream.Finish();
  ASSERT_EQ(stream.records().size(), 1u);
  ASSERT_EQ(stream.protocol_errors().size(), 1u);
  EXPECT_NE(stream.protocol_errors()[0].find("line 1: nested deeper than 64 arrays and objects"),
            std::string::npos)
      << stream.protocol_errors()[0];
}

TEST(ObservationStream, DuplicateKeysInARecordAreProtocolErrors) {
  ObservationStream stream;
  FeedString(&stream, "{\"ev\":\"step\",\"ok\":true,\"ok\":false}\n");
  stream.Finish();
  EXPECT_TRUE(stream.records().empty());
  ASSERT_EQ(stream.protocol_errors().size(), 1u);
  EXPECT_NE(stream.protocol_errors()[0].find("duplicate key 'ok'"), std::string::npos);
}

// Issue 12, failure 2: one stored error per "{}" line turned the 8 MB cap into about 350 MB
// of runner memory per driver.
TEST(ObservationStream, ProtocolErrorsAreCountedNotAllKept) {
  ObservationStream stream;
  std::string flood;
  for (int i = 0; i < 100000; ++i) flood += "{}\n";
  FeedString(&stream, flood);
  stream.Finish();
  ASSERT_EQ(stream.protocol_errors().size(), ObservationStream::kMaxProtocolErrors + 1);
  EXPECT_EQ(stream.protocol_errors().back(),
            "(" + std::to_string(100000 - ObservationStream::kMaxProtocolErrors) +
                " more protocol errors)");
}

TEST(ObservationStream, KeptRecordsAreBoundedByWhatTheyCost) {
  ObservationStream stream(8u << 20, 1u << 20);
  std::string flood;
  for (int i = 0; i < 300000; ++i) flood += "{\"ev\":\"x\"}\n";  // 3 values a record
  FeedString(&stream, flood);
  stream.Finish();
  EXPECT_TRUE(stream.truncated());
  const size_t cost = 10 + 3 * ObservationStream::kValueCost;  // the line without its newline
  EXPECT_EQ(stream.records().size(), (1u << 20) / cost);
  EXPECT_TRUE(stream.protocol_errors().empty());
}

TEST(ObservationStream, AnOverlongLineIsSkippedWithoutBeingHeld) {
  ObservationStream stream(64u << 20);
  const std::string chunk(1u << 20, 'x');
  FeedString(&stream, "{\"ev\":\"start\"}\n{\"ev\":\"step\",\"pad\":\"");
  for (int i = 0; i < 50; ++i) FeedString(&stream, chunk);  // one 50 MB line
  FeedString(&stream, "\"}\n{\"ev\":\"done\"}\n");
  stream.Finish();
  ASSERT_EQ(stream.records().size(), 2u);
  EXPECT_EQ(stream.records()[1]["ev"], "done");
  ASSERT_EQ(stream.protocol_errors().size(), 1u);
  EXPECT_NE(stream.protocol_errors()[0].find("line 2: a record longer than 1048576 bytes"),
            std::string::npos)
      << stream.protocol_errors()[0].substr(0, 300);
  EXPECT_FALSE(stream.truncated());
}

}  // namespace
}  // namespace sigconform
