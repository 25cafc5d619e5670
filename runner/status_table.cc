#include "status_table.h"

namespace sigconform {

const std::vector<StatusInfo>& StatusTable() {
  static const std::vector<StatusInfo> table = {
      {Status::kPass, "every expectation held", false, true, false, false, ""},
      {Status::kFail, "an expectation did not hold: the implementation is wrong", true, true,
       false, true, "--documented-only"},
      {Status::kMissing,
       "the implementation claims a version and platform where the feature is documented, "
       "and lacks it",
       true, true, false, true, ""},
      {Status::kUnsupported,
       "the driver does not support an action the case needs (a gap of the driver, not of "
       "the platform or the version)",
       false, false, false, true, "--min-judged"},
      {Status::kNotApplicable,
       "the case is outside the implementation's platform, kernel or version (the reason says "
       "which)",
       false, false, true, false, ""},
      {Status::kError,
       "the driver or the harness broke: protocol violation, launch failure, crash outside "
       "what the case expects",
       true, false, false, true, ""},
      {Status::kCrash, "the implementation died by a signal the case did not expect", true,
       true, false, true, "--documented-only"},
      {Status::kTimeout, "the runner ended the case at its timeout", true, true, false, true,
       "--documented-only"},
      {Status::kXfail, "failed the way an expectation file pins it (a known failure)", false, true,
       false, false, ""},
      {Status::kXpass,
       "passed where an expectation file pins a failure: the entry is stale",
       true, true, false, false, ""},
      {Status::kNotRun,
       "never finished: the run was interrupted (exit 128 + the signal) or stopped by -x "
       "first",
       true, false, false, false, ""},
      {Status::kFlaky, "--repeat gave different verdicts", true, true, false, true,
       "--documented-only"},
      {Status::kEmulatedConforming,
       "on a platform whose signals are emulated (WebAssembly), a case resting on the operating "
       "system's signals behaved as documented (informational; `spec/case-format.md`, "
       "\"Platforms whose signals are emulated\")",
       false, true, false, false, ""},
      {Status::kEmulatedDiverging,
       "the same, and it behaved otherwise (informational)", false,
       true, false, false, ""},
  };
  return table;
}

const StatusInfo& InfoOf(Status s) {
  for (const StatusInfo& info : StatusTable()) {
    if (info.status == s) return info;
  }
  return StatusTable()[0];  // unreachable: the table has every status (status_table_test)
}

std::optional<Status> StatusFromName(const std::string& name) {
  for (Status s : kAllStatuses) {
    if (name == StatusName(s)) return s;
  }
  return std::nullopt;
}

std::string StatusTableMarkdown() {
  std::string out =
      "| status | meaning | exit | pinnable | gate |\n| --- | --- | --- | --- | --- |\n";
  for (const StatusInfo& info : StatusTable()) {
    out += std::string("| `") + StatusName(info.status) + "` | " + info.meaning + " | " +
           (info.counts_against ? "1" : "0") + " | " + (info.pinnable ? "yes" : "no") + " | " +
           (*info.gate ? std::string("`") + info.gate + "`" : std::string("—")) + " |\n";
  }
  return out;
}

}  // namespace sigconform
