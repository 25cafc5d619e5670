// The verdict on one (case, implementation) pair: what evaluation produces, expectation files
// adjust and reports serialize.
#ifndef SIGCONFORM_RUNNER_RESULT_H_
#define SIGCONFORM_RUNNER_RESULT_H_

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sigconform {

// The result categories of DESIGN.md. "fail" means the implementation is wrong; "error" means
// the driver or the harness broke; the two are never mixed.
enum class Status {
  kPass,           // every expectation held
  kFail,           // an expectation did not hold
  kMissing,        // the implementation claims a version/platform where the feature exists, lacks it
  kNotApplicable,  // platform, kernel or version outside the case's scope
  kError,          // protocol broken, crash outside what the case expects, launch failure
  kTimeout,        // the runner ended the case at its timeout
  kXfail,          // failed, and an expectation file says it does
  kXpass,          // passed, but an expectation file says it fails
  // Reserved for the statuses the open issues add; each issue that produces one defines its
  // meaning in the table of statuses (README, spec/report.schema.json).
  // In scope, but the case needs step actions that do not work with this driver on this
  // runtime (missing from describe's `operations`): not judged, and counted against the
  // implementation (spec/driver-protocol.md, "Results the runner gives without running").
  kUnsupported,
  kCrash,               // the implementation died by a signal the case did not expect
  kNotRun,              // never started: the run was interrupted first
  kFlaky,               // --repeat gave different verdicts
  kEmulatedConforming,  // on a platform whose signals are emulated: behaved as documented
  kEmulatedDiverging,   // on a platform whose signals are emulated: behaved otherwise
};

// The name used in reports and on the command line: "pass", "fail", "not-applicable", ...
inline const char* StatusName(Status s) {
  switch (s) {
    case Status::kPass: return "pass";
    case Status::kFail: return "fail";
    case Status::kMissing: return "missing";
    case Status::kNotApplicable: return "not-applicable";
    case Status::kError: return "error";
    case Status::kTimeout: return "timeout";
    case Status::kXfail: return "xfail";
    case Status::kXpass: return "xpass";
    case Status::kUnsupported: return "unsupported";
    case Status::kCrash: return "crash";
    case Status::kNotRun: return "not-run";
    case Status::kFlaky: return "flaky";
    case Status::kEmulatedConforming: return "emulated-conforming";
    case Status::kEmulatedDiverging: return "emulated-diverging";
  }
  return "error";
}

// Whether the status counts against the run (makes the CLI exit 1): fail, missing, error,
// crash, timeout, xpass (the expectation file is stale), not-run (the run did not finish) and
// flaky do; pass, not-applicable, xfail, unsupported (gated by --min-judged instead) and the
// emulated results (informational) do not. status_table.h has the whole table, with the
// gates that lift some of these.
inline bool IsUnexpected(Status s) {
  switch (s) {
    case Status::kPass:
    case Status::kNotApplicable:
    case Status::kXfail:
    case Status::kUnsupported:
    case Status::kEmulatedConforming:
    case Status::kEmulatedDiverging:
      return false;
    default:
      return true;
  }
}

// Every status, in report order.
inline const Status kAllStatuses[] = {
    Status::kPass,        Status::kFail,  Status::kMissing, Status::kUnsupported,
    Status::kNotApplicable, Status::kError, Status::kCrash, Status::kTimeout,
    Status::kXfail,       Status::kXpass, Status::kNotRun,  Status::kFlaky,
    Status::kEmulatedConforming, Status::kEmulatedDiverging};

struct Result;

// The statuses a summary table shows for these results: the eight every run can give, plus
// each other status that occurs in them, in report order.
std::vector<Status> ShownStatuses(const std::vector<Result>& results);

// One expectation that did not hold.
struct Failure {
  std::string step;         // path of the step, or "" (the exit, a stream, a stray exception)
  std::string message;      // one line, like Result::message
  nlohmann::json expected;  // as Result::expected
  nlohmann::json observed;  // as Result::observed
  std::string step_text;    // the step written as the call it was (step_text.h); filled by the CLI
};

// The expectation-file entry that decided an xfail or xpass, or that a result did not meet.
struct AppliedExpectation {
  Status status = Status::kFail;  // the status it pins
  std::string step;               // the failing step it pins, "" for any
  nlohmann::json observed;        // the observed value it pins, null for any
  std::string reason;             // why (never empty)
  std::string link;               // a bug or discussion, "" when none
  std::string file;               // the expectation file, for messages
};

// What --repeat saw for one pair.
struct Repetition {
  int runs = 0;                      // how many times the pair ran (>= 2)
  std::vector<Status> verdicts;      // the status of each run, in order
  // "stable" (every run passed), "broken" (every run gave the same other status) or "flaky"
  // (the verdicts differ).
  std::string stability;
};

struct Result {
  std::string case_id;
  std::string implementation;  // the implementation's configured name; Evaluate leaves it empty
  std::string title;           // the case's title; filled by the CLI
  Status status = Status::kError;
  std::string message;  // one line saying what happened; empty for a plain pass
  std::string step;     // path of the step at fault ("3", "2.1"), or "" when no step is
  std::string step_text;    // that step written as the call it was (step_text.h); filled by the CLI
  nlohmann::json expected;  // the expectation that did not hold, null when not applicable
  nlohmann::json observed;  // what was observed instead, null when not applicable
  // Every expectation that did not hold (the first 16), in the order of the case, when evaluation gives
  // `fail` (an expectation file may then make it `xfail`): the first is also message, step,
  // expected and observed; the steps after a failed one are still judged wherever they ran.
  // Empty otherwise.
  std::vector<Failure> failures;
  std::string reproduce;    // a command line that reruns this pair alone; filled by the CLI
  double seconds = 0;       // wall time of the driver process, 0 when it did not run
  // How the process ended: "exit code 0", "killed by SIGPIPE (core dumped)"; "" if it did not run.
  std::string exit_description;
  std::string stderr_excerpt;    // the last ~2000 bytes of standard error, valid UTF-8
  // The environment the driver ran with, "NAME=value". Reports write it once per
  // implementation and, per result, only what the case changed.
  std::vector<std::string> env;
  std::optional<AppliedExpectation> expectation;  // the entry that matched, if one did
  std::optional<Repetition> repetition;           // with --repeat N, N >= 2
  // The rule ids the case cites, as in the case; filled by the CLI (Evaluate leaves it empty).
  std::vector<std::string> rules;
  // The tiers those rules are in ("documented", "compat"), documented first, each once: what
  // kind of truth the verdict rests on. Filled by the CLI with `rules`.
  std::vector<std::string> tiers;
  // How the implementation's state was made fresh for this case; "" when it did not run.
  // "fork-exec": the runner forked and executed the driver; "snapshot-restore": likewise, and
  // the driver restored its interpreter from a snapshot of a freshly started one (Pyodide);
  // "fresh-interpreter": the driver started its interpreter cold. A driver says which in its
  // start record (spec/driver-protocol.md); "fork-exec" when it says nothing.
  std::string isolation;
  // Why a case of an implementation whose driver offers a fork-server ran by fork+exec: its
  // parent state, --isolation fork-exec, or the server's stop reason. "" otherwise.
  std::string isolation_reason;
  // When its driver was launched, in seconds from the start of the run (with --repeat, the
  // run shown); -1 when it did not run. With `seconds`, the run's concurrency over time.
  double started = -1;
};

inline std::vector<Status> ShownStatuses(const std::vector<Result>& results) {
  std::vector<Status> shown;
  for (Status s : kAllStatuses) {
    bool always = s == Status::kPass || s == Status::kFail || s == Status::kMissing ||
                  s == Status::kNotApplicable || s == Status::kError || s == Status::kTimeout ||
                  s == Status::kXfail || s == Status::kXpass;
    bool present = false;
    for (const Result& r : results) present = present || r.status == s;
    if (always || present) shown.push_back(s);
  }
  return shown;
}

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_RESULT_H_
