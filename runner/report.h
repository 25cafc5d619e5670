// Reports: serializations of results, nothing more (the JSON report is the source of truth;
// spec/report.schema.json describes it).
#ifndef SIGCONFORM_RUNNER_REPORT_H_
#define SIGCONFORM_RUNNER_REPORT_H_

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "result.h"

namespace sigconform {

// Facts about the whole run, shown at the top of every report.
struct RunInfo {
  std::string started_at;    // ISO 8601 UTC, "2024-05-01T12:00:00Z"
  double seconds = 0;        // wall time of the whole run
  std::string command_line;  // how the runner was invoked
  std::string cases_dir;
  int jobs = 1;
  // Each implementation by its configured name, with its driver's describe record, or
  // {"error": "..."} when describing it failed. In command-line order.
  std::vector<std::pair<std::string, nlohmann::json>> implementations;
  std::vector<std::string> base_env;  // the controlled environment every driver starts from
  std::string host_kernel;            // uname -r of the runner's machine
  std::string host_machine;           // uname -m
  // What kept each case's processes together and limited (RunContainment::Describe(), plus
  // the implementations that ran as the runner's own user and why); null when not known.
  nlohmann::json containment;
  // The runner's own peak resident memory over the run (getrusage RUSAGE_SELF), in KiB; 0
  // when not measured. Its drivers are not included.
  long runner_max_rss_kb = 0;
};

// {"sigconform_report": 1, "run": {...}, "summary": {"<impl>": {"pass": n, ..., "total": n}},
//  "results": [...]}. Every status appears in each summary, zeros included; empty result
// fields are left out. All strings are made valid UTF-8, so the document can always be dumped.
nlohmann::json ReportJson(const RunInfo& run, const std::vector<Result>& results);

// ReportJson(run, results).dump(2) + "\n", the same text, made one result at a time: the
// whole report as a JSON value holds about 4 KB per result (40 MB for 10,000 results), its
// text under 1 KB (issue 14, linear scale).
std::string ReportJsonText(const RunInfo& run, const std::vector<Result>& results);

// JUnit XML: one <testsuite> per implementation (in RunInfo order, then any other name found in
// results), one <testcase> per result with classname = the case's area (first id segment).
// fail, missing, xpass -> <failure>; error, timeout -> <error>; not-applicable, xfail ->
// <skipped>. Text is XML-escaped; characters XML 1.0 forbids are replaced.
std::string ReportJunit(const RunInfo& run, const std::vector<Result>& results);

// Markdown: run facts, a summary table per implementation, then a section per result that
// counts against the run or is missing (step, expected vs observed rendered Python-style, exit,
// stderr excerpt, reproduce command), then a short list of the not-applicable and xfail ones.
std::string ReportMarkdown(const RunInfo& run, const std::vector<Result>& results);

// The implementations in report order: those of RunInfo first, in command-line order, then any
// other name found in results, each once.
std::vector<std::string> ImplementationOrder(const RunInfo& run, const std::vector<Result>& results);

// HTML compliance matrix: a summary table per implementation, then one row per case (grouped
// by area) and one column per implementation, each cell a status coloured by kind with the
// result's message as its tooltip. Self-contained: inline styles, no script, no network.
std::string ReportHtml(const RunInfo& run, const std::vector<Result>& results);

// Writes `content` to `path` through a temporary file in the same directory and a rename, so
// that a reader never sees half a report; creates missing parent directories. False with
// *error (when not null) set on failure. Never throws.
bool WriteFileAtomically(const std::string& path, const std::string& content, std::string* error);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_REPORT_H_
