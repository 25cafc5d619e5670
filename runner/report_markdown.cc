#include <algorithm>
#include <cstdio>
#include <iterator>
#include <map>
#include <set>

#include "matcher.h"
#include "report.h"
#include "text.h"

namespace sigconform {
namespace {

using nlohmann::json;

// Text inside a table cell: no line breaks, no bare pipes.
std::string Cell(const std::string& raw) {
  std::string out;
  for (char c : SanitizeUtf8(raw)) {
    if (c == '|') out += "\\|";
    else if (c == '\n' || c == '\r') out += ' ';
    else out += c;
  }
  return out;
}

// Inline code that survives backticks in the text: the fence is longer than any run inside.
std::string Code(const std::string& raw) {
  const std::string s = SanitizeUtf8(raw);
  size_t longest = 0, run = 0;
  for (char c : s) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  const std::string fence(longest + 1, '`');
  const std::string pad = (!s.empty() && (s.front() == '`' || s.back() == '`')) ? " " : "";
  std::string flat;
  for (char c : s) flat += (c == '\n' || c == '\r') ? ' ' : c;
  return fence + pad + flat + pad + fence;
}

std::string Block(const std::string& raw) {
  const std::string s = SanitizeUtf8(raw);
  size_t longest = 0, run = 0;
  for (char c : s) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  const std::string fence(std::max<size_t>(3, longest + 1), '`');
  return fence + "\n" + s + (s.empty() || s.back() != '\n' ? "\n" : "") + fence + "\n";
}

std::string Dump(const json& v) { return v.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string ExceptionText(const json& e) {
  std::string out = e.value("type", json("?")).is_string() ? e.value("type", std::string("?")) : "?";
  if (e.value("message", json()).is_string() && !e["message"].get<std::string>().empty()) {
    out += ": " + e["message"].get<std::string>();
  }
  return out;
}

// An expectation ({"returns": M}, {"raises": R}, {"events": [...]}, {"exit": ...}) for people.
std::string RenderExpected(const json& e) {
  if (!e.is_object() || e.size() != 1) return Dump(e);
  const std::string key = e.begin().key();
  const json& v = e.begin().value();
  if (key == "returns") return "returns " + DescribeMatcher(v);
  if (key == "raises") return "raises " + (v.is_string() ? v.get<std::string>() : Dump(v));
  return key + " " + Dump(v);
}

// An observation (a step record, a list of handler records, {"exit": "..."}) for people.
std::string RenderObserved(const json& o) {
  if (o.is_object() && o.value("ev", json()) == "step") {
    if (o.value("ok", json()) == true) return "returned " + Describe(o.value("value", json()));
    return "raised " + ExceptionText(o.value("exception", json::object()));
  }
  if (o.is_object() && o.value("ev", json()) == "stray") {
    return "stray exception " + ExceptionText(o.value("exception", json::object()));
  }
  if (o.is_array()) {
    std::string out = "[";
    for (const auto& h : o) {
      if (out.size() > 1) out += ", ";
      const json signame = h.value("signame", json());
      out += Dump(h.value("handler", json())) + "(" +
             (signame.is_string() ? signame.get<std::string>() : Dump(h.value("signum", json()))) +
             ", thread " + Dump(h.value("thread", json())) + ")";
    }
    return out + "]";
  }
  if (o.is_object() && o.size() == 1 && o.begin().value().is_string()) {
    return o.begin().key() + " " + o.begin().value().get<std::string>();
  }
  return Dump(o);
}

}  // namespace

std::string ReportMarkdown(const RunInfo& run, const std::vector<Result>& results) {
  std::string out = "# sigconform report\n\n";
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.1f", run.seconds);
  out += "- started: " + SanitizeUtf8(run.started_at) + " (" + seconds + " s, " +
         std::to_string(run.jobs) + " jobs)\n";
  out += "- command: " + Code(run.command_line) + "\n";
  out += "- cases: " + Code(run.cases_dir) + "\n";
  out += "- host: " + Cell(run.host_machine) + ", kernel " + Cell(run.host_kernel) + "\n";
  for (const auto& entry : run.implementations) {
    // Named references, not a structured binding: C++17 (and clang) forbid capturing a binding
    // in the lambda below.
    const std::string& name = entry.first;
    const json& describe = entry.second;
    out += "- " + Cell(name) + ": ";
    if (describe.contains("error")) {
      out += "could not be described: " + Cell(describe["error"].is_string()
                                                    ? describe["error"].get<std::string>()
                                                    : Dump(describe["error"]));
    } else {
      const auto field = [&](const char* k) {
        return describe.value(k, json()).is_string() ? describe[k].get<std::string>() : "?";
      };
      out += Cell(field("implementation")) + " " + Cell(field("language_version")) + " on " +
             Cell(field("platform")) + " (" + Cell(field("executable")) + ")";
    }
    out += "\n";
  }

  const std::vector<std::string> order = ImplementationOrder(run, results);
  std::map<std::string, std::map<Status, int>> counts;
  for (const Result& r : results) ++counts[r.implementation][r.status];

  out += "\n## Summary\n\n| implementation |";
  for (Status s : ShownStatuses(results)) out += std::string(" ") + StatusName(s) + " |";
  out += " total |\n|---|";
  for (size_t i = 0; i < ShownStatuses(results).size(); ++i) out += "---:|";
  out += "---:|\n";
  for (const auto& impl : order) {
    out += "| " + Cell(impl) + " |";
    int total = 0;
    for (Status s : ShownStatuses(results)) {
      const int n = counts[impl][s];
      total += n;
      out += " " + std::to_string(n) + " |";
    }
    out += " " + std::to_string(total) + " |\n";
  }

  bool any_attention = false;
  for (const Result& r : results) {
    if (!IsUnexpected(r.status)) continue;
    if (!any_attention) out += "\n## Results that need attention\n";
    any_attention = true;
    out += "\n### " + Code(r.case_id) + " on " + Cell(r.implementation) + ": " +
           StatusName(r.status) + "\n\n";
    if (!r.message.empty()) out += SanitizeUtf8(r.message) + "\n\n";
    if (!r.step.empty()) out += "- step: " + Code(r.step) + "\n";
    if (!r.expected.is_null()) out += "- expected: " + Code(RenderExpected(r.expected)) + "\n";
    if (!r.observed.is_null()) out += "- observed: " + Code(RenderObserved(r.observed)) + "\n";
    if (!r.exit_description.empty()) out += "- exit: " + Cell(r.exit_description) + "\n";
    if (!r.reproduce.empty()) out += "- reproduce: " + Code(r.reproduce) + "\n";
    if (!r.stderr_excerpt.empty()) out += "\nstderr (end):\n\n" + Block(r.stderr_excerpt);
  }

  bool any_other = false;
  for (const Result& r : results) {
    if (r.status != Status::kNotApplicable && r.status != Status::kXfail) continue;
    if (!any_other) out += "\n## Not applicable and expected failures\n\n";
    any_other = true;
    out += "- " + Code(r.case_id) + " on " + Cell(r.implementation) + ": " +
           StatusName(r.status) + ", " + Cell(r.message) + "\n";
  }
  return out;
}

}  // namespace sigconform
