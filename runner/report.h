// Reports: serializations of results, nothing more (the JSON report is the source of truth;
// spec/report.schema.json describes it).
#ifndef SIGCONFORM_RUNNER_REPORT_H_
#define SIGCONFORM_RUNNER_REPORT_H_

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "result.h"

namespace sigconform {

// One implementation of a run, as reports show it.
struct ImplementationInfo {
  std::string name;  // its configured name; results refer to it
  std::string spec;  // as given to --impl ("cpython", "py=python3 driver.py"); "" when unknown
  // The driver's describe record, or {"error": "..."} when describing it failed.
  nlohmann::json describe;
  // The environment its driver starts from (before a case's own changes), "NAME=value".
  std::vector<std::string> env;
  // When its driver offers a fork-server: {"served": N} (cases forked from it), with
  // "stop_reason" when it stopped during the run or was not used; null otherwise.
  nlohmann::json fork_server;
};

// A rule a result rests on, as the reports show it beside the result.
struct RuleText {
  std::string text;     // the rule column, as written (Markdown)
  std::string tier;     // "documented" or "compat" (TierName)
  std::string section;  // the heading above it ("Masks (`mask.*`)")
};

// Facts about the whole run, shown at the top of every report.
struct RunInfo {
  std::string runner_version;  // "0.1.0"
  std::string runner_commit;   // the git commit the runner was built from; "" when unknown
  std::string started_at;      // ISO 8601 UTC, "2024-05-01T12:00:00Z"
  std::string ended_at;        // likewise; "" until the run has ended
  double seconds = 0;          // wall time of the whole run
  bool interrupted = false;    // the runner was interrupted: some results are not-run
  std::string interrupted_by;  // the signal's name ("SIGINT"), "" when not interrupted
  std::string command_line;    // how the runner was invoked
  std::string cases_dir;
  std::string catalog_digest;  // DigestFiles over the catalog's *.json ("sha256:...")
  size_t catalog_cases = 0;    // files in the catalog (not only the selected ones)
  std::string rules_digest;    // DigestFiles over spec/rules/*.md; "" when not found
  int jobs = 1;
  int repeat = 1;              // --repeat N
  int shard_index = 0;         // --shard K/N: K, 1-based; 0 when the run was not sharded
  int shard_count = 0;         // N; 0 when the run was not sharded
  std::vector<std::string> filters, tags, keywords;  // the selection: --filter, --tag, -k
  std::vector<ImplementationInfo> implementations;   // in command-line order
  std::vector<std::string> base_env;  // the controlled environment every driver starts from
  // Every rule the results cite, by id, so that each report can show a result's rules with
  // their text and tier.
  std::map<std::string, RuleText> rules;
  std::string host_name;
  std::string host_os;       // "Linux 6.1.0-13-amd64 (Debian GNU/Linux 12 (bookworm))"
  std::string host_kernel;   // uname -r of the runner's machine
  std::string host_machine;  // uname -m
  // What kept each case's processes together and limited (RunContainment::Describe(), plus
  // the implementations that ran as the runner's own user and why); null when not known.
  nlohmann::json containment;
  // The runner's own peak resident memory over the run (getrusage RUSAGE_SELF), in KiB; 0
  // when not measured. Its drivers are not included.
  long runner_max_rss_kb = 0;
  // For a report made from other reports (merge, report): one entry per source, with the
  // facts above that differ between them ({"file", "host", "started_at", "seconds",
  // "shard", ...}). Empty for a run.
  nlohmann::json sources = nlohmann::json::array();
};

// The version of the JSON report format ReportJson writes and ReadReport reads.
constexpr int kReportVersion = 2;

// {"sigconform_report": 2, "run": {...}, "summary": {"<impl>": {"pass": n, ..., "total": n}},
//  "results": [...]}, as spec/report.schema.json describes it. Every status appears in each
// summary, zeros included; empty result fields are left out; each implementation's
// environment is written once, and a result only lists what its case changed in it
// ("env_changes"). All strings are made valid UTF-8, so the document can always be dumped.
nlohmann::json ReportJson(const RunInfo& run, const std::vector<Result>& results);

// One result as ReportJson writes it; `impl_env` is its implementation's environment.
nlohmann::json ResultJson(const Result& r, const std::vector<std::string>& impl_env);

// What `env` changes in `base`: {"NAME": "new value", "GONE": null}, names sorted.
nlohmann::json EnvChanges(const std::vector<std::string>& base, const std::vector<std::string>& env);

// ReportJson(run, results).dump(2) + "\n", the same text, made one result at a time: the
// whole report as a JSON value holds about 4 KB per result (40 MB for 10,000 results), its
// text under 1 KB (issue 14, linear scale).
std::string ReportJsonText(const RunInfo& run, const std::vector<Result>& results);

// JUnit XML: one <testsuite> per implementation (in RunInfo order, then any other name found in
// results), one <testcase> per result with classname = the case's area (first id segment).
// fail, missing, xpass -> <failure>; error, timeout -> <error>; not-applicable, xfail ->
// <skipped>. Text is XML-escaped; characters XML 1.0 forbids are replaced.
std::string ReportJunit(const RunInfo& run, const std::vector<Result>& results);

// Markdown: run facts, a summary table per implementation, the totals by rule tier, then a section per result that
// counts against the run or is missing (step, expected vs observed rendered Python-style, exit,
// stderr excerpt, reproduce command), then a short list of the not-applicable and xfail ones.
std::string ReportMarkdown(const RunInfo& run, const std::vector<Result>& results);

// The implementations in report order: those of RunInfo first, in command-line order, then any
// other name found in results, each once.
std::vector<std::string> ImplementationOrder(const RunInfo& run, const std::vector<Result>& results);

// The HTML compliance dashboard (report_html.cc): the implementations with their versions and
// judged share, the totals by rule tier, the pass rate per area and implementation, the matrix
// of cases (one row per case, one column per implementation) with filters by status,
// implementation, area, tier and text, and a drill-down per result (its facts, message and stderr). With `baseline` (an
// earlier run's results), the changes since then are listed and marked in the matrix, with a
// "changed only" filter. Self-contained: inline style and script (allowed by hash in the
// page's Content-Security-Policy), no network. Every string is escaped; the script only uses
// textContent.
std::string ReportHtml(const RunInfo& run, const std::vector<Result>& results,
                       const std::vector<Result>* baseline = nullptr);

// Writes `content` to `path` through a temporary file in the same directory and a rename, so
// that a reader never sees half a report; creates missing parent directories. False with
// *error (when not null) set on failure. Never throws.
bool WriteFileAtomically(const std::string& path, const std::string& content, std::string* error);

// Writes the JSON report to `json_path` (when not empty) and every format into `out_dir`
// (when not empty): report.json, junit.xml, summary.md, matrix.html, each atomically. `say`
// is told "wrote PATH" for each file and "cannot write PATH: why" for each failure. True when
// every file was written. Never throws.
// `baseline`, when not null, goes to the HTML dashboard's comparison.
bool WriteReportSet(const std::string& out_dir, const std::string& json_path, const RunInfo& run,
                    const std::vector<Result>& results,
                    const std::function<void(const std::string&)>& say,
                    const std::vector<Result>* baseline = nullptr);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_REPORT_H_
