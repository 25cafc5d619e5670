#include <map>

#include "report.h"
#include "text.h"

namespace sigconform {
namespace {

using nlohmann::json;

// Sanitizes every string inside a JSON value (keys too): expected/observed come from drivers.
json Clean(const json& v) {
  switch (v.type()) {
    case json::value_t::string: return SanitizeUtf8(v.get<std::string>());
    case json::value_t::array: {
      json out = json::array();
      for (const auto& item : v) out.push_back(Clean(item));
      return out;
    }
    case json::value_t::object: {
      json out = json::object();
      for (const auto& item : v.items()) out[SanitizeUtf8(item.key())] = Clean(item.value());
      return out;
    }
    default: return v;
  }
}

json CleanList(const std::vector<std::string>& list) {
  json out = json::array();
  for (const auto& s : list) out.push_back(SanitizeUtf8(s));
  return out;
}

}  // namespace

json EnvChanges(const std::vector<std::string>& base, const std::vector<std::string>& env) {
  std::map<std::string, std::string> before, after;
  for (const auto* list : {&base, &env}) {
    for (const std::string& entry : *list) {
      const size_t eq = entry.find('=');
      if (eq == std::string::npos) continue;
      (list == &base ? before : after)[entry.substr(0, eq)] = entry.substr(eq + 1);
    }
  }
  json changes = json::object();
  for (const auto& [name, value] : after) {
    auto it = before.find(name);
    if (it == before.end() || it->second != value) changes[SanitizeUtf8(name)] = SanitizeUtf8(value);
  }
  for (const auto& [name, value] : before) {
    if (!after.count(name)) changes[SanitizeUtf8(name)] = nullptr;
  }
  return changes;
}

json ResultJson(const Result& r, const std::vector<std::string>& impl_env) {
  json item = {{"case", SanitizeUtf8(r.case_id)},
               {"implementation", SanitizeUtf8(r.implementation)},
               {"status", StatusName(r.status)},
               {"seconds", r.seconds}};
  if (!r.title.empty()) item["title"] = SanitizeUtf8(r.title);
  if (!r.message.empty()) item["message"] = SanitizeUtf8(r.message);
  if (!r.step.empty()) item["step"] = SanitizeUtf8(r.step);
  if (!r.step_text.empty()) item["step_text"] = SanitizeUtf8(r.step_text);
  if (!r.expected.is_null()) item["expected"] = Clean(r.expected);
  if (!r.observed.is_null()) item["observed"] = Clean(r.observed);
  if (!r.reproduce.empty()) item["reproduce"] = SanitizeUtf8(r.reproduce);
  if (!r.exit_description.empty()) item["exit"] = SanitizeUtf8(r.exit_description);
  if (!r.stderr_excerpt.empty()) item["stderr_excerpt"] = SanitizeUtf8(r.stderr_excerpt);
  if (!r.rules.empty()) item["rules"] = CleanList(r.rules);
  if (!r.tiers.empty()) item["tiers"] = CleanList(r.tiers);
  if (!r.isolation.empty()) item["isolation"] = SanitizeUtf8(r.isolation);
  if (!r.isolation_reason.empty()) item["isolation_reason"] = SanitizeUtf8(r.isolation_reason);
  if (r.started >= 0) item["started"] = r.started;
  if (!r.failures.empty()) {
    json failures = json::array();
    for (const Failure& f : r.failures) {
      json one = {{"message", SanitizeUtf8(f.message)}};
      if (!f.step.empty()) one["step"] = SanitizeUtf8(f.step);
      if (!f.step_text.empty()) one["step_text"] = SanitizeUtf8(f.step_text);
      if (!f.expected.is_null()) one["expected"] = Clean(f.expected);
      if (!f.observed.is_null()) one["observed"] = Clean(f.observed);
      failures.push_back(std::move(one));
    }
    item["failures"] = std::move(failures);
  }
  if (!r.env.empty()) {
    json changes = EnvChanges(impl_env, r.env);
    if (!changes.empty()) item["env_changes"] = changes;
  }
  if (r.expectation) {
    const AppliedExpectation& e = *r.expectation;
    json pinned = {{"status", StatusName(e.status)}, {"reason", SanitizeUtf8(e.reason)},
                   {"file", SanitizeUtf8(e.file)}};
    if (!e.step.empty()) pinned["step"] = SanitizeUtf8(e.step);
    if (!e.observed.is_null()) pinned["observed"] = Clean(e.observed);
    if (!e.link.empty()) pinned["link"] = SanitizeUtf8(e.link);
    item["expectation"] = pinned;
  }
  if (r.repetition) {
    json verdicts = json::array();
    for (Status s : r.repetition->verdicts) verdicts.push_back(StatusName(s));
    item["repeat"] = {{"runs", r.repetition->runs},
                      {"verdicts", verdicts},
                      {"stability", r.repetition->stability}};
  }
  return item;
}

json RunJson(const RunInfo& run) {
  json impls = json::array();
  for (const ImplementationInfo& impl : run.implementations) {
    impls.push_back({{"name", SanitizeUtf8(impl.name)},
                     {"spec", SanitizeUtf8(impl.spec)},
                     {"describe", impl.describe.is_object() ? Clean(impl.describe) : json::object()},
                     {"env", CleanList(impl.env)}});
    if (impl.fork_server.is_object()) impls.back()["fork_server"] = Clean(impl.fork_server);
  }
  json selection = {{"filters", CleanList(run.filters)},
                    {"tags", CleanList(run.tags)},
                    {"keywords", CleanList(run.keywords)}};
  if (run.shard_count > 0) {
    selection["shard"] = {{"index", run.shard_index}, {"count", run.shard_count}};
  }
  json out = {{"runner", {{"version", SanitizeUtf8(run.runner_version)},
                          {"commit", SanitizeUtf8(run.runner_commit)}}},
              {"started_at", SanitizeUtf8(run.started_at)},
              {"ended_at", SanitizeUtf8(run.ended_at)},
              {"seconds", run.seconds},
              {"interrupted", run.interrupted},
              {"command_line", SanitizeUtf8(run.command_line)},
              {"jobs", run.jobs < 1 ? 1 : run.jobs},
              {"repeat", run.repeat < 1 ? 1 : run.repeat},
              {"catalog", {{"dir", SanitizeUtf8(run.cases_dir)},
                           {"digest", SanitizeUtf8(run.catalog_digest)},
                           {"cases", run.catalog_cases},
                           {"rules_digest", SanitizeUtf8(run.rules_digest)}}},
              {"selection", selection},
              {"implementations", impls},
              {"base_env", CleanList(run.base_env)},
              {"host", {{"name", SanitizeUtf8(run.host_name)},
                        {"os", SanitizeUtf8(run.host_os)},
                        {"kernel", SanitizeUtf8(run.host_kernel)},
                        {"machine", SanitizeUtf8(run.host_machine)}}}};
  if (!run.interrupted_by.empty()) out["interrupted_by"] = SanitizeUtf8(run.interrupted_by);
  if (run.sources.is_array() && !run.sources.empty()) out["sources"] = Clean(run.sources);
  if (run.containment.is_object()) out["containment"] = Clean(run.containment);
  if (run.runner_max_rss_kb > 0) out["runner_max_rss_kb"] = run.runner_max_rss_kb;
  return out;
}

json SummaryJson(const RunInfo& run, const std::vector<Result>& results) {
  json summary = json::object();
  auto ensure = [&](const std::string& impl) {
    const std::string key = SanitizeUtf8(impl);
    if (summary.contains(key)) return;
    json counts = json::object();
    for (Status s : kAllStatuses) counts[StatusName(s)] = 0;
    counts["total"] = 0;
    summary[key] = counts;
  };
  for (const auto& impl : run.implementations) ensure(impl.name);
  for (const Result& r : results) {
    ensure(r.implementation);
    json& counts = summary[SanitizeUtf8(r.implementation)];
    counts[StatusName(r.status)] = counts[StatusName(r.status)].get<long long>() + 1;
    counts["total"] = counts["total"].get<long long>() + 1;
  }
  return summary;
}

namespace {

// Each implementation's environment by name, for the results' env_changes.
class EnvOf {
 public:
  explicit EnvOf(const RunInfo& run) {
    for (const ImplementationInfo& impl : run.implementations) env_of_[impl.name] = &impl.env;
  }
  const std::vector<std::string>& operator()(const std::string& implementation) const {
    static const std::vector<std::string> kNone;
    auto it = env_of_.find(implementation);
    return it == env_of_.end() ? kNone : *it->second;
  }

