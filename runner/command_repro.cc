#include "command_repro.h"

#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>

#include "case_syntax.h"
#include "describe.h"
#include "environment.h"
#include "evaluate.h"
#include "impl_spec.h"
#include "launch.h"
#include "plan.h"
#include "platform_values.h"
#include "report.h"
#include "repro.h"
#include "rules.h"
#include "supervisor.h"

namespace sigconform {
namespace {

// "py3.11 (cpython 3.11.7 on linux)" from a describe record.
std::string Describe(const std::string& name, const Description& d) {
  return name + " (" + d.implementation + " " + d.language_version + " on " + d.platform + ")";
}

bool EndsWith(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace

int ReproCommand(const ReproOptions& options) {
  std::vector<Case> cases;
  // The id as a glob that matches it alone (glob.h: a backslash takes the next character
  // literally).
  CaseSelection only;
  std::string glob;
  for (char ch : options.case_id) {
    if (ch == '*' || ch == '?' || ch == '[' || ch == '\\' || ch == '!') glob += '\\';
    glob += ch;
  }
  only.globs.push_back(glob);
  if (!LoadSelected(options.cases_dir, only, &cases)) return kExitUsage;
  const Case* kase = nullptr;
  for (const Case& c : cases) {
    if (c.id == options.case_id) kase = &c;
  }
  if (kase == nullptr) {
    std::cerr << "sigconform: no case '" << options.case_id << "' in " << options.cases_dir << "\n";
    return kExitUsage;
  }
  ReproNotes notes;
  const RuleIndex rules = LoadRules(options.rules_dir);
  for (const std::string& id : kase->rules) {
    const Rule* rule = FindRule(rules, id);
    notes.rules.push_back(rule == nullptr ? id
                                          : id + ": " + rule->text + " (" + rule->availability +
                                                ", since " + rule->since + ")");
  }

  std::vector<Implementation> impls;
  if (!ParseImplementations({options.impl_spec}, &impls)) return kExitUsage;
  const Implementation& impl = impls[0];
  // The script runs on a Python interpreter; the Python driver's command names it.
  if (impl.argv.size() >= 2 && EndsWith(impl.argv[1], "adapters/python/driver.py")) {
    notes.run_with = ShellQuote(impl.argv[0]) + " " +
                     (options.out_path.empty() ? std::string("SCRIPT") : ShellQuote(options.out_path));
  }

  // Run the case once, so that the script says what was observed and why it was written.
  std::vector<DescribeOutcome> described = DescribeAll(impls);
  // Platform values in place, as the run would have them (platform_values.h); the runner's own
  // when the driver cannot describe itself.
  Case resolved = *kase;
  std::vector<std::string> unreported;
  ResolvePlatformValues(described[0].description
                            ? PlatformValuesFor(described[0].description->platform,
                                                described[0].description->constants)
                            : HostPlatformValues(),
                        &resolved, &unreported);
  kase = &resolved;
  if (!described[0].description) {
    notes.implementation = impl.name;
    notes.observed = "the driver could not describe itself: " + described[0].error;
  } else {
    const Description& d = *described[0].description;
    notes.implementation = Describe(impl.name, d);
    Applicability a = Plan(*kase, d);
    if (a.kind == Applicability::kRun && !unreported.empty()) {
      a = {Applicability::kUnsupported, "the driver does not report the platform's value(s) " +
                                            Join(unreported) + " (describe's constants)"};
    }
    if (a.kind != Applicability::kRun) {
      notes.observed = std::string(a.kind == Applicability::kMissing       ? "missing"
                                   : a.kind == Applicability::kUnsupported ? "unsupported"
                                                                           : "not-applicable") +
                       ": " + a.reason;
    } else {
      LaunchSpec spec;
      spec.argv = impl.argv;
      spec.argv.push_back("run");
      spec.env = CaseEnvironment(BaseEnvironment(), kase->parent, /*run=*/true);
      spec.parent = kase->parent;
      spec.program = DriverProgram(*kase).dump();
      spec.timeout_seconds = kase->timeout;
      Supervisor supervisor(1);
      std::vector<RunRecord> records = supervisor.Run({spec});
      Result r = Evaluate(*kase, records[0]);
      notes.observed = std::string(StatusName(r.status)) + (r.message.empty() ? "" : ": " + r.message);
    }
  }

  std::string script, error;
  if (!WriteReproScript(*kase, notes, &script, &error)) {
    std::cerr << "sigconform: " << kase->id << ": " << error << "\n";
    return kExitUsage;
  }
  if (options.out_path.empty()) {
    std::cout << script;
  } else {
    if (!WriteFileAtomically(options.out_path, script, &error)) {
      std::cerr << "sigconform: cannot write " << options.out_path << ": " << error << "\n";
      return kExitUsage;
    }
    std::cerr << "wrote " << options.out_path << "\n";
  }
  std::cerr << kase->id << " on " << notes.implementation << ": " << notes.observed << "\n";
  return kExitOk;
}

CommandAction AddReproCommand(CLI::App* app) {
  auto options = std::make_shared<ReproOptions>();
  CLI::App* cmd = app->add_subcommand(
      "repro",
      "write a standalone Python script (standard library only) that reproduces one case on "
      "an interpreter: it sets up the parent state itself, runs the steps and prints expected "
      "against observed; for upstream bug reports");
  cmd->add_option("case", options->case_id, "the case id, e.g. masks/invalid-how-raises-oserror")
      ->required();
  cmd->add_option("--impl", options->impl_spec,
                  "the implementation the case is run on once, for the script's notes "
                  "(default: cpython)");
  cmd->add_option("-o,--out", options->out_path, "write the script here (default: standard output)");
  cmd->add_option("--cases", options->cases_dir, "catalog directory (default: the source tree's cases/)");
  cmd->add_option("--rules", options->rules_dir, "rules directory (default: the source tree's spec/rules/)");
  return [options] {
    if (options->impl_spec.empty()) options->impl_spec = "cpython";
    if (options->cases_dir.empty()) options->cases_dir = DefaultCasesDir();
    if (options->rules_dir.empty()) options->rules_dir = DefaultRulesDir();
    return ReproCommand(*options);
  };
}

}  // namespace sigconform
