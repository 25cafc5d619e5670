#include "evaluate.h"

#include <gtest/gtest.h>

#include <csignal>

#include "catalog.h"
#include "text.h"

namespace sigconform {
namespace {

using nlohmann::json;

// A validated case with these steps (and any other top-level keys in `extra`).
Case Make(const char* steps, const json& extra = json::object()) {
  json doc = {{"id", "area/name"},
              {"title", "A case for the evaluation tests"},
              {"rules", {"meta.test"}},
              {"handlers", {{"h", json::object()}, {"g", json::object()}}},
              {"steps", json::parse(steps)}};
  for (const auto& item : extra.items()) doc[item.key()] = item.value();
  Case c;
  const auto errors = ValidateCase(doc, "area/name.json", "area/name", &c);
  for (const auto& e : errors) ADD_FAILURE() << FormatCatalogError(e);
  return c;
}

json Start() { return {{"ev", "start"}, {"protocol", 1}, {"case", "area/name"}, {"t", 0.0}}; }
json Done() { return {{"ev", "done"}, {"t", 1.0}}; }

json Ok(const std::string& path, const json& value = nullptr, double t0 = 0.1, double t1 = 0.2,
        const std::string& thread = "main") {
  return {{"ev", "step"}, {"path", path}, {"thread", thread}, {"t0", t0}, {"t1", t1},
          {"ok", true},   {"value", value}, {"t", t1}};
}

json Raised(const std::string& path, const std::string& type, std::vector<std::string> mro,
            const json& errno_name = nullptr, const std::string& message = "boom") {
  return {{"ev", "step"}, {"path", path}, {"thread", "main"}, {"t0", 0.1}, {"t1", 0.2},
          {"ok", false},
          {"exception", {{"type", type}, {"mro", mro}, {"errno", errno_name}, {"message", message}}},
          {"t", 0.2}};
}

json Handler(const std::string& name, const json& signame, int signum,
             const std::string& thread = "main", const std::string& frame = "frame") {
  return {{"ev", "handler"}, {"handler", name}, {"signum", signum}, {"signame", signame},
          {"thread", thread}, {"frame", frame}, {"t", 0.15}};
}

WaitStatus Exited(int code) { return {true, code, 0, false}; }
WaitStatus Killed(int sig, bool core = false) { return {false, 0, sig, core}; }

RunRecord Record(std::vector<json> records, std::optional<WaitStatus> status = Exited(0)) {
  RunRecord r;
  r.argv = {"driver", "run"};
  r.env = {"PATH=/usr/bin"};
  r.records = std::move(records);
  r.status = status;
  r.seconds = 0.5;
  return r;
}

const char* kTwoChecks = R"([{"do": "check"}, {"do": "check"}])";

TEST(Evaluate, PassesWhenEverythingHolds) {
  const Result r = Evaluate(Make(kTwoChecks), Record({Start(), Ok("0"), Ok("1"), Done()}));
  EXPECT_EQ(r.status, Status::kPass) << r.message;
  EXPECT_EQ(r.case_id, "area/name");
  EXPECT_EQ(r.message, "");
  EXPECT_EQ(r.step, "");
  EXPECT_TRUE(r.expected.is_null());
  EXPECT_TRUE(r.observed.is_null());
  EXPECT_EQ(r.exit_description, "exit code 0");
  EXPECT_EQ(r.env, std::vector<std::string>{"PATH=/usr/bin"});
  EXPECT_DOUBLE_EQ(r.seconds, 0.5);
  EXPECT_EQ(r.implementation, "");
}

TEST(Evaluate, LaunchErrorIsError) {
  RunRecord run = Record({}, std::nullopt);
  run.launch_error = "exec: No such file or directory";
  const Result r = Evaluate(Make(kTwoChecks), run);
  EXPECT_EQ(r.status, Status::kError);
  EXPECT_EQ(r.message, "the driver could not be started: exec: No such file or directory");
  EXPECT_EQ(r.exit_description, "");
}

TEST(Evaluate, InterruptedIsErrorEvenWithGoodRecords) {
  RunRecord run = Record({Start(), Ok("0"), Ok("1"), Done()});
  run.interrupted = true;
  EXPECT_EQ(Evaluate(Make(kTwoChecks), run).status, Status::kError);
}

TEST(Evaluate, ProtocolErrorsAreErrors) {
  RunRecord run = Record({Start(), Ok("0"), Ok("1"), Done()});
  run.protocol_errors = {"line 3: not a JSON object", "line 4: no \"ev\""};
  const Result r = Evaluate(Make(kTwoChecks), run);
  EXPECT_EQ(r.status, Status::kError);
  EXPECT_EQ(r.message, "the driver broke the protocol: line 3: not a JSON object (and 1 more)");
}

TEST(Evaluate, TruncatedObservationsAreAnError) {
  RunRecord run = Record({Start(), Ok("0"), Ok("1"), Done()});
  run.observations_truncated = true;
  EXPECT_EQ(Evaluate(Make(kTwoChecks), run).status, Status::kError);
}

TEST(Evaluate, FirstRecordMustBeStartOfThisCaseInProtocol1) {
  json other = Start();
  other["case"] = "area/other";
  json v2 = Start();
  v2["protocol"] = 2;
  for (const json& first : {other, v2, Ok("0")}) {
    const Result r = Evaluate(Make(kTwoChecks), Record({first, Ok("0"), Ok("1"), Done()}));
    EXPECT_EQ(r.status, Status::kError) << first;
    EXPECT_NE(r.message.find("the first record must be"), std::string::npos) << r.message;
  }
}

TEST(Evaluate, NoRecordsIsErrorOrTimeout) {
  Result r = Evaluate(Make(kTwoChecks), Record({}, Exited(1)));
  EXPECT_EQ(r.status, Status::kError);
  EXPECT_EQ(r.message, "the driver wrote no start record (exit code 1)");
  RunRecord hung = Record({}, Killed(SIGKILL));
  hung.timed_out = true;
  r = Evaluate(Make(kTwoChecks), hung);
  EXPECT_EQ(r.status, Status::kTimeout);
}

TEST(Evaluate, IsolationIsForkExecUnlessTheStartRecordSaysMore) {
  EXPECT_EQ(Evaluate(Make(kTwoChecks), Record({Start(), Ok("0"), Ok("1"), Done()})).isolation,
            "fork-exec");
  json start = Start();
  start["isolation"] = "snapshot-restore";
  EXPECT_EQ(Evaluate(Make(kTwoChecks), Record({start, Ok("0"), Ok("1"), Done()})).isolation,
            "snapshot-restore");
  // An untrusted driver cannot put anything else there.
  start["isolation"] = "\x1b[31mred";
  EXPECT_EQ(Evaluate(Make(kTwoChecks), Record({start, Ok("0"), Ok("1"), Done()})).isolation,
            "fork-exec");
  // Nothing ran: no isolation at all.
  RunRecord failed = Record({});
  failed.launch_error = "exec failed";
  failed.status.reset();
  EXPECT_EQ(Evaluate(Make(kTwoChecks), failed).isolation, "");
}

TEST(Evaluate, KilledBeforeTheStartRecordFailsAtTheFirstStep) {
  // spec/case-format.md: an implementation that ends early fails at the first step it did not
  // reach; a death before the start record is no exception.
  Result r = Evaluate(Make(kTwoChecks), Record({}, Killed(SIGUSR1)));
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_EQ(r.step, "0");
  EXPECT_EQ(r.message, "the process ended (killed by SIGUSR1) before the driver wrote its start "
                       "record: no step ran");
  // A crash signal there is a crash, not a verdict (the table of end states, row 6).
  r = Evaluate(Make(kTwoChecks), Record({}, Killed(SIGSEGV, true)));
  EXPECT_EQ(r.status, Status::kCrash);
}

TEST(Evaluate, StepRecordForAPathTheCaseLacksIsError) {
  const Result r = Evaluate(Make(kTwoChecks), Record({Start(), Ok("0"), Ok("7"), Done()}));
  EXPECT_EQ(r.status, Status::kError);
  EXPECT_EQ(r.message, "record 3: a step record for path 7, which the case does not have");
  EXPECT_EQ(r.observed["path"], "7");
}

TEST(Evaluate, DuplicateStepRecordIsError) {
  const Result r = Evaluate(Make(kTwoChecks), Record({Start(), Ok("0"), Ok("0"), Ok("1"), Done()}));
  EXPECT_EQ(r.status, Status::kError);
  EXPECT_EQ(r.message, "record 3: a second step record for path 0");
}

TEST(Evaluate, UnknownAndMalformedRecordsAreErrors) {
  json odd = {{"ev", "describe"}, {"t", 0.1}};
  Result r = Evaluate(Make(kTwoChecks), Record({Start(), odd, Ok("0"), Ok("1"), Done()}));
  EXPECT_EQ(r.status, Status::kError);
  EXPECT_EQ(r.message, "record 2: a record of unknown kind 'describe'");

  json no_ok = Ok("0");
  no_ok.erase("ok");
  r = Evaluate(Make(kTwoChecks), Record({Start(), no_ok, Ok("1"), Done()}));
  EXPECT_EQ(r.status, Status::kError);
  EXPECT_NE(r.message.find("without a boolean 'ok'"), std::string::npos);

  json no_mro = Raised("0", "ValueError", {});
  no_mro["exception"].erase("mro");
  r = Evaluate(Make(kTwoChecks), Record({Start(), no_mro, Ok("1"), Done()}));
  EXPECT_EQ(r.status, Status::kError);

  json bad_handler = Handler("h", "SIGUSR1", SIGUSR1);
  bad_handler.erase("thread");
  r = Evaluate(Make(kTwoChecks), Record({Start(), bad_handler, Ok("0"), Ok("1"), Done()}));
  EXPECT_EQ(r.status, Status::kError);

  r = Evaluate(Make(kTwoChecks), Record({Start(), Ok("0"), Ok("1"), Done(), Done()}));
  EXPECT_EQ(r.status, Status::kError);
}

TEST(Evaluate, TimeoutSaysTheLastStepObserved) {
  RunRecord run = Record({Start(), Ok("0")}, Killed(SIGTERM));
  run.timed_out = true;
  Result r = Evaluate(Make(kTwoChecks, {{"timeout", 2.5}}), run);
  EXPECT_EQ(r.status, Status::kTimeout);
  EXPECT_EQ(r.message, "timed out after 2.5 s; the last step observed was 0");
  EXPECT_EQ(r.exit_description, "killed by SIGTERM");
  run.records = {Start()};
  r = Evaluate(Make(kTwoChecks), run);
  EXPECT_EQ(r.message, "timed out after 10 s; no step was observed");
}

TEST(Evaluate, TimeoutWinsOverWhatTheKilledDriverLeftHalfDone) {
  // Killed at its timeout, a driver may leave a cut line or odd records: the timeout is what
  // happened.
  RunRecord run = Record({Start(), Ok("9")}, Killed(SIGKILL));
  run.timed_out = true;
  run.protocol_errors = {"line 3: last line has no newline: {\"ev\":"};
  EXPECT_EQ(Evaluate(Make(kTwoChecks), run).status, Status::kTimeout);
}

TEST(Evaluate, UnreapedProcessIsError) {
  const Result r = Evaluate(Make(kTwoChecks), Record({Start(), Ok("0"), Ok("1"), Done()}, std::nullopt));
  EXPECT_EQ(r.status, Status::kError);
  EXPECT_EQ(r.exit_description, "not reaped");
}

TEST(Evaluate, ReturnsMismatchFailsAtTheStepWithExpectedAndObserved) {
  const Case c = Make(R"([{"call": "getsignal", "args": ["@SIGUSR1"],
                           "expect": {"returns": {"Signals": "SIGUSR2"}}}])");
  const json rec = Ok("0", 12);
  const Result r = Evaluate(c, Record({Start(), rec, Done()}));
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_EQ(r.step, "0");
  EXPECT_EQ(r.message, "step 0: expected a member of Signals named SIGUSR2, got int 12");
  EXPECT_EQ(r.expected, json::parse(R"({"returns": {"Signals": "SIGUSR2"}})"));
  EXPECT_EQ(r.observed, rec);
}

