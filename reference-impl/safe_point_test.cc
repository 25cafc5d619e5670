#include "safe_point.h"

#include <csignal>
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "errors.h"
#include "handlers.h"
#include "main_thread.h"
#include "test_util.h"
#include "trip.h"

namespace sigref {
namespace {

using sigref_test::MakeHandler;
using sigref_test::SignalGuard;

class SafePoint : public ::testing::Test {
 protected:
  void SetUp() override { Initialize(); }
};

TEST_F(SafePoint, RunsTrippedSignalsInAscendingOrder) {
  SignalGuard guard{SIGHUP, SIGUSR1, SIGWINCH};
  std::vector<int> order;
  const Value record = MakeHandler([&](int signum) { order.push_back(signum); });
  for (int signum : {SIGHUP, SIGUSR1, SIGWINCH}) Signal(signum, record);
  // Arrival order is the reverse of number order; the safe point must not care.
  TripSignal(SIGWINCH);
  TripSignal(SIGUSR1);
  TripSignal(SIGHUP);
  EXPECT_TRUE(order.empty()) << "handlers must not run in the low-level handler";
  CheckSignals();
  EXPECT_EQ(order, (std::vector<int>{SIGHUP, SIGUSR1, SIGWINCH}));
}

TEST_F(SafePoint, FlagIsClearedBeforeTheHandlerRuns) {
  SignalGuard guard{SIGUSR1};
  int calls = 0;
  bool flag_seen_inside = true;
  Signal(SIGUSR1, MakeHandler([&](int signum) {
           ++calls;
           flag_seen_inside = IsTripped(signum);
           // A signal arriving while its handler runs must not be lost.
           if (calls == 1) TripSignal(signum);
         }));
  TripSignal(SIGUSR1);
  CheckSignals();
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(flag_seen_inside);
  CheckSignals();
  EXPECT_EQ(calls, 2) << "the signal re-tripped during its handler was lost";
}

TEST_F(SafePoint, RaisingHandlerLeavesTheRestPending) {
  SignalGuard guard{SIGUSR1, SIGUSR2, SIGWINCH};
  std::vector<int> order;
  Signal(SIGUSR1, MakeHandler([&](int signum) {
           order.push_back(signum);
           throw ValueError("from the handler");
         }));
  const Value record = MakeHandler([&](int signum) { order.push_back(signum); });
  Signal(SIGUSR2, record);
  Signal(SIGWINCH, record);
  TripSignal(SIGWINCH);
  TripSignal(SIGUSR2);
  TripSignal(SIGUSR1);
  EXPECT_THROW(CheckSignals(), ValueError);
  EXPECT_EQ(order, (std::vector<int>{SIGUSR1}));
  EXPECT_TRUE(IsTripped(SIGUSR2));
  EXPECT_TRUE(IsTripped(SIGWINCH));
  CheckSignals();
  EXPECT_EQ(order, (std::vector<int>{SIGUSR1, SIGUSR2, SIGWINCH}));
}

TEST_F(SafePoint, HandlersRunOnlyInTheMainThread) {
  SignalGuard guard{SIGUSR1};
  int calls = 0;
  bool ran_in_main = false;
  Signal(SIGUSR1, MakeHandler([&](int) {
           ++calls;
           ran_in_main = IsMainThread();
         }));
  // A real signal, delivered to the other thread (raise() targets the calling thread), which
  // then reaches a safe point of its own.
  std::thread other([] {
    ASSERT_EQ(raise(SIGUSR1), 0);
    CheckSignals();
  });
  other.join();
  EXPECT_EQ(calls, 0) << "a handler ran outside the main thread";
  EXPECT_TRUE(IsTripped(SIGUSR1));
  CheckSignals();
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(ran_in_main);
}

TEST_F(SafePoint, HandlerGetsTheCurrentFrame) {
  SignalGuard guard{SIGUSR1};
  std::vector<Value> frames;
  auto c = std::make_shared<Callable>();
  c->call = [&](int, const Value& frame) { frames.push_back(frame); };
  Signal(SIGUSR1, Value::Function(c));
  SetCurrentFrame(Value::None());
  TripSignal(SIGUSR1);
  CheckSignals();
  SetCurrentFrame(Value::Object("frame", "<frame of step 3>"));
  TripSignal(SIGUSR1);
  CheckSignals();
  SetCurrentFrame(Value::None());
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_TRUE(frames[0].IsNone()) << "with no frame set the handler must get None";
  EXPECT_EQ(frames[1].kind, Value::Kind::kObject);
  EXPECT_EQ(frames[1].text, "<frame of step 3>");
}

TEST_F(SafePoint, LowLevelHandlerPreservesErrno) {
  SignalGuard guard{SIGUSR1};
  Signal(SIGUSR1, MakeHandler([](int) {}));
  errno = ERANGE;
  TripSignal(SIGUSR1);
  EXPECT_EQ(errno, ERANGE);
  CheckSignals();
}

}  // namespace
}  // namespace sigref
