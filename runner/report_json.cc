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

json RunJson(const RunInfo& run) {
  json impls = json::array();
  for (const auto& [name, describe] : run.implementations) {
    impls.push_back({{"name", SanitizeUtf8(name)}, {"describe", Clean(describe)}});
  }
  json run_json = {{"started_at", SanitizeUtf8(run.started_at)},
                   {"seconds", run.seconds},
                   {"command_line", SanitizeUtf8(run.command_line)},
                   {"cases_dir", SanitizeUtf8(run.cases_dir)},
                   {"jobs", run.jobs},
                   {"implementations", impls},
                   {"base_env", CleanList(run.base_env)},
                   {"host", {{"kernel", SanitizeUtf8(run.host_kernel)},
                             {"machine", SanitizeUtf8(run.host_machine)}}}};
  if (run.containment.is_object()) run_json["containment"] = Clean(run.containment);
  if (run.runner_max_rss_kb > 0) run_json["runner_max_rss_kb"] = run.runner_max_rss_kb;
  return run_json;
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
  for (const auto& impl : run.implementations) ensure(impl.first);
  for (const Result& r : results) {
    ensure(r.implementation);
    json& counts = summary[SanitizeUtf8(r.implementation)];
    counts[StatusName(r.status)] = counts[StatusName(r.status)].get<long long>() + 1;
    counts["total"] = counts["total"].get<long long>() + 1;
  }
  return summary;
}

json ResultJson(const Result& r) {
  json item = {{"case", SanitizeUtf8(r.case_id)},
               {"implementation", SanitizeUtf8(r.implementation)},
               {"status", StatusName(r.status)},
               {"seconds", r.seconds}};
  if (!r.message.empty()) item["message"] = SanitizeUtf8(r.message);
  if (!r.step.empty()) item["step"] = SanitizeUtf8(r.step);
  if (!r.expected.is_null()) item["expected"] = Clean(r.expected);
  if (!r.observed.is_null()) item["observed"] = Clean(r.observed);
  if (!r.reproduce.empty()) item["reproduce"] = SanitizeUtf8(r.reproduce);
  if (!r.exit_description.empty()) item["exit"] = SanitizeUtf8(r.exit_description);
  if (!r.stderr_excerpt.empty()) item["stderr_excerpt"] = SanitizeUtf8(r.stderr_excerpt);
  if (!r.env.empty()) item["env"] = CleanList(r.env);
  if (!r.rules.empty()) item["rules"] = CleanList(r.rules);
  if (!r.tiers.empty()) item["tiers"] = CleanList(r.tiers);
  if (!r.isolation.empty()) item["isolation"] = SanitizeUtf8(r.isolation);
  if (!r.failures.empty()) {
    json failures = json::array();
    for (const Failure& f : r.failures) {
      json one = {{"message", SanitizeUtf8(f.message)}};
      if (!f.step.empty()) one["step"] = SanitizeUtf8(f.step);
      if (!f.expected.is_null()) one["expected"] = Clean(f.expected);
      if (!f.observed.is_null()) one["observed"] = Clean(f.observed);
      failures.push_back(std::move(one));
    }
    item["failures"] = std::move(failures);
  }
  return item;
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
  json results_json = json::array();
  for (const Result& r : results) results_json.push_back(ResultJson(r));
  return {{"sigconform_report", 1},
          {"run", RunJson(run)},
          {"summary", SummaryJson(run, results)},
          {"results", results_json}};
}

std::string ReportJsonText(const RunInfo& run, const std::vector<Result>& results) {
  // The members in the order a dump gives them (by name: results, run, sigconform_report,
  // summary), each result made into a JSON value only while it is written.
  std::string out = "{\n  \"results\": ";
  if (results.empty()) {
    out += "[]";
  } else {
    out += "[";
    for (size_t i = 0; i < results.size(); i++) {
      out += i == 0 ? "\n    " : ",\n    ";
      AppendNested(ResultJson(results[i]), 2, &out);
    }
    out += "\n  ]";
  }
  out += ",\n  \"run\": ";
  AppendNested(RunJson(run), 1, &out);
  out += ",\n  \"sigconform_report\": 1,\n  \"summary\": ";
  AppendNested(SummaryJson(run, results), 1, &out);
  out += "\n}\n";
  return out;
}

}  // namespace sigconform
