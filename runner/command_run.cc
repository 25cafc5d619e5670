#include "command_run.h"

#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <memory>
#include <sstream>
#include <unordered_map>

#include <CLI/CLI.hpp>

#include "catalog.h"
#include "bounded_file.h"
#include "case_timings.h"
#include "bounded_json.h"
#include "command_common.h"
#include "console.h"
#include "case_syntax.h"
#include "describe.h"
#include "emulation.h"
#include "environment.h"
#include "evaluate.h"
#include "expectations.h"
#include "fork_server.h"
#include "impl_spec.h"
#include "launch.h"
#include "module_surface.h"
#include "plan.h"
#include "platform_values.h"
#include "report.h"
#include "report_read.h"
#include "result.h"
#include "rules.h"
#include "run_console.h"
#include "run_metadata.h"
#include "schedule.h"
#include "signal_names.h"
#include "status_table.h"
#include "step_text.h"
#include "supervisor.h"
#include "text.h"

namespace sigconform {
namespace {

bool UsesOperation(const Case& c, const char* operation) {
  return std::find(c.operations.begin(), c.operations.end(), operation) != c.operations.end();
}

// Checks, before anything runs, that the reports can be written: the output directory (made
// if missing) takes a file, and so does the directory of --json. A run whose results would be
// lost at the end is refused at the start (issue 12, failure 7).
bool CheckReportDestinations(const RunOptions& options) {
  auto check_dir = [](const std::string& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      PrintErr("sigconform: cannot create the report directory " + TerminalText(dir) + ": " +
               ec.message() + "; nothing was run\n");
      return false;
    }
    std::string probe = dir + "/.sigconform-write-test-XXXXXX";
    int fd = mkstemp(probe.data());
    if (fd < 0) {
      PrintErr("sigconform: cannot write reports into " + TerminalText(dir) + ": " +
               std::strerror(errno) + "; nothing was run\n");
      return false;
    }
    close(fd);
    unlink(probe.c_str());
    return true;
  };
  if (!options.out_dir.empty() && !check_dir(options.out_dir)) return false;
  if (!options.json_path.empty()) {
    std::filesystem::path json(options.json_path);
    std::error_code ec;
    if (std::filesystem::is_directory(json, ec)) {
      PrintErr("sigconform: --json " + TerminalText(options.json_path) +
               " is a directory; nothing was run\n");
      return false;
    }
    const std::string parent = json.has_parent_path() ? json.parent_path().string() : ".";
    if (!check_dir(parent)) return false;
  }
  return true;
}

int Cores() {
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  return cores > 0 ? static_cast<int>(cores) : 1;
}

int DefaultJobs() {
  // A driver's start and its short cases are CPU work; twice the cores keeps the machine busy
  // through the gaps (pipes, forks). The cases that burn CPU on purpose are held to one per
  // core by the supervisor (cpu_slots), so their timing windows hold.
  return 2 * Cores();
}

// Drivers that may run beyond the default -j while they wait (Supervisor::set_wait_slots): the
// few cases that sleep, pause or wait for a timer for a second or so held every slot while the
// cores idled (issue 14: 372 cases, 3 s of CPU on 2 cores, 6.8 s of wall). A -j given on the
// command line bounds every driver, so that -j 1 runs one case at a time (with -x, one
// unexpected result and no more).
size_t WaitSlots(const RunOptions& options, int jobs) {
  return options.jobs > 0 ? 0 : 3 * static_cast<size_t>(jobs);
}

// One (case, implementation) pair the plan decided to run, and where its result goes.
struct Planned {
  size_t result_index;
  size_t impl_index;
  const Case* kase;
  bool emulated;                 // judged under the platform model for emulated signals (emulation.h)
  std::vector<Status> verdicts;  // one per finished run (--repeat)
  size_t runs_finished = 0;
  bool reported = false;
};

// The results the run produces, before and after the expectation files: the raw ones are
// kept so that --update-expectations can judge them again against the rewritten file.
struct Outcome {
  std::vector<Result> raw;
  std::vector<Result> results;
};

// The availability of each rule the case cites (spec/rules/README.md), for the platform model.
std::vector<std::string> AvailabilitiesOf(const RuleIndex& rules, const Case& c) {
  std::vector<std::string> out;
  for (const std::string& id : c.rules) {
    if (const Rule* rule = FindRule(rules, id)) out.push_back(rule->availability);
  }
  return out;
}

// The names the case needs that the module's surface says `platform` does not have.
std::set<std::string> DocumentedAbsent(const ModuleSurface& surface, const Case& c,
                                       const std::string& platform) {
  std::set<std::string> out;
  for (const std::string& name : c.requires_names) {
    const SurfaceName* known = surface.Find(name);
    if (known != nullptr && !PlatformMatches(known->platforms, platform)) out.insert(name);
  }
  return out;
}

// The case as it runs on the implementation `d` describes: `c` itself when it names no platform
// value; otherwise a copy with the platform's numbers in place, kept in *resolved. A number the
// runner cannot know there and the driver does not report turns *a into unsupported.
const Case* ResolvedFor(const Case& c, const Description& d, std::deque<Case>* resolved,
                        Applicability* a) {
  if (PlatformValuesUsed(c).empty()) return &c;
  Case copy = c;
  std::vector<std::string> missing;
  if (!ResolvePlatformValues(PlatformValuesFor(d.platform, d.constants), &copy, &missing)) {
    const bool one = missing.size() == 1;
    *a = {Applicability::kUnsupported,
          "the driver does not report the platform's value" + std::string(one ? " " : "s ") +
              Join(missing) + " (describe's constants), which the case compares with"};
    return &c;
  }
  resolved->push_back(std::move(copy));
  return &resolved->back();
}

// The verdict on one finished run of a pair, under the platform model when the pair is emulated.
Result JudgeOneRun(const Planned& p, const RunRecord& record) {
  Result judged = Evaluate(*p.kase, record, p.emulated);
  if (p.emulated && EmulatedStatus(judged.status) != judged.status) {
    judged.status = EmulatedStatus(judged.status);
    if (!judged.message.empty()) judged.message = "under emulation: " + judged.message;
  }
  return judged;
}

// Loads every expectation file (and the one --update-expectations rewrites, when it exists)
// and checks them against the catalog and the implementations. False after printing the
// problems.
bool LoadAllExpectations(const RunOptions& options, const std::set<std::string>& catalog_ids,
                         const std::vector<Implementation>& impls, Expectations* out) {
  std::vector<std::string> files = options.expectation_files;
  if (!options.update_expectations.empty() && access(options.update_expectations.c_str(), F_OK) == 0) {
    bool listed = false;
    for (const std::string& f : files) listed = listed || f == options.update_expectations;
    if (!listed) files.push_back(options.update_expectations);
  }
  std::vector<CatalogError> errors;
  for (const std::string& file : files) {
    std::vector<CatalogError> more = LoadExpectations(file, out);
    errors.insert(errors.end(), more.begin(), more.end());
  }
  if (errors.empty()) {
    std::set<std::string> names;
    for (const std::string& n : RegisteredNames()) names.insert(n);
    for (const Implementation& impl : impls) names.insert(impl.name);
    errors = CheckExpectations(*out, catalog_ids, names);
  }
  for (const CatalogError& e : errors) std::cerr << "sigconform: " << FormatCatalogError(e) << "\n";
  return errors.empty();
}

// Rewrites the --update-expectations file from the raw results and judges them again by it.
bool UpdateExpectationFile(const RunOptions& options, const std::vector<Expectations>& others,
                           const std::vector<const Description*>& descriptions,
                           const std::vector<size_t>& impl_of_result, Outcome* outcome,
                           Console* console) {
  const std::string& path = options.update_expectations;
  nlohmann::json existing;
  if (access(path.c_str(), F_OK) == 0) {
    std::string text, error;
    JsonError json_error;
    if (!ReadFileBounded(path, kExpectationFileBounds.max_bytes, &text, &error)) {
      PrintErr("sigconform: " + TerminalText(path) + ": " + error + "\n");
      return false;
    }
    if (!ParseBoundedJson(text, kExpectationFileBounds, &existing, &json_error)) {
      PrintErr("sigconform: " + TerminalText(path) + ": " + json_error.json_path + ": " + json_error.message + "\n");
      return false;
    }
  }
  const nlohmann::json updated = UpdatedExpectations(existing, outcome->results);
  std::string error;
  if (!WriteFileAtomically(path, updated.dump(2) + "\n", &error)) {
    std::cerr << "sigconform: cannot write " << path << ": " << error << "\n";
    return false;
  }
  console->Line("updated " + path);
  // Judge again: the other files first, as on the command line, then the rewritten one.
  Expectations all;
  for (const Expectations& e : others) all.entries.insert(all.entries.end(), e.entries.begin(), e.entries.end());
  std::vector<CatalogError> problems = ParseExpectations(updated, path, &all);
  for (const CatalogError& e : problems) std::cerr << "sigconform: " << FormatCatalogError(e) << "\n";
  outcome->results = outcome->raw;
  for (size_t i = 0; i < outcome->results.size(); ++i) {
    ApplyExpectations(all, descriptions[impl_of_result[i]], &outcome->results[i]);
  }
  return problems.empty();
}

}  // namespace

