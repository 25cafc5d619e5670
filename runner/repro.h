// Standalone reproduction scripts: one case of the catalog written as a Python program that
// needs nothing but the interpreter under test (`sigconform repro`).
#ifndef SIGCONFORM_RUNNER_REPRO_H_
#define SIGCONFORM_RUNNER_REPRO_H_

#include <string>
#include <vector>

#include "case.h"

namespace sigconform {

// What the script's opening comment says besides the case itself.
struct ReproNotes {
  // "rule.id: text (availability, since N)" for each rule the case cites.
  std::vector<std::string> rules;
  std::string implementation;  // "pypy (pypy 3.9.18 on linux)"
  std::string observed;        // the result that made someone ask: "fail: step 0: ..."
  std::string run_with;        // the command that runs the script: "pypy3 repro.py"
};

// The script for `c`: Python 3.6+, standard library only. Run by the interpreter under test,
// it sets up the case's parent state itself (it starts itself again as a child process with
// that state set between fork and exec), runs the steps as plain Python code, prints each
// expectation with what was observed, checks how the child ended and what its streams hold,
// and exits 0 when everything behaves as the case says, 1 otherwise.
// Returns false and sets *error when the case uses an action the generator does not know.
bool WriteReproScript(const Case& c, const ReproNotes& notes, std::string* script,
                      std::string* error);

// `value` (JSON) as a Python literal: null -> None, true -> True, objects -> dicts.
std::string PythonLiteral(const nlohmann::json& value);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_REPRO_H_
