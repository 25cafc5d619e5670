#include "explore/explorer.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "case.h"
#include "catalog.h"
#include "environment.h"
#include "evaluate.h"
#include "explore/case_writer.h"
#include "explore/shrink.h"
#include "explore/trace.h"
#include "launch.h"
#include "supervisor.h"

namespace sigconform {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// Runs programs on both sides, in parallel, and keeps count.
class PairRunner {
 public:
  PairRunner(const ExploreOptions& options, ExploreOutcome* outcome)
      : options_(options), outcome_(outcome) {}

  // Runs every program once on the implementation and once on the oracle. Record 2i is
  // program i on the implementation, 2i+1 on the oracle.
  std::vector<RunRecord> Run(const std::vector<Case>& programs) {
    std::vector<LaunchSpec> specs;
    for (const Case& c : programs) {
      for (const Implementation* impl : {&options_.impl, &options_.oracle}) {
        bool unprivileged = impl == &options_.impl ? options_.impl_unprivileged
                                                   : options_.oracle_unprivileged;
        LaunchSpec spec;
        spec.argv = impl->argv;
        spec.argv.push_back("run");
        spec.env = CaseEnvironment(BaseEnvironment(), c.parent, /*run=*/true);
        spec.parent = c.parent;
        spec.program = DriverProgram(c).dump();
        spec.timeout_seconds = options_.program_timeout;
        spec.limits = c.limits;
        // As `run` does: a program that asks the runner for a signal shares the runner's user.
        spec.unprivileged = unprivileged && std::find(c.operations.begin(), c.operations.end(),
                                                      "parent_kill") == c.operations.end();
        specs.push_back(std::move(spec));
      }
    }
    if (outcome_->interrupted) return std::vector<RunRecord>(specs.size());
    Supervisor supervisor(std::max<size_t>(1, options_.jobs));
    std::vector<RunRecord> records = supervisor.Run(specs);
    outcome_->driver_runs += specs.size();
    if (supervisor.interrupted()) {
      outcome_->interrupted = true;
      outcome_->interrupt_signal = supervisor.interrupt_signal();
    }
    return records;
  }

  // The traces of each program on both sides: {impl, oracle}.
  std::vector<std::pair<json, json>> Traces(const std::vector<Case>& programs,
                                            std::vector<RunRecord>* records_out = nullptr) {
    std::vector<RunRecord> records = Run(programs);
    std::vector<std::pair<json, json>> out;
    for (size_t i = 0; i < programs.size(); i++) {
      out.emplace_back(TraceOf(programs[i], records[2 * i]), TraceOf(programs[i], records[2 * i + 1]));
    }
    if (records_out) *records_out = std::move(records);
    return out;
  }

