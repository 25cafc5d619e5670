#include "blocking.h"

#include <unistd.h>

#include <csignal>
#include <thread>

#include <gtest/gtest.h>

#include "errors.h"
#include "test_util.h"

namespace sigref {
namespace {

using namespace std::chrono_literals;
using sigref_test::MakeHandler;
using sigref_test::Now;
using sigref_test::Pinger;
using sigref_test::SignalGuard;

// Each test counts handler calls made while the blocking call under test is running, so that
// "the handler ran inside the call" is checked, not merely "it ran at some point".
class Blocking : public ::testing::Test {
 protected:
  void SetUp() override {
    Initialize();
    ASSERT_EQ(pipe(fds_), 0);
  }
  void TearDown() override {
    close(fds_[0]);
    close(fds_[1]);
  }
  Value Counting() {
    return MakeHandler([this](int) { calls_during_ += in_call_ ? 1 : 0; });
  }
  Value Raising() {
    return MakeHandler([](int) { throw RuntimeError("handler says stop"); });
  }
  int fds_[2];
  bool in_call_ = false;
  int calls_during_ = 0;
};

TEST_F(Blocking, SleepRetriesAfterAHandlerThatDoesNotRaise) {
  SignalGuard guard{SIGUSR1};
  Signal(SIGUSR1, Counting());
  Pinger pinger(SIGUSR1, 20ms);
  const double start = Now();
  in_call_ = true;
  Sleep(0.5);
  in_call_ = false;
  const double elapsed = Now() - start;
  pinger.Stop();
  EXPECT_GE(elapsed, 0.5) << "the sleep was cut short by a signal";
  EXPECT_GE(calls_during_, 1) << "no handler ran during the sleep";
}

TEST_F(Blocking, SleepIsAbandonedWhenAHandlerRaises) {
  SignalGuard guard{SIGUSR1};
  Signal(SIGUSR1, Raising());
  Pinger pinger(SIGUSR1, 20ms);
  const double start = Now();
  EXPECT_THROW(Sleep(30), RuntimeError);
  EXPECT_LT(Now() - start, 20);
}

TEST_F(Blocking, ReadRetriesAfterAHandlerThatDoesNotRaise) {
  SignalGuard guard{SIGUSR1};
  Signal(SIGUSR1, Counting());
  Pinger pinger(SIGUSR1, 10ms);
  std::thread writer([this] {
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, nullptr);
    std::this_thread::sleep_for(300ms);
    ASSERT_EQ(write(fds_[1], "x", 1), 1);
  });
  in_call_ = true;
  const std::string got = Read(fds_[0], 10);
  in_call_ = false;
  pinger.Stop();
  writer.join();
  EXPECT_EQ(got, "x");
  EXPECT_GE(calls_during_, 1) << "no handler ran during the read";
}

TEST_F(Blocking, ReadIsAbandonedWhenAHandlerRaises) {
  SignalGuard guard{SIGUSR1};
  Signal(SIGUSR1, Raising());
  Pinger pinger(SIGUSR1, 10ms);
  EXPECT_THROW(Read(fds_[0], 10), RuntimeError);
}

TEST_F(Blocking, WriteToAPipeWithoutReaderIsBrokenPipeError) {
  close(fds_[0]);
  fds_[0] = -1;
  try {
    Write(fds_[1], "x");
    FAIL();
  } catch (const BrokenPipeError& e) {
    EXPECT_EQ(e.Errno(), EPIPE);
  }
}

TEST_F(Blocking, PauseReturnsAfterTheHandlersRan) {
  SignalGuard guard{SIGUSR1};
  Signal(SIGUSR1, Counting());
  Pinger pinger(SIGUSR1, 10ms);
  in_call_ = true;
  Pause();
  in_call_ = false;
  EXPECT_GE(calls_during_, 1);
}

TEST_F(Blocking, PauseRaisesTheHandlersException) {
  SignalGuard guard{SIGUSR1};
  Signal(SIGUSR1, Raising());
  Pinger pinger(SIGUSR1, 10ms);
  EXPECT_THROW(Pause(), RuntimeError);
}

}  // namespace
}  // namespace sigref
