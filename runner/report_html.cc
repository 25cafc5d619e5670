// matrix.html: the compliance dashboard. One self-contained page (inline styles, one inline
// script whose hash the page's Content-Security-Policy names, no network): the
// implementations, a pass rate per area and implementation, the matrix of cases with filters,
// a drill-down per result, and the changes against a baseline run when one is given. The
// matrix is rendered here, escaped, so it reads without the script too; the script only hides
// rows and columns and fills the drill-down from the embedded JSON with textContent.
#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "report.h"
#include "report_diff.h"
#include "report_html_script.h"
#include "result_text.h"
#include "run_verdict.h"
#include "text.h"

namespace sigconform {
namespace {

using nlohmann::json;

// Untrusted text for HTML content and quoted attribute values.
std::string Escape(const std::string& raw) {
  std::string out;
  for (char c : TerminalText(raw, /*keep_newlines=*/true)) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

// JSON that can sit inside <script type="application/json">: nothing in it can close the
// element or start a comment ("<" and ">" only occur inside strings, where \u003c means the
// same), and the line separators JavaScript once refused are escaped too.
std::string ScriptJson(const json& doc) {
  const std::string text = doc.dump(-1, ' ', false, json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else if (c == '\xE2' && i + 2 < text.size() && text[i + 1] == '\x80' &&
               (text[i + 2] == '\xA8' || text[i + 2] == '\xA9')) {
      out += text[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

// "sha256-BASE64" of the script, for the Content-Security-Policy.
std::string ScriptHash(const std::string& script) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(script.data(), script.size(), digest, &length, EVP_sha256(), nullptr) != 1) return "";
  unsigned char encoded[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
  const int n = EVP_EncodeBlock(encoded, digest, static_cast<int>(length));
  return "sha256-" + std::string(reinterpret_cast<const char*>(encoded), static_cast<size_t>(n));
}

// Colour class of a status: green what holds, red what does not, amber harness trouble or no
// verdict, grey what does not apply.
const char* Tone(Status s) {
  switch (s) {
    case Status::kPass:
    case Status::kEmulatedConforming: return "good";
    case Status::kXfail: return "known";
    case Status::kError:
    case Status::kTimeout:
    case Status::kCrash:
    case Status::kNotRun:
    case Status::kUnsupported: return "trouble";
    case Status::kNotApplicable: return "none";
    default: return "bad";
  }
}

std::string Area(const std::string& id) { return id.substr(0, id.find('/')); }

std::string Field(const json& describe, const char* key) {
  const json v = describe.is_object() ? describe.value(key, json()) : json();
  return v.is_string() ? v.get<std::string>() : "";
}

std::string Percent(size_t n, size_t of) {
  if (of == 0) return "—";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f %%", 100.0 * static_cast<double>(n) / static_cast<double>(of));
  return buf;
}

const char* kStyle =
    "body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}"
    "table{border-collapse:collapse;margin-bottom:1em}"
    "th,td{border:1px solid #bbb;padding:.25em .5em;font-size:.9em;vertical-align:top}"
    "th{background:#f5f5f5;text-align:left}.version{font-weight:normal;color:#555;font-size:.85em}"
    "td.id code{font-size:.95em}.title{color:#555;font-size:.85em}.tier{color:#777;font-size:.75em;font-style:italic}"
    "td.st{text-align:center;white-space:nowrap;cursor:pointer}td.st:focus{outline:2px solid #333}"
    ".s-good{background:#c8e6c9}.s-known{background:#e6ee9c}.s-bad{background:#ffcdd2}"
    ".s-trouble{background:#ffe0b2}.s-none{background:#eeeeee}"
    ".badge{padding:0 .4em;border-radius:.3em}.was{font-size:.8em;color:#444}"
    "#filters{margin:.5em 0 1em;display:flex;flex-wrap:wrap;gap:.75em;align-items:center}"
    "#filters fieldset{border:1px solid #ccc;padding:.2em .5em}"
    "#drilldown{position:sticky;bottom:0;background:#fff;border-top:3px solid #888;padding:.5em 1em;"
    "max-height:50vh;overflow:auto}#drilldown dt{font-weight:bold;margin-top:.3em}"
    "#drilldown dd{margin-left:1em;white-space:pre-wrap}pre.stderr{background:#f7f7f7;padding:.5em;"
    "white-space:pre-wrap}.message{font-family:monospace}";

}  // namespace

std::vector<std::string> ImplementationOrder(const RunInfo& run,
                                             const std::vector<Result>& results) {
  std::vector<std::string> order;
  std::set<std::string> known;
  for (const auto& impl : run.implementations) {
    if (known.insert(impl.name).second) order.push_back(impl.name);
  }
  for (const Result& r : results) {
    if (known.insert(r.implementation).second) order.push_back(r.implementation);
  }
  return order;
}

std::string ReportHtml(const RunInfo& run, const std::vector<Result>& results,
                       const std::vector<Result>* baseline) {
  const std::vector<std::string> impls = ImplementationOrder(run, results);
  std::map<std::string, size_t> column;
  for (size_t i = 0; i < impls.size(); ++i) column[impls[i]] = i;
  std::map<std::string, const ImplementationInfo*> info;
  for (const ImplementationInfo& impl : run.implementations) info[impl.name] = &impl;
  std::map<std::string, std::map<std::string, size_t>> by_case;  // case -> impl -> result index
  std::map<std::string, std::string> titles;
  std::map<std::string, std::set<std::string>> case_tiers;
  for (size_t i = 0; i < results.size(); ++i) {
    by_case[results[i].case_id][results[i].implementation] = i;
    if (!results[i].title.empty()) titles[results[i].case_id] = results[i].title;
    case_tiers[results[i].case_id].insert(results[i].tiers.begin(), results[i].tiers.end());
  }
  std::map<std::pair<std::string, std::string>, const Result*> before;
  std::map<std::pair<std::string, std::string>, const Change*> changed;
  std::vector<Change> changes;
  if (baseline != nullptr) {
    for (const Result& r : *baseline) before[{r.implementation, r.case_id}] = &r;
    changes = DiffResults(*baseline, results);
    for (const Change& c : changes) changed[{c.implementation, c.case_id}] = &c;
  }

  // Column heads: the name, and what the driver says it is.
  std::vector<std::string> heads;
  for (const std::string& impl : impls) {
    std::string head = Escape(impl);
    auto it = info.find(impl);
    if (it != info.end() && it->second->describe.is_object() && !it->second->describe.empty()) {
      const json& d = it->second->describe;
      const std::string version = Field(d, "error").empty()
                                      ? Field(d, "implementation") + " " + Field(d, "language_version") +
                                            " · " + Field(d, "platform")
                                      : "could not be described";
      head += "<br><span class=\"version\">" + Escape(version) + "</span>";
    }
    heads.push_back(head);
  }

  const std::string script = kDashboardScript;
  std::string out;
  out += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
  out += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
         "style-src 'unsafe-inline'; script-src '" + ScriptHash(script) + "'\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width\">\n";
  out += "<title>sigconform compliance matrix</title>\n<style>" + std::string(kStyle) + "</style></head><body>\n";
  out += "<h1>sigconform compliance matrix</h1>\n<p id=\"run\">sigconform " + Escape(run.runner_version) +
         (run.runner_commit.empty() ? "" : " (" + Escape(run.runner_commit) + ")") + " · catalog <code>" +
         Escape(run.catalog_digest) + "</code>, " + std::to_string(run.catalog_cases) + " cases · host " +
         Escape(run.host_name) + ", " + Escape(run.host_os) + " · " + Escape(run.started_at) + " to " +
         Escape(run.ended_at) + (run.interrupted ? " · <strong>interrupted</strong> by " + Escape(run.interrupted_by) : "") +
         " · " + std::to_string(results.size()) + " results</p>\n";

  // Implementations: what each is, how much of the catalog it was judged on, its counts.
  const std::vector<Status> shown = ShownStatuses(results);
  out += "<h2>Implementations</h2>\n<table id=\"implementations\"><tr><th>implementation</th><th>judged</th>";
  for (Status s : shown) out += std::string("<th>") + StatusName(s) + "</th>";
  out += "<th>total</th></tr>\n";
  for (size_t i = 0; i < impls.size(); ++i) {
    std::map<Status, int> counts;
    int total = 0;
    for (const Result& r : results) {
      if (r.implementation != impls[i]) continue;
      ++counts[r.status];
      ++total;
    }
    char judged[32];
    std::snprintf(judged, sizeof judged, "%.0f %%", JudgedPercent(results, impls[i]));
    out += "<tr data-impl=\"" + Escape(impls[i]) + "\"><th>" + heads[i] + "</th><td>" + judged + "</td>";
    for (Status s : shown) out += "<td class=\"n\">" + std::to_string(counts[s]) + "</td>";
    out += "<td class=\"n\">" + std::to_string(total) + "</td></tr>\n";
  }
  out += "</table>\n";

  // Totals by rule tier: how the verdicts split between rules the documentation states and
  // rules settled from CPython's behaviour (what --documented-only gates on).
  const auto tally = TallyByTier(results);
  std::set<std::string> tier_names;
  for (const Result& r : results) tier_names.insert(r.tiers.begin(), r.tiers.end());
  if (!tier_names.empty()) {
    out += "<h2>By rule tier</h2>\n<table id=\"tiers\"><tr><th>implementation</th><th>tier</th><th>passed</th>"
           "<th>judged</th><th>pass rate</th><th>unexpected</th><th>results</th></tr>\n";
    for (size_t i = 0; i < impls.size(); ++i) {
      auto it = tally.find(impls[i]);
      if (it == tally.end()) continue;
      for (const char* tier : {"documented", "compat", ""}) {
        auto t = it->second.find(tier);
        if (t == it->second.end()) continue;
        const TierTally& n = t->second;
        const char* tone = n.judged == 0 ? "none" : n.unexpected == 0 ? "good" : "bad";
        out += "<tr data-impl=\"" + Escape(impls[i]) + "\" data-tier=\"" + tier + "\"><th>" + Escape(impls[i]) +
               "</th><td>" + (*tier ? TierText(tier) : std::string("(no rule)")) + "</td><td class=\"n\">" +
               std::to_string(n.passed) + "</td><td class=\"n\">" + std::to_string(n.judged) +
               "</td><td class=\"s-" + tone + "\">" + Percent(n.passed, n.judged) + "</td><td class=\"n\">" +
               std::to_string(n.unexpected) + "</td><td class=\"n\">" + std::to_string(n.results) + "</td></tr>\n";
      }
    }
    out += "</table>\n";
  }

  // Pass rate per spec section and implementation: passes among the cases that apply. A case
  // counts in the section of each rule it cites (its area when the report has no rule texts).
  std::map<std::string, std::vector<std::pair<size_t, size_t>>> rates;  // section -> per impl (pass, applicable)
  std::vector<std::string> section_order;
  for (const Result& r : results) {
    std::set<std::string> sections;
    for (const std::string& id : r.rules) {
      auto it = run.rules.find(id);
      if (it != run.rules.end() && !it->second.section.empty()) sections.insert(it->second.section);
    }
    if (sections.empty()) sections.insert(Area(r.case_id));
    for (const std::string& section : sections) {
      auto& row = rates[section];
      if (row.empty()) section_order.push_back(section);
      row.resize(impls.size());
      auto& cell = row[column[r.implementation]];
      if (r.status == Status::kNotApplicable) continue;
      ++cell.second;
      if (r.status == Status::kPass || r.status == Status::kEmulatedConforming) ++cell.first;
    }
  }
  out += "<h2>Pass rate by spec section</h2>\n<table id=\"sections\"><tr><th>section</th>";
  for (size_t i = 0; i < impls.size(); ++i) out += "<th data-col=\"" + std::to_string(i) + "\">" + heads[i] + "</th>";
  out += "</tr>\n";
  std::sort(section_order.begin(), section_order.end());
  for (const std::string& section : section_order) {
    auto& row = rates[section];
    row.resize(impls.size());
    out += "<tr data-section=\"" + Escape(section) + "\"><th>" + Escape(section) + "</th>";
    for (size_t i = 0; i < impls.size(); ++i) {
      const auto [pass, applicable] = row[i];
      const char* tone = applicable == 0 ? "none" : pass == applicable ? "good" : "bad";
      out += "<td data-col=\"" + std::to_string(i) + "\" class=\"s-" + tone + "\">" + std::to_string(pass) +
             "/" + std::to_string(applicable) + " (" + Percent(pass, applicable) + ")</td>";
    }
    out += "</tr>\n";
  }
  out += "</table>\n";

  if (baseline != nullptr) {
    out += "<h2>Changes since the baseline</h2>\n";
    if (changes.empty()) {
      out += "<p id=\"changes\">No result changed.</p>\n";
    } else {
      out += "<ul id=\"changes\">\n";
      for (const Change& c : changes) {
        out += std::string("<li data-kind=\"") + ChangeKindName(c.kind) + "\"><strong>" + ChangeKindName(c.kind) +
               "</strong> <code>" + Escape(c.case_id) + "</code> on <code>" + Escape(c.implementation) + "</code>: " +
               (c.before ? StatusName(c.before->status) : "(absent)") + " → " +
               (c.after ? StatusName(c.after->status) : "(absent)") + "</li>\n";
      }
      out += "</ul>\n";
    }
  }

  // The filters (shown by the script) and the matrix.
  std::set<std::string> areas;
  for (const auto& entry : by_case) areas.insert(Area(entry.first));
  out += "<h2>Cases</h2>\n<form id=\"filters\" hidden><fieldset><legend>status</legend>";
  for (Status s : shown) {
    out += std::string("<label><input type=\"checkbox\" name=\"status\" value=\"") + StatusName(s) +
           "\" checked> " + StatusName(s) + "</label> ";
  }
  out += "</fieldset><label>implementation <select name=\"impl\"><option value=\"\">all</option>";
  for (size_t i = 0; i < impls.size(); ++i) {
    out += "<option value=\"" + std::to_string(i) + "\">" + Escape(impls[i]) + "</option>";
  }
  out += "</select></label><label>area <select name=\"area\"><option value=\"\">all</option>";
  for (const std::string& a : areas) out += "<option value=\"" + Escape(a) + "\">" + Escape(a) + "</option>";
  out += "</select></label>";
  if (!tier_names.empty()) {
    out += "<label>tier <select name=\"tier\"><option value=\"\">all</option>";
    for (const std::string& t : tier_names) out += "<option value=\"" + Escape(t) + "\">" + Escape(TierText(t)) + "</option>";
    out += "</select></label>";
  }
  out += "<label>search <input type=\"search\" name=\"text\"></label>";
  if (baseline != nullptr) out += "<label><input type=\"checkbox\" name=\"changed\"> changed only</label>";
  out += "<span id=\"shown-count\"></span></form>\n";
  out += "<table id=\"matrix\"><thead><tr><th>case</th>";
  for (size_t i = 0; i < impls.size(); ++i) out += "<th data-col=\"" + std::to_string(i) + "\">" + heads[i] + "</th>";
  out += "</tr></thead><tbody>\n";
  json data_results = json::array();
  for (const Result& r : results) {
    json facts = json::array();
    for (const auto& [label, text] : ResultFacts(r, run.rules)) facts.push_back({TerminalText(label), TerminalText(text, true)});
    json item = {{"case", TerminalText(r.case_id)},
                 {"implementation", TerminalText(r.implementation)},
                 {"status", StatusName(r.status)},
                 {"facts", facts}};
    if (!r.message.empty()) item["message"] = TerminalText(r.message, true);
    if (!r.stderr_excerpt.empty()) item["stderr"] = TerminalText(r.stderr_excerpt, true);
    if (baseline != nullptr) {
      auto it = before.find({r.implementation, r.case_id});
      item["baseline"] = it == before.end() ? "(absent)"
                                            : std::string(StatusName(it->second->status)) +
                                                  (it->second->step.empty() ? "" : " at step " + it->second->step);
    }
    data_results.push_back(item);
  }
  for (const auto& [case_id, row] : by_case) {
    const std::string title = titles.count(case_id) ? titles[case_id] : "";
    std::string search;
    for (char c : TerminalText(case_id + " " + title)) search += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string tiers, tier_text;
    for (const std::string& t : case_tiers[case_id]) {
      tiers += (tiers.empty() ? "" : " ") + t;
      tier_text += (tier_text.empty() ? "" : ", ") + TierText(t);
    }
    out += "<tr class=\"case\" data-area=\"" + Escape(Area(case_id)) + "\" data-tier=\"" + Escape(tiers) +
           "\" data-search=\"" + Escape(search) + "\"><td class=\"id\"><code>" + Escape(case_id) + "</code>";
    if (!title.empty()) out += "<div class=\"title\">" + Escape(title) + "</div>";
    if (!tier_text.empty()) out += "<div class=\"tier\">" + Escape(tier_text) + "</div>";
    out += "</td>";
    for (size_t i = 0; i < impls.size(); ++i) {
      auto it = row.find(impls[i]);
      if (it == row.end()) {
        out += "<td data-col=\"" + std::to_string(i) + "\"></td>";
        continue;
      }
      const Result& r = results[it->second];
      const bool is_changed = changed.count({r.implementation, r.case_id}) > 0;
      out += "<td class=\"st s-" + std::string(Tone(r.status)) + "\" data-col=\"" + std::to_string(i) +
             "\" data-r=\"" + std::to_string(it->second) + "\" data-status=\"" + StatusName(r.status) + "\"" +
             (is_changed ? " data-changed" : "") + " tabindex=\"0\" title=\"" + Escape(r.message) + "\">" +
             StatusName(r.status);
      if (is_changed) {
        const Change& c = *changed[{r.implementation, r.case_id}];
        out += "<div class=\"was\">was " + std::string(c.before ? StatusName(c.before->status) : "absent") + "</div>";
      }
      out += "</td>";
    }
    out += "</tr>\n";
  }
  out += "</tbody></table>\n<section id=\"drilldown\" hidden></section>\n";
  out += "<script type=\"application/json\" id=\"sigconform-data\">" + ScriptJson({{"results", data_results}}) +
         "</script>\n";
  out += "<script>" + script + "</script>\n</body></html>\n";
  return out;
}

}  // namespace sigconform