 private:
  const ExploreOptions& options_;
  ExploreOutcome* outcome_;
};

// The program as a Case with the exploration's timeout; false when the validator refuses it.
bool ToCase(const json& doc, Case* out, std::string* error) {
  std::vector<CatalogError> errors = ValidateCase(doc, "explore", doc.value("id", ""), out);
  if (!errors.empty()) {
    *error = "a generated program is not a valid case (a generator bug): " +
             FormatCatalogError(errors.front()) + "\n" + doc.dump();
    return false;
  }
  return true;
}

// Where two traces first differ: the step, and each side's item.
void FirstDifferingItem(const json& impl, const json& oracle, Finding* f) {
  size_t n = std::min(impl.size(), oracle.size());
  for (size_t i = 0; i < n; i++) {
    if (impl[i] == oracle[i]) continue;
    f->expected = oracle[i];
    f->observed = impl[i];
    if (oracle[i].contains("step")) f->step = oracle[i]["step"];
    else if (impl[i].contains("step")) f->step = impl[i]["step"];
    return;
  }
}

// The signature of a divergence (Finding::signature).
std::string Signature(const Case& program, const json& impl, const json& oracle) {
  size_t n = std::min(impl.size(), oracle.size());
  for (size_t i = 0; i < n; i++) {
    if (impl[i] == oracle[i]) continue;
    const json& a = impl[i];
    const json& b = oracle[i];
    auto kind = [](const json& item) -> std::string {
      for (const char* k : {"returns", "raises", "event", "stray", "end", "done"}) {
        if (item.contains(k)) return k;
      }
      return "?";
    };
    // The step the difference is at or right after.
    std::string path;
    for (size_t j = i + 1; j-- > 0;) {
      if (oracle[j].contains("step")) {
        path = oracle[j]["step"];
        break;
      }
    }
    if (b.contains("step")) path = b["step"];
    std::string action = "start";
    if (!path.empty() && path.find('.') == std::string::npos) {
      size_t k = std::stoul(path);
      if (k < program.steps.size()) {
        const json& step = program.steps[k];
        action = step.contains("call") ? step["call"].get<std::string>() : step.value("do", "?");
      }
    }
    return action + " " + kind(b) + "/" + kind(a);
  }
  return "length";
}

void Log(const ExploreOptions& options, const std::string& line) {
  if (options.log) options.log(line);
}

// Whether a trace ended without an exit the program made: a timeout or a runner error.
bool EndedAbnormally(const json& trace) {
  for (const json& item : trace) {
    if (item.contains("end")) return item["end"].is_string();
  }
  return false;
}

// Shrinks, writes and checks the case of a confirmed divergence.
void Settle(const ExploreOptions& options, const ModuleSurface& surface, PairRunner* runner,
            ExploreOutcome* outcome, Finding* f, bool abnormal_divergence) {
  ShrinkStats stats;
  DivergesBatch diverges = [&](const std::vector<json>& docs) {
    std::vector<bool> answers(docs.size(), false);
    std::vector<Case> cases;
    std::vector<size_t> at;
    for (size_t i = 0; i < docs.size(); i++) {
      Case c;
      std::string error;
      if (ToCase(docs[i], &c, &error)) {
        cases.push_back(std::move(c));
        at.push_back(i);
      }
    }
    if (cases.empty() || outcome->interrupted) return answers;
    auto traces = runner->Traces(cases);
    for (size_t k = 0; k < cases.size(); k++) {
      // A candidate that timed out (a driver starved on a loaded machine) does not stand for a
      // divergence that was not one itself.
      bool abnormal = EndedAbnormally(traces[k].first) || EndedAbnormally(traces[k].second);
      answers[at[k]] = traces[k].first != traces[k].second && (abnormal_divergence || !abnormal);
    }
    return answers;
  };
  json shrunk = Shrink(f->program, diverges, std::max<size_t>(1, options.jobs),
                       options.shrink_evaluations, &stats);
  f->shrink_evaluations = stats.evaluated;
  f->shrink_exhausted = stats.exhausted;
  if (outcome->interrupted) return;

  // Two fresh runs of the shrunk program: the first gives the oracle's observations for the
  // case; the second judges the written case on both sides.
  Case c;
  std::string error;
  if (!ToCase(shrunk, &c, &error)) shrunk = f->program;
  if (!ToCase(shrunk, &c, &error)) return;
  auto traces = runner->Traces({c});
  if (traces[0].first == traces[0].second) {
    // The shrunk program no longer diverges on its own (a candidate diverged once by
    // chance): keep the program as generated.
    shrunk = f->program;
    ToCase(shrunk, &c, &error);
    traces = runner->Traces({c});
  }
  f->shrunk = shrunk;
  f->shrunk_difference = FirstDifference(traces[0].first, traces[0].second, options.impl.name,
                                         options.oracle.name);
  FirstDifferingItem(traces[0].first, traces[0].second, f);
  std::string title = "TODO: say what is checked. Found by sigconform explore (seed " +
                      std::to_string(options.seed) + ", program " + std::to_string(f->index) +
                      "): " + options.impl.name + " differs from " + options.oracle.name +
                      (f->step.empty() ? "" : " at step " + f->step);
  WrittenCase written = WriteCase(shrunk, traces[0].second, title, surface);
  f->case_doc = written.doc;
  f->case_problem = written.problem;
  if (written.doc.is_null() || outcome->interrupted) return;
  Case written_case;
  if (!ValidateCase(written.doc, "explore", written.doc.value("id", ""), &written_case).empty()) {
    f->case_problem = "the written case does not validate";
    return;
  }
  std::vector<RunRecord> records = runner->Run({written_case});
  if (records.size() == 2 && !outcome->interrupted) {
    f->case_fails_impl = Evaluate(written_case, records[0]).status != Status::kPass;
    f->case_passes_oracle = Evaluate(written_case, records[1]).status == Status::kPass;
  }
}

}  // namespace

