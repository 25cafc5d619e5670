#include "wakeup_fd.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "errors.h"
#include "test_util.h"

namespace sigref {
namespace {

using sigref_test::MakeHandler;
using sigref_test::SignalGuard;

class WakeupFd : public ::testing::Test {
 protected:
  void SetUp() override {
    Initialize();
    ASSERT_EQ(pipe2(fds_, O_NONBLOCK), 0);
  }
  void TearDown() override {
    SetWakeupFd(-1, true);
    SetWakeupWriterForTest(nullptr);
    close(fds_[0]);
    close(fds_[1]);
  }
  int fds_[2];
};

TEST_F(WakeupFd, ReturnsThePreviousDescriptor) {
  EXPECT_EQ(SetWakeupFd(fds_[1], true), -1);
  EXPECT_EQ(SetWakeupFd(fds_[1], false), fds_[1]);
  EXPECT_EQ(SetWakeupFd(-1, true), fds_[1]);
  EXPECT_EQ(SetWakeupFd(-1, true), -1);
}

TEST_F(WakeupFd, BlockingDescriptorIsRefused) {
  int blocking[2];
  ASSERT_EQ(pipe(blocking), 0);
  try {
    SetWakeupFd(blocking[1], true);
    ADD_FAILURE();
  } catch (const ValueError& e) {
    EXPECT_EQ(e.Message(), "the fd " + std::to_string(blocking[1]) +
                               " must be in non-blocking mode");
  }
  EXPECT_EQ(SetWakeupFd(-1, true), -1) << "a refused descriptor must not be installed";
  close(blocking[0]);
  close(blocking[1]);
}

TEST_F(WakeupFd, ClosedDescriptorIsOSErrorEbadf) {
  for (int fd : {fds_[1] + 100, -2}) {
    try {
      SetWakeupFd(fd, true);
      ADD_FAILURE();
    } catch (const OSError& e) {
      EXPECT_EQ(e.Errno(), EBADF);
    }
  }
}

TEST_F(WakeupFd, OnlyTheMainThreadMaySetIt) {
  bool value_error = false;
  std::thread other([&] {
    try {
      SetWakeupFd(-1, true);
    } catch (const ValueError&) {
      value_error = true;
    }
  });
  other.join();
  EXPECT_TRUE(value_error);
}

// The writer seam below records whether the signal was already recorded when its wakeup
// byte was written. Only async-signal-safe operations: it runs in the signal handler.
std::atomic<int> g_writes{0};
std::atomic<bool> g_recorded_before_write{false};

ssize_t CheckingWriter(int fd, const void* data, size_t size) {
  const int signum = *static_cast<const unsigned char*>(data);
  g_recorded_before_write.store(IsTripped(signum));
  g_writes.fetch_add(1);
  return write(fd, data, size);
}

TEST_F(WakeupFd, ByteIsWrittenAfterTheSignalIsRecorded) {
  SignalGuard guard{SIGUSR1};
  int calls = 0;
  Signal(SIGUSR1, MakeHandler([&](int) { ++calls; }));
  SetWakeupWriterForTest(&CheckingWriter);
  SetWakeupFd(fds_[1], true);
  g_writes = 0;
  ASSERT_EQ(raise(SIGUSR1), 0);
  EXPECT_EQ(g_writes.load(), 1);
  EXPECT_TRUE(g_recorded_before_write.load());
  unsigned char byte = 0;
  ASSERT_EQ(read(fds_[0], &byte, 1), 1);
  EXPECT_EQ(byte, SIGUSR1);
  EXPECT_EQ(calls, 0);
  CheckSignals();
  EXPECT_EQ(calls, 1);
}

// Runs `body` with fd 2 redirected to a temporary file; returns what was written there.
std::string CaptureStderr(const std::function<void()>& body) {
  std::FILE* file = std::tmpfile();
  EXPECT_NE(file, nullptr);
  const int saved = dup(2);
  dup2(fileno(file), 2);
  body();
  dup2(saved, 2);
  close(saved);
  std::string out;
  std::rewind(file);
  char buffer[512];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) out.append(buffer, n);
  std::fclose(file);
  return out;
}

void FillPipe(int fd) {
  const std::string chunk(4096, 'x');
  while (write(fd, chunk.data(), chunk.size()) > 0) {
  }
  while (write(fd, "x", 1) > 0) {
  }
}

TEST_F(WakeupFd, FullBufferWarnsAtTheNextSafePoint) {
  SignalGuard guard{SIGUSR1};
  Signal(SIGUSR1, MakeHandler([](int) {}));
  SetWakeupFd(fds_[1], true);
  FillPipe(fds_[1]);
  const std::string warning = CaptureStderr([] {
    ASSERT_EQ(raise(SIGUSR1), 0);
    CheckSignals();
  });
  EXPECT_NE(warning.find("wakeup fd"), std::string::npos) << warning;
  EXPECT_NE(warning.find("BlockingIOError"), std::string::npos) << warning;
}

TEST_F(WakeupFd, FullBufferIsSilentWithoutWarnings) {
  SignalGuard guard{SIGUSR1};
  Signal(SIGUSR1, MakeHandler([](int) {}));
  SetWakeupFd(fds_[1], false);
  FillPipe(fds_[1]);
  const std::string warning = CaptureStderr([] {
    ASSERT_EQ(raise(SIGUSR1), 0);
    CheckSignals();
  });
  EXPECT_EQ(warning, "");
}

}  // namespace
}  // namespace sigref
