#include "commands.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <map>

#include "catalog.h"
#include "describe.h"
#include "environment.h"
#include "evaluate.h"
#include "expectations.h"
#include "impl_spec.h"
#include "launch.h"
#include "plan.h"
#include "report.h"
#include "result.h"
#include "rules.h"
#include "supervisor.h"

namespace sigconform {
namespace {

// A word quoted for a POSIX shell, so that reproduce lines can be pasted as they are.
std::string ShellQuote(const std::string& word) {
  bool plain = !word.empty();
  for (char c : word) {
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '.' || c == '-' ||
          c == '_' || c == '=' || c == ':' || c == ',' || c == '+')) {
      plain = false;
    }
  }
  if (plain) return word;
  std::string out = "'";
  for (char c : word) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

bool PassesFilters(const std::string& id, const std::vector<std::string>& filters) {
  if (filters.empty()) return true;
  for (const std::string& f : filters) {
    if (GlobMatches(f, id)) return true;
  }
  return false;
}

// Loads the catalog and keeps the cases the filters select. Prints catalog errors and returns
// false when there are any: a broken case is never skipped silently.
bool LoadSelected(const std::string& cases_dir, const std::vector<std::string>& filters,
                  std::vector<Case>* out) {
  Catalog catalog = LoadCatalog(cases_dir);
  if (!catalog.errors.empty()) {
    for (const CatalogError& e : catalog.errors) {
      std::cerr << "sigconform: " << FormatCatalogError(e) << "\n";
    }
    std::cerr << "sigconform: the catalog has " << catalog.errors.size()
              << " error(s); nothing was run\n";
    return false;
  }
  for (Case& c : catalog.cases) {
    if (PassesFilters(c.id, filters)) out->push_back(std::move(c));
  }
  return true;
}

// Parses and resolves every --impl. Prints the problem and returns false on the first bad one.
bool ParseImplementations(const std::vector<std::string>& specs,
                          std::vector<Implementation>* out) {
  std::map<std::string, int> seen;
  for (const std::string& spec : specs) {
    std::string error;
    std::optional<Implementation> impl = ParseImplSpec(spec, &error);
    if (!impl || !ResolveImplementation(&*impl, &error)) {
      std::cerr << "sigconform: " << error << "\n";
      return false;
    }
    if (seen[impl->name]++ > 0) {
      std::cerr << "sigconform: implementation '" << impl->name << "' is given twice\n";
      return false;
    }
    out->push_back(std::move(*impl));
  }
  return true;
}

std::string NowIso8601() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

int DefaultJobs() {
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  // Most cases spend their time waiting on timers and signals, not on the CPU, so twice the
  // cores keeps the machine busy without starving any case of CPU.
  return cores > 0 ? static_cast<int>(2 * cores) : 2;
}

// One (case, implementation) pair the plan decided to run, and where its result goes.
struct Planned {
  size_t result_index;
  const Case* kase;
};

void PrintResultLine(const Result& r) {
  std::string status = StatusName(r.status);
  for (char& c : status) c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
  // The message already names the step where it went wrong.
  std::cout << status << "  " << r.implementation << "  " << r.case_id;
  if (!r.message.empty()) std::cout << ": " << r.message;
  std::cout << "\n";
  if (!r.reproduce.empty()) std::cout << "    reproduce: " << r.reproduce << "\n";
  std::cout.flush();
}

void PrintSummary(const std::vector<Implementation>& impls, const std::vector<Result>& results,
                  double seconds) {
  std::cout << "\n";
  for (const Implementation& impl : impls) {
    std::map<Status, int> counts;
    int total = 0;
    for (const Result& r : results) {
      if (r.implementation != impl.name) continue;
      counts[r.status]++;
      total++;
    }
    std::cout << impl.name << ": " << total << " cases";
    for (Status s : kAllStatuses) {
      if (counts[s] > 0) std::cout << ", " << counts[s] << " " << StatusName(s);
    }
    std::cout << "\n";
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f", seconds);
  std::cout << "finished in " << buf << " s\n";
}

bool WriteReports(const RunOptions& options, const RunInfo& info,
                  const std::vector<Result>& results) {
  bool ok = true;
  std::string error;
  auto write = [&](const std::string& path, const std::string& content) {
    if (!WriteFileAtomically(path, content, &error)) {
      std::cerr << "sigconform: cannot write " << path << ": " << error << "\n";
      ok = false;
    } else {
      std::cout << "wrote " << path << "\n";
    }
  };
  std::string json = ReportJson(info, results).dump(2) + "\n";
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

std::string DefaultCasesDir() {
  const char* root = std::getenv("SIGCONFORM_SOURCE_ROOT");
  std::string base = (root != nullptr && *root != '\0') ? root : SIGCONFORM_SOURCE_ROOT;
  return base + "/cases";
}

int RunCommand(const RunOptions& options) {
  auto started = std::chrono::steady_clock::now();
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
    std::cerr << "sigconform: no case matches the filters\n";
    return kExitUsage;
  }
  Expectations expectations;
  for (const std::string& file : options.expectation_files) {
    std::vector<CatalogError> errors = LoadExpectations(file, &expectations);
    for (const CatalogError& e : errors) std::cerr << "sigconform: " << FormatCatalogError(e) << "\n";
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
      r.reproduce = ShellQuote(options.runner_path) + " run --impl " +
                    ShellQuote(options.impl_specs[i]) + " --cases " +
                    ShellQuote(options.cases_dir) + " --filter " + ShellQuote(c.id);
      if (!described[i].description) {
        r.status = Status::kError;
        r.message = "the driver could not describe itself: " + described[i].error;
      } else {
        Applicability a = Plan(c, *described[i].description);
        if (a.kind == Applicability::kRun) {
          per_impl[i].push_back({results.size(), &c});
        } else {
          r.status = a.kind == Applicability::kMissing ? Status::kMissing : Status::kNotApplicable;
          r.message = a.reason;
        }
      }
      results.push_back(std::move(r));
    }
  }
  std::vector<Planned> planned;
  std::vector<LaunchSpec> specs;
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
      planned.push_back(p);
      specs.push_back(std::move(spec));
    }
    if (!any) break;
  }

  // Results that are known before anything runs (describe errors, missing) are shown first.
  std::vector<bool> will_run(results.size(), false);
  for (const Planned& p : planned) will_run[p.result_index] = true;
  // A driver that cannot describe itself errs every case: one line says so, not one per case.
  for (size_t i = 0; i < impls.size(); i++) {
    if (!described[i].description) {
      std::cout << "ERROR  " << impls[i].name << ": the driver could not describe itself: "
                << described[i].error << " (" << cases.size() << " cases errored)\n";
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
  supervisor.set_progress([&](size_t index, const RunRecord& record) {
    Result& r = results[planned[index].result_index];
    Result judged = Evaluate(*planned[index].kase, record);
    judged.implementation = r.implementation;
    judged.reproduce = r.reproduce;
    r = std::move(judged);
    ApplyExpectations(expectations, &r);
    if (!options.quiet && IsUnexpected(r.status)) PrintResultLine(r);
  });
  std::vector<RunRecord> records = supervisor.Run(specs);
  // Pairs that never finished (the runner was interrupted) have had no progress call.
  for (size_t index = 0; index < records.size(); index++) {
    if (!records[index].interrupted) continue;
    Result& r = results[planned[index].result_index];
    Result judged = Evaluate(*planned[index].kase, records[index]);
    judged.implementation = r.implementation;
    judged.reproduce = r.reproduce;
    r = std::move(judged);
  }

  info.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  PrintSummary(impls, results, info.seconds);
  bool written = WriteReports(options, info, results);
  if (interrupted || supervisor.interrupted()) {
    std::cerr << "sigconform: interrupted; the reports hold what finished\n";
    return kExitInterrupted;
  }
  if (!written) return kExitUsage;
  for (const Result& r : results) {
    if (IsUnexpected(r.status)) return kExitFailures;
  }
  return kExitOk;
}

int ListCommand(const std::string& cases_dir, const std::vector<std::string>& filters,
                bool verbose) {
  std::vector<Case> cases;
  if (!LoadSelected(cases_dir, filters, &cases)) return kExitUsage;
  size_t width = 0;
  for (const Case& c : cases) width = std::max(width, c.id.size());
  for (const Case& c : cases) {
    std::cout << c.id << std::string(width - c.id.size() + 2, ' ') << c.title << "\n";
    if (verbose) {
      std::cout << "    rules:";
      for (const std::string& r : c.rules) std::cout << " " << r;
      std::cout << "\n    tags:";
      for (const std::string& t : c.tags) std::cout << " " << t;
      std::cout << "\n";
    }
  }
  std::cout << cases.size() << " cases\n";
  return kExitOk;
}

std::string DefaultRulesDir() {
  const char* root = std::getenv("SIGCONFORM_SOURCE_ROOT");
  std::string base = (root != nullptr && *root != '\0') ? root : SIGCONFORM_SOURCE_ROOT;
  return base + "/spec/rules";
}

int CoverageCommand(const CoverageOptions& options) {
  const RuleIndex index = LoadRules(options.rules_dir);
  for (const RuleError& e : index.errors) std::cerr << "sigconform: " << FormatRuleError(e) << "\n";
  std::vector<Case> cases;
  if (!LoadSelected(options.cases_dir, {}, &cases)) return kExitUsage;
  // Malformed rules are reported and left out, but the coverage of the others is still shown.
  const Coverage coverage = ComputeCoverage(index, cases);

  std::string section_file;
  for (const Rule& r : index.rules) {
    if (r.file != section_file) {
      section_file = r.file;
      std::cout << "# " << r.file << "\n";
    }
    const std::vector<std::string>& ids = coverage.cases_of_rule.at(r.id);
    std::cout << r.id << (r.settled ? "  (settled)" : "") << "\n";
    if (ids.empty()) std::cout << "    UNCOVERED\n";
    for (const std::string& id : ids) std::cout << "    " << id << "\n";
  }
  if (!coverage.uncovered.empty()) {
    std::cout << "\nrules no case checks:\n";
    for (const std::string& id : coverage.uncovered) {
      for (const Rule& r : index.rules) {
        if (r.id == id) std::cout << "  " << id << "  (" << r.file << ":" << r.line << ")\n";
      }
    }
  }
  for (const UnknownRule& u : coverage.unknown) {
    std::cerr << "sigconform: case " << u.case_id << " cites rule '" << u.rule_id
              << "', which no well-formed rule row of " << options.rules_dir << " defines\n";
  }
  const size_t covered = coverage.rule_count - coverage.uncovered.size();
  char percent[32];
  std::snprintf(percent, sizeof percent, "%.1f",
                coverage.rule_count == 0 ? 0.0 : 100.0 * covered / coverage.rule_count);
  std::cout << "\n" << coverage.rule_count << " rules, " << covered << " covered (" << percent
            << " %), " << coverage.uncovered.size() << " uncovered; " << coverage.case_count
            << " cases";
  if (!coverage.unknown.empty()) {
    std::cout << "; " << coverage.unknown.size() << " citation(s) of unknown rules";
  }
  std::cout << "\n";

  if (!options.json_path.empty()) {
    std::string error;
    const std::string text = CoverageJson(index, cases, coverage).dump(2) + "\n";
    if (!WriteFileAtomically(options.json_path, text, &error)) {
      std::cerr << "sigconform: cannot write " << options.json_path << ": " << error << "\n";
      return kExitUsage;
    }
    std::cout << "wrote " << options.json_path << "\n";
  }
  if (!index.errors.empty()) {
    std::cerr << "sigconform: the rule files have " << index.errors.size() << " error(s)\n";
  }
  if (!index.errors.empty() || !coverage.unknown.empty()) return kExitUsage;
  return coverage.uncovered.empty() ? kExitOk : kExitFailures;
}

int DescribeCommand(const std::vector<std::string>& impl_specs) {
  std::vector<Implementation> impls;
  if (!ParseImplementations(impl_specs, &impls)) return kExitUsage;
  std::vector<DescribeOutcome> described = DescribeAll(impls);
  int status = kExitOk;
  for (size_t i = 0; i < impls.size(); i++) {
    if (!described[i].description) {
      std::cerr << "sigconform: " << impls[i].name << ": " << described[i].error << "\n";
      status = kExitFailures;
      continue;
    }
    nlohmann::json out = {{"implementation", impls[i].name}, {"argv", impls[i].argv},
                          {"describe", described[i].record}};
    std::cout << out.dump(2) << "\n";
  }
  return status;
}

}  // namespace sigconform
