#include "case_filter.h"

#include <gtest/gtest.h>

#include <set>

namespace sigconform {
namespace {

Case Make(const std::string& id, std::vector<std::string> tags = {}, std::string title = "") {
  Case c;
  c.id = id;
  c.tags = std::move(tags);
  c.title = title.empty() ? "checks " + id : title;
  return c;
}

std::vector<std::string> Ids(const std::vector<Case>& cases) {
  std::vector<std::string> ids;
  for (const Case& c : cases) ids.push_back(c.id);
  return ids;
}

const std::vector<Case> kCatalog = {
    Make("alarm/rounds-up", {"timers"}),
    Make("masks/block", {"masks"}),
    Make("masks/unblock", {"masks", "slow"}),
    Make("sigpipe/ignored-at-startup", {}, "SIGPIPE stays IGNORED when inherited"),
    Make("wakeup/full-pipe", {"slow"}),
};

TEST(SelectCases, NoOptionsKeepEverything) {
  EXPECT_EQ(Ids(SelectCases(kCatalog, {})).size(), kCatalog.size());
}

TEST(SelectCases, GlobsIncludeAndBangGlobsExclude) {
  CaseSelection s;
  s.globs = {"masks/*", "alarm/*"};
  EXPECT_EQ(Ids(SelectCases(kCatalog, s)),
            (std::vector<std::string>{"alarm/rounds-up", "masks/block", "masks/unblock"}));
  s.globs = {"masks/*", "!*/unblock"};
  EXPECT_EQ(Ids(SelectCases(kCatalog, s)), (std::vector<std::string>{"masks/block"}));
  // Only exclusions: everything else stays.
  s.globs = {"!masks/*", "!wakeup/*"};
  EXPECT_EQ(Ids(SelectCases(kCatalog, s)),
            (std::vector<std::string>{"alarm/rounds-up", "sigpipe/ignored-at-startup"}));
}

TEST(SelectCases, TagKeepsCasesWithAnyOfTheTags) {
  CaseSelection s;
  s.tags = {"slow", "timers"};
  EXPECT_EQ(Ids(SelectCases(kCatalog, s)),
            (std::vector<std::string>{"alarm/rounds-up", "masks/unblock", "wakeup/full-pipe"}));
}

TEST(SelectCases, KeywordSearchesIdAndTitleIgnoringCase) {
  CaseSelection s;
  s.keywords = {"ignored"};
  EXPECT_EQ(Ids(SelectCases(kCatalog, s)), (std::vector<std::string>{"sigpipe/ignored-at-startup"}));
  s.keywords = {"UNBLOCK"};
  EXPECT_EQ(Ids(SelectCases(kCatalog, s)), (std::vector<std::string>{"masks/unblock"}));
}

TEST(SelectCases, AllCriteriaMustHold) {
  CaseSelection s;
  s.globs = {"masks/*"};
  s.tags = {"slow"};
  EXPECT_EQ(Ids(SelectCases(kCatalog, s)), (std::vector<std::string>{"masks/unblock"}));
}

TEST(SelectCases, ShardsAreDisjointAndTogetherTheUnshardedSelection) {
  std::vector<Case> catalog;
  for (int i = 0; i < 23; ++i) catalog.push_back(Make("area/case-" + std::to_string(100 + i)));
  CaseSelection all;
  all.globs = {"!*-101"};
  const std::vector<std::string> whole = Ids(SelectCases(catalog, all));
  for (int n : {1, 2, 4, 7, 30}) {
    std::multiset<std::string> joined;
    for (int k = 1; k <= n; ++k) {
      CaseSelection s = all;
      s.shard = Shard{k, n};
      const std::vector<std::string> slice = Ids(SelectCases(catalog, s));
      // Balanced: no slice is more than one case larger than another.
      EXPECT_LE(slice.size(), whole.size() / n + 1);
      EXPECT_GE(slice.size(), whole.size() / n);
      joined.insert(slice.begin(), slice.end());
    }
    EXPECT_EQ(joined, std::multiset<std::string>(whole.begin(), whole.end())) << n << " shards";
  }
}

TEST(ParseShard, AcceptsKOverNAndRejectsEverythingElse) {
  std::string error;
  auto s = ParseShard("2/4", &error);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->index, 2);
  EXPECT_EQ(s->count, 4);
  for (const char* bad : {"0/4", "5/4", "4", "/4", "1/", "a/b", "1/0", "-1/4", "1/4/2", " 1/4",
                          "1/99999999999"}) {
    EXPECT_FALSE(ParseShard(bad, &error)) << bad;
    EXPECT_NE(error.find("K/N"), std::string::npos);
  }
}

}  // namespace
}  // namespace sigconform
