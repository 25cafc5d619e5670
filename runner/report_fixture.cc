#include "report_fixture.h"

namespace sigconform {

RunInfo SampleRun() {
  RunInfo info;
  info.runner_version = "0.1.0";
  info.runner_commit = "0123456789abcdef0123456789abcdef01234567";
  info.started_at = "2024-05-01T12:00:00Z";
  info.ended_at = "2024-05-01T12:00:04Z";
  info.seconds = 3.5;
  info.interrupted = true;
  info.interrupted_by = "SIGTERM";
  info.command_line = "sigconform run";
  info.cases_dir = "cases";
  info.catalog_digest = "sha256:00";
  info.catalog_cases = 14;
  info.rules_digest = "sha256:11";
  info.jobs = 2;
  info.repeat = 3;
  info.shard_index = 2;
  info.shard_count = 4;
  info.filters = {"masks/*", "!masks/slow"};
  info.tags = {"fast"};
  info.keywords = {"mask"};
  info.implementations = {
      {"reference", "reference", {{"ev", "describe"}, {"protocol", 1}}, {"PATH=/usr/bin", "LANG=C.UTF-8"}},
      {"broken", "broken=/bin/false", {{"error", "describe exited 1"}}, {"PATH=/usr/bin"}}};
  info.base_env = {"PATH=/usr/bin"};
  info.rules = {{"mask.block-union", {"With `SIG_BLOCK` the mask becomes the union.", "documented", "Masks"}},
                {"startup.sigxfsz-ignored", {"*Settled.* SIGXFSZ starts ignored. Evidence: ...", "compat",
                                             "General rules and startup"}}};
  info.host_name = "ci-1";
  info.host_os = "Linux 6.1.0 (Debian GNU/Linux 12 (bookworm))";
  info.host_kernel = "6.1.0";
  info.host_machine = "x86_64";
  info.sources = nlohmann::json::array({{{"file", "shard-1.json"}, {"host", "ci-1"}}});
  info.runner_max_rss_kb = 12345;
  info.containment = {{"subreaper", true},
                      {"cgroups", "cgroup v2 (cgroup.kill, memory, pids)"},
                      {"memory_limit", true},
                      {"process_limit", true},
                      {"driver_users", "uid 2000000000 + the slot of the running case"},
                      {"implementations_as_runner_user", {{"broken", "describe failed as uid 2000000000"}}},
                      {"notes", {"v1: no freezer"}}};
  return info;
}

std::vector<Result> SampleResults() {
  std::vector<Result> results;
  for (Status s : kAllStatuses) {
    Result r;
    r.case_id = std::string("area/") + StatusName(s);
    r.implementation = "reference";
    r.title = "checks " + r.case_id;
    r.status = s;
    r.seconds = 0.1;
    r.env = {"PATH=/usr/bin", "LANG=C.UTF-8"};
    r.rules = {"mask.block-union", "startup.sigxfsz-ignored"};
    r.tiers = {"documented", "compat"};
    r.isolation = "fork-exec";
    if (s != Status::kPass) {
      r.message = "what happened";
      r.step = "1.0";
      r.step_text = "pthread_sigmask(SIG_BLOCK, {SIGUSR1})";
      r.expected = {{"returns", 1}};
      r.observed = {{"ev", "step"}, {"ok", true}, {"value", 2}};
      r.reproduce = "sigconform run --filter area/x";
      r.exit_description = "killed by SIGPIPE (core dumped)";
      r.stderr_excerpt = "Traceback";
      r.env = {"PATH=/usr/bin", "PYTHONUNBUFFERED=1"};
      AppliedExpectation e;
      e.status = Status::kFail;
      e.step = "1.0";
      e.observed = 2;
      e.reason = "known";
      e.link = "https://example.invalid/bug/1";
      e.file = "known.json";
      r.expectation = e;
      r.repetition = Repetition{3, {Status::kPass, Status::kFail, Status::kPass}, "flaky"};
    }
    if (s == Status::kFail) {
      r.failures = {{"1.0", "what happened", {{"returns", 1}}, 2, "pthread_sigmask(SIG_BLOCK, {SIGUSR1})"},
                    {"", "expected the process to exit with code 0; it ended with exit code 1",
                     {{"exit", {{"code", 0}}}}, {{"exit", "exit code 1"}}, ""}};
    }
    results.push_back(r);
  }
  Result broken;
  broken.case_id = "area/fail";
  broken.implementation = "broken";
  broken.status = Status::kError;
  broken.message = "the driver could not describe itself: describe exited 1";
  results.push_back(broken);
  return results;
}

}  // namespace sigconform