TEST(Evaluate, FirstFailureWins) {
  const Case c = Make(R"([{"do": "check", "expect": {"returns": 1}},
                          {"do": "check", "expect": {"returns": 2}}])");
  const Result r = Evaluate(c, Record({Start(), Ok("1", 3), Ok("0", 3), Done()}));
  EXPECT_EQ(r.step, "0");
  ASSERT_EQ(r.failures.size(), 2u);  // in the case's order, whatever the stream's
  EXPECT_EQ(r.failures[1].step, "1");
}

TEST(Evaluate, RaisesChecksTypeBasesErrnoAndMessage) {
  const json itimer = Raised("0", "ItimerError", {"ItimerError", "OSError", "Exception", "BaseException"},
                             "EINVAL", "[Errno 22] Invalid argument");
  const auto verdict = [&](const char* raises, const json& rec) {
    const Case c = Make((std::string(R"([{"call": "setitimer", "expect": {"raises": )") + raises + "}}]").c_str());
    return Evaluate(c, Record({Start(), rec, Done()}));
  };
  EXPECT_EQ(verdict(R"("ItimerError")", itimer).status, Status::kPass);
  EXPECT_EQ(verdict(R"({"isa": ["OSError", "Exception"], "errno": "EINVAL"})", itimer).status, Status::kPass);
  EXPECT_EQ(verdict(R"({"not_isa": ["KeyboardInterrupt"], "message_contains": "Invalid"})", itimer).status,
            Status::kPass);

  Result r = verdict(R"("OSError")", itimer);  // the type is exact: a subclass is not enough
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_EQ(r.message, "step 0: expected OSError, raised ItimerError: [Errno 22] Invalid argument");
  EXPECT_EQ(r.expected, json::parse(R"({"raises": "OSError"})"));
  r = verdict(R"({"isa": ["ValueError"]})", itimer);
  EXPECT_NE(r.message.find("expected an exception that is a ValueError"), std::string::npos) << r.message;
  r = verdict(R"({"not_isa": ["OSError"]})", itimer);
  EXPECT_NE(r.message.find("not a OSError"), std::string::npos) << r.message;
  r = verdict(R"({"errno": "EPERM"})", itimer);
  EXPECT_NE(r.message.find("expected errno EPERM, got EINVAL"), std::string::npos) << r.message;
  r = verdict(R"({"errno": "EPERM"})", Raised("0", "ValueError", {"ValueError", "Exception"}));
  EXPECT_NE(r.message.find("got none"), std::string::npos) << r.message;
  r = verdict(R"({"message_contains": "xyz"})", itimer);
  EXPECT_NE(r.message.find("containing 'xyz'"), std::string::npos) << r.message;
  r = verdict(R"("ValueError")", Ok("0", 5));
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_EQ(r.message, "step 0: expected an exception, returned 5");
}