int RunCommand(const RunOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  if (!CheckReportDestinations(options)) return kExitUsage;
  RunInfo info;
  info.runner_version = RunnerVersion();
  info.runner_commit = RunnerCommit();
  info.started_at = NowIso8601();
  info.command_line = options.command_line;
  info.cases_dir = options.cases_dir;
  info.jobs = options.jobs > 0 ? options.jobs : DefaultJobs();
  info.repeat = options.repeat < 1 ? 1 : options.repeat;
  info.filters = options.selection.globs;
  info.tags = options.selection.tags;
  info.keywords = options.selection.keywords;
  if (options.selection.shard) {
    info.shard_index = options.selection.shard->index;
    info.shard_count = options.selection.shard->count;
  }
  info.base_env = BaseEnvironment();
  const HostFacts host = CurrentHost();
  info.host_name = host.name;
  info.host_os = host.os;
  info.host_kernel = host.kernel;
  info.host_machine = host.machine;

  // Bad input stops everything before anything runs: the catalog, the implementations, the
  // expectation files.
  std::vector<Case> cases;
  std::set<std::string> catalog_ids;
  if (!LoadSelected(options.cases_dir, options.selection, &cases, &catalog_ids)) return kExitUsage;
  if (cases.empty()) {
    std::cerr << "sigconform: no case matches the selection\n";
    return kExitUsage;
  }
  // A case that cites a rule that does not exist or was withdrawn, calls a name the module
  // does not have, or claims a version or platform where what it uses does not exist, would
  // give a verdict resting on nothing: nothing runs.
  RuleIndex rules;
  ModuleSurface surface;
  if (!LoadSpecAndCheck(options.rules_dir, options.surface_path, cases, &rules, &surface)) {
    return kExitUsage;
  }
  // What each case uses of the module's surface was needed for that check alone.
  for (Case& c : cases) std::vector<SurfaceUse>().swap(c.uses);
  for (const Rule& rule : rules.rules) {
    info.rules[rule.id] = RuleText{rule.text, TierName(rule.tier), rule.section};
  }
  {
    // Only the rules the selected cases cite travel with the report.
    std::set<std::string> cited;
    for (const Case& c : cases) cited.insert(c.rules.begin(), c.rules.end());
    for (auto it = info.rules.begin(); it != info.rules.end();) {
      it = cited.count(it->first) ? std::next(it) : info.rules.erase(it);
    }
  }
  info.catalog_digest = DigestFiles(options.cases_dir, ".json", &info.catalog_cases);
  if (!options.rules_dir.empty()) info.rules_digest = DigestFiles(options.rules_dir, ".md");
  std::vector<Implementation> impls;
  if (!ParseImplementations(options.impl_specs, &impls)) return kExitUsage;
  Expectations expectations;
  if (!LoadAllExpectations(options, catalog_ids, impls, &expectations)) return kExitUsage;
  LoadedReport baseline;
  if (!options.baseline.empty()) {
    const std::vector<CatalogError> errors = ReadReportFile(options.baseline, &baseline);
    for (const CatalogError& e : errors) std::cerr << "sigconform: " << TerminalText(FormatCatalogError(e)) << "\n";
    if (!errors.empty()) return kExitUsage;
  }
  // The entries of the files other than the one being rewritten, for judging again after.
  Expectations others;
  for (const Expectation& e : expectations.entries) {
    if (e.pinned.file != options.update_expectations) others.entries.push_back(e);
  }

  bool interrupted = false;
  int interrupt_signal = 0;
  std::vector<DescribeOutcome> described = DescribeAll(impls, &interrupted, &interrupt_signal);
  std::vector<const Description*> descriptions;
  bool implementation_failed = false;
  for (size_t i = 0; i < impls.size(); i++) {
    ImplementationInfo impl_info;
    impl_info.name = impls[i].name;
    impl_info.spec = options.impl_specs[i];
    impl_info.describe = described[i].record;
    impl_info.env = CaseEnvironment(BaseEnvironment(), ParentState{}, /*run=*/true);
    info.implementations.push_back(std::move(impl_info));
    descriptions.push_back(described[i].description ? &*described[i].description : nullptr);
    implementation_failed = implementation_failed || !described[i].description;
  }

  // Plan every pair. Results are laid out implementation by implementation, cases in id order;
  // the runs are interleaved case by case so that one slow implementation does not leave the
  // other cores idle at the end.
  Outcome outcome;
  std::vector<size_t> impl_of_result;
  std::vector<std::vector<size_t>> per_impl(impls.size());  // indices into `planned`
  std::vector<Planned> planned;
  // The cases that name platform values, resolved for each implementation (platform_values.h);
  // a deque, so that Planned::kase stays valid as it grows.
  std::deque<Case> resolved;
  outcome.raw.reserve(impls.size() * cases.size());
  impl_of_result.reserve(impls.size() * cases.size());
  planned.reserve(impls.size() * cases.size());
  for (size_t i = 0; i < impls.size(); i++) {
    for (const Case& c : cases) {
      Result r;
      r.case_id = c.id;
      r.implementation = impls[i].name;
      r.title = c.title;
      r.rules = c.rules;
      for (Tier t : TiersOf(rules, c)) r.tiers.push_back(TierName(t));
      r.reproduce = ShellQuote(options.runner_path) + " run --impl " +
                    ShellQuote(options.impl_specs[i]) + " --cases " +
                    ShellQuote(options.cases_dir) + " --filter " + ShellQuote(c.id);
      if (!described[i].description) {
        r.status = Status::kError;
        r.message = CapText(SanitizeUtf8("the driver could not describe itself: " + described[i].error),
                            kMaxMessageBytes);
      } else {
        Applicability a = Plan(c, *described[i].description, AvailabilitiesOf(rules, c),
                               DocumentedAbsent(surface, c, described[i].description->platform));
        const Case* kase = &c;
        if (a.kind == Applicability::kRun) kase = ResolvedFor(c, *described[i].description, &resolved, &a);
        if (a.kind == Applicability::kRun) {
          per_impl[i].push_back(planned.size());
          planned.push_back({outcome.raw.size(), i, kase, a.emulated, {}, 0, false});
        } else {
          r.status = a.kind == Applicability::kMissing       ? Status::kMissing
                     : a.kind == Applicability::kUnsupported ? Status::kUnsupported
                                                             : Status::kNotApplicable;
          r.message = a.reason;
        }
      }
      outcome.raw.push_back(std::move(r));
      impl_of_result.push_back(i);
    }
  }
  // One fork-server per implementation that offers one (ForkServer): the interpreter starts
  // once, and each case that needs no parent state set before exec is forked from it.
  std::vector<std::unique_ptr<ForkServer>> servers(impls.size());
  // Why an implementation whose driver offers a fork-server has none for the whole run.
  std::vector<std::string> no_server(impls.size());
  for (size_t i = 0; i < impls.size(); i++) {
    if (!described[i].description) continue;
    if (!described[i].description->fork_server) {
      if (options.isolation == "fork-server") {
        PrintErr("sigconform: --isolation fork-server: the driver of " +
                 TerminalText(impls[i].name) + " offers no fork-server\n");
        return kExitUsage;
      }
      continue;
    }
    if (options.isolation == "fork-exec") {
      no_server[i] = "--isolation fork-exec";
      continue;
    }
    bool any_fits = false;
    for (size_t k : per_impl[i]) any_fits = any_fits || FitsForkServer(planned[k].kase->parent);
    if (!any_fits) continue;  // every case needs parent state set before exec: no start-up to pay
    std::string error;
    servers[i] = ForkServer::Start(impls[i].argv, CaseEnvironment(BaseEnvironment(), ParentState{}),
                                   &error);
    if (!servers[i]) {
      no_server[i] = "the fork-server did not start: " + error;
      PrintErr("sigconform: " + TerminalText(impls[i].name) + ": " + TerminalText(no_server[i]) +
               "; its cases run by fork+exec\n");
    }
  }
  // What each case took when it last ran, when asked to keep that; a file that cannot be read
  // is left alone (it may be something else given by mistake) and the estimates order the run.
  CaseTimings timings;
  bool keep_timings = !options.timings_path.empty();
  if (keep_timings) {
    std::string error;
    if (!timings.Load(options.timings_path, &error)) {
      PrintErr("sigconform: --timings " + TerminalText(options.timings_path) + ": " +
               TerminalText(error) + "; the cases start in the order of their estimates and the "
               "file is left as it is\n");
      keep_timings = false;
    }
  }
  // The runs, interleaved case by case over the implementations (and repeated with --repeat),
  // then started longest first (schedule.h): by what they took last time when that is known,
  // else by their estimate; the interleaving orders equal ones.
  std::vector<size_t> spec_pair;  // spec index -> index into `planned`
  {
    std::vector<size_t> interleaved;
    std::vector<double> estimates;  // per run in `interleaved`
    for (int rep = 0; rep < info.repeat; ++rep) {
      for (size_t k = 0;; k++) {
        bool any = false;
        for (size_t i = 0; i < impls.size(); i++) {
          if (k >= per_impl[i].size()) continue;
          any = true;
          const Planned& p = planned[per_impl[i][k]];
          estimates.push_back(timings.Seconds(impls[i].name, p.kase->id)
                                  .value_or(EstimateCost(*p.kase).seconds));
          interleaved.push_back(per_impl[i][k]);
        }
        if (!any) break;
      }
    }
    spec_pair.reserve(interleaved.size());
    for (size_t index : LongestFirst(estimates)) spec_pair.push_back(interleaved[index]);
  }
  // Built in their final order, so that the run never holds two vectors of them.
  std::vector<LaunchSpec> specs;
  specs.reserve(spec_pair.size());
  for (size_t pair : spec_pair) {
    const Planned& p = planned[pair];
    const size_t i = p.impl_index;
    LaunchSpec spec;
    spec.argv = impls[i].argv;
    spec.argv.push_back("run");
    spec.env = CaseEnvironment(BaseEnvironment(), p.kase->parent, /*run=*/true);
    spec.parent = p.kase->parent;
    spec.program = DriverProgram(*p.kase).dump();
    spec.timeout_seconds = p.kase->timeout;
    spec.limits = p.kase->limits;
    // A case that asks the runner for a signal checks who sent it (si_uid is the sender's
    // real user): there the driver shares the runner's user, as a child shares its parent's.
    spec.unprivileged = described[i].unprivileged && !UsesOperation(*p.kase, "parent_kill");
    if (servers[i] && FitsForkServer(p.kase->parent)) spec.fork_server = servers[i].get();
    spec.cpu_bound = EstimateCost(*p.kase).cpu_bound;
    specs.push_back(std::move(spec));
  }
  // The raw results are kept apart only for --update-expectations, which judges them again;
  // otherwise one copy is enough (10,000 cases: issue 14's bound on the runner's memory).
  const bool keep_raw = !options.update_expectations.empty();
  if (keep_raw) {
    outcome.results = outcome.raw;
  } else {
    outcome.results = std::move(outcome.raw);
    outcome.raw.clear();
  }
  const size_t result_count = outcome.results.size();

  Console console(PrintOut, StyleForStdout(options.quiet), result_count);
  // A driver that cannot describe itself errs every case: one line says so, not one per case.
  for (size_t i = 0; i < impls.size(); i++) {
    if (!described[i].description) {
      console.Line("ERROR  " + TerminalText(impls[i].name) + ": the driver could not describe itself: " +
                   TerminalText(described[i].error) + " (" + std::to_string(cases.size()) +
                   " cases errored)");
    }
  }
  std::vector<bool> will_run(result_count, false);
  for (const Planned& p : planned) will_run[p.result_index] = true;
  for (size_t i = 0; i < result_count; i++) {
    if (will_run[i]) continue;
    ApplyExpectations(expectations, descriptions[impl_of_result[i]], &outcome.results[i]);
    if (descriptions[impl_of_result[i]] != nullptr) console.Known(outcome.results[i]);
  }

  // The verdict of one finished run of a pair; the pair's result once its last run is in.
  // Only pairs with a run finished and another to come are here: a result each at most.
  std::unordered_map<size_t, Result> first_run;
  Supervisor supervisor(static_cast<size_t>(info.jobs));
  supervisor.set_cpu_slots(static_cast<size_t>(Cores()));
  supervisor.set_wait_slots(WaitSlots(options, info.jobs));
  // A record is judged as soon as its driver ends; holding every record until the end of the
  // run would make the runner's memory grow with the catalog.
  supervisor.set_release_records(true);
  const auto finish_pair = [&](Planned& p) {
    // Until now the pair's result holds what the plan filled in: its names and rules.
    Result& shown = outcome.results[p.result_index];
    auto pending = first_run.find(static_cast<size_t>(&p - planned.data()));
    Result judged = std::move(pending->second);
    first_run.erase(pending);
    judged.implementation = std::move(shown.implementation);
    judged.title = std::move(shown.title);
    judged.reproduce = std::move(shown.reproduce);
    judged.rules = std::move(shown.rules);
    judged.tiers = std::move(shown.tiers);
    if (info.repeat > 1) {
      Status folded;
      judged.repetition = ClassifyRepeats(p.verdicts, &folded);
      if (folded != judged.status) {
        judged.message = "--repeat " + std::to_string(info.repeat) + " gave different verdicts; the first: " +
                         std::string(StatusName(judged.status)) +
                         (judged.message.empty() ? "" : ", " + judged.message);
        judged.status = folded;
      }
    }
    if (!judged.step.empty()) {
      if (const nlohmann::json* step = StepAtPath(p.kase->steps, judged.step)) {
        judged.step_text = StepText(*step);
      }
    }
    for (Failure& f : judged.failures) {
      if (f.step.empty()) continue;
      if (const nlohmann::json* step = StepAtPath(p.kase->steps, f.step)) f.step_text = StepText(*step);
    }
    if (keep_raw) outcome.raw[p.result_index] = judged;
    shown = std::move(judged);
    ApplyExpectations(expectations, descriptions[p.impl_index], &shown);
    p.reported = true;
    console.Finished(&p - planned.data(), shown);
    if (options.exit_first && IsUnexpected(shown.status)) supervisor.StopStarting();
  };
  // A server that stops during the run is announced once, as it happens.
  std::vector<bool> stop_announced(impls.size(), false);
  supervisor.set_started([&](size_t index) {
    const Planned& p = planned[spec_pair[index]];
    console.Started(spec_pair[index], p.kase->id + " on " + impls[p.impl_index].name);
    const ForkServer* server = servers[p.impl_index].get();
    if (server != nullptr && !server->alive() && !stop_announced[p.impl_index]) {
      stop_announced[p.impl_index] = true;
      console.Line("NOTE  " + TerminalText(impls[p.impl_index].name) +
                   ": the fork-server stopped after " + std::to_string(server->served()) +
                   " cases: " + TerminalText(server->stop_reason()) +
                   "; the rest run by fork+exec");
    }
  });
  // Where the supervisor's clock starts, on the run's clock (a result's `started`).
  double supervisor_offset = 0;
  supervisor.set_progress([&](size_t index, const RunRecord& record) {
    // A run the interruption ended has no verdict: its pair is reported as not-run below.
    if (record.interrupted) return;
    Planned& p = planned[spec_pair[index]];
    if (keep_timings) timings.Set(impls[p.impl_index].name, p.kase->id, record.seconds);
    Result judged = JudgeOneRun(p, record);
    if (record.started >= 0) judged.started = supervisor_offset + record.started;
    if (judged.isolation == "fork-exec" && described[p.impl_index].description &&
        described[p.impl_index].description->fork_server) {
      const std::string parent = ParentStateBeforeExec(p.kase->parent);
      if (!parent.empty()) {
        judged.isolation_reason = "its parent state is set before exec (" + parent + ")";
      } else if (!no_server[p.impl_index].empty()) {
        judged.isolation_reason = no_server[p.impl_index];
      } else {
        judged.isolation_reason = record.isolation_note;
      }
    }
    p.verdicts.push_back(judged.status);
    if (p.runs_finished++ == 0) {
      first_run[spec_pair[index]] = std::move(judged);
    } else if (first_run[spec_pair[index]].status == Status::kPass && judged.status != Status::kPass) {
      first_run[spec_pair[index]] = std::move(judged);  // show a failing run, not the pass
    }
    if (p.runs_finished == static_cast<size_t>(info.repeat)) finish_pair(p);
  });
  if (interrupted) specs.clear();  // interrupted while describing: nothing more starts
  supervisor_offset = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  // What the run needed and the reports do not (each record's outcome is in its result by
  // now) goes before the reports are built.
  supervisor.Run(specs);
  std::vector<LaunchSpec>().swap(specs);
  if (supervisor.interrupted()) {
    interrupted = true;
    interrupt_signal = supervisor.interrupt_signal();
  }

  // Pairs that did not finish every run: interrupted, or never started after -x.
  for (Planned& p : planned) {
    if (p.reported) continue;
    Result& r = outcome.results[p.result_index];
    r.status = Status::kNotRun;
    if (p.runs_finished > 0) {
      r.message = "finished " + std::to_string(p.runs_finished) + " of " +
                  std::to_string(info.repeat) + " runs before the run stopped";
    } else {
      r.message = interrupted ? "the runner was interrupted before this case finished"
                              : "-x stopped the run before this case started";
    }
    if (keep_raw) outcome.raw[p.result_index] = r;
  }

  if (keep_timings) {
    std::string error;
    if (!timings.Save(options.timings_path, &error)) {
      PrintErr("sigconform: cannot write --timings " + TerminalText(options.timings_path) + ": " +
               TerminalText(error) + "\n");
    }
  }

  bool expectations_ok = true;
  if (!options.update_expectations.empty()) {
    std::vector<Expectations> other_files = {others};
    expectations_ok = UpdateExpectationFile(options, other_files, descriptions, impl_of_result,
                                            &outcome, &console);
  }

  // How each fork-server served, and why it stopped or was not used.
  for (size_t i = 0; i < impls.size(); i++) {
    if (!described[i].description || !described[i].description->fork_server) continue;
    nlohmann::json& fs = info.implementations[i].fork_server;
    fs = {{"served", servers[i] ? servers[i]->served() : 0}};
    if (!no_server[i].empty()) {
      fs["stop_reason"] = SanitizeUtf8(no_server[i]);
    } else if (servers[i] && !servers[i]->stop_reason().empty()) {
      fs["stop_reason"] = SanitizeUtf8(servers[i]->stop_reason());
    }
  }

  info.ended_at = NowIso8601();
  info.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  info.containment = supervisor.containment();
  if (!info.containment.is_null()) {
    nlohmann::json as_root = nlohmann::json::object();
    for (size_t i = 0; i < impls.size(); i++) {
      if (!described[i].unprivileged_note.empty()) as_root[impls[i].name] = described[i].unprivileged_note;
    }
    if (!as_root.empty()) info.containment["implementations_as_runner_user"] = as_root;
  }
  // Measured before the reports are built: building them adds a little (their text), which the
  // measurement of issue 12's bound (under 100 MB under every flood) leaves to GNU time.
  struct rusage self {};
  if (getrusage(RUSAGE_SELF, &self) == 0) info.runner_max_rss_kb = self.ru_maxrss;
  info.interrupted = interrupted;
  if (interrupted && interrupt_signal != 0) info.interrupted_by = SignalName(interrupt_signal);
  std::vector<std::string> names;
  for (const Implementation& impl : impls) names.push_back(impl.name);
  console.Summary(names, outcome.results, info.seconds);
  const Verdict verdict = JudgeRun(names, outcome.results, options.gates);
  for (const std::string& problem : verdict.problems) console.Line("GATE  " + TerminalText(problem));
  if (verdict.lifted > 0) {
    console.Line(std::to_string(verdict.lifted) +
                 " unexpected result(s) rest on settled rules alone; --documented-only keeps them "
                 "from failing the run");
  }
  const bool written = WriteReportSet(options.out_dir, options.json_path, info, outcome.results,
                                      [&](const std::string& line) { console.Line(line); },
                                      options.baseline.empty() ? nullptr : &baseline.results);
  if (StdoutLost()) {
    PrintErr("sigconform: standard output was closed by its reader; printing stopped there, "
             "the run went on and its reports are complete\n");
  }
  if (interrupted) {
    std::cerr << "sigconform: interrupted; the reports hold what finished\n";
    return ExitForSignal(interrupt_signal != 0 ? interrupt_signal : SIGINT);
  }
  if (implementation_failed) {
    std::cerr << "sigconform: an implementation could not start (see above); its cases are errors\n";
    return kExitUsage;
  }
  if (!written || !expectations_ok) return kExitUsage;
  return verdict.ok ? kExitOk : kExitFailures;
}

