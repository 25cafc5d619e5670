#include "describe.h"

#include "environment.h"
#include "evaluate.h"
#include "launch.h"
#include "supervisor.h"
#include "text.h"

namespace sigconform {
namespace {

// A slow interpreter may take a while to start on a busy machine; describing is done once.
constexpr double kDescribeTimeoutSeconds = 30.0;

DescribeOutcome Judge(const RunRecord& run) {
  DescribeOutcome out;
  auto fail = [&](const std::string& why) {
    out.error = why;
    std::string tail = TailExcerpt(run.stderr_data, 600);
    if (!tail.empty()) out.error += "; stderr: " + tail;
    out.record = {{"error", SanitizeUtf8(out.error)}};
    return out;
  };
  if (!run.launch_error.empty()) return fail(run.launch_error);
  if (run.interrupted) return fail("interrupted");
  if (run.timed_out) return fail("describe did not finish within 30 s");
  if (!run.status || !run.status->exited || run.status->code != 0) {
    return fail("describe ended with " + DescribeWaitStatus(run.status));
  }
  if (!run.protocol_errors.empty()) return fail("protocol error: " + run.protocol_errors.front());
  const nlohmann::json* record = nullptr;
  for (const nlohmann::json& r : run.records) {
    if (r.value("ev", "") == "describe") record = &r;
  }
  if (record == nullptr) return fail("the driver wrote no describe record");
  std::string error;
  out.description = ParseDescription(*record, &error);
  if (!out.description) return fail("bad describe record: " + error);
  out.record = *record;
  return out;
}

}  // namespace

std::vector<DescribeOutcome> DescribeAll(const std::vector<Implementation>& impls,
                                         bool* interrupted, int* interrupt_signal) {
  std::vector<LaunchSpec> specs;
  for (const Implementation& impl : impls) {
    LaunchSpec spec;
    spec.argv = impl.argv;
    spec.argv.push_back("describe");
    spec.env = CaseEnvironment(BaseEnvironment(), ParentState{}, /*run=*/false);
    spec.timeout_seconds = kDescribeTimeoutSeconds;
    specs.push_back(std::move(spec));
  }
  Supervisor supervisor(specs.size());
  std::vector<RunRecord> records = supervisor.Run(specs);
  if (interrupted != nullptr) *interrupted = supervisor.interrupted();
  if (interrupt_signal != nullptr) *interrupt_signal = supervisor.interrupt_signal();
  std::vector<DescribeOutcome> outcomes;
  for (const RunRecord& run : records) outcomes.push_back(Judge(run));
  if (supervisor.interrupted()) return outcomes;

  // Those that failed as another user get a second chance as the runner's own.
  std::vector<LaunchSpec> again;
  std::vector<size_t> which;
  for (size_t i = 0; i < outcomes.size(); ++i) {
    if (outcomes[i].description || records[i].user.empty()) continue;
    specs[i].unprivileged = false;
    again.push_back(specs[i]);
    which.push_back(i);
  }
  if (again.empty()) return outcomes;
  Supervisor retry(again.size());
  std::vector<RunRecord> retried = retry.Run(again);
  if (interrupted != nullptr) *interrupted = retry.interrupted();
  if (interrupt_signal != nullptr && retry.interrupted()) *interrupt_signal = retry.interrupt_signal();
  for (size_t k = 0; k < which.size(); ++k) {
    DescribeOutcome second = Judge(retried[k]);
    second.unprivileged = false;
    if (!second.description) {
      // Fails either way: what it says as the runner's own user is about the driver itself,
      // not about a path the other user could not reach.
      outcomes[which[k]] = std::move(second);
      continue;
    }
    second.unprivileged_note = "described itself only as the runner's user; as " +
                               records[which[k]].user + ": " + outcomes[which[k]].error;
    outcomes[which[k]] = std::move(second);
  }
  return outcomes;
}

}  // namespace sigconform