TEST(Evaluate, ExpectedAValueButTheStepRaised) {
  const Case c = Make(R"([{"call": "alarm", "args": [0], "expect": {"returns": 0}}])");
  const Result r = Evaluate(c, Record({Start(), Raised("0", "TypeError", {"TypeError", "Exception"}), Done()}));
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_EQ(r.message, "step 0: expected a value matching 0, raised TypeError: boom");
}

TEST(Evaluate, AStepWithoutReturnsOrRaisesMustNotRaise) {
  const Result r = Evaluate(Make(kTwoChecks),
                            Record({Start(), Ok("0"), Raised("1", "RuntimeError", {"RuntimeError"}), Done()}));
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_EQ(r.step, "1");
  EXPECT_EQ(r.message, "step 1: unexpected exception RuntimeError: boom");
  EXPECT_TRUE(r.expected.is_null());
  EXPECT_EQ(r.observed["exception"]["type"], "RuntimeError");
}

TEST(Evaluate, BindsWholeValuesAndUnpacksTuples) {
  const Case c = Make(R"([
    {"call": "setitimer", "bind": "old"},
    {"do": "pipe", "bind": ["r", "w"]},
    {"call": "getitimer", "expect": {"returns": "$old"}},
    {"do": "check", "expect": {"returns": "$w"}}])");
  const json old = json::parse(R"({"tuple": [{"float": 0.0}, {"float": 0.5}]})");
  Result r = Evaluate(c, Record({Start(), Ok("0", old), Ok("1", {{"tuple", {3, 4}}}), Ok("2", old),
                              Ok("3", 4), Done()}));
  EXPECT_EQ(r.status, Status::kPass) << r.message;
  r = Evaluate(c, Record({Start(), Ok("0", old), Ok("1", {{"tuple", {3, 4}}}), Ok("2", old), Ok("3", 3),
                       Done()}));
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_EQ(r.message, "step 3: expected $w, which is int 4, got int 3");
}

TEST(Evaluate, UnpackingTheWrongShapeFails) {
  const Case c = Make(R"([{"do": "pipe", "bind": ["r", "w"]}])");
  const Result r = Evaluate(c, Record({Start(), Ok("0", {{"tuple", {3}}}), Done()}));
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_EQ(r.message, "step 0: cannot unpack (3,) into 2 names [\"r\",\"w\"]");
}

TEST(Evaluate, AStepThatRaisedLeavesItsNameUnbound) {
  const Case c = Make(R"([{"call": "f", "bind": "x", "expect": {"raises": "ValueError"}},
                          {"do": "check", "expect": {"returns": "$x"}}])");
  const Result r = Evaluate(c, Record({Start(), Raised("0", "ValueError", {"ValueError"}), Ok("1", 1), Done()}));
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_NE(r.message.find("$x is not bound"), std::string::npos) << r.message;
}

TEST(Evaluate, EventsAreTheHandlerRecordsBeforeTheStepRecord) {
  const Case c = Make(R"([{"do": "kill", "sig": "@SIGUSR1"},
    {"do": "check", "expect": {"events": [{"handler": "h", "sig": "SIGUSR1", "thread": "main", "frame": "frame"}]}}])");
  Result r = Evaluate(c, Record({Start(), Ok("0"), Handler("h", "SIGUSR1", SIGUSR1), Ok("1"), Done()}));
  EXPECT_EQ(r.status, Status::kPass) << r.message;
  // The same event arriving after the step's record does not count for it.
  r = Evaluate(c, Record({Start(), Ok("0"), Ok("1"), Handler("h", "SIGUSR1", SIGUSR1), Done()}));
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_EQ(r.message, "step 1: expected 1 handler events by the end of the step, observed 0: []");
  EXPECT_EQ(r.expected["events"].size(), 1u);
  EXPECT_EQ(r.observed, json::array());
}

