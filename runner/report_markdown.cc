// summary.md: the report people read, often posted to a pull request. Markdown renders HTML,
// links and headings, so every string from a driver or a report file is shown inside a code
// span or a fenced block, where a renderer takes it literally, after TerminalText.
#include <algorithm>
#include <cstdio>
#include <map>

#include "report.h"
#include "result_text.h"
#include "run_verdict.h"
#include "status_table.h"
#include "text.h"

namespace sigconform {
namespace {

using nlohmann::json;

// At most this many results get a section of their own; the rest are counted (report.json
// has them all). Keeps a summary small enough to post.
constexpr size_t kMaxSections = 300;

// Untrusted text as an inline code span: one line, a fence longer than any run of backticks
// inside, and "|" escaped so that it cannot end a table cell (GFM reads "\|" inside a code
// span in a table as a plain "|").
std::string Code(const std::string& raw) {
  std::string s = TerminalText(raw);
  if (s.empty()) return "*(empty)*";
  size_t longest = 0, run = 0;
  for (char c : s) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  const std::string fence(longest + 1, '`');
  const std::string pad = (s.front() == '`' || s.back() == '`' || s.front() == ' ') ? " " : "";
  std::string flat;
  for (char c : s) {
    if (c == '|') {
      flat += "\\|";
    } else {
      flat += c;
    }
  }
  return fence + pad + flat + pad + fence;
}

// Untrusted text as a fenced block: a fence longer than any run of backticks inside, so no
// line of the text can close it.
std::string Block(const std::string& raw) {
  const std::string s = TerminalText(raw, /*keep_newlines=*/true);
  size_t longest = 0, run = 0;
  for (char c : s) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  const std::string fence(std::max<size_t>(3, longest + 1), '`');
  return fence + "text\n" + s + (s.empty() || s.back() != '\n' ? "\n" : "") + fence + "\n";
}

std::string Field(const json& describe, const char* key) {
  const json v = describe.is_object() ? describe.value(key, json()) : json();
  return v.is_string() ? v.get<std::string>() : "?";
}

std::string Number(double v, const char* format) {
  char buf[32];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

void Section(const Result& r, const std::map<std::string, RuleText>& rules, std::string* out) {
  *out += "\n### " + Code(r.case_id) + " on " + Code(r.implementation) + ": " +
          StatusName(r.status) + "\n\n";
  if (!r.message.empty()) *out += Code(r.message) + "\n\n";
  for (const auto& [label, text] : ResultFacts(r, rules)) *out += "- " + label + ": " + Code(text) + "\n";
  if (!r.stderr_excerpt.empty()) *out += "\nstderr (end):\n\n" + Block(r.stderr_excerpt);
}

}  // namespace

std::string ReportMarkdown(const RunInfo& run, const std::vector<Result>& results) {
  std::string out = "# sigconform report\n\n";
  out += "- runner: " + Code("sigconform " + run.runner_version) +
         (run.runner_commit.empty() ? "" : " " + Code(run.runner_commit)) + "\n";
  out += "- run: " + Code(run.started_at) + " to " + Code(run.ended_at) + ", " +
         Number(run.seconds, "%.1f") + " s, " + std::to_string(run.jobs) + " jobs" +
         (run.repeat > 1 ? ", every pair " + std::to_string(run.repeat) + " times" : "") +
         (run.interrupted ? ", **interrupted** by " + Code(run.interrupted_by) : "") + "\n";
  out += "- command: " + Code(run.command_line) + "\n";
  out += "- catalog: " + Code(run.cases_dir) + ", " + std::to_string(run.catalog_cases) +
         " cases, " + Code(run.catalog_digest) + "\n";
  if (run.shard_count > 0) {
    out += "- shard: " + std::to_string(run.shard_index) + " of " + std::to_string(run.shard_count) + "\n";
  }
  out += "- host: " + Code(run.host_name) + ", " + Code(run.host_os) + ", " + Code(run.host_machine) + "\n";
  for (const ImplementationInfo& impl : run.implementations) {
    out += "- " + Code(impl.name) + ": ";
    if (impl.describe.is_object() && impl.describe.contains("error")) {
      out += "could not be described: " + Code(Field(impl.describe, "error"));
    } else {
      out += Code(Field(impl.describe, "implementation") + " " + Field(impl.describe, "language_version") +
                  " on " + Field(impl.describe, "platform")) +
             " (" + Code(Field(impl.describe, "executable")) + ")";
    }
    out += "\n";
  }

  const std::vector<std::string> order = ImplementationOrder(run, results);
  std::map<std::string, std::map<Status, int>> counts;
  for (const Result& r : results) ++counts[r.implementation][r.status];
  const std::vector<Status> shown = ShownStatuses(results);

  out += "\n## Summary\n\n| implementation |";
  for (Status s : shown) out += std::string(" ") + StatusName(s) + " |";
  out += " total | judged |\n|---|";
  for (size_t i = 0; i < shown.size(); ++i) out += "---:|";
  out += "---:|---:|\n";
  for (const auto& impl : order) {
    out += "| " + Code(impl) + " |";
    int total = 0;
    for (Status s : shown) {
      const int n = counts[impl][s];
      total += n;
      out += " " + std::to_string(n) + " |";
    }
    out += " " + std::to_string(total) + " | " + Number(JudgedPercent(results, impl), "%.0f") + " % |\n";
  }

  // Totals by tier: what kind of truth the verdicts rest on (documented, or settled from
  // CPython's behaviour), so a reader sees at once how many failures --documented-only lifts.
  const auto tally = TallyByTier(results);
  bool tiered = false;
  for (const Result& r : results) tiered = tiered || !r.tiers.empty();
  if (tiered) {
    out += "\n## By rule tier\n\n| implementation | tier | passed | judged | unexpected | results |\n"
           "|---|---|---:|---:|---:|---:|\n";
    for (const auto& impl : order) {
      auto it = tally.find(impl);
      if (it == tally.end()) continue;
      for (const char* tier : {"documented", "compat", ""}) {
        auto t = it->second.find(tier);
        if (t == it->second.end()) continue;
        const TierTally& n = t->second;
        out += "| " + Code(impl) + " | " + (*tier ? TierText(tier) : std::string("(no rule)")) + " | " +
               std::to_string(n.passed) + " | " + std::to_string(n.judged) + " | " +
               std::to_string(n.unexpected) + " | " + std::to_string(n.results) + " |\n";
      }
    }
  }

  size_t sections = 0, left_out = 0;
  bool any = false;
  for (const Result& r : results) {
    if (!IsUnexpected(r.status)) continue;
    if (!any) out += "\n## Results that need attention\n";
    any = true;
    if (sections++ >= kMaxSections) {
      ++left_out;
      continue;
    }
    Section(r, run.rules, &out);
  }
  any = false;
  for (const Result& r : results) {
    if (r.status != Status::kXfail) continue;
    if (!any) out += "\n## Known failures (pinned by an expectation file)\n";
    any = true;
    if (sections++ >= kMaxSections) {
      ++left_out;
      continue;
    }
    Section(r, run.rules, &out);
  }
  if (left_out > 0) {
    out += "\n" + std::to_string(left_out) + " more results are left out here; report.json has them all.\n";
  }

  any = false;
  for (const Result& r : results) {
    if (r.status == Status::kPass || IsUnexpected(r.status) || r.status == Status::kXfail) continue;
    if (!any) out += "\n## Not judged here\n\n";
    any = true;
    out += "- " + Code(r.case_id) + " on " + Code(r.implementation) + ": " + StatusName(r.status) +
           (r.message.empty() ? "" : ", " + Code(r.message)) + "\n";
  }
  return out;
}

}  // namespace sigconform
