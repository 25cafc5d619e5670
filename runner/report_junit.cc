// JUnit XML for CI systems (Jenkins, GitLab, GitHub test reporters). Every string from a driver
// or a report file passes through TerminalText and XML escaping, so the file always parses and
// shows hostile text as text.
#include <cstdio>
#include <map>

#include "report.h"
#include "result_text.h"
#include "text.h"

namespace sigconform {
namespace {

// Text safe inside XML 1.0 content and attribute values: TerminalText has already turned every
// character XML 1.0 cannot carry (controls, U+FFFE, U+FFFF) into a visible escape.
std::string XmlEscape(const std::string& raw) {
  const std::string s = TerminalText(raw, /*keep_newlines=*/true);
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;  // also breaks any "]]>"
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\t': out += "&#9;"; break;
      case '\n': out += "&#10;"; break;
      default: out += ch;
    }
  }
  return out;
}

std::string Seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", s);
  return buf;
}

std::string Area(const std::string& id) { return id.substr(0, id.find('/')); }

std::string Details(const Result& r, const std::map<std::string, RuleText>& rules) {
  std::string out;
  if (!r.message.empty()) out += r.message + "\n";
  for (const auto& [label, text] : ResultFacts(r, rules)) out += label + ": " + text + "\n";
  return out;
}

enum class Kind { kPassed, kFailure, kError, kSkipped };

// How JUnit consumers should see a status: failures are the implementation's, errors the
// harness's or the driver's, skipped what was not judged or is known.
Kind KindOf(Status s) {
  switch (s) {
    case Status::kPass: return Kind::kPassed;
    case Status::kFail:
    case Status::kMissing:
    case Status::kCrash:
    case Status::kFlaky:
    case Status::kXpass: return Kind::kFailure;
    case Status::kError:
    case Status::kNotRun:
    case Status::kTimeout: return Kind::kError;
    case Status::kNotApplicable:
    case Status::kUnsupported:
    case Status::kEmulatedConforming:
    case Status::kEmulatedDiverging:
    case Status::kXfail: return Kind::kSkipped;
  }
  return Kind::kError;
}

std::string Property(const std::string& name, const std::string& value) {
  return "      <property name=\"" + XmlEscape(name) + "\" value=\"" + XmlEscape(value) + "\"/>\n";
}

}  // namespace

std::string ReportJunit(const RunInfo& run, const std::vector<Result>& results) {
  const std::vector<std::string> order = ImplementationOrder(run, results);
  std::map<std::string, const ImplementationInfo*> info;
  for (const ImplementationInfo& impl : run.implementations) info[impl.name] = &impl;

  struct Counts {
    int tests = 0, failures = 0, errors = 0, skipped = 0;
    double time = 0;
  };
  std::map<std::string, Counts> counts;
  Counts total;
  for (const Result& r : results) {
    for (Counts* c : {&counts[r.implementation], &total}) {
      ++c->tests;
      c->time += r.seconds;
      switch (KindOf(r.status)) {
        case Kind::kFailure: ++c->failures; break;
        case Kind::kError: ++c->errors; break;
        case Kind::kSkipped: ++c->skipped; break;
        case Kind::kPassed: break;
      }
    }
  }
  const auto attrs = [](const Counts& c) {
    return " tests=\"" + std::to_string(c.tests) + "\" failures=\"" + std::to_string(c.failures) +
           "\" errors=\"" + std::to_string(c.errors) + "\" skipped=\"" +
           std::to_string(c.skipped) + "\" time=\"" + Seconds(c.time) + "\"";
  };

  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"sigconform\"" + attrs(total) + ">\n";
  for (const std::string& impl : order) {
    out += "  <testsuite name=\"" + XmlEscape(impl) + "\"" + attrs(counts[impl]) + " timestamp=\"" +
           XmlEscape(run.started_at) + "\" hostname=\"" + XmlEscape(run.host_name) + "\">\n";
    out += "    <properties>\n";
    out += Property("sigconform.version", run.runner_version);
    if (!run.runner_commit.empty()) out += Property("sigconform.commit", run.runner_commit);
    out += Property("catalog.digest", run.catalog_digest);
    out += Property("host.os", run.host_os);
    if (auto it = info.find(impl); it != info.end() && it->second->describe.is_object()) {
      for (const char* key : {"implementation", "language_version", "platform", "executable", "error"}) {
        const nlohmann::json v = it->second->describe.value(key, nlohmann::json());
        if (v.is_string()) out += Property(std::string("describe.") + key, v.get<std::string>());
      }
    }
    out += "    </properties>\n";
    for (const Result& r : results) {
      if (r.implementation != impl) continue;
      // Jenkins-style consumers group by classname: the implementation keeps the same case
      // of two implementations apart ("cpython.masks", "pypy.masks").
      out += "    <testcase classname=\"" + XmlEscape(impl + "." + Area(r.case_id)) + "\" name=\"" +
             XmlEscape(r.case_id) + "\" time=\"" + Seconds(r.seconds) + "\"";
      const std::string status = StatusName(r.status);
      const std::string message = XmlEscape(status + (r.message.empty() ? "" : ": " + r.message));
      switch (KindOf(r.status)) {
        case Kind::kPassed:
          out += "/>\n";
          continue;
        case Kind::kSkipped:
          out += ">\n      <skipped type=\"" + status + "\" message=\"" + message + "\"/>\n";
          break;
        case Kind::kError:
          out += ">\n      <error type=\"" + status + "\" message=\"" + message + "\">" +
                 XmlEscape(Details(r, run.rules)) + "</error>\n";
          break;
        case Kind::kFailure:
          out += ">\n      <failure type=\"" + status + "\" message=\"" + message + "\">" +
                 XmlEscape(Details(r, run.rules)) + "</failure>\n";
          break;
      }
      if (!r.stderr_excerpt.empty()) {
        out += "      <system-err>" + XmlEscape(r.stderr_excerpt) + "</system-err>\n";
      }
      out += "    </testcase>\n";
    }
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

}  // namespace sigconform
