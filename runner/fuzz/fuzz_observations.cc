// libFuzzer target: a driver's observation stream, fed in pieces of changing size, then the
// records judged against a case that uses every kind of expectation (matchers of each form,
// events with timing, audit, elapsed, bindings, threads, the end of the process).
#include <cstddef>
#include <cstdint>
#include <string>

#include "catalog.h"
#include "evaluate.h"
#include "matcher.h"
#include "observation_stream.h"

namespace {

const char kCase[] = R"({
  "id": "area/name", "title": "Everything the evaluation can look at", "rules": ["meta.fuzz"],
  "handlers": {"h": {}},
  "steps": [
    {"call": "getsignal", "args": ["@SIGINT"], "bind": "old",
     "expect": {"returns": {"$one_of": [{"Handlers": "SIG_DFL"}, {"builtin": "default_int_handler"}]}}},
    {"call": "pthread_sigmask", "args": ["@SIG_BLOCK", []],
     "expect": {"returns": {"$all": [{"$type": "set"}, {"$excludes": [{"Signals": "SIGKILL"}]},
                                     {"$len": {"$range": [0, 64]}}]}}},
    {"call": "sigtimedwait", "args": [["@SIGUSR1"], {"float": 0.5}],
     "expect": {"returns": {"struct": "struct_siginfo", "fields": {"si_signo": {"$signum": "SIGUSR1"},
                "si_code": {"$intlike": 0}}}}},
    {"do": "pipe", "bind": ["r", "w"], "expect": {"returns": {"tuple": [{"$type": "int"}, {"$below": 1024}]}}},
    {"do": "read", "fd": "$r", "size": 4, "expect": {"returns": {"$signal_bytes": ["SIGUSR1"]}}},
    {"do": "thread", "name": "t", "steps": [
      {"do": "kill", "sig": "@SIGUSR1", "expect": {"elapsed": [0, 5]}},
      {"call": "getsignal", "args": ["@SIGUSR1"], "expect": {"returns": {"handler": "h"}}}]},
    {"do": "join", "name": "t", "timeout": 5, "expect": {"returns": true,
     "events": [{"handler": "h", "sig": "SIGUSR1", "thread": "main", "after_start_of": "5.0"}]}},
    {"call": "getsignal", "args": ["@SIGINT"], "expect": {"returns": "$old"}},
    {"call": "signal", "args": ["@SIGUSR2", {"handler": "h"}], "expect": {"raises": {"type": "OSError",
     "isa": ["Exception"], "not_isa": ["KeyboardInterrupt"], "errno": "EINVAL", "message_contains": "x"}}},
    {"do": "check", "expect": {"returns": [{"set": [1, 2]}, {"tuple": []}, {"float": 1.5}, {"bytes": "00ff"},
     null, true, "text", {"$not": {"$any": true}}, {"$contains": [1]}, {"$every": {"$type": "int"}}]}}
  ],
  "exit": {"code": 0},
  "stderr": {"excludes": ["Traceback"]}
})";

const sigconform::Case& TheCase() {
  static const sigconform::Case c = [] {
    sigconform::Case out;
    const auto errors = sigconform::ParseAndValidateCase(kCase, "fuzz.json", "area/name", &out);
    if (!errors.empty()) __builtin_trap();  // the target itself is broken
    return out;
  }();
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sigconform::ObservationStream stream(1u << 20);
  stream.set_request_handler([](const nlohmann::json&) { return std::string(); });
  // Pieces of 1, 2, 3... bytes, so that lines are cut everywhere.
  size_t at = 0, piece = 1;
  while (at < size) {
    const size_t n = piece < size - at ? piece : size - at;
    stream.Feed(reinterpret_cast<const char*>(data) + at, n);
    at += n;
    piece = piece % 97 + 1;
  }
  stream.Finish();
  sigconform::RunRecord run;
  run.records = std::move(stream.records());
  run.protocol_errors = std::move(stream.protocol_errors());
  run.observations_truncated = stream.truncated();
  run.status = sigconform::WaitStatus{size % 3 != 0, static_cast<int>(size % 5),
                                      size % 3 == 0 ? 11 : 0, false};
  for (const auto& record : run.records) (void)sigconform::Describe(record);
  const sigconform::Result r = sigconform::Evaluate(TheCase(), run);
  (void)r.expected.dump();
  (void)r.observed.dump();
  // Without protocol errors the evaluation walks the records: judge those too.
  run.protocol_errors.clear();
  run.observations_truncated = false;
  (void)sigconform::Evaluate(TheCase(), run);
  return 0;
}
