// The verdict on one (case, implementation) pair: what evaluation produces, expectation files
// adjust and reports serialize.
#ifndef SIGCONFORM_RUNNER_RESULT_H_
#define SIGCONFORM_RUNNER_RESULT_H_

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
  kNotApplicable,  // platform, kernel, version or driver operations outside the case's scope
  kError,          // protocol broken, crash outside what the case expects, launch failure
  kTimeout,        // the runner ended the case at its timeout
  kXfail,          // failed, and an expectation file says it does
  kXpass,          // passed, but an expectation file says it fails
};

// The name used in reports and on the command line: "pass", "fail", "missing",
// "not-applicable", "error", "timeout", "xfail", "xpass".
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
  }
  return "error";
}

// Whether the status counts against the run (makes the CLI exit non-zero): fail, missing,
// error, timeout and xpass do (an xpass means the expectation file is stale); pass,
// not-applicable and xfail do not.
inline bool IsUnexpected(Status s) {
  switch (s) {
    case Status::kPass:
    case Status::kNotApplicable:
    case Status::kXfail:
      return false;
    default:
      return true;
  }
}

// Every status, in report order.
inline const Status kAllStatuses[] = {Status::kPass,  Status::kFail,    Status::kMissing,
                                      Status::kNotApplicable, Status::kError, Status::kTimeout,
                                      Status::kXfail, Status::kXpass};

struct Result {
  std::string case_id;
  std::string implementation;  // the implementation's configured name; Evaluate leaves it empty
  Status status = Status::kError;
  std::string message;  // one line saying what happened; empty for a plain pass
  std::string step;     // path of the step at fault ("3", "2.1"), or "" when no step is
  nlohmann::json expected;  // the expectation that did not hold, null when not applicable
  nlohmann::json observed;  // what was observed instead, null when not applicable
  std::string reproduce;    // a command line that reruns this pair alone; filled by the CLI
  double seconds = 0;       // wall time of the driver process, 0 when it did not run
  // How the process ended: "exit code 0", "killed by SIGPIPE (core dumped)"; "" if it did not run.
  std::string exit_description;
  std::string stderr_excerpt;    // the last ~2000 bytes of standard error, valid UTF-8
  std::vector<std::string> env;  // the environment the driver ran with, "NAME=value"
};

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_RESULT_H_
