#include "module.h"

#include <sys/time.h>

#include <cmath>
#include <csignal>

#include <gtest/gtest.h>

#include "errors.h"
#include "handlers.h"
#include "names.h"
#include "test_util.h"

namespace sigref {
namespace {

using sigref_test::SignalGuard;

class Module : public ::testing::Test {
 protected:
  void SetUp() override { Initialize(); }
};

TEST_F(Module, AttributesKeepTheirTypes) {
  const Value sigint = GetAttribute("SIGINT");
  EXPECT_EQ(sigint.kind, Value::Kind::kEnum);
  EXPECT_EQ(sigint.enum_name, "Signals");
  EXPECT_EQ(GetAttribute("NSIG").kind, Value::Kind::kInt);
  EXPECT_EQ(GetAttribute("NSIG").i, NSIG);
  EXPECT_EQ(GetAttribute("ITIMER_PROF").kind, Value::Kind::kInt);
  EXPECT_EQ(GetAttribute("SIG_BLOCK").enum_name, "Sigmasks");
  EXPECT_EQ(GetAttribute("SIG_IGN").enum_name, "Handlers");
  EXPECT_EQ(GetAttribute("SIGRTMAX").i, SIGRTMAX);
  EXPECT_THROW(GetAttribute("SIGNOPE"), AttributeError);
}

TEST_F(Module, AliasesResolveToTheCanonicalMember) {
  EXPECT_EQ(GetAttribute("SIGCLD").text, "SIGCHLD");
  EXPECT_EQ(GetAttribute("SIGIOT").text, "SIGABRT");
  EXPECT_EQ(GetAttribute("SIGPOLL").text, "SIGIO");
}

TEST_F(Module, FunctionsAreTheSameObjectEachTime) {
  EXPECT_EQ(GetAttribute("alarm").callable, GetAttribute("alarm").callable);
  EXPECT_EQ(GetAttribute("default_int_handler").callable, DefaultIntHandler());
}

TEST_F(Module, CallChecksArguments) {
  EXPECT_THROW(Call("getsignal", {}, {}), TypeError);
  EXPECT_THROW(Call("alarm", {Value::Float(1.5)}, {}), TypeError);
  EXPECT_THROW(Call("set_wakeup_fd", {Value::Int(-1)}, {{"warn", Value::Bool(true)}}), TypeError);
  EXPECT_EQ(Call("getsignal", {}, {{"signalnum", Value::Int(SIGPIPE)}}).text, "SIG_IGN");
  EXPECT_THROW(Call("SIGINT", {}, {}), TypeError);
  EXPECT_THROW(Call("nope", {}, {}), AttributeError);
}

TEST_F(Module, SignalPassesItsArgumentsThroughInt) {
  SignalGuard guard{SIGUSR1};
  // 0.5 and '0' become 0, out of range; a NaN stays a float, which is no integer.
  EXPECT_THROW(Call("signal", {Value::Float(0.5), GetAttribute("SIG_IGN")}, {}), ValueError);
  EXPECT_THROW(Call("signal", {Value::Str(" 0 "), GetAttribute("SIG_IGN")}, {}), ValueError);
  EXPECT_THROW(Call("signal", {Value::Float(NAN), GetAttribute("SIG_IGN")}, {}), TypeError);
  EXPECT_THROW(Call("signal", {Value::Float(INFINITY), GetAttribute("SIG_IGN")}, {}),
               OverflowError);
  EXPECT_THROW(Call("signal", {Value::Float(1e30), GetAttribute("SIG_IGN")}, {}), OverflowError);
  EXPECT_THROW(Call("signal", {Value::Str("SIGUSR1"), GetAttribute("SIG_IGN")}, {}), TypeError);
  // A float that truncates to a signal's number sets that signal.
  Call("signal", {Value::Float(SIGUSR1 + 0.5), Value::Float(1.0)}, {});
  EXPECT_EQ(GetSignal(SIGUSR1).text, "SIG_IGN");
  // Handlers: '0' is SIG_DFL, '1_0' is 10 (no handler), 1e30 is a huge int (no handler).
  EXPECT_EQ(Call("signal", {Value::Int(SIGUSR1), Value::Str("0")}, {}).text, "SIG_IGN");
  EXPECT_EQ(GetSignal(SIGUSR1).text, "SIG_DFL");
  EXPECT_THROW(Call("signal", {Value::Int(SIGUSR1), Value::Str("1_0")}, {}), TypeError);
  EXPECT_THROW(Call("signal", {Value::Int(SIGUSR1), Value::Float(1e30)}, {}), TypeError);
  EXPECT_THROW(Call("signal", {Value::Int(SIGUSR1), Value::Str("1__0")}, {}), TypeError);
  EXPECT_THROW(Call("signal", {Value::Int(SIGUSR1), Value::None()}, {}), TypeError);
  // getsignal converts nothing.
  EXPECT_THROW(Call("getsignal", {Value::Float(1.0)}, {}), TypeError);
}

TEST_F(Module, PidfdSendSignalRefusesSiginfo) {
  try {
    Call("pidfd_send_signal", {Value::Int(0), Value::Int(0), Value::Int(5)}, {});
    FAIL();
  } catch (const TypeError& e) {
    EXPECT_EQ(e.Message(), "siginfo must be None");
  }
}

// The timed functions take seconds the way CPython's clock does: NaN is a ValueError, a time
// beyond 2**63 nanoseconds either way an OverflowError, before any other check on the value.
TEST_F(Module, TimedFunctionsRefuseNanAndTimesBeyondTheClock) {
  const Value nan = Value::Float(std::nan(""));
  const Value blocked = Value::Set({Value::Int(SIGUSR1)});
  EXPECT_THROW(Call("sigtimedwait", {blocked, nan}, {}), ValueError);
  EXPECT_THROW(Call("sigtimedwait", {blocked, Value::Float(-1e300)}, {}), OverflowError);
  EXPECT_THROW(Call("sigtimedwait", {blocked, Value::Int(1LL << 62)}, {}), OverflowError);
  EXPECT_THROW(Call("sigtimedwait", {blocked, Value::Float(-1.0)}, {}), ValueError);
  const Value real = Value::Int(ITIMER_REAL);
  EXPECT_THROW(Call("setitimer", {real, nan}, {}), ValueError);
  EXPECT_THROW(Call("setitimer", {real, Value::Float(1.0), nan}, {}), ValueError);
  EXPECT_THROW(Call("setitimer", {real, Value::Float(1e10)}, {}), OverflowError);
  EXPECT_THROW(Call("setitimer", {real, Value::Float(-1e10)}, {}), OverflowError);
  EXPECT_THROW(Call("setitimer", {real, Value::Float(-1.0)}, {}), ItimerError);
  // 9.2e9 seconds still fits: the timer is armed, then cleared again.
  EXPECT_EQ(Call("setitimer", {real, Value::Float(9.2e9)}, {}).kind, Value::Kind::kTuple);
  EXPECT_GT(Call("setitimer", {real, Value::Int(0)}, {}).items[0].f, 9.1e9);
}

TEST_F(Module, EnumClassesLookMembersUp) {
  EXPECT_EQ(Call("Signals", {Value::Int(SIGINT)}, {}).text, "SIGINT");
  EXPECT_EQ(Call("Handlers", {Value::Int(1)}, {}).text, "SIG_IGN");
  EXPECT_THROW(Call("Signals", {Value::Int(99)}, {}), ValueError);
}

TEST_F(Module, EnumMembersListCanonicalMembersInOrder) {
  const auto handlers = EnumMembers("Handlers");
  ASSERT_TRUE(handlers);
  ASSERT_EQ(handlers->size(), 2u);
  EXPECT_EQ((*handlers)[0].text, "SIG_DFL");
  EXPECT_EQ((*handlers)[1].text, "SIG_IGN");
  const auto signals = EnumMembers("Signals");
  ASSERT_TRUE(signals);
  for (size_t i = 1; i < signals->size(); ++i) EXPECT_LT((*signals)[i - 1].i, (*signals)[i].i);
  for (const Value& v : *signals) EXPECT_NE(v.text, "SIGCLD");  // an alias, not a member
  EXPECT_EQ(EnumMembers("Sigmasks")->size(), 3u);
  EXPECT_FALSE(EnumMembers("ItimerError"));
}

TEST_F(Module, PublicNamesCoverTheModule) {
  const std::vector<std::string> names = PublicNames();
  for (const char* name : {"alarm", "signal", "SIGRTMIN", "SIGCLD", "ItimerError", "NSIG",
                           "ITIMER_REAL", "SIG_SETMASK", "Signals", "struct_siginfo"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
  }
}

}  // namespace
}  // namespace sigref