 private:
  std::map<std::string, const std::vector<std::string>*> env_of_;
};

json RulesJson(const RunInfo& run) {
  json rules = json::object();
  for (const auto& [id, rule] : run.rules) {
    rules[SanitizeUtf8(id)] = {{"text", SanitizeUtf8(rule.text)},
                               {"tier", SanitizeUtf8(rule.tier)},
                               {"section", SanitizeUtf8(rule.section)}};
  }
  return rules;
}

// Appends `value` dumped with an indent of 2 as it appears `depth` levels deep in a document
// dumped so: every line but the first gets 2 * depth more spaces (a dump never puts a newline
// inside a string: it escapes it).
void AppendNested(const json& value, int depth, std::string* out) {
  const std::string text = value.dump(2);
  const std::string margin(static_cast<size_t>(2 * depth), ' ');
  size_t from = 0;
  for (size_t newline; (newline = text.find('\n', from)) != std::string::npos; from = newline + 1) {
    out->append(text, from, newline + 1 - from);
    out->append(margin);
  }
  out->append(text, from, std::string::npos);
}

}  // namespace

json ReportJson(const RunInfo& run, const std::vector<Result>& results) {
  const EnvOf env_of(run);
  json results_json = json::array();
  for (const Result& r : results) results_json.push_back(ResultJson(r, env_of(r.implementation)));
  return {{"sigconform_report", kReportVersion},
          {"run", RunJson(run)},
          {"summary", SummaryJson(run, results)},
          {"rules", RulesJson(run)},
          {"results", results_json}};
}

std::string ReportJsonText(const RunInfo& run, const std::vector<Result>& results) {
  // The members in the order a dump gives them (by name: results, rules, run,
  // sigconform_report, summary), each result made into a JSON value only while it is written.
  const EnvOf env_of(run);
  std::string out = "{\n  \"results\": ";
  if (results.empty()) {
    out += "[]";
  } else {
    out += "[";
    for (size_t i = 0; i < results.size(); i++) {
      out += i == 0 ? "\n    " : ",\n    ";
      AppendNested(ResultJson(results[i], env_of(results[i].implementation)), 2, &out);
    }
    out += "\n  ]";
  }
  out += ",\n  \"rules\": ";
  AppendNested(RulesJson(run), 1, &out);
  out += ",\n  \"run\": ";
  AppendNested(RunJson(run), 1, &out);
  out += ",\n  \"sigconform_report\": " + std::to_string(kReportVersion) + ",\n  \"summary\": ";
  AppendNested(SummaryJson(run, results), 1, &out);
  out += "\n}\n";
  return out;
}

}  // namespace sigconform