TEST(Evaluate, AuditIsTheAuditRecordsBeforeTheStepRecord) {
  const Case c = Make(R"([{"do": "ident", "thread": "main", "bind": "me"},
    {"do": "check", "expect": {"audit": [{"event": "signal.pthread_kill", "args": {"tuple": ["$me", 0]}}]}}])");
  const json audit = {{"ev", "audit"}, {"event", "signal.pthread_kill"},
                      {"args", {{"tuple", {77, 0}}}}, {"thread", "main"}, {"t", 0.15}};
  Result r = Evaluate(c, Record({Start(), Ok("0", 77), audit, Ok("1"), Done()}));
  EXPECT_EQ(r.status, Status::kPass) << r.message;
  r = Evaluate(c, Record({Start(), Ok("0", 78), audit, Ok("1"), Done()}));
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_NE(r.message.find("audit event 0 (signal.pthread_kill) arguments"), std::string::npos)
      << r.message;
  r = Evaluate(c, Record({Start(), Ok("0", 77), Ok("1"), audit, Done()}));
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_NE(r.message.find("expected 1 audit events by the end of the step, observed 0"),
            std::string::npos) << r.message;
  // An audit record without its event name is a protocol error.
  r = Evaluate(c, Record({Start(), Ok("0", 77), json{{"ev", "audit"}, {"t", 0.1}}, Ok("1"), Done()}));
  EXPECT_EQ(r.status, Status::kError) << r.message;
}

TEST(Evaluate, EventsCompareHandlerSignalThreadAndFrame) {
  const Case c = Make(R"([{"do": "thread", "name": "t", "steps": [{"do": "check"}]},
    {"do": "check", "expect": {"events": [{"handler": "h", "sig": "SIGUSR1", "thread": "main", "frame": "none"}]}}])");
  const auto verdict = [&](const json& event) {
    return Evaluate(c, Record({Start(), Ok("0"), Ok("0.0", nullptr, 0.1, 0.2, "t"), event, Ok("1"), Done()}));
  };
  EXPECT_EQ(verdict(Handler("h", "SIGUSR1", SIGUSR1, "main", "none")).status, Status::kPass);
  // A driver that could not name the signal: compared by number.
  EXPECT_EQ(verdict(Handler("h", nullptr, SIGUSR1, "main", "none")).status, Status::kPass);
  EXPECT_EQ(verdict(Handler("h", nullptr, SIGUSR2, "main", "none")).status, Status::kFail);
  EXPECT_EQ(verdict(Handler("g", "SIGUSR1", SIGUSR1, "main", "none")).status, Status::kFail);
  EXPECT_EQ(verdict(Handler("h", "SIGUSR2", SIGUSR2, "main", "none")).status, Status::kFail);
  EXPECT_EQ(verdict(Handler("h", "SIGUSR1", SIGUSR1, "main", "frame")).status, Status::kFail);
  const Result r = verdict(Handler("h", "SIGUSR1", SIGUSR1, "t", "none"));
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_EQ(r.message, "step 1: event 0: expected h(SIGUSR1, thread main, frame none), observed "
                       "h(SIGUSR1, thread t, frame none)");
}

TEST(Evaluate, EventFieldsLeftOutAreFree) {
  const Case c = Make(R"([{"do": "check", "expect": {"events": [{"handler": "h"}]}}])");
  const Result r = Evaluate(c, Record({Start(), Handler("h", "SIGALRM", SIGALRM, "other", "none"), Ok("0"), Done()}));
  EXPECT_EQ(r.status, Status::kPass) << r.message;
}

TEST(Evaluate, EventTimingComparesTheHandlersTWithAStepsStart) {
  // Step 1.0 (in thread t) starts at 0.5; the handler's record says when it ran.
  const auto verdict = [](const char* key, double ran) {
    const std::string steps = std::string(R"([{"do": "check"},
      {"do": "thread", "name": "t", "steps": [{"do": "check"}]},
      {"do": "check", "expect": {"events": [{"handler": "h", ")") + key + R"(": "1.0"}]}}])";
    json handler = Handler("h", "SIGUSR1", SIGUSR1);
    handler["t"] = ran;
    return Evaluate(Make(steps.c_str()),
                    Record({Start(), Ok("0"), Ok("1"), Ok("1.0", nullptr, 0.5, 0.6, "t"), handler,
                            Ok("2", nullptr, 0.7, 0.8), Done()}));
  };
  EXPECT_EQ(verdict("after_start_of", 0.55).status, Status::kPass);
  EXPECT_EQ(verdict("after_start_of", 0.5).status, Status::kPass);
  EXPECT_EQ(verdict("before_start_of", 0.45).status, Status::kPass);
  EXPECT_EQ(verdict("before_start_of", 0.5).status, Status::kFail);
  const Result r = verdict("after_start_of", 0.45);
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_EQ(r.step, "2");
  EXPECT_EQ(r.message, "step 2: event 0 (h(SIGUSR1, thread main, frame frame)): expected it after "
                       "step 1.0 started (t0 0.500 s); it ran at 0.450 s");
}

TEST(Evaluate, EventTimingAgainstAStepNeverObservedFails) {
  const Case c = Make(R"([{"do": "check", "expect": {"events": [{"handler": "h", "after_start_of": "1"}]}},
    {"do": "check"}])");
  const Result r = Evaluate(c, Record({Start(), Handler("h", "SIGUSR1", SIGUSR1), Ok("0")},
                                      Killed(SIGTERM)));
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_NE(r.message.find("step 1 was not observed"), std::string::npos) << r.message;
}

TEST(Evaluate, ElapsedIsAWindowOnT1MinusT0) {
  const Case c = Make(R"([{"do": "sleep", "seconds": 1, "expect": {"elapsed": [0.5, 3]}}])");
  EXPECT_EQ(Evaluate(c, Record({Start(), Ok("0", nullptr, 1.0, 2.0), Done()})).status, Status::kPass);
  const Result r = Evaluate(c, Record({Start(), Ok("0", nullptr, 1.0, 1.25), Done()}));
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_EQ(r.message, "step 0: the step took 0.250 s, expected between 0.5 and 3 s");
  EXPECT_EQ(Evaluate(c, Record({Start(), Ok("0", nullptr, 1.0, 5.0), Done()})).status, Status::kFail);
}

