#include "report_merge.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace sigconform {
namespace {

using nlohmann::json;

LoadedReport Part(const std::string& file, const std::string& impl, int k, int n,
                  const std::vector<std::string>& cases) {
  LoadedReport p;
  p.file = file;
  p.run.catalog_digest = "sha256:aa";
  p.run.started_at = "2026-01-01T00:00:0" + std::to_string(k) + "Z";
  p.run.ended_at = "2026-01-01T00:01:0" + std::to_string(k) + "Z";
  p.run.seconds = 10.0 * k;
  p.run.shard_index = k;
  p.run.shard_count = n;
  p.run.host_name = "machine-" + std::to_string(k);
  p.run.implementations = {{impl, impl, {{"implementation", impl}, {"language_version", "3.11.2"},
                                         {"platform", "linux"}}, {}}};
  for (const std::string& id : cases) {
    Result r;
    r.case_id = id;
    r.implementation = impl;
    r.status = Status::kPass;
    p.results.push_back(r);
  }
  return p;
}

std::string Joined(const std::vector<std::string>& problems) {
  std::string out;
  for (const auto& p : problems) out += p + "\n";
  return out;
}

TEST(MergeReports, ShardsOfSeveralImplementationsJoinInRunOrder) {
  LoadedReport merged;
  const auto problems = MergeReports(
      {Part("c2.json", "cpython", 2, 2, {"b/2", "a/1"}), Part("r1.json", "reference", 1, 2, {"a/1"}),
       Part("c1.json", "cpython", 1, 2, {"a/3"}), Part("r2.json", "reference", 2, 2, {"b/2"})},
      &merged);
  ASSERT_TRUE(problems.empty()) << Joined(problems);
  std::vector<std::string> keys;
  for (const Result& r : merged.results) keys.push_back(r.implementation + " " + r.case_id);
  EXPECT_EQ(keys, (std::vector<std::string>{"cpython a/1", "cpython a/3", "cpython b/2",
                                            "reference a/1", "reference b/2"}));
  EXPECT_EQ(merged.run.shard_count, 0);
  EXPECT_EQ(merged.run.started_at, "2026-01-01T00:00:01Z");
  EXPECT_EQ(merged.run.ended_at, "2026-01-01T00:01:02Z");
  EXPECT_DOUBLE_EQ(merged.run.seconds, 20.0);
  ASSERT_EQ(merged.run.sources.size(), 4u);
  EXPECT_EQ(merged.run.sources[0]["shard"], "2/2");
  EXPECT_EQ(merged.run.sources[1]["host"], "machine-1");
  EXPECT_EQ(merged.run.host_name, "(several hosts: see sources)");
}

TEST(MergeReports, AMissingOrRepeatedShardIsRefused) {
  LoadedReport merged;
  auto problems = MergeReports({Part("1.json", "pypy", 1, 3, {"a/1"}), Part("3.json", "pypy", 3, 3, {"a/3"})},
                               &merged);
  EXPECT_NE(Joined(problems).find("implementation 'pypy': shard(s) 2/3 missing"), std::string::npos)
      << Joined(problems);
  problems = MergeReports({Part("1.json", "pypy", 1, 2, {"a/1"}), Part("1b.json", "pypy", 1, 2, {"a/2"}),
                           Part("2.json", "pypy", 2, 2, {"a/3"})},
                          &merged);
  EXPECT_NE(Joined(problems).find("shard 1/2 is given twice (1.json, 1b.json)"), std::string::npos)
      << Joined(problems);
  problems = MergeReports({Part("1.json", "pypy", 1, 2, {"a/1"}), Part("x.json", "pypy", 2, 3, {"a/2"})},
                          &merged);
  EXPECT_NE(Joined(problems).find("is not of the same sharded run"), std::string::npos) << Joined(problems);
  EXPECT_TRUE(merged.results.empty());
}

TEST(MergeReports, PairsTwiceOtherCatalogsAndOtherInterpretersAreRefused) {
  LoadedReport merged;
  LoadedReport a = Part("a.json", "pypy", 0, 0, {"a/1"});
  LoadedReport b = Part("b.json", "pypy", 0, 0, {"a/1"});
  auto problems = MergeReports({a, b}, &merged);
  EXPECT_NE(Joined(problems).find("case 'a/1' on 'pypy' is in a.json and in b.json"), std::string::npos);
  b = Part("b.json", "pypy", 0, 0, {"a/2"});
  b.run.catalog_digest = "sha256:bb";
  b.run.implementations[0].describe["language_version"] = "3.10.0";
  problems = MergeReports({a, b}, &merged);
  EXPECT_NE(Joined(problems).find("b.json was made from another catalog than a.json"), std::string::npos);
  EXPECT_NE(Joined(problems).find("implementation 'pypy' has language_version '3.11.2' in a.json but '3.10.0' in b.json"),
            std::string::npos) << Joined(problems);
}

}  // namespace
}  // namespace sigconform
