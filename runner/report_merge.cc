#include "report_merge.h"

#include <algorithm>
#include <map>
#include <set>

namespace sigconform {
namespace {

using nlohmann::json;

std::string DescribeField(const json& describe, const char* key) {
  const json v = describe.value(key, json());
  return v.is_string() ? v.get<std::string>() : "";
}

std::string ShardText(const RunInfo& run) {
  return run.shard_count > 0 ? std::to_string(run.shard_index) + "/" + std::to_string(run.shard_count) : "";
}

// The selection as one comparable string.
std::string Selection(const RunInfo& run) {
  json s = {{"filters", run.filters}, {"tags", run.tags}, {"keywords", run.keywords}};
  return s.dump();
}

}  // namespace

std::vector<std::string> MergeReports(const std::vector<LoadedReport>& parts, LoadedReport* out) {
  std::vector<std::string> problems;
  if (parts.empty()) return {"nothing to merge"};
  const LoadedReport& first = parts.front();

  for (const LoadedReport& p : parts) {
    if (p.run.catalog_digest != first.run.catalog_digest) {
      problems.push_back(p.file + " was made from another catalog than " + first.file + " (" +
                         p.run.catalog_digest + " against " + first.run.catalog_digest + ")");
    }
    if (p.run.repeat != first.run.repeat) {
      problems.push_back(p.file + " ran every pair " + std::to_string(p.run.repeat) + " times, " +
                         first.file + " " + std::to_string(first.run.repeat) + " times");
    }
  }

  // Implementations: the same name must be the same interpreter everywhere.
  RunInfo merged;
  std::map<std::string, std::pair<const ImplementationInfo*, std::string>> impls;  // name -> (info, file)
  for (const LoadedReport& p : parts) {
    for (const ImplementationInfo& impl : p.run.implementations) {
      auto it = impls.find(impl.name);
      if (it == impls.end()) {
        impls[impl.name] = {&impl, p.file};
        merged.implementations.push_back(impl);
        continue;
      }
      for (const char* key : {"implementation", "language_version", "platform"}) {
        const std::string a = DescribeField(it->second.first->describe, key);
        const std::string b = DescribeField(impl.describe, key);
        if (a != b) {
          problems.push_back("implementation '" + impl.name + "' has " + key + " '" + a + "' in " +
                             it->second.second + " but '" + b + "' in " + p.file);
        }
      }
    }
  }

  // Shard sets, per implementation.
  std::map<std::string, std::vector<const LoadedReport*>> sharded;  // implementation -> parts
  for (const LoadedReport& p : parts) {
    if (p.run.shard_count == 0) continue;
    for (const ImplementationInfo& impl : p.run.implementations) sharded[impl.name].push_back(&p);
  }
  for (const auto& [name, list] : sharded) {
    const LoadedReport& a = *list.front();
    std::map<int, std::vector<std::string>> seen;
    bool consistent = true;
    for (const LoadedReport* p : list) {
      if (p->run.shard_count != a.run.shard_count || Selection(p->run) != Selection(a.run)) {
        problems.push_back("implementation '" + name + "': " + p->file + " (shard " + ShardText(p->run) +
                           ") is not of the same sharded run as " + a.file + " (shard " +
                           ShardText(a.run) + "): shard count or selection differ");
        consistent = false;
      }
      seen[p->run.shard_index].push_back(p->file);
    }
    if (!consistent) continue;
    std::string missing;
    for (int k = 1; k <= a.run.shard_count; ++k) {
      auto it = seen.find(k);
      if (it == seen.end()) {
        missing += (missing.empty() ? "" : ", ") + std::to_string(k) + "/" + std::to_string(a.run.shard_count);
      } else if (it->second.size() > 1) {
        problems.push_back("implementation '" + name + "': shard " + std::to_string(k) + "/" +
                           std::to_string(a.run.shard_count) + " is given twice (" +
                           it->second[0] + ", " + it->second[1] + ")");
      }
    }
    if (!missing.empty()) {
      problems.push_back("implementation '" + name + "': shard(s) " + missing +
                         " missing; a merge without them would lose their cases");
    }
  }

  // Results: every pair once.
  std::map<std::pair<std::string, std::string>, std::string> owner;  // (impl, case) -> file
  std::vector<Result> results;
  for (const LoadedReport& p : parts) {
    for (const Result& r : p.results) {
      auto [it, inserted] = owner.insert({{r.implementation, r.case_id}, p.file});
      if (!inserted) {
        problems.push_back("case '" + r.case_id + "' on '" + r.implementation + "' is in " +
                           it->second + " and in " + p.file);
        continue;
      }
      results.push_back(r);
    }
  }
  if (!problems.empty()) return problems;

  std::map<std::string, size_t> impl_rank;
  for (size_t i = 0; i < merged.implementations.size(); ++i) impl_rank[merged.implementations[i].name] = i;
  std::stable_sort(results.begin(), results.end(), [&](const Result& a, const Result& b) {
    const size_t ra = impl_rank[a.implementation], rb = impl_rank[b.implementation];
    return ra != rb ? ra < rb : a.case_id < b.case_id;
  });

  merged.runner_version = first.run.runner_version;
  merged.runner_commit = first.run.runner_commit;
  merged.started_at = first.run.started_at;
  merged.ended_at = first.run.ended_at;
  merged.command_line = first.run.command_line;
  merged.cases_dir = first.run.cases_dir;
  merged.catalog_digest = first.run.catalog_digest;
  merged.catalog_cases = first.run.catalog_cases;
  merged.rules_digest = first.run.rules_digest;
  merged.jobs = first.run.jobs;
  merged.repeat = first.run.repeat;
  merged.filters = first.run.filters;
  merged.tags = first.run.tags;
  merged.keywords = first.run.keywords;
  merged.base_env = first.run.base_env;
  for (const LoadedReport& p : parts) merged.rules.insert(p.run.rules.begin(), p.run.rules.end());
  merged.host_name = first.run.host_name;
  merged.host_os = first.run.host_os;
  merged.host_kernel = first.run.host_kernel;
  merged.host_machine = first.run.host_machine;
  merged.sources = json::array();
  for (const LoadedReport& p : parts) {
    const RunInfo& r = p.run;
    // ISO 8601 UTC strings of one format compare in time order.
    if (!r.started_at.empty() && (merged.started_at.empty() || r.started_at < merged.started_at)) {
      merged.started_at = r.started_at;
    }
    if (r.ended_at > merged.ended_at) merged.ended_at = r.ended_at;
    merged.seconds = std::max(merged.seconds, r.seconds);
    if (r.interrupted) {
      merged.interrupted = true;
      if (merged.interrupted_by.empty()) merged.interrupted_by = r.interrupted_by;
    }
    if (r.host_name != merged.host_name || r.host_os != merged.host_os) {
      merged.host_name = "(several hosts: see sources)";
    }
    if (Selection(r) != Selection(first.run)) {
      merged.filters.clear();
      merged.tags.clear();
      merged.keywords.clear();
    }
    json implementations = json::array();
    for (const ImplementationInfo& impl : r.implementations) implementations.push_back(impl.name);
    json source = {{"file", p.file},
                   {"host", r.host_name},
                   {"os", r.host_os},
                   {"started_at", r.started_at},
                   {"ended_at", r.ended_at},
                   {"seconds", r.seconds},
                   {"runner_commit", r.runner_commit},
                   {"implementations", implementations},
                   {"results", p.results.size()},
                   {"interrupted", r.interrupted}};
    if (r.shard_count > 0) source["shard"] = ShardText(r);
    // A source that was itself merged brings its own sources along.
    if (r.sources.is_array() && !r.sources.empty()) source["sources"] = r.sources;
    merged.sources.push_back(source);
  }
  out->file = "";
  out->run = std::move(merged);
  out->results = std::move(results);
  return {};
}

}  // namespace sigconform
