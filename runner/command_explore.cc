#include "command_explore.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>

#include "catalog.h"
#include "describe.h"
#include "environment.h"
#include "explore/edge_values.h"
#include "explore/explorer.h"
#include "explore/generator.h"
#include "explore/case_writer.h"
#include "module_surface.h"
#include "report.h"
#include "result.h"
#include "run_metadata.h"

namespace sigconform {
namespace {

using json = nlohmann::json;

std::string Fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// "3.11.2" -> "3.11".
std::string MajorMinor(const std::string& v) {
  size_t first = v.find('.');
  if (first == std::string::npos) return v;
  size_t second = v.find('.', first + 1);
  return second == std::string::npos ? v : v.substr(0, second);
}

std::string Reproduce(const ExploreCommandOptions& o, uint64_t index) {
  return ShellQuote(o.runner_path) + " explore --impl " + ShellQuote(o.impl_spec) +
         " --oracle " + ShellQuote(o.oracle_spec) + " --seed " + std::to_string(o.seed) +
         " --start " + std::to_string(index) + " --programs 1";
}

}  // namespace

int ExploreCommand(const ExploreCommandOptions& given) {
  ExploreCommandOptions o = given;
  if (o.programs == 0 && o.budget <= 0) {
    std::cerr << "sigconform: explore needs --programs N or --budget SECONDS\n";
    return kExitUsage;
  }
  if (!o.seed_given) {
    o.seed = static_cast<uint64_t>(
                 std::chrono::system_clock::now().time_since_epoch().count()) % 1000000007ULL;
  }
  std::vector<Implementation> impl, oracle;
  if (!ParseImplementations({o.impl_spec}, &impl) || !ParseImplementations({o.oracle_spec}, &oracle)) {
    return kExitUsage;
  }
  // The same implementation on both sides (checking that programs are deterministic): the
  // oracle gets a name of its own in the reports.
  if (oracle[0].name == impl[0].name) oracle[0].name += "-oracle";

  Catalog catalog = LoadCatalog(o.cases_dir);
  for (const CatalogError& e : catalog.errors) std::cerr << "sigconform: " << FormatCatalogError(e) << "\n";
  if (!catalog.errors.empty()) return kExitUsage;
  ModuleSurface surface;
  std::vector<CatalogError> surface_errors = LoadModuleSurface(o.surface_path, &surface);
  for (const CatalogError& e : surface_errors) std::cerr << "sigconform: " << FormatCatalogError(e) << "\n";
  if (!surface_errors.empty()) return kExitUsage;

  std::vector<Implementation> both = {impl[0], oracle[0]};
  std::vector<DescribeOutcome> described = DescribeAll(both);
  for (size_t i = 0; i < 2; i++) {
    if (!described[i].description) {
      std::cerr << "sigconform: " << both[i].name << ": the driver could not describe itself: "
                << described[i].error << "\n";
      return kExitUsage;
    }
  }
  const Description& da = *described[0].description;
  const Description& db = *described[1].description;
  GeneratorInputs inputs;
  inputs.surface = &surface;
  inputs.edges = HarvestEdgeValues(catalog.cases);
  for (const std::string& n : da.names) {
    if (db.names.count(n)) inputs.names.insert(n);
  }
  for (const std::string& op : da.operations) {
    if (db.operations.count(op)) inputs.operations.insert(op);
  }
  std::string va = MajorMinor(da.language_version), vb = MajorMinor(db.language_version);
  inputs.language_version = CompareVersions(va, vb) <= 0 ? va : vb;

  ExploreOptions eo;
  eo.impl = impl[0];
  eo.oracle = oracle[0];
  eo.impl_unprivileged = described[0].unprivileged;
  eo.oracle_unprivileged = described[1].unprivileged;
  eo.seed = o.seed;
  eo.start = o.start;
  eo.programs = o.programs;
  eo.budget_seconds = o.budget;
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  eo.jobs = o.jobs > 0 ? static_cast<size_t>(o.jobs) : static_cast<size_t>(cores > 0 ? cores : 2);
  eo.shrink_evaluations = o.shrink_runs;
  if (!o.quiet) eo.log = [](const std::string& line) { std::cout << line << "\n" << std::flush; };

  std::cout << "exploring " << eo.impl.name << " against " << eo.oracle.name << ", seed "
            << o.seed << " (language " << inputs.language_version << ", "
            << inputs.names.size() << " names, " << inputs.operations.size() << " actions)\n";
  // Programs use only what the older version has, but a value can still differ between two
  // versions (PyPy 3.9 against CPython 3.11: SIGSTKFLT became a Signals member in 3.11, so
  // valid_signals() returns differ): such findings are the versions', not a bug.
  if (va != vb) {
    std::cout << "NOTE: " << eo.impl.name << " is Python " << va << " and " << eo.oracle.name
              << " is Python " << vb << ": values that changed between the two versions are "
              << "reported as divergences; an oracle of the same version (e.g. --oracle py" << va
              << ", `sigconform impls`) has none of them\n";
  }
  std::cout << std::flush;
  RunInfo info;
  info.runner_version = RunnerVersion();
  info.runner_commit = RunnerCommit();
  info.started_at = NowIso8601();
  info.command_line = o.command_line;
  info.cases_dir = o.cases_dir;
  info.jobs = static_cast<int>(eo.jobs);
  info.base_env = BaseEnvironment();
  const std::vector<std::string> impl_env = CaseEnvironment(BaseEnvironment(), ParentState{}, /*run=*/true);
  info.implementations.push_back({eo.impl.name, o.impl_spec, described[0].record, impl_env, nullptr});
  info.implementations.push_back({eo.oracle.name, o.oracle_spec, described[1].record, impl_env, nullptr});
  const HostFacts host = CurrentHost();
  info.host_name = host.name;
  info.host_os = host.os;
  info.host_kernel = host.kernel;
  info.host_machine = host.machine;

  ExploreOutcome outcome = Explore(eo, inputs, surface);
  info.seconds = outcome.seconds;
  info.ended_at = NowIso8601();
  if (!outcome.error.empty()) {
    std::cerr << "sigconform: " << outcome.error << "\n";
    return kExitUsage;
  }

  // Written cases, results, explore.json.
  bool ok = true;
  std::string error;
  auto write = [&](const std::string& path, const std::string& content) {
    if (!WriteFileAtomically(path, content, &error)) {
      std::cerr << "sigconform: cannot write " << path << ": " << error << "\n";
      ok = false;
      return false;
    }
    return true;
  };
  std::vector<Result> results;
  json findings = json::array();
  size_t confirmed = 0, flaky = 0, kinds = 0;
  for (const Finding& f : outcome.findings) {
    (f.confirmed ? confirmed : flaky)++;
    if (f.confirmed && f.duplicate_of < 0) kinds++;
    json jf = {{"index", f.index}, {"confirmed", f.confirmed}, {"signature", f.signature},
               {"difference", f.difference}, {"program", f.program},
               {"reproduce", Reproduce(o, f.index)}};
    if (f.duplicate_of >= 0) jf["same_as"] = f.duplicate_of;
    Result r;
    r.implementation = eo.impl.name;
    r.case_id = f.program.value("id", "");
    r.status = f.confirmed ? Status::kFail : Status::kFlaky;
    r.message = f.confirmed ? "differs from " + eo.oracle.name + ": " +
                                  (f.shrunk_difference.empty() ? f.difference : f.shrunk_difference)
                            : "diverged from " + eo.oracle.name +
                                  " once, not the same way on a second run: " + f.difference;
    r.step = f.step;
    r.expected = f.expected;
    r.observed = f.observed;
    r.reproduce = Reproduce(o, f.index);
    r.rules = {kPlaceholderRule};
    if (f.duplicate_of >= 0) {
      r.message += " (the same kind of divergence as program " + std::to_string(f.duplicate_of) + ")";
    } else if (f.confirmed) {
      jf["shrunk"] = f.shrunk;
      jf["shrunk_difference"] = f.shrunk_difference;
      jf["shrink_runs"] = f.shrink_evaluations;
      jf["shrink_exhausted"] = f.shrink_exhausted;
      if (!f.case_doc.is_null()) {
        std::string path = o.out_dir + "/cases/" + f.case_doc.value("id", "explore/x") + ".json";
        if (write(path, FormatCaseFile(f.case_doc))) {
          jf["case_file"] = path;
          r.message += " (case written to " + path + ")";
        }
        jf["case_passes_oracle"] = f.case_passes_oracle;
        jf["case_fails_impl"] = f.case_fails_impl;
      } else {
        jf["case_problem"] = f.case_problem;
      }
    }
    findings.push_back(jf);
    results.push_back(std::move(r));
  }
  double rate = outcome.seconds > 0 ? static_cast<double>(outcome.programs) / outcome.seconds : 0;
  json summary = {{"sigconform_explore", 1},
                  {"impl", eo.impl.name},
                  {"oracle", eo.oracle.name},
                  {"seed", o.seed},
                  {"start", o.start},
                  {"programs", outcome.programs},
                  {"driver_runs", outcome.driver_runs},
                  {"seconds", outcome.seconds},
                  {"programs_per_second", rate},
                  {"jobs", eo.jobs},
                  {"language_version", inputs.language_version},
                  {"language_versions", {{"impl", va}, {"oracle", vb}}},
                  {"confirmed", confirmed},
                  {"kinds", kinds},
                  {"flaky", flaky},
                  {"interrupted", outcome.interrupted},
                  {"compared_on", "step outcomes (values as matchers, exception type and errno), "
                                  "handler events and their place between steps, stray "
                                  "exceptions, done, how the process ended"},
                  {"ignored", "times; values of steps returning ids, descriptors or timer "
                              "readings (type kept); si_pid, si_uid and si_band; exception messages; parent "
                              "requests; stdout and stderr; whether handlers left waiting by a "
                              "raising handler run before or after the raising step's record"},
                  {"findings", findings}};
  write(o.out_dir + "/explore.json", summary.dump(2) + "\n");
  std::string report = ReportJsonText(info, results);
  write(o.out_dir + "/report.json", report);
  write(o.out_dir + "/junit.xml", ReportJunit(info, results));
  write(o.out_dir + "/summary.md", ReportMarkdown(info, results));

  std::cout << "\n" << outcome.programs << " programs in " << Fixed(outcome.seconds, 1) << " s ("
            << Fixed(rate, 2) << " programs/s, " << outcome.driver_runs << " driver runs), seed "
            << o.seed << ": " << confirmed << " divergences (" << kinds << " kinds), " << flaky
            << " flaky\n";
  for (const json& jf : findings) {
    if (jf.contains("same_as")) continue;  // listed in explore.json; one line per kind here
    std::cout << (jf["confirmed"].get<bool>() ? "DIVERGES" : "FLAKY") << "  program "
              << jf["index"].get<uint64_t>() << " [" << jf["signature"].get<std::string>() << "]: "
              << (jf.contains("shrunk_difference") ? jf["shrunk_difference"] : jf["difference"]).get<std::string>()
              << "\n";
    if (jf.contains("case_file")) {
      std::cout << "    case: " << jf["case_file"].get<std::string>() << " ("
                << jf["shrunk"]["steps"].size() << " steps; "
                << (jf["case_passes_oracle"].get<bool>() ? "passes" : "does NOT pass") << " on "
                << eo.oracle.name << ", "
                << (jf["case_fails_impl"].get<bool>() ? "fails" : "does NOT fail") << " on "
                << eo.impl.name << ")\n";
    } else if (jf.contains("case_problem")) {
      std::cout << "    no case written: " << jf["case_problem"].get<std::string>() << "\n";
    }
    std::cout << "    reproduce: " << jf["reproduce"].get<std::string>() << "\n";
  }
  std::cout << "wrote " << o.out_dir << "/explore.json and the reports\n";
  if (outcome.interrupted) {
    std::cerr << "sigconform: interrupted; the reports hold what finished\n";
    return ExitForSignal(outcome.interrupt_signal != 0 ? outcome.interrupt_signal : SIGINT);
  }
  if (!ok) return kExitUsage;
  return outcome.findings.empty() ? kExitOk : kExitFailures;
}

CommandAction AddExploreCommand(CLI::App* app, const Invocation* invocation) {
  auto o = std::make_shared<ExploreCommandOptions>();
  CLI::App* cmd = app->add_subcommand(
      "explore",
      "differential exploration: generated programs run on an implementation and an oracle; "
      "each divergence is confirmed, shrunk and written out as a case");
  cmd->add_option("--impl", o->impl_spec, "implementation under test (as for run)")->required();
  cmd->add_option("--oracle", o->oracle_spec,
                  "implementation taken as right (as for run; the same as --impl checks that "
                  "programs are deterministic)")
      ->required();
  cmd->add_option("--seed", o->seed, "seed of the programs (default: from the clock, printed)");
  cmd->add_option("--start", o->start, "index of the first program (default 0)");
  cmd->add_option("--programs", o->programs, "stop after this many programs");
  cmd->add_option("--budget", o->budget, "stop starting programs after this many seconds")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("-j,--jobs", o->jobs, "drivers at once (default: the number of cores)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--shrink-runs", o->shrink_runs,
                  "at most this many candidate programs run to shrink one divergence "
                  "(default 150)");
  cmd->add_option("--cases", o->cases_dir,
                  "catalog the edge values come from (default: the source tree's cases/)");
  cmd->add_option("--surface", o->surface_path,
                  "the module's surface (default: the source tree's spec/module-surface.json)");
  cmd->add_option("--out", o->out_dir,
                  "where explore.json, the reports and the written cases go "
                  "(default: reports/explore)");
  cmd->add_flag("-q,--quiet", o->quiet, "print only the summary");
  return [o, invocation, cmd] {
    o->seed_given = cmd->count("--seed") > 0;
    if (o->cases_dir.empty()) o->cases_dir = DefaultCasesDir();
    if (o->surface_path.empty()) o->surface_path = DefaultSurfacePath();
    if (o->out_dir.empty()) o->out_dir = "reports/explore";
    o->runner_path = invocation->runner_path;
    o->command_line = invocation->command_line;
    return ExploreCommand(*o);
  };
}

}  // namespace sigconform
