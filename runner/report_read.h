// Reading JSON reports back (for `merge`, `report` and `diff`): the inverse of ReportJson.
// Report files come from other machines and other versions, so they are untrusted input.
#ifndef SIGCONFORM_RUNNER_REPORT_READ_H_
#define SIGCONFORM_RUNNER_REPORT_READ_H_

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bounded_json.h"
#include "catalog.h"
#include "report.h"
#include "result.h"

namespace sigconform {

// A report as read from its file.
struct LoadedReport {
  std::string file;  // where it was read from
  RunInfo run;
  std::vector<Result> results;  // in file order
};

// Bounds on what ReadReportFile accepts (ParseBoundedJson, bounded_json.h): a larger, deeper
// or fuller file is refused with an error; so is a report of more than kMaxReportResults.
constexpr size_t kMaxReportResults = 1000000;
constexpr JsonBounds kReportFileBounds{size_t{512} << 20, kMaxJsonDepth, 64 * kMaxReportResults};

// Reads a report (format version kReportVersion) written by ReportJson. Every problem is
// returned, each naming the file and the JSON path ("/results/3/status") and saying what was
// expected: unreadable file, size or nesting over the bounds above, invalid JSON (with line
// and column), another format version, a missing or mistyped field, an unknown status or key
// (a field this reader does not know would be lost in a merge), a result whose implementation
// the run does not list. *out is filled only when there is no problem. Never throws.
std::vector<CatalogError> ReadReportFile(const std::string& path, LoadedReport* out);

// ReadReportFile on an already parsed document; `file` names it in errors.
std::vector<CatalogError> ReadReport(const nlohmann::json& doc, const std::string& file,
                                     LoadedReport* out);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_REPORT_READ_H_
