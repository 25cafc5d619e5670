// Real threads in real states: a read on an empty pipe, a wait for a held mutex, a busy loop.
#include "thread_block.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

namespace sigconform {
namespace {

pid_t CurrentTid() { return static_cast<pid_t>(syscall(SYS_gettid)); }

// Polls until `want` holds for the thread's state, for at most 20 s (a loaded machine may take
// long to put the thread where the test sends it). Returns the last state read.
template <typename Want>
ThreadBlockState WaitFor(pid_t tid, Want want) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  ThreadBlockState s = ReadThreadBlockState(getpid(), tid);
  while (!want(s) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    s = ReadThreadBlockState(getpid(), tid);
  }
  return s;
}

TEST(ThreadBlock, ReadOnAnEmptyPipeIsABlockingCall) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  std::atomic<pid_t> tid{0};
  std::thread reader([&] {
    tid = CurrentTid();
    char c;
    (void)read(fds[0], &c, 1);
  });
  while (tid.load() == 0) std::this_thread::yield();
  const ThreadBlockState s =
      WaitFor(tid.load(), [](const ThreadBlockState& st) { return SleepsInBlockingCall(st); });
  EXPECT_TRUE(SleepsInBlockingCall(s)) << DescribeThreadBlockState(s);
  EXPECT_EQ(s.state, 'S');
  if (s.syscall_known) {
    EXPECT_EQ(s.syscall, SYS_read);
    EXPECT_EQ(DescribeThreadBlockState(s), "state S in system call " + std::to_string(SYS_read));
  }
  ASSERT_EQ(write(fds[1], "x", 1), 1);
  reader.join();
  close(fds[0]);
  close(fds[1]);
}

TEST(ThreadBlock, WaitingForALockIsNotABlockingCall) {
  std::mutex held;
  held.lock();
  std::atomic<pid_t> tid{0};
  std::thread waiter([&] {
    tid = CurrentTid();
    std::lock_guard<std::mutex> lock(held);
  });
  while (tid.load() == 0) std::this_thread::yield();
  const ThreadBlockState s =
      WaitFor(tid.load(), [](const ThreadBlockState& st) { return st.state == 'S'; });
  ASSERT_EQ(s.state, 'S') << DescribeThreadBlockState(s);
  if (s.syscall_known) {
    EXPECT_TRUE(IsLockSyscall(s.syscall)) << DescribeThreadBlockState(s);
    EXPECT_FALSE(SleepsInBlockingCall(s));
    EXPECT_NE(DescribeThreadBlockState(s).find("(a lock wait)"), std::string::npos);
  }
  held.unlock();
  waiter.join();
}

TEST(ThreadBlock, ARunningThreadIsNotBlocked) {
  // The calling thread reads its own state: it is on the CPU while it does.
  const ThreadBlockState s = ReadThreadBlockState(getpid(), CurrentTid());
  EXPECT_EQ(s.state, 'R');
  EXPECT_FALSE(SleepsInBlockingCall(s));
}

TEST(ThreadBlock, AThreadThatEndedIsGone) {
  std::atomic<pid_t> tid{0};
  std::thread([&] { tid = CurrentTid(); }).join();
  const ThreadBlockState s = ReadThreadBlockState(getpid(), tid.load());
  EXPECT_EQ(s.state, '?');
  EXPECT_FALSE(SleepsInBlockingCall(s));
  EXPECT_EQ(DescribeThreadBlockState(s), "gone");
}

}  // namespace
}  // namespace sigconform