TEST(Evaluate, ElapsedFromMeasuresFromTheStartOfTheEarlierStep) {
  // The timer armed at step 0 (t0 1.0) expires during a pause before step 1 starts (t0 1.4):
  // the wait itself takes 0.1 s, the whole 0.5 s.
  const Case c = Make(R"([{"call": "setitimer", "args": ["@ITIMER_REAL", {"float": 0.45}]},
    {"do": "wait", "events": 1, "timeout": 8, "expect": {"elapsed": [0.45, 8], "elapsed_from": "0"}}])");
  EXPECT_EQ(Evaluate(c, Record({Start(), Ok("0", nullptr, 1.0, 1.01), Ok("1", 1, 1.4, 1.5), Done()}))
                .status,
            Status::kPass);
  const Result r =
      Evaluate(c, Record({Start(), Ok("0", nullptr, 1.0, 1.01), Ok("1", 1, 1.01, 1.3), Done()}));
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_EQ(r.message, "step 1: from the start of step 0 to the end of this one took 0.300 s, "
                       "expected between 0.45 and 8 s");
  EXPECT_EQ(r.expected, (json{{"elapsed", {0.45, 8}}, {"elapsed_from", "0"}}));
}

TEST(Evaluate, ThreadSubstepsAreJudgedRightAfterTheirThreadStep) {
  const Case c = Make(R"([
    {"do": "thread", "name": "t", "steps": [{"do": "check"}, {"do": "check", "expect": {"returns": 1}}]},
    {"do": "join", "name": "t", "timeout": 5, "expect": {"returns": true}}])");
  // The join record comes first in the stream and fails too; the thread's step is earlier.
  const Result r = Evaluate(c, Record({Start(), Ok("0"), Ok("1", false), Ok("0.0", nullptr, 0.1, 0.2, "t"),
                                    Ok("0.1", 2, 0.1, 0.2, "t"), Done()}));
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_EQ(r.step, "0.1");
}

TEST(Evaluate, AMissingThreadSubstepFails) {
  const Case c = Make(R"([{"do": "thread", "name": "t", "steps": [{"do": "check"}]}, {"do": "check"}])");
  const Result r = Evaluate(c, Record({Start(), Ok("0"), Ok("1"), Done()}));
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_EQ(r.message.rfind("the process ended (exit code 0) before step 0.0; the last thing "
                            "observed was step 1, which returned ", 0), 0u) << r.message;
}

TEST(Evaluate, AStrayExceptionFails) {
  json stray = {{"ev", "stray"}, {"thread", "main"}, {"t", 0.3},
                {"exception", {{"type", "KeyboardInterrupt"}, {"mro", {"KeyboardInterrupt", "BaseException"}},
                               {"errno", nullptr}, {"message", ""}}}};
  const Result r = Evaluate(Make(kTwoChecks), Record({Start(), Ok("0"), stray, Ok("1"), Done()}));
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_EQ(r.message, "an exception escaped outside any step: KeyboardInterrupt (thread main)");
  EXPECT_EQ(r.step, "");
  EXPECT_EQ(r.observed, stray);
  // A stray that ended the program explains the missing steps better than "ended early".
  const Result early = Evaluate(Make(kTwoChecks), Record({Start(), Ok("0"), stray}, Exited(1)));
  EXPECT_EQ(early.message, r.message);
}

TEST(Evaluate, DeathByASignalBeforeAStepFailsAtThatStep) {
  // SIGUSR1's default action ended it: the implementation did not behave (say, a handler
  // was not installed); that is a failure at the first step it did not reach.
  const Result r = Evaluate(Make(kTwoChecks), Record({Start(), Ok("0")}, Killed(SIGUSR1)));
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_EQ(r.step, "1");
  EXPECT_EQ(r.message, "the process ended (killed by SIGUSR1) before step 1; the last thing "
                       "observed was step 0, which returned None");
  ASSERT_EQ(r.failures.size(), 1u);  // the way it ended is this failure, not a second one
}

// Issue 12, failure 5: exiting after the start record without `done`, or closing descriptor
// 3 early, was scored as a failing implementation ("ended before step 0").
TEST(Evaluate, ExitingWithoutDoneIsAnErrorWhateverTheCode) {
  for (int code : {0, 1, 3}) {
    SCOPED_TRACE(code);
    const Result r = Evaluate(Make(kTwoChecks), Record({Start()}, Exited(code)));
    EXPECT_EQ(r.status, Status::kError);
    EXPECT_EQ(r.message, "the driver exited (exit code " + std::to_string(code) +
                             ") without writing its done record before its first step");
  }
  // Descriptor 3 closed after step 0, then a normal exit: the rest was never reported.
  const Result r = Evaluate(Make(kTwoChecks), Record({Start(), Ok("0")}, Exited(0)));
  EXPECT_EQ(r.status, Status::kError);
  EXPECT_EQ(r.message, "the driver exited (exit code 0) without writing its done record after "
                       "step 0 (the last one observed)");
}

// Issue 12, failure 5: death by SIGKILL (the OOM killer) was scored as `fail`.
TEST(Evaluate, SigkillThatNeitherTheCaseNorTheRunnerSentIsAnError) {
  Result r = Evaluate(Make(kTwoChecks), Record({Start(), Ok("0")}, Killed(SIGKILL)));
  EXPECT_EQ(r.status, Status::kError);
  EXPECT_EQ(r.message, "the driver was killed by SIGKILL, which neither the case nor the runner "
                       "sent (the kernel's out-of-memory killer, or a process outside the case) "
                       "after step 0 (the last one observed)");
  // Sent by the runner at the timeout: a timeout.
  RunRecord timed_out = Record({Start(), Ok("0")}, Killed(SIGKILL));
  timed_out.timed_out = true;
  EXPECT_EQ(Evaluate(Make(kTwoChecks), timed_out).status, Status::kTimeout);
  // Sent by the case itself: judged like any other end.
  const Case kills = Make(R"([{"do": "check"}, {"do": "kill", "sig": "@SIGKILL"}])",
                          {{"exit", {{"signal", "SIGKILL"}}}});
  EXPECT_EQ(Evaluate(kills, Record({Start(), Ok("0")}, Killed(SIGKILL))).status, Status::kPass);
  const Case kills_wrongly = Make(R"([{"do": "kill", "sig": "@SIGKILL"}, {"do": "check"}])");
  r = Evaluate(kills_wrongly, Record({Start()}, Killed(SIGKILL)));
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_EQ(r.step, "0");
}

