#include "command_run.h"

#include <errno.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <map>

#include <CLI/CLI.hpp>

#include "catalog.h"
#include "command_common.h"
#include "console.h"
#include "describe.h"
#include "emulation.h"
#include "environment.h"
#include "evaluate.h"
#include "expectations.h"
#include "fork_server.h"
#include "impl_spec.h"
#include "launch.h"
#include "plan.h"
#include "report.h"
#include "result.h"
#include "module_surface.h"
#include "rules.h"
#include "schedule.h"
#include "supervisor.h"
#include "text.h"

namespace sigconform {
namespace {

bool UsesOperation(const Case& c, const char* operation) {
  return std::find(c.operations.begin(), c.operations.end(), operation) != c.operations.end();
}

int Cores() {
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  return cores > 0 ? static_cast<int>(cores) : 1;
}

int DefaultJobs() {
  // Most cases spend their time waiting on timers and signals, not on the CPU, so twice the
  // cores keeps the machine busy; the cases that burn CPU on purpose are held to one per core
  // by the supervisor (cpu_slots), so their timing windows hold.
  return 2 * Cores();
}

// One (case, implementation) pair the plan decided to run, and where its result goes.
struct Planned {
  size_t result_index;
  const Case* kase;
  bool emulated;  // judged under the platform model for emulated signals (emulation.h)
};

// The availability of each rule the case cites (spec/rules/README.md), for the platform model.
std::vector<std::string> AvailabilitiesOf(const RuleIndex& rules, const Case& c) {
  std::vector<std::string> out;
  for (const std::string& id : c.rules) {
    if (const Rule* rule = FindRule(rules, id)) out.push_back(rule->availability);
  }
  return out;
}

// Evaluates a pair's record and keeps what the plan knew about it.
Result Judge(const Planned& p, const RunRecord& record, const Result& planned) {
  Result judged = Evaluate(*p.kase, record);
  judged.implementation = planned.implementation;
  judged.reproduce = planned.reproduce;
  judged.rules = planned.rules;
  judged.tiers = planned.tiers;
  if (p.emulated && EmulatedStatus(judged.status) != judged.status) {
    judged.status = EmulatedStatus(judged.status);
    if (!judged.message.empty()) judged.message = "under emulation: " + judged.message;
  }
  return judged;
}

// One line per unexpected result. Every part may hold bytes a driver wrote: TerminalText
// makes them inert (no escape sequence reaches the terminal) and keeps the line one line.
void PrintResultLine(const Result& r) {
  std::string status = StatusName(r.status);
  for (char& c : status) c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
  // The message already names the step where it went wrong.
  std::string line = status + "  " + TerminalText(r.implementation) + "  " + TerminalText(r.case_id);
  if (!r.message.empty()) line += ": " + TerminalText(r.message);
  line += "\n";
  if (!r.reproduce.empty()) line += "    reproduce: " + TerminalText(r.reproduce) + "\n";
  PrintOut(line);
}

void PrintSummary(const std::vector<Implementation>& impls, const std::vector<Result>& results,
                  double seconds) {
  std::string out = "\n";
  for (const Implementation& impl : impls) {
    std::map<Status, int> counts;
    int total = 0;
    for (const Result& r : results) {
      if (r.implementation != impl.name) continue;
      counts[r.status]++;
      total++;
    }
    out += TerminalText(impl.name) + ": " + std::to_string(total) + " cases";
    for (Status s : kAllStatuses) {
      if (counts[s] > 0) out += ", " + std::to_string(counts[s]) + " " + StatusName(s);
    }
    out += "\n";
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f", seconds);
  out += std::string("finished in ") + buf + " s\n";
  PrintOut(out);
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

bool WriteReports(const RunOptions& options, const RunInfo& info,
                  const std::vector<Result>& results) {
  bool ok = true;
  std::string error;
  auto write = [&](const std::string& path, const std::string& content) {
    if (!WriteFileAtomically(path, content, &error)) {
      PrintErr("sigconform: cannot write " + TerminalText(path) + ": " + error + "\n");
      ok = false;
    } else {
      PrintOut("wrote " + TerminalText(path) + "\n");
    }
  };
  std::string json = ReportJsonText(info, results);
  if (!options.json_path.empty()) write(options.json_path, json);
  if (!options.out_dir.empty()) {
    write(options.out_dir + "/report.json", json);
    write(options.out_dir + "/junit.xml", ReportJunit(info, results));
    write(options.out_dir + "/summary.md", ReportMarkdown(info, results));
    write(options.out_dir + "/matrix.html", ReportHtml(info, results));
  }
  return ok;
}

}  // namespace

int RunCommand(const RunOptions& options) {
  auto started = std::chrono::steady_clock::now();
  if (!CheckReportDestinations(options)) return kExitUsage;
  RunInfo info;
  info.started_at = NowIso8601();
  info.command_line = options.command_line;
  info.cases_dir = options.cases_dir;
  info.jobs = options.jobs > 0 ? options.jobs : DefaultJobs();
  info.base_env = BaseEnvironment();
  struct utsname host{};
  if (uname(&host) == 0) {
    info.host_kernel = host.release;
    info.host_machine = host.machine;
  }

  std::vector<Case> cases;
  if (!LoadSelected(options.cases_dir, options.filters, &cases)) return kExitUsage;
  if (cases.empty()) {
    PrintErr("sigconform: no case matches the filters\n");
    return kExitUsage;
  }
  // A case that cites a rule that does not exist or was withdrawn, calls a name the module
  // does not have, or claims a version or platform where what it uses does not exist, would
  // give a verdict resting on nothing: nothing runs.
  RuleIndex rules;
  if (!LoadSpecAndCheck(options.rules_dir, options.surface_path, cases, &rules, nullptr)) {
    return kExitUsage;
  }
  Expectations expectations;
  for (const std::string& file : options.expectation_files) {
    std::vector<CatalogError> errors = LoadExpectations(file, &expectations);
    for (const CatalogError& e : errors) {
      PrintErr("sigconform: " + TerminalText(FormatCatalogError(e)) + "\n");
    }
    if (!errors.empty()) return kExitUsage;
  }
  std::vector<Implementation> impls;
  if (!ParseImplementations(options.impl_specs, &impls)) return kExitUsage;

  bool interrupted = false;
  std::vector<DescribeOutcome> described = DescribeAll(impls, &interrupted);

  // Plan every pair. Results are laid out implementation by implementation, cases in id order;
  // the pairs to run are interleaved case by case so that one slow implementation does not
  // leave the other cores idle at the end.
  std::vector<Result> results;
  std::vector<std::vector<Planned>> per_impl(impls.size());
  for (size_t i = 0; i < impls.size(); i++) {
    info.implementations.emplace_back(impls[i].name, described[i].record);
    for (const Case& c : cases) {
      Result r;
      r.case_id = c.id;
      r.implementation = impls[i].name;
      r.rules = c.rules;
      for (Tier t : TiersOf(rules, c)) r.tiers.push_back(TierName(t));
      r.reproduce = ShellQuote(options.runner_path) + " run --impl " +
                    ShellQuote(options.impl_specs[i]) + " --cases " +
                    ShellQuote(options.cases_dir) + " --filter " + ShellQuote(c.id);
      if (!described[i].description) {
        r.status = Status::kError;
        r.message = CapText(SanitizeUtf8("the driver could not describe itself: " +
                                         described[i].error),
                            kMaxMessageBytes);
      } else {
        Applicability a = Plan(c, *described[i].description, AvailabilitiesOf(rules, c));
        if (a.kind == Applicability::kRun) {
          per_impl[i].push_back({results.size(), &c, a.emulated});
        } else {
          r.status = a.kind == Applicability::kMissing       ? Status::kMissing
                     : a.kind == Applicability::kUnsupported ? Status::kUnsupported
                                                             : Status::kNotApplicable;
          r.message = a.reason;
        }
      }
      results.push_back(std::move(r));
    }
  }
  // One fork-server per implementation that offers one (ForkServer): the interpreter starts
  // once, and each case that needs no parent state set before exec is forked from it.
  std::vector<std::unique_ptr<ForkServer>> servers(impls.size());
  for (size_t i = 0; i < impls.size(); i++) {
    if (options.isolation == "fork-exec" || !described[i].description) continue;
    if (!described[i].description->fork_server) {
      if (options.isolation == "fork-server") {
        PrintErr("sigconform: --isolation fork-server: the driver of " +
                 TerminalText(impls[i].name) + " offers no fork-server\n");
        return kExitUsage;
      }
      continue;
    }
    std::string error;
    servers[i] = ForkServer::Start(impls[i].argv, CaseEnvironment(BaseEnvironment(), ParentState{}),
                                   &error);
    if (!servers[i]) {
      PrintErr("sigconform: " + TerminalText(impls[i].name) + ": no fork-server (" +
               TerminalText(error) + "); its cases run by fork+exec\n");
    }
  }
  std::vector<Planned> planned;
  std::vector<LaunchSpec> specs;
  std::vector<double> estimates;  // EstimateCost's seconds, per spec
  for (size_t k = 0;; k++) {
    bool any = false;
    for (size_t i = 0; i < impls.size(); i++) {
      if (k >= per_impl[i].size()) continue;
      any = true;
      const Planned& p = per_impl[i][k];
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
      CaseCost cost = EstimateCost(*p.kase);
      spec.cpu_bound = cost.cpu_bound;
      estimates.push_back(cost.seconds);
      planned.push_back(p);
      specs.push_back(std::move(spec));
    }
    if (!any) break;
  }
  // The long waits start first (schedule.h); the interleaving above orders equal estimates.
  {
    std::vector<size_t> order = LongestFirst(estimates);
    std::vector<Planned> ordered_planned;
    std::vector<LaunchSpec> ordered_specs;
    ordered_planned.reserve(order.size());
    ordered_specs.reserve(order.size());
    for (size_t index : order) {
      ordered_planned.push_back(planned[index]);
      ordered_specs.push_back(std::move(specs[index]));
    }
    planned = std::move(ordered_planned);
    specs = std::move(ordered_specs);
  }

  // Results that are known before anything runs (describe errors, missing) are shown first.
  std::vector<bool> will_run(results.size(), false);
  for (const Planned& p : planned) will_run[p.result_index] = true;
  // A driver that cannot describe itself errs every case: one line says so, not one per case.
  for (size_t i = 0; i < impls.size(); i++) {
    if (!described[i].description) {
      PrintOut("ERROR  " + TerminalText(impls[i].name) + ": the driver could not describe itself: " +
               TerminalText(described[i].error) + " (" + std::to_string(cases.size()) +
               " cases errored)\n");
    }
  }
  for (size_t i = 0; i < results.size(); i++) {
    bool described_ok = described[i / cases.size()].description.has_value();  // impl-major
    if (!options.quiet && !will_run[i] && described_ok && IsUnexpected(results[i].status)) {
      PrintResultLine(results[i]);
    }
  }
  // Interrupted while describing: nothing more starts, and every pair is reported as such.
  if (interrupted) {
    specs.clear();
    for (const Planned& p : planned) {
      results[p.result_index].status = Status::kError;
      results[p.result_index].message = "the runner was interrupted before this case ran";
    }
    planned.clear();
  }
  Supervisor supervisor(static_cast<size_t>(info.jobs));
  supervisor.set_cpu_slots(static_cast<size_t>(Cores()));
  // A record is judged as soon as its driver ends; holding every record until the end of the
  // run would make the runner's memory grow with the catalog.
  supervisor.set_release_records(true);
  supervisor.set_progress([&](size_t index, const RunRecord& record) {
    Result& r = results[planned[index].result_index];
    r = Judge(planned[index], record, r);
    ApplyExpectations(expectations, &r);
    if (!options.quiet && IsUnexpected(r.status)) PrintResultLine(r);
  });
  std::vector<RunRecord> records = supervisor.Run(specs);
  // Pairs that never finished (the runner was interrupted) have had no progress call.
  for (size_t index = 0; index < records.size(); index++) {
    if (!records[index].interrupted) continue;
    Result& r = results[planned[index].result_index];
    r = Judge(planned[index], records[index], r);
  }

  info.containment = supervisor.containment();
  if (!info.containment.is_null()) {
    nlohmann::json as_root = nlohmann::json::object();
    for (size_t i = 0; i < impls.size(); i++) {
      if (!described[i].unprivileged_note.empty()) as_root[impls[i].name] = described[i].unprivileged_note;
    }
    if (!as_root.empty()) info.containment["implementations_as_runner_user"] = as_root;
  }
  info.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  // Measured before the reports are built: building them adds a little (their text), which the
  // measurement of issue 12's bound (under 100 MB under every flood) leaves to GNU time.
  struct rusage self {};
  if (getrusage(RUSAGE_SELF, &self) == 0) info.runner_max_rss_kb = self.ru_maxrss;
  PrintSummary(impls, results, info.seconds);
  bool written = WriteReports(options, info, results);
  if (StdoutLost()) {
    PrintErr("sigconform: standard output was closed by its reader; printing stopped there, "
             "the run went on and its reports are complete\n");
  }
  if (interrupted || supervisor.interrupted()) {
    PrintErr("sigconform: interrupted; the reports hold what finished\n");
    return kExitInterrupted;
  }
  if (!written) return kExitUsage;
  for (const Result& r : results) {
    if (IsUnexpected(r.status)) return kExitFailures;
  }
  return kExitOk;
}

CommandAction AddRunCommand(CLI::App* app, const Invocation* invocation) {
  auto run = std::make_shared<RunOptions>();
  CLI::App* cmd = app->add_subcommand("run", "run the catalog against implementations");
  cmd->add_option("--impl", run->impl_specs,
                  "implementation: reference, cpython, pypy, pyodide, py3.X (a CPython under "
                  "$(pyenv root)/versions; `sigconform impls` lists them) or NAME=COMMAND "
                  "(repeatable; default: reference and cpython)");
  cmd->add_option("--cases", run->cases_dir, "catalog directory (default: the source tree's cases/)");
  cmd->add_option("--rules", run->rules_dir,
                  "rules directory (default: the source tree's spec/rules/); a case citing an "
                  "unknown or withdrawn rule stops the run before it starts");
  cmd->add_option("--surface", run->surface_path,
                  "the module's surface (default: the source tree's spec/module-surface.json); "
                  "a case calling a name it lacks, or claiming a version or platform where "
                  "what it uses does not exist, stops the run before it starts");
  cmd->add_option("--filter", run->filters, "glob over case ids, e.g. 'masks/*' (repeatable)");
  cmd->add_option("-j,--jobs", run->jobs, "drivers at once (default: twice the cores)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--json", run->json_path, "write the JSON report to this file");
  cmd->add_option("--out", run->out_dir,
                  "write report.json, junit.xml, summary.md and matrix.html into this directory "
                  "(default, when neither --json nor --out is given: reports/latest)");
  cmd->add_option("--expectations", run->expectation_files,
                  "expectation file of known failures (repeatable)");
  cmd->add_flag("-q,--quiet", run->quiet, "print only the summary");
  cmd->add_option("--isolation", run->isolation,
                  "how drivers start: auto (a fork-server for the cases that need no parent "
                  "state, where the driver offers one), fork-exec (always), fork-server "
                  "(as auto; a driver without one is an error)")
      ->check(CLI::IsMember({"auto", "fork-exec", "fork-server"}));
  return [run, invocation] {
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
