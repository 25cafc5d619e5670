#include "selector.h"

#include <sys/socket.h>
#include <unistd.h>

#include <csignal>

#include <gtest/gtest.h>

#include "blocking.h"
#include "errors.h"
#include "test_util.h"

namespace sigref {
namespace {

using namespace std::chrono_literals;
using sigref_test::MakeHandler;
using sigref_test::Now;
using sigref_test::Pinger;
using sigref_test::SignalGuard;

class Selector : public ::testing::Test {
 protected:
  void SetUp() override {
    Initialize();
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, pair_), 0);
    ASSERT_EQ(pipe(idle_), 0);
  }
  void TearDown() override {
    for (int fd : {pair_[0], pair_[1], idle_[0], idle_[1]}) close(fd);
  }
  int pair_[2];
  int idle_[2];  // a pipe nobody writes to: never readable
};

TEST_F(Selector, ReturnsOnlyTheReadyDescriptorsInTheOrderGiven) {
  ASSERT_EQ(write(pair_[1], "x", 1), 1);
  EXPECT_EQ(SelectReadable({idle_[0], pair_[0]}, 5), std::vector<int>{pair_[0]});
}

TEST_F(Selector, ReturnsNothingAtTheTimeout) {
  const double start = Now();
  EXPECT_TRUE(SelectReadable({idle_[0]}, 0.05).empty());
  EXPECT_GE(Now() - start, 0.05);
}

// The documentation's HTTP-server pattern: the handler writes to the socket pair, and the wait
// that the signal interrupted goes on and finds the byte.
TEST_F(Selector, AHandlerThatWritesWakesTheWait) {
  SignalGuard guard{SIGUSR1};
  const int wake = pair_[1];
  Signal(SIGUSR1, MakeHandler([wake](int) { Write(wake, std::string(1, '\0')); }));
  Pinger pinger(SIGUSR1, 20ms);
  const double start = Now();
  const std::vector<int> ready = SelectReadable({idle_[0], pair_[0]}, 30);
  pinger.Stop();
  EXPECT_EQ(ready, std::vector<int>{pair_[0]});
  EXPECT_LT(Now() - start, 20);
}

TEST_F(Selector, GoesOnWaitingAfterAHandlerThatDoesNotRaise) {
  SignalGuard guard{SIGUSR1};
  int calls = 0;
  Signal(SIGUSR1, MakeHandler([&calls](int) { ++calls; }));
  Pinger pinger(SIGUSR1, 10ms);
  const double start = Now();
  EXPECT_TRUE(SelectReadable({idle_[0]}, 0.3).empty());
  const double elapsed = Now() - start;
  pinger.Stop();
  EXPECT_GE(elapsed, 0.3) << "the wait was cut short by a signal";
  EXPECT_GE(calls, 1);
}

TEST_F(Selector, AHandlersExceptionEndsTheWait) {
  SignalGuard guard{SIGUSR1};
  Signal(SIGUSR1, MakeHandler([](int) { throw RuntimeError("handler says stop"); }));
  Pinger pinger(SIGUSR1, 10ms);
  const double start = Now();
  EXPECT_THROW(SelectReadable({idle_[0]}, 30), RuntimeError);
  EXPECT_LT(Now() - start, 20);
}

TEST_F(Selector, RejectsBadTimeoutsAndDescriptors) {
  EXPECT_THROW(SelectReadable({idle_[0]}, -1), ValueError);
  try {
    SelectReadable({1000}, 0);
    FAIL() << "no error for a closed descriptor";
  } catch (const OSError& e) {
    EXPECT_EQ(e.Errno(), EBADF);
  }
}

}  // namespace
}  // namespace sigref
