#include "mask.h"

#include <cerrno>
#include <csignal>

#include <gtest/gtest.h>

#include "errors.h"
#include "names.h"
#include "test_util.h"

namespace sigref {
namespace {

class Mask : public ::testing::Test {
 protected:
  void SetUp() override {
    Initialize();
    ASSERT_EQ(pthread_sigmask(SIG_SETMASK, nullptr, &saved_), 0);
    sigset_t empty;
    sigemptyset(&empty);
    ASSERT_EQ(pthread_sigmask(SIG_SETMASK, &empty, nullptr), 0);
  }
  void TearDown() override {
    // Drop anything a test left pending, then restore the mask.
    sigset_t pending;
    sigpending(&pending);
    for (int signum : {SIGUSR1, SIGUSR2, static_cast<int>(SIGRTMIN) + 1}) {
      if (sigismember(&pending, signum) == 1) {
        sigset_t one;
        sigemptyset(&one);
        sigaddset(&one, signum);
        const struct timespec zero = {0, 0};
        sigtimedwait(&one, nullptr, &zero);
      }
    }
    pthread_sigmask(SIG_SETMASK, &saved_, nullptr);
  }
  sigset_t saved_;
};

// The set's items as (kind, value) pairs, to compare types as well as numbers.
std::vector<std::pair<Value::Kind, long long>> Items(const Value& set) {
  EXPECT_EQ(set.kind, Value::Kind::kSet);
  std::vector<std::pair<Value::Kind, long long>> out;
  for (const Value& item : set.items) out.emplace_back(item.kind, item.i);
  return out;
}

TEST_F(Mask, BlockReturnsThePreviousMaskAsSignalsMembers) {
  EXPECT_TRUE(PthreadSigmask(SIG_BLOCK, {SIGUSR1}).items.empty());
  const Value old = PthreadSigmask(SIG_BLOCK, {SIGUSR2});
  ASSERT_EQ(old.items.size(), 1u);
  EXPECT_EQ(old.items[0].kind, Value::Kind::kEnum);
  EXPECT_EQ(old.items[0].enum_name, "Signals");
  EXPECT_EQ(old.items[0].text, "SIGUSR1");
  EXPECT_EQ(Items(PthreadSigmask(SIG_UNBLOCK, {SIGUSR1})),
            (std::vector<std::pair<Value::Kind, long long>>{{Value::Kind::kEnum, SIGUSR1},
                                                            {Value::Kind::kEnum, SIGUSR2}}));
  EXPECT_EQ(Items(PthreadSigmask(SIG_SETMASK, {})),
            (std::vector<std::pair<Value::Kind, long long>>{{Value::Kind::kEnum, SIGUSR2}}));
}

TEST_F(Mask, RealTimeSignalsBetweenTheBoundsStayInts) {
  const int rt = SIGRTMIN + 1;
  PthreadSigmask(SIG_BLOCK, {rt, static_cast<int>(SIGRTMIN)});
  EXPECT_EQ(Items(PthreadSigmask(SIG_SETMASK, {})),
            (std::vector<std::pair<Value::Kind, long long>>{
                {Value::Kind::kEnum, SIGRTMIN}, {Value::Kind::kInt, rt}}));
}

TEST_F(Mask, InvalidHowIsOSErrorEinval) {
  try {
    PthreadSigmask(12345, {SIGUSR1});
    FAIL();
  } catch (const OSError& e) {
    EXPECT_EQ(e.Errno(), EINVAL);
  }
}

TEST_F(Mask, OutOfRangeSignalIsValueError) {
  EXPECT_THROW(PthreadSigmask(SIG_BLOCK, {0}), ValueError);
  EXPECT_THROW(PthreadSigmask(SIG_BLOCK, {NSIG}), ValueError);
}

TEST_F(Mask, SigkillAndSigstopAreSilentlyNotBlocked) {
  PthreadSigmask(SIG_BLOCK, {SIGKILL, SIGSTOP, SIGUSR1});
  EXPECT_EQ(Items(PthreadSigmask(SIG_SETMASK, {})),
            (std::vector<std::pair<Value::Kind, long long>>{{Value::Kind::kEnum, SIGUSR1}}));
}

TEST_F(Mask, PendingSignalIsSeenThenAccepted) {
  PthreadSigmask(SIG_BLOCK, {SIGUSR1});
  ASSERT_EQ(raise(SIGUSR1), 0);
  EXPECT_EQ(Items(Sigpending()),
            (std::vector<std::pair<Value::Kind, long long>>{{Value::Kind::kEnum, SIGUSR1}}));
  const Value info = Sigtimedwait({SIGUSR1}, 0);
  ASSERT_EQ(info.kind, Value::Kind::kStruct);
  EXPECT_EQ(info.enum_name, "struct_siginfo");
  EXPECT_EQ(info.field_names,
            (std::vector<std::string>{"si_signo", "si_code", "si_errno", "si_pid", "si_uid",
                                      "si_status", "si_band"}));
  EXPECT_EQ(info.items[0].kind, Value::Kind::kInt);
  EXPECT_EQ(info.items[0].i, SIGUSR1);
  EXPECT_TRUE(Sigpending().items.empty());
  EXPECT_TRUE(Sigtimedwait({SIGUSR1}, 0).IsNone()) << "a poll with nothing pending is None";
}

TEST_F(Mask, SigwaitReturnsASignalsMember) {
  PthreadSigmask(SIG_BLOCK, {SIGUSR2});
  ASSERT_EQ(raise(SIGUSR2), 0);
  const Value got = Sigwait({SIGUSR2});
  EXPECT_EQ(got.kind, Value::Kind::kEnum);
  EXPECT_EQ(got.text, "SIGUSR2");
}

TEST_F(Mask, NegativeTimeoutIsValueError) {
  try {
    Sigtimedwait({SIGUSR1}, -1.0);
    FAIL();
  } catch (const ValueError& e) {
    EXPECT_STREQ(e.what(), "timeout must be non-negative");
  }
}

TEST_F(Mask, SigtimedwaitTimesOutWithNone) {
  PthreadSigmask(SIG_BLOCK, {SIGUSR1});
  const double start = sigref_test::Now();
  EXPECT_TRUE(Sigtimedwait({SIGUSR1}, 0.05).IsNone());
  EXPECT_GE(sigref_test::Now() - start, 0.049);
}

TEST_F(Mask, ValidSignalsAreTheSigsetMembers) {
  const Value valid = ValidSignals();
  sigset_t all;
  sigfillset(&all);
  size_t expected = 0;
  for (int signum = 1; signum < NSIG; ++signum) expected += sigismember(&all, signum) == 1;
  EXPECT_EQ(valid.items.size(), expected);
  EXPECT_EQ(valid.items.front().text, "SIGHUP");
  EXPECT_EQ(valid.items.back().text, "SIGRTMAX");
}

}  // namespace
}  // namespace sigref