// Issue 12, failure 5: a crash of the implementation is its own status, like WPT's CRASH.
TEST(Evaluate, ACrashIsItsOwnStatusSayingWhereItHappened) {
  Result r = Evaluate(Make(kTwoChecks), Record({Start(), Ok("0")}, Killed(SIGSEGV, true)));
  EXPECT_EQ(r.status, Status::kCrash);
  EXPECT_EQ(r.message, "the implementation crashed: killed by SIGSEGV (core dumped) after step 0 "
                       "(the last one observed)");
  EXPECT_EQ(r.exit_description, "killed by SIGSEGV (core dumped)");
  for (int sig : {SIGBUS, SIGILL, SIGABRT, SIGFPE, SIGSYS, SIGTRAP}) {
    EXPECT_EQ(Evaluate(Make(kTwoChecks), Record({Start()}, Killed(sig))).status, Status::kCrash)
        << sig;
  }
  // Even with a half-written record: the crash cut it.
  RunRecord cut = Record({Start(), Ok("0")}, Killed(SIGSEGV));
  cut.protocol_errors = {"line 3: last line has no newline: {\"ev\":\"st"};
  r = Evaluate(Make(kTwoChecks), cut);
  EXPECT_EQ(r.status, Status::kCrash);
  // And before any record at all.
  r = Evaluate(Make(kTwoChecks), Record({}, Killed(SIGABRT, true)));
  EXPECT_EQ(r.status, Status::kCrash);
  EXPECT_EQ(r.message, "the implementation crashed: killed by SIGABRT (core dumped) before its "
                       "first step");
}

TEST(Evaluate, ACrashSignalTheCaseSendsIsJudgedNotACrash) {
  // The case sends SIGSEGV to a handler; dying of it means the handler was not there.
  const Case c = Make(R"([{"call": "signal", "args": ["@SIGSEGV", {"handler": "h"}]},
                         {"do": "kill", "sig": "@SIGSEGV"}, {"do": "check"}])");
  const Result r = Evaluate(c, Record({Start(), Ok("0"), Ok("1")}, Killed(SIGSEGV)));
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_EQ(r.step, "2");
}

// Issue 12, failure 9: a case that runs into its memory or process limit is an error that
// says which, not a failure of the implementation.
TEST(Evaluate, ALimitReachedIsAnErrorWithTheReason) {
  RunRecord run = Record({Start(), Ok("0")}, Killed(SIGKILL));
  run.limit_reached = "the case reached its memory limit of 64 MiB: the kernel killed 1 of its processes";
  Result r = Evaluate(Make(kTwoChecks), run);
  EXPECT_EQ(r.status, Status::kError);
  EXPECT_EQ(r.message, run.limit_reached + " (killed by SIGKILL)");
  run.timed_out = true;  // a fork bomb held at its limit runs into the timeout: still the limit
  EXPECT_EQ(Evaluate(Make(kTwoChecks), run).message, r.message);
}

TEST(Evaluate, ProcessesLeftBehindAreMentionedInAResultThatIsNotAPass) {
  RunRecord run = Record({Start(), Ok("0")}, Killed(SIGTERM));
  run.leftover_processes = 2;
  Result r = Evaluate(Make(kTwoChecks), run);
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_EQ(r.message, "the process ended (killed by SIGTERM) before step 1; the last thing "
                       "observed was step 0, which returned None (2 of its processes outlived "
                       "the driver and were killed)");
  run = Record({Start(), Ok("0"), Ok("1"), Done()});
  run.leftover_processes = 2;
  EXPECT_EQ(Evaluate(Make(kTwoChecks), run).message, "");
}

// Issue 12, failure 8: a 7 MB observed value became a 7 MB console line and a 14 MB summary.
TEST(Evaluate, MessagesAndObservedValuesAreCapped) {
  const Case c = Make(R"([{"do": "check", "expect": {"returns": "short"}}])");
  const Result r = Evaluate(c, Record({Start(), Ok("0", std::string(7u << 20, 'x')), Done()}));
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_LE(r.message.size(), kMaxMessageBytes + 40);
  EXPECT_NE(r.message.find(" more bytes]"), std::string::npos);
  EXPECT_TRUE(r.observed.is_string());
  EXPECT_LE(r.observed.get<std::string>().size(), 16u * 1024 + 40);
  EXPECT_EQ(r.expected, json::parse(R"({"returns": "short"})"));  // small: kept whole
}

TEST(Evaluate, OnlyTheLastMainStepMayLackAnObservationWhenDeathBySignalIsExpected) {
  const Case c = Make(R"([{"do": "check"}, {"do": "kill", "sig": "@SIGTERM"}])",
                      {{"exit", {{"signal", "SIGTERM"}}}});
  EXPECT_EQ(Evaluate(c, Record({Start(), Ok("0")}, Killed(SIGTERM))).status, Status::kPass);
  EXPECT_EQ(Evaluate(c, Record({Start(), Ok("0"), Ok("1")}, Killed(SIGTERM))).status, Status::kPass);
  const Result r = Evaluate(c, Record({Start()}, Killed(SIGTERM)));
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_EQ(r.step, "0");
  // With a normal exit expected, even the last step must be observed.
  const Result normal = Evaluate(Make(kTwoChecks), Record({Start(), Ok("0"), Done()}));
  EXPECT_EQ(normal.status, Status::kFail);
  EXPECT_EQ(normal.step, "1");
}

TEST(Evaluate, ACrashSignalTheCaseAsksForIsNotACrash) {
  const Case c = Make(R"([{"do": "check"}, {"call": "abort"}])", {{"exit", {{"signal", "SIGABRT"}}}});
  const Result r = Evaluate(c, Record({Start(), Ok("0")}, Killed(SIGABRT, true)));
  EXPECT_EQ(r.status, Status::kPass) << r.message;
}

// Pyodide carries out SIGQUIT's default action by abort(): under emulation, a crash signal at
// the step meant to end the process is a wrong end, judged as such; anywhere else a crash.
TEST(Evaluate, UnderEmulationACrashSignalWhereTheCaseExpectsDeathBySignalIsAWrongEnd) {
  const Case c = Make(R"([{"do": "check"}, {"do": "kill", "sig": "@SIGQUIT"}])",
                      {{"exit", {{"signal", "SIGQUIT"}}}});
  const RunRecord aborted = Record({Start(), Ok("0")}, Killed(SIGABRT));
  EXPECT_EQ(Evaluate(c, aborted).status, Status::kCrash);
  Result r = Evaluate(c, aborted, /*emulated=*/true);
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_EQ(r.message, "expected the process to be killed by SIGQUIT; it ended with killed by SIGABRT");
  // A crash before the step meant to end it: the case expected to go on.
  r = Evaluate(c, Record({Start()}, Killed(SIGABRT)), /*emulated=*/true);
  EXPECT_EQ(r.status, Status::kCrash);
  // A case that expects an exit code expected to go on too.
  r = Evaluate(Make(kTwoChecks), Record({Start(), Ok("0")}, Killed(SIGABRT)), /*emulated=*/true);
  EXPECT_EQ(r.status, Status::kCrash);
}

