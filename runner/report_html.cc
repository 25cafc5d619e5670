// The HTML compliance matrix: one row per case, one column per implementation, one page that
// needs no script and no network (styles are inline), so it can be published as it is.
#include <cstdio>
#include <map>
#include <set>

#include "report.h"
#include "text.h"

namespace sigconform {
namespace {

std::string Escape(const std::string& raw) {
  std::string out;
  for (char c : SanitizeUtf8(raw)) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// Background colour of a status cell: green for what holds, red for what does not, amber for
// harness trouble, grey for what does not apply.
const char* Colour(Status s) {
  switch (s) {
    case Status::kPass: return "#c8e6c9";
    case Status::kEmulatedConforming: return "#dcedc8";
    case Status::kXfail: return "#e6ee9c";
    case Status::kFail:
    case Status::kFlaky:
    case Status::kXpass: return "#ffcdd2";
    case Status::kEmulatedDiverging: return "#f0d9d9";
    case Status::kMissing:
    case Status::kUnsupported: return "#f8bbd0";
    case Status::kError:
    case Status::kCrash:
    case Status::kTimeout: return "#ffe0b2";
    case Status::kNotApplicable:
    case Status::kNotRun: return "#eeeeee";
  }
  return "#ffffff";
}

std::string Area(const std::string& id) { return id.substr(0, id.find('/')); }

}  // namespace

std::vector<std::string> ImplementationOrder(const RunInfo& run,
                                             const std::vector<Result>& results) {
  std::vector<std::string> order;
  std::set<std::string> known;
  for (const auto& impl : run.implementations) {
    if (known.insert(impl.first).second) order.push_back(impl.first);
  }
  for (const Result& r : results) {
    if (known.insert(r.implementation).second) order.push_back(r.implementation);
  }
  return order;
}

std::string ReportHtml(const RunInfo& run, const std::vector<Result>& results) {
  const std::vector<std::string> impls = ImplementationOrder(run, results);
  std::map<std::string, std::map<std::string, const Result*>> by_case;  // case -> impl -> result
  for (const Result& r : results) by_case[r.case_id][r.implementation] = &r;

  std::string out;
  out += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
  out += "<title>sigconform compliance matrix</title>\n<style>\n"
         "body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse}"
         "th,td{border:1px solid #bbb;padding:.25em .5em;font-size:.9em}"
         "th.area{background:#f5f5f5;text-align:left}td.id{font-family:monospace}"
         "td.st{text-align:center;white-space:nowrap}\n</style></head><body>\n";
  out += "<h1>sigconform compliance matrix</h1>\n<p>Run " + Escape(run.started_at) + ", " +
         std::to_string(results.size()) + " results. Hover a cell for the reason.</p>\n";

  // The summary: counts per implementation.
  out += "<table><tr><th>implementation</th>";
  for (Status s : ShownStatuses(results)) out += std::string("<th>") + StatusName(s) + "</th>";
  out += "</tr>\n";
  for (const std::string& impl : impls) {
    std::map<Status, int> counts;
    for (const Result& r : results) {
      if (r.implementation == impl) counts[r.status]++;
    }
    out += "<tr><td>" + Escape(impl) + "</td>";
    for (Status s : ShownStatuses(results)) out += "<td class=\"st\">" + std::to_string(counts[s]) + "</td>";
    out += "</tr>\n";
  }
  out += "</table>\n<h2>Cases</h2>\n<table><tr><th>case</th>";
  for (const std::string& impl : impls) out += "<th>" + Escape(impl) + "</th>";
  out += "</tr>\n";
  std::string area;
  for (const auto& [case_id, row] : by_case) {
    if (Area(case_id) != area) {
      area = Area(case_id);
      out += "<tr><th class=\"area\" colspan=\"" + std::to_string(impls.size() + 1) + "\">" +
             Escape(area) + "</th></tr>\n";
    }
    out += "<tr><td class=\"id\">" + Escape(case_id) + "</td>";
    for (const std::string& impl : impls) {
      auto it = row.find(impl);
      if (it == row.end()) {
        out += "<td></td>";
        continue;
      }
      const Result& r = *it->second;
      out += std::string("<td class=\"st\" style=\"background:") + Colour(r.status) +
             "\" title=\"" + Escape(r.message) + "\">" + StatusName(r.status) + "</td>";
    }
    out += "</tr>\n";
  }
  out += "</table>\n</body></html>\n";
  return out;
}

}  // namespace sigconform
