#include "timers.h"

#include <sys/time.h>

#include <cerrno>
#include <csignal>

#include <gtest/gtest.h>

#include "errors.h"
#include "test_util.h"

namespace sigref {
namespace {

// Every test here ignores SIGALRM, so that a timer left armed by a failing test cannot kill
// the test process.
class Timers : public ::testing::Test {
 protected:
  void SetUp() override {
    Initialize();
    Signal(SIGALRM, HandlersValue(1));
    Alarm(0);
  }
  void TearDown() override {
    Alarm(0);
    Setitimer(ITIMER_REAL, 0, 0);
    Signal(SIGALRM, HandlersValue(0));
  }
};

TEST_F(Timers, AlarmReturnsTheSecondsLeftOnThePreviousAlarm) {
  EXPECT_EQ(Alarm(10), 0);
  // alarm(2) rounds to whole seconds; a loaded machine may take a while between the calls.
  const long left = Alarm(5);
  EXPECT_GE(left, 9);
  EXPECT_LE(left, 10);
  const long left2 = Alarm(0);
  EXPECT_GE(left2, 4);
  EXPECT_LE(left2, 5);
  EXPECT_EQ(Alarm(0), 0) << "alarm(0) must have cancelled the alarm";
}

TEST_F(Timers, SetitimerReturnsTheOldDelayAndInterval) {
  const Value first = Setitimer(ITIMER_REAL, 100.0, 2.0);
  ASSERT_EQ(first.kind, Value::Kind::kTuple);
  ASSERT_EQ(first.items.size(), 2u);
  EXPECT_EQ(first.items[0].kind, Value::Kind::kFloat);
  EXPECT_EQ(first.items[0].f, 0.0);
  const Value now = Getitimer(ITIMER_REAL);
  EXPECT_GT(now.items[0].f, 90.0);
  EXPECT_LE(now.items[0].f, 100.0);
  const Value old = Setitimer(ITIMER_REAL, 0.0, 0.0);
  EXPECT_GT(old.items[0].f, 90.0);
  EXPECT_EQ(old.items[1].f, 2.0);
  EXPECT_EQ(Getitimer(ITIMER_REAL).items[0].f, 0.0);
}

// itimer.float-seconds: the fractions come back as the floats that were set.
TEST_F(Timers, FractionsReadBackAsTheFloatsThatWereSet) {
  Setitimer(ITIMER_REAL, 100.0, 0.1);
  EXPECT_EQ(Getitimer(ITIMER_REAL).items[1].f, 0.1);
  Setitimer(ITIMER_REAL, 100.0, 0.3);
  EXPECT_EQ(Getitimer(ITIMER_REAL).items[1].f, 0.3);
  const Value old = Setitimer(ITIMER_REAL, 0.0, 0.0);
  EXPECT_EQ(old.items[1].f, 0.3);
}

// itimer.microsecond-ceiling: times are rounded up to whole microseconds.
TEST_F(Timers, TimesRoundUpToWholeMicroseconds) {
  Setitimer(ITIMER_REAL, 100.0, 0.0123451);
  EXPECT_EQ(Getitimer(ITIMER_REAL).items[1].f, 0.012346);
  // -0.1 us rounds up to zero: the timer is disarmed, without an error.
  Setitimer(ITIMER_REAL, -1e-7, 0.0);
  EXPECT_EQ(Getitimer(ITIMER_REAL).items[0].f, 0.0);
}

void ExpectItimerEinval(const std::function<void()>& call) {
  try {
    call();
    ADD_FAILURE() << "no exception";
  } catch (const OSError& e) {  // ItimerError must be catchable as an OSError.
    EXPECT_STREQ(e.TypeName(), "ItimerError");
    EXPECT_EQ(e.Errno(), EINVAL);
  }
}

TEST_F(Timers, InvalidWhichIsItimerError) {
  ExpectItimerEinval([] { Setitimer(99, 1.0, 0.0); });
  ExpectItimerEinval([] { Setitimer(-1, 1.0, 0.0); });
  ExpectItimerEinval([] { Getitimer(99); });
}

TEST_F(Timers, NegativeTimeIsItimerError) {
  ExpectItimerEinval([] { Setitimer(ITIMER_REAL, -1.0, 0.0); });
  ExpectItimerEinval([] { Setitimer(ITIMER_REAL, -0.5, 0.0); });
  ExpectItimerEinval([] { Setitimer(ITIMER_REAL, 1.0, -1.0); });
  EXPECT_EQ(Getitimer(ITIMER_REAL).items[0].f, 0.0) << "a refused timer must not be armed";
}

TEST_F(Timers, TinyDelaysRoundUpToAMicrosecond) {
  // A delay of 1 ns must arm the timer (which then fires at once), not disarm it.
  int fired = 0;
  Signal(SIGALRM, sigref_test::MakeHandler([&](int) { ++fired; }));
  Setitimer(ITIMER_REAL, 1e-9, 0.0);
  const double deadline = sigref_test::Now() + 10;
  while (fired == 0 && sigref_test::Now() < deadline) CheckSignals();
  EXPECT_EQ(fired, 1);
  Signal(SIGALRM, HandlersValue(1));
}

}  // namespace
}  // namespace sigref