TEST(Evaluate, ExitMismatchFails) {
  Result r = Evaluate(Make(kTwoChecks), Record({Start(), Ok("0"), Ok("1"), Done()}, Exited(2)));
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_EQ(r.message, "expected the process to exit with code 0; it ended with exit code 2");
  EXPECT_EQ(r.expected, json::parse(R"({"exit": {"code": 0}})"));
  EXPECT_EQ(r.observed, json::parse(R"({"exit": "exit code 2"})"));

  const Case by_signal = Make(kTwoChecks, {{"exit", {{"signal", "SIGPIPE"}}}});
  r = Evaluate(by_signal, Record({Start(), Ok("0"), Ok("1"), Done()}, Exited(0)));
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_EQ(r.message, "expected the process to be killed by SIGPIPE; it ended with exit code 0");
  r = Evaluate(by_signal, Record({Start(), Ok("0"), Ok("1")}, Killed(SIGTERM)));
  EXPECT_EQ(r.status, Status::kFail);
}

TEST(Evaluate, AnUnexpectedCrashAtTheEndIsACrash) {
  const Result r = Evaluate(Make(kTwoChecks), Record({Start(), Ok("0"), Ok("1"), Done()}, Killed(SIGBUS)));
  EXPECT_EQ(r.status, Status::kCrash);
  EXPECT_EQ(r.message, "the implementation crashed: killed by SIGBUS after step 1 (the last one "
                       "observed)");
}

TEST(Evaluate, ANormalExitWithoutDoneIsAnError) {
  Result r = Evaluate(Make(kTwoChecks), Record({Start(), Ok("0"), Ok("1")}));
  EXPECT_EQ(r.status, Status::kError);
  EXPECT_EQ(r.message, "the driver exited (exit code 0) without writing its done record after "
                       "step 1 (the last one observed)");
  // An exit step ends the program before done; so does an expected non-zero code.
  const Case exit_step = Make(R"([{"do": "check"}, {"do": "exit", "code": 0}])");
  EXPECT_EQ(Evaluate(exit_step, Record({Start(), Ok("0"), Ok("1")})).status, Status::kPass);
  const Case exit_three = Make(R"([{"do": "check"}, {"do": "exit", "code": 3}])", {{"exit", {{"code", 3}}}});
  EXPECT_EQ(Evaluate(exit_three, Record({Start(), Ok("0"), Ok("1")}, Exited(3))).status, Status::kPass);
}

TEST(Evaluate, CapturedStreamsAreChecked) {
  const json records = {Start(), Ok("0"), Ok("1"), Done()};
  const auto verdict = [&](const json& extra, const std::string& out, const std::string& err) {
    RunRecord run = Record(records);
    run.stdout_data = out;
    run.stderr_data = err;
    return Evaluate(Make(kTwoChecks, extra), run);
  };
  const json contains = {{"stdout", {{"contains", {"hello"}}}}};
  EXPECT_EQ(verdict(contains, "say hello\n", "").status, Status::kPass);
  Result r = verdict(contains, "bye\n", "");
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_EQ(r.message, "stdout does not contain 'hello'; it holds: 'bye\n'");
  EXPECT_EQ(r.expected, json::parse(R"({"stdout": {"contains": ["hello"]}})"));
  EXPECT_EQ(r.observed, json::parse(R"({"stdout": "bye\n"})"));
  r = verdict(contains, "", "");
  EXPECT_EQ(r.message, "stdout does not contain 'hello'; it holds: nothing");

  const json excludes = {{"stderr", {{"excludes", {"Traceback"}}}}};
  r = verdict(excludes, "", "Traceback (most recent call last):\n");
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_NE(r.message.find("stderr contains 'Traceback', which it must not"), std::string::npos);

  const json empty = {{"stderr", {{"empty", true}}}};
  EXPECT_EQ(verdict(empty, "out", "").status, Status::kPass);
  r = verdict(empty, "", "warning\n");
  EXPECT_EQ(r.message, "stderr must be empty; it holds 8 bytes: 'warning\n'");
}

TEST(Evaluate, EveryResultCarriesTheStderrExcerpt) {
  RunRecord run = Record({Start(), Ok("0"), Ok("1"), Done()});
  run.stderr_data = std::string(5000, 'x') + "THE END";
  const Result r = Evaluate(Make(kTwoChecks), run);
  EXPECT_EQ(r.status, Status::kPass);
  EXPECT_LE(r.stderr_excerpt.size(), 2003u);
  EXPECT_EQ(r.stderr_excerpt.substr(0, 3), "...");
  EXPECT_EQ(r.stderr_excerpt.substr(r.stderr_excerpt.size() - 7), "THE END");
  run.launch_error = "fork failed";
  EXPECT_EQ(Evaluate(Make(kTwoChecks), run).stderr_excerpt, r.stderr_excerpt);
}

TEST(DescribeWaitStatus, ExitCodesAndSignals) {
  EXPECT_EQ(DescribeWaitStatus(Exited(0)), "exit code 0");
  EXPECT_EQ(DescribeWaitStatus(Killed(SIGPIPE)), "killed by SIGPIPE");
  EXPECT_EQ(DescribeWaitStatus(Killed(SIGABRT, true)), "killed by SIGABRT (core dumped)");
  EXPECT_EQ(DescribeWaitStatus(std::nullopt), "not reaped");
}

TEST(Evaluate, RaisesClassComparesTheRawModuleAndName) {
  const Case c = Make(R"([{"call": "setitimer", "args": [-1, {"float": 1.0}],
      "expect": {"raises": {"type": "ItimerError", "class": {"module": "signal", "name": "itimer_error"}}}}])");
  json raised = Raised("0", "ItimerError", {"ItimerError", "OSError", "Exception", "BaseException"});
  raised["exception"]["class"] = {{"module", "signal"}, {"name", "itimer_error"}};
  EXPECT_EQ(Evaluate(c, Record({Start(), raised, Done()})).status, Status::kPass);
  raised["exception"]["class"]["name"] = "ItimerError";
  Result r = Evaluate(c, Record({Start(), raised, Done()}));
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_NE(r.message.find("expected the class's __name__ to be 'itimer_error', got 'ItimerError'"),
            std::string::npos) << r.message;
  raised["exception"].erase("class");
  r = Evaluate(c, Record({Start(), raised, Done()}));
  EXPECT_NE(r.message.find("got none reported"), std::string::npos) << r.message;
}

