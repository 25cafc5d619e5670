// Prints a JSON report covering every status and every optional field, so that
// schema_agreement_test.py can check spec/report.schema.json against what ReportJson writes.
#include <iostream>

#include "report.h"

int main() {
  using sigconform::Result;
  using sigconform::Status;
  sigconform::RunInfo info;
  info.started_at = "2024-05-01T12:00:00Z";
  info.seconds = 3.5;
  info.command_line = "sigconform run";
  info.cases_dir = "cases";
  info.jobs = 2;
  info.implementations = {{"reference", {{"ev", "describe"}, {"protocol", 1}}},
                          {"broken", {{"error", "describe exited 1"}}}};
  info.base_env = {"PATH=/usr/bin"};
  info.host_kernel = "6.1.0";
  info.host_machine = "x86_64";
  info.runner_max_rss_kb = 12345;
  info.containment = {{"subreaper", true},
                      {"cgroups", "cgroup v2 (cgroup.kill, memory, pids)"},
                      {"memory_limit", true},
                      {"process_limit", true},
                      {"driver_users", "uid 2000000000 + the slot of the running case"},
                      {"implementations_as_runner_user", {{"broken", "describe failed as uid 2000000000"}}},
                      {"notes", {"v1: no freezer"}}};
  std::vector<Result> results;
  for (Status s : sigconform::kAllStatuses) {
    Result r;
    r.case_id = std::string("area/") + sigconform::StatusName(s);
    r.implementation = "reference";
    r.status = s;
    r.seconds = 0.1;
    r.rules = {"mask.block-union", "startup.sigxfsz-ignored"};
    r.tiers = {"documented", "compat"};
    if (s != Status::kPass) {
      r.message = "what happened";
      r.step = "1.0";
      r.expected = {{"returns", 1}};
      r.observed = {{"ev", "step"}, {"ok", true}, {"value", 2}};
      r.reproduce = "sigconform run --case area/x";
      r.exit_description = "killed by SIGPIPE (core dumped)";
      r.stderr_excerpt = "Traceback";
      r.env = {"PATH=/usr/bin", "LC_ALL=C.UTF-8"};
    }
    if (s == Status::kFail) {
      r.failures = {{"1.0", "what happened", {{"returns", 1}}, 2},
                    {"", "expected the process to exit with code 0; it ended with exit code 1",
                     {{"exit", {{"code", 0}}}}, {{"exit", "exit code 1"}}}};
    }
    results.push_back(r);
  }
  std::cout << sigconform::ReportJson(info, results).dump(2) << "\n";
  return 0;
}
