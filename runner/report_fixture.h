// A run and results that use every status and every optional field: the shared sample for
// the report tests, the round trip through ReadReport and the schema agreement test. Test
// code only.
#ifndef SIGCONFORM_RUNNER_REPORT_FIXTURE_H_
#define SIGCONFORM_RUNNER_REPORT_FIXTURE_H_

#include <vector>

#include "report.h"

namespace sigconform {

// Two implementations: "reference" (described) and "broken" (could not describe itself).
RunInfo SampleRun();

// One "reference" result per status (case "area/<status>"), every optional field set on the
// non-pass ones, plus one "broken" error.
std::vector<Result> SampleResults();

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_REPORT_FIXTURE_H_