TEST(Evaluate, ForkedChildStepsAreCheckedAndItsExitIsNotTheProcesss) {
  const Case c = Make(R"([{"do": "fork", "name": "kid", "bind": "pid", "steps": [
                             {"call": "getsignal", "args": ["@SIGUSR1"], "expect": {"returns": 0}},
                             {"do": "exit", "code": 3}]},
                          {"do": "waitpid", "pid": "$pid", "timeout": 5}])");
  const std::vector<json> good = {Start(), Ok("0", 1234), Ok("0.0", 0, 0.1, 0.2, "kid"),
                                  Ok("0.1", nullptr, 0.1, 0.2, "kid"),
                                  Ok("1", {{"tuple", {"exited", 3}}}), Done()};
  EXPECT_EQ(Evaluate(c, Record(good)).status, Status::kPass) << Evaluate(c, Record(good)).message;
  // The child's steps must be observed like any other.
  Result r = Evaluate(c, Record({Start(), Ok("0", 1234), Ok("1", nullptr), Done()}));
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_EQ(r.step, "0.0");
  // The child's `exit` does not excuse a missing done record.
  std::vector<json> no_done = good;
  no_done.pop_back();
  EXPECT_EQ(Evaluate(c, Record(no_done)).status, Status::kError);
}

TEST(Evaluate, UncaughtLastStepNeedsNoDoneRecord) {
  const Case c = Make(R"([{"do": "kill", "sig": "@SIGINT", "uncaught": true}])",
                      {{"exit", {{"signal", "SIGINT"}}}});
  const Result r = Evaluate(
      c, Record({Start(), Raised("0", "KeyboardInterrupt", {"KeyboardInterrupt", "BaseException"})},
                Killed(SIGINT)));
  EXPECT_EQ(r.status, Status::kPass) << r.message;
}

// The table of end states, row 8, is for cases that run to their end: one whose last step lets
// its exception escape ends with the interpreter's exit status (1), and no done record.
TEST(Evaluate, UncaughtLastStepExitingWithoutDoneIsJudgedNotAnError) {
  const Case c = Make(R"([{"do": "check"}, {"do": "check", "uncaught": true,
                          "expect": {"raises": "RuntimeError"}}])",
                      {{"exit", {{"code", 1}}}});
  const Result r = Evaluate(
      c, Record({Start(), Ok("0"), Raised("1", "RuntimeError", {"RuntimeError", "Exception"})},
                Exited(1)));
  EXPECT_EQ(r.status, Status::kPass) << r.message;
}

TEST(Evaluate, EveryFailedExpectationIsReportedNotOnlyTheFirst) {
  const Case c = Make(R"([{"call": "getsignal", "args": ["@SIGUSR1"], "expect": {"returns": 0}},
                          {"do": "check"},
                          {"call": "getsignal", "args": ["@SIGUSR2"], "expect": {"returns": 1}}])",
                      {{"exit", {{"code", 3}}}});
  const Result r = Evaluate(c, Record({Start(), Ok("0", 5), Ok("1"), Ok("2", 7), Done()}));
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_EQ(r.step, "0");
  ASSERT_EQ(r.failures.size(), 3u) << r.message;
  EXPECT_EQ(r.failures[0].step, "0");
  EXPECT_EQ(r.failures[1].step, "2");
  EXPECT_EQ(r.failures[2].step, "");  // the exit code
  EXPECT_EQ(r.failures[2].expected, json({{"exit", {{"code", 3}}}}));
  EXPECT_NE(r.message.find("(and 2 more failed expectations)"), std::string::npos) << r.message;
  EXPECT_EQ(r.message.rfind("step 0: ", 0), 0u) << r.message;
}

TEST(Evaluate, AStepWhoseValueAndEventsAreBothWrongReportsBoth) {
  const Case c = Make(R"([{"do": "wait", "events": 1, "timeout": 1,
                           "expect": {"returns": 1, "events": [{"handler": "h"}]}}])");
  const Result r = Evaluate(c, Record({Start(), Ok("0", 0), Done()}));
  EXPECT_EQ(r.status, Status::kFail);
  ASSERT_EQ(r.failures.size(), 2u) << r.message;
  EXPECT_EQ(r.failures[0].expected, json({{"returns", 1}}));
  EXPECT_EQ(r.failures[1].expected, json({{"events", {{{"handler", "h"}}}}}));
}

TEST(Evaluate, ASinglePassIsNoFailureList) {
  const Result r = Evaluate(Make(kTwoChecks), Record({Start(), Ok("0"), Ok("1"), Done()}));
  EXPECT_TRUE(r.failures.empty());
}

TEST(Evaluate, ATimeoutDoesNotHideAFailureObservedBeforeIt) {
  const Case c = Make(R"([{"call": "getsignal", "args": ["@SIGUSR1"], "expect": {"returns": 0}},
                          {"do": "check"}])", {{"timeout", 2.5}});
  RunRecord run = Record({Start(), Ok("0", 5)}, Killed(SIGKILL));
  run.timed_out = true;
  const Result r = Evaluate(c, run);
  EXPECT_EQ(r.status, Status::kFail) << r.message;
  EXPECT_EQ(r.step, "0");
  EXPECT_NE(r.message.find("; then the case timed out after 2.5 s; the last step observed was 0"),
            std::string::npos) << r.message;
  ASSERT_EQ(r.failures.size(), 1u);
}

TEST(Evaluate, AnEarlyEndSaysWhatWasObservedLast) {
  Result r = Evaluate(Make(kTwoChecks), Record({Start(), Ok("0", 42)}, Killed(SIGUSR1)));
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_EQ(r.step, "1");
  EXPECT_NE(r.message.find("before step 1; the last thing observed was step 0, which returned 42"),
            std::string::npos) << r.message;
  r = Evaluate(Make(kTwoChecks),
               Record({Start(), Ok("0"), Handler("h", "SIGUSR1", SIGUSR1)}, Killed(SIGUSR1)));
  EXPECT_NE(r.message.find("the last thing observed was handler h(SIGUSR1"), std::string::npos)
      << r.message;
  r = Evaluate(Make(kTwoChecks), Record({Start()}, Killed(SIGUSR1)));
  EXPECT_NE(r.message.find("nothing was observed after the start record"), std::string::npos)
      << r.message;
}

}  // namespace
}  // namespace sigconform