CommandAction AddRunCommand(CLI::App* app, const Invocation* invocation) {
  auto run = std::make_shared<RunOptions>();
  auto shard = std::make_shared<std::string>();
  CLI::App* cmd = app->add_subcommand("run", "run the catalog against implementations");
  cmd->add_option("--impl", run->impl_specs,
                  "implementation: reference, cpython, pypy, pyodide, py3.X (a CPython under "
                  "$(pyenv root)/versions; `sigconform impls` lists them) or NAME=COMMAND "
                  "(repeatable; default: reference and cpython)");
  cmd->add_option("--cases", run->cases_dir, "catalog directory (default: the installed or source tree's cases/)");
  cmd->add_option("--rules", run->rules_dir,
                  "rules directory (default: the source tree's spec/rules/); a case citing an "
                  "unknown or withdrawn rule stops the run before it starts");
  cmd->add_option("--surface", run->surface_path,
                  "the module's surface (default: the source tree's spec/module-surface.json); "
                  "a case calling a name it lacks, or claiming a version or platform where "
                  "what it uses does not exist, stops the run before it starts");
  AddSelectionOptions(cmd, &run->selection, shard.get());
  cmd->add_option("-j,--jobs", run->jobs,
                  "drivers at once (default: twice the cores at work, and beside them drivers "
                  "that wait, asleep under a quarter of a core, up to four times as many)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--repeat", run->repeat,
                  "run every pair N times: a pair whose verdicts differ is flaky; each result "
                  "says whether its case was stable (passed every time), broken (failed the "
                  "same way every time) or flaky")
      ->check(CLI::Range(1, 1000));
  cmd->add_flag("-x,--exitfirst", run->exit_first,
                "start no new case after the first unexpected result (the running ones "
                "finish; the rest are not-run)");
  cmd->add_option("--json", run->json_path, "write the JSON report to this file");
  cmd->add_option("--out", run->out_dir,
                  "write report.json, junit.xml, summary.md and matrix.html into this directory "
                  "(default, when neither --json nor --out is given: reports/latest)");
  cmd->add_option("--baseline", run->baseline,
                  "an earlier JSON report: the dashboard lists and marks what changed since")
      ->check(CLI::ExistingFile);
  cmd->add_option("--expectations", run->expectation_files,
                  "expectation file pinning known failures (repeatable; README, \"Expectation "
                  "files\")");
  cmd->add_option("--update-expectations", run->update_expectations,
                  "rewrite this expectation file from the run: pin every result that counts "
                  "against it, drop the entries of cases that now pass");
  AddGateOptions(cmd, &run->gates);
  cmd->add_flag("-q,--quiet", run->quiet, "print only the summary");
  cmd->add_option("--timings", run->timings_path,
                  "keep each case's duration in this file (per implementation; made if "
                  "missing, rewritten after the run): the next run starts the cases longest "
                  "first by what they took instead of by their estimate. A cache: never needed, "
                  "never to commit (e.g. build/timings.json)");
  cmd->add_option("--isolation", run->isolation,
                  "how drivers start: auto (a fork-server for the cases that need no parent "
                  "state, where the driver offers one), fork-exec (always), fork-server "
                  "(as auto; a driver without one is an error)")
      ->check(CLI::IsMember({"auto", "fork-exec", "fork-server"}));
  cmd->footer(
      "Exit status: 0 every result as expected; 1 a result counts against the run or a gate "
      "failed; 2 bad input (usage, catalog, expectation file: nothing ran) or an "
      "implementation whose driver could not start; 128+N interrupted by signal N (130 for "
      "SIGINT, 143 for SIGTERM), reports written, unfinished cases not-run.\n\nStatuses:\n" +
      StatusTableMarkdown());
  return [run, shard, invocation] {
    if (!shard->empty()) {
      std::string error;
      run->selection.shard = ParseShard(*shard, &error);
      if (!run->selection.shard) {
        std::cerr << "sigconform: " << error << "\n";
        return kExitUsage;
      }
    }
    if (run->impl_specs.empty()) run->impl_specs = {"reference", "cpython"};
    if (run->cases_dir.empty()) run->cases_dir = DefaultCasesDir();
    if (run->rules_dir.empty()) run->rules_dir = DefaultRulesDir();
    if (run->surface_path.empty()) run->surface_path = DefaultSurfacePath();
    if (run->json_path.empty() && run->out_dir.empty()) run->out_dir = "reports/latest";
    run->runner_path = invocation->runner_path;
    run->command_line = invocation->command_line;
    return RunCommand(*run);
  };
}

}  // namespace sigconform
