#include "handlers.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <thread>

#include <gtest/gtest.h>

#include "errors.h"
#include "test_util.h"

namespace sigref {
namespace {

using sigref_test::MakeHandler;
using sigref_test::SignalGuard;

class Handlers : public ::testing::Test {
 protected:
  void SetUp() override { Initialize(); }
};

bool SameValue(const Value& a, const Value& b) {
  if (a.kind != b.kind) return false;
  if (a.kind == Value::Kind::kCallable) return a.callable == b.callable;
  if (a.kind == Value::Kind::kEnum) return a.enum_name == b.enum_name && a.i == b.i;
  return a.kind == Value::Kind::kNone;
}

TEST_F(Handlers, SignalReturnsThePreviousHandler) {
  SignalGuard guard{SIGUSR1};
  const Value h = MakeHandler([](int) {});
  const Value first = Signal(SIGUSR1, h);
  EXPECT_TRUE(SameValue(first, HandlersValue(0)));
  EXPECT_EQ(first.enum_name, "Handlers");
  EXPECT_TRUE(SameValue(Signal(SIGUSR1, Value::Int(1)), h));
  const Value now = GetSignal(SIGUSR1);
  EXPECT_TRUE(SameValue(now, HandlersValue(1))) << "1 must be stored as Handlers.SIG_IGN";
}

TEST_F(Handlers, StartupIgnoresSigpipeAndSigxfsz) {
  EXPECT_TRUE(SameValue(GetSignal(SIGPIPE), HandlersValue(1)));
  EXPECT_TRUE(SameValue(GetSignal(SIGXFSZ), HandlersValue(1)));
  struct sigaction action;
  ASSERT_EQ(sigaction(SIGPIPE, nullptr, &action), 0);
  EXPECT_EQ(action.sa_handler, SIG_IGN);
}

TEST_F(Handlers, SignalNumberOutOfRangeIsValueError) {
  for (int signum : {0, -1, NSIG}) {
    try {
      Signal(signum, HandlersValue(1));
      ADD_FAILURE() << signum;
    } catch (const ValueError& e) {
      EXPECT_STREQ(e.what(), "signal number out of range");
    }
    EXPECT_THROW(GetSignal(signum), ValueError);
    EXPECT_THROW(Strsignal(signum), ValueError);
    EXPECT_THROW(Siginterrupt(signum, true), ValueError);
  }
}

TEST_F(Handlers, SigkillAndSigstopAreOSErrorEinval) {
  for (int signum : {SIGKILL, SIGSTOP}) {
    try {
      Signal(signum, HandlersValue(1));
      ADD_FAILURE() << signum;
    } catch (const OSError& e) {
      EXPECT_STREQ(e.TypeName(), "OSError");
      EXPECT_EQ(e.Errno(), EINVAL);
    }
    EXPECT_TRUE(SameValue(GetSignal(signum), HandlersValue(0)));
  }
}

TEST_F(Handlers, NonCallableHandlerIsTypeError) {
  EXPECT_THROW(Signal(SIGUSR1, Value::Int(5)), TypeError);
  EXPECT_THROW(Signal(SIGUSR1, Value::None()), TypeError);
  EXPECT_THROW(Signal(SIGUSR1, Value::Str("SIG_IGN")), TypeError);
}

TEST_F(Handlers, OnlyTheMainThreadSetsHandlers) {
  bool value_error = false;
  Value seen;
  std::thread other([&] {
    try {
      Signal(SIGUSR1, HandlersValue(1));
    } catch (const ValueError&) {
      value_error = true;
    }
    seen = GetSignal(SIGUSR1);  // Reading is allowed anywhere.
  });
  other.join();
  EXPECT_TRUE(value_error);
  EXPECT_TRUE(SameValue(seen, HandlersValue(0)));
}

int RestartFlag(int signum) {
  struct sigaction action;
  EXPECT_EQ(sigaction(signum, nullptr, &action), 0);
  return action.sa_flags & SA_RESTART;
}

TEST_F(Handlers, SiginterruptTogglesRestartAndSignalResetsIt) {
  SignalGuard guard{SIGUSR1};
  Signal(SIGUSR1, MakeHandler([](int) {}));
  EXPECT_EQ(RestartFlag(SIGUSR1), 0) << "a new handler must interrupt system calls";
  Siginterrupt(SIGUSR1, false);
  EXPECT_NE(RestartFlag(SIGUSR1), 0);
  Siginterrupt(SIGUSR1, true);
  EXPECT_EQ(RestartFlag(SIGUSR1), 0);
  Siginterrupt(SIGUSR1, false);
  Signal(SIGUSR1, MakeHandler([](int) {}));
  EXPECT_EQ(RestartFlag(SIGUSR1), 0) << "signal() must imply siginterrupt(sig, True)";
}

TEST_F(Handlers, StrsignalDescribesOrSaysNone) {
  EXPECT_EQ(Strsignal(SIGINT).text, "Interrupt");
  EXPECT_EQ(Strsignal(SIGINT).kind, Value::Kind::kStr);
  // glibc keeps 32 for itself and calls it "Unknown signal 32".
  if (std::strstr(strsignal(32), "Unknown signal") != nullptr) {
    EXPECT_TRUE(Strsignal(32).IsNone());
  }
}

TEST_F(Handlers, DefaultIntHandlerRaisesKeyboardInterrupt) {
  EXPECT_THROW(DefaultIntHandler()->call(SIGINT, Value::None()), KeyboardInterrupt);
}

}  // namespace
}  // namespace sigref