ExploreOutcome Explore(const ExploreOptions& options, const GeneratorInputs& inputs,
                       const ModuleSurface& surface) {
  ExploreOutcome outcome;
  auto started = Clock::now();
  PairRunner runner(options, &outcome);
  const size_t batch = std::max<size_t>(2, options.jobs * 2);
  uint64_t next = options.start;
  while (!outcome.interrupted) {
    if (options.programs > 0 && outcome.programs >= options.programs) break;
    if (options.budget_seconds > 0 && Since(started) >= options.budget_seconds) break;
    if (options.programs == 0 && options.budget_seconds <= 0) break;
    size_t count = batch;
    if (options.programs > 0) count = std::min(count, options.programs - outcome.programs);

    auto gen_started = Clock::now();
    std::vector<json> docs;
    std::vector<Case> cases;
    for (size_t i = 0; i < count; i++) {
      docs.push_back(GenerateProgram(inputs, options.seed, next + i));
      Case c;
      if (!ToCase(docs.back(), &c, &outcome.error)) return outcome;
      cases.push_back(std::move(c));
    }
    outcome.generation_seconds += Since(gen_started);
    auto traces = runner.Traces(cases);
    if (outcome.interrupted) break;
    outcome.programs += count;

    // Divergences, confirmed by running them again on both sides.
    std::vector<size_t> diverging;
    for (size_t i = 0; i < count; i++) {
      if (traces[i].first != traces[i].second) diverging.push_back(i);
    }
    if (!diverging.empty()) {
      std::vector<Case> again;
      for (size_t i : diverging) again.push_back(cases[i]);
      auto second = runner.Traces(again);
      if (outcome.interrupted) break;
      for (size_t k = 0; k < diverging.size(); k++) {
        size_t i = diverging[k];
        Finding f;
        f.index = next + i;
        f.program = docs[i];
        f.difference = FirstDifference(traces[i].first, traces[i].second, options.impl.name,
                                       options.oracle.name);
        f.confirmed = second[k] == traces[i];
        f.signature = Signature(cases[i], traces[i].first, traces[i].second);
        for (const Finding& earlier : outcome.findings) {
          if (earlier.confirmed && earlier.duplicate_of < 0 && earlier.signature == f.signature) {
            f.duplicate_of = static_cast<int64_t>(earlier.index);
          }
        }
        if (f.confirmed && f.duplicate_of >= 0) {
          FirstDifferingItem(traces[i].first, traces[i].second, &f);
          Log(options, "divergence: program " + std::to_string(f.index) + " (" + f.signature +
                           ", as program " + std::to_string(f.duplicate_of) + "): " + f.difference);
        } else if (!f.confirmed) {
          FirstDifferingItem(traces[i].first, traces[i].second, &f);
          Log(options, "flaky: program " + std::to_string(f.index) +
                           " diverged once and not the same way again: " + f.difference);
        } else {
          Log(options, "divergence: program " + std::to_string(f.index) + ": " + f.difference);
          Settle(options, surface, &runner, &outcome, &f,
                 EndedAbnormally(traces[i].first) || EndedAbnormally(traces[i].second));
          if (!f.shrunk.is_null()) {
            Log(options, "  shrunk to " + std::to_string(f.shrunk["steps"].size()) +
                             " steps in " + std::to_string(f.shrink_evaluations) +
                             " runs: " + f.shrunk_difference);
          }
        }
        outcome.findings.push_back(std::move(f));
        if (outcome.interrupted) break;
      }
    }
    next += count;
  }
  outcome.seconds = Since(started);
  return outcome;
}

}  // namespace sigconform
