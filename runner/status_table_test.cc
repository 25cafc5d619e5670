#include "status_table.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

namespace sigconform {
namespace {

std::string ReadSource(const std::string& rel) {
  std::ifstream in(std::string(SIGCONFORM_SOURCE_ROOT) + "/" + rel);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(StatusTable, HasEveryStatusOnceInReportOrder) {
  const auto& table = StatusTable();
  ASSERT_EQ(table.size(), std::size(kAllStatuses));
  for (size_t i = 0; i < table.size(); ++i) EXPECT_EQ(table[i].status, kAllStatuses[i]);
}

TEST(StatusTable, AgreesWithIsUnexpectedAndNames) {
  for (const StatusInfo& info : StatusTable()) {
    EXPECT_EQ(info.counts_against, IsUnexpected(info.status)) << StatusName(info.status);
    EXPECT_EQ(StatusFromName(StatusName(info.status)), info.status);
    EXPECT_FALSE(info.judged && info.excluded_from_share);
  }
  EXPECT_FALSE(StatusFromName("passed").has_value());
}

TEST(StatusTable, TheReadmeShowsExactlyThisTable) {
  const std::string readme = ReadSource("README.md");
  EXPECT_NE(readme.find(StatusTableMarkdown()), std::string::npos)
      << "README.md must hold this table, as it is:\n" << StatusTableMarkdown();
}

TEST(StatusTable, TheSchemaListsEveryStatusWithItsEffect) {
  const auto schema = nlohmann::json::parse(ReadSource("spec/report.schema.json"));
  const auto& statuses = schema["$defs"]["status"];
  std::set<std::string> names;
  for (const auto& n : statuses["enum"]) names.insert(n.get<std::string>());
  EXPECT_EQ(names.size(), std::size(kAllStatuses));
  for (const StatusInfo& info : StatusTable()) {
    EXPECT_TRUE(names.count(StatusName(info.status))) << StatusName(info.status);
    const std::string desc = statuses["description"].get<std::string>();
    const std::string row = std::string(StatusName(info.status)) + ": exit " +
                            (info.counts_against ? "1" : "0") + ", " +
                            (info.pinnable ? "pinnable" : "not pinnable");
    EXPECT_NE(desc.find(row), std::string::npos) << "the schema's status description lacks '" << row << "'";
  }
}

}  // namespace
}  // namespace sigconform
