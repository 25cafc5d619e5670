#include <cstdio>
#include <map>
#include <set>

#include "report.h"
#include "text.h"

namespace sigconform {
namespace {

// Text safe inside XML 1.0 content and attribute values.
std::string XmlEscape(const std::string& raw) {
  const std::string s = SanitizeUtf8(raw);
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\t': out += "&#9;"; break;
      case '\n': out += "&#10;"; break;
      case '\r': out += "&#13;"; break;
      default:
        if (c < 0x20) {
          out += "\xEF\xBF\xBD";  // XML 1.0 cannot carry other control characters at all
        } else {
          out += ch;
        }
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

std::string Details(const Result& r) {
  std::string out;
  if (!r.step.empty()) out += "step: " + r.step + "\n";
  const auto dump = [](const nlohmann::json& v) {
    return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  if (!r.expected.is_null()) out += "expected: " + dump(r.expected) + "\n";
  if (!r.observed.is_null()) out += "observed: " + dump(r.observed) + "\n";
  if (!r.exit_description.empty()) out += "exit: " + r.exit_description + "\n";
  if (!r.reproduce.empty()) out += "reproduce: " + r.reproduce + "\n";
  if (!r.stderr_excerpt.empty()) out += "stderr:\n" + r.stderr_excerpt + "\n";
  return out;
}

}  // namespace

std::string ReportJunit(const RunInfo& run, const std::vector<Result>& results) {
  const std::vector<std::string> order = ImplementationOrder(run, results);

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
      switch (r.status) {
        case Status::kFail:
        case Status::kMissing:
        case Status::kFlaky:
        case Status::kXpass: ++c->failures; break;
        case Status::kError:
        case Status::kCrash:
        case Status::kUnsupported:
        case Status::kNotRun:
        case Status::kTimeout: ++c->errors; break;
        case Status::kNotApplicable:
        case Status::kEmulatedConforming:
        case Status::kEmulatedDiverging:
        case Status::kXfail: ++c->skipped; break;
        case Status::kPass: break;
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
    out += "  <testsuite name=\"" + XmlEscape(impl) + "\"" + attrs(counts[impl]) +
           " timestamp=\"" + XmlEscape(run.started_at) + "\">\n";
    for (const Result& r : results) {
      if (r.implementation != impl) continue;
      out += "    <testcase classname=\"" + XmlEscape(Area(r.case_id)) + "\" name=\"" +
             XmlEscape(r.case_id) + "\" time=\"" + Seconds(r.seconds) + "\"";
      const std::string status = StatusName(r.status);
      const std::string message = XmlEscape(status + ": " + r.message);
      switch (r.status) {
        case Status::kPass:
          out += "/>\n";
          continue;
        case Status::kNotApplicable:
        case Status::kEmulatedConforming:
        case Status::kEmulatedDiverging:
        case Status::kXfail:
          out += ">\n      <skipped message=\"" + message + "\"/>\n";
          break;
        case Status::kError:
        case Status::kCrash:
        case Status::kUnsupported:
        case Status::kNotRun:
        case Status::kTimeout:
          out += ">\n      <error type=\"" + status + "\" message=\"" + message + "\">" +
                 XmlEscape(Details(r)) + "</error>\n";
          break;
        default:
          out += ">\n      <failure type=\"" + status + "\" message=\"" + message + "\">" +
                 XmlEscape(Details(r)) + "</failure>\n";
          break;
      }
      out += "    </testcase>\n";
    }
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

}  // namespace sigconform
