#include "wakeup_fd.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <string>

#include "errors.h"
#include "main_thread.h"
#include "stderr_note.h"

namespace sigref {
namespace {

// Read by the signal handler, so lock-free atomics only.
std::atomic<int> g_fd{-1};
std::atomic<bool> g_warn_on_full_buffer{true};
std::atomic<WakeupWriter> g_writer{nullptr};
// The errno of the last failed write, 0 when there is nothing to report.
std::atomic<int> g_failure_errno{0};

}  // namespace

int SetWakeupFd(int fd, bool warn_on_full_buffer) {
  if (!IsMainThread()) {
    throw ValueError("set_wakeup_fd only works in the main thread of the main interpreter");
  }
  if (fd != -1) {
    struct stat st;
    if (fstat(fd, &st) != 0) ThrowOSError(errno);
    const int flags = fcntl(fd, F_GETFL);
    if (flags == -1) ThrowOSError(errno);
    // A blocking descriptor could block the signal handler forever once its buffer is full.
    if ((flags & O_NONBLOCK) == 0) {
      throw ValueError("the fd " + std::to_string(fd) + " must be in non-blocking mode");
    }
  }
  // The warn flag first: a signal arriving between the two stores then sees the new flag
  // with the new descriptor, or the old descriptor with a flag it tolerates.
  g_warn_on_full_buffer.store(warn_on_full_buffer);
  return g_fd.exchange(fd);
}

void WriteWakeupByte(int signum) {
  // Signal-handler context.
  const int fd = g_fd.load(std::memory_order_acquire);
  if (fd == -1) return;
  const unsigned char byte = static_cast<unsigned char>(signum);
  WakeupWriter writer = g_writer.load(std::memory_order_acquire);
  if (writer == nullptr) writer = &::write;
  ssize_t written;
  do {
    written = writer(fd, &byte, 1);
  } while (written < 0 && errno == EINTR);
  if (written >= 0) return;
  const bool full = errno == EAGAIN || errno == EWOULDBLOCK;
  // A full buffer is expected by programs that only use the descriptor as a wake-up; they say
  // so with warn_on_full_buffer=False. Every other failure is always worth a warning.
  if (!full || g_warn_on_full_buffer.load(std::memory_order_relaxed)) {
    g_failure_errno.store(errno, std::memory_order_release);
  }
}

void ReportWakeupFailure() {
  const int failure = g_failure_errno.exchange(0);
  if (failure == 0) return;
  try {
    ThrowOSError(failure);
  } catch (const BaseException& e) {
    WriteStderr(std::string("Exception ignored while writing a signal number to the signal ") +
                "wakeup fd:\n" + e.TypeName() + ": " + e.Message() + "\n");
  }
}

void SetWakeupWriterForTest(WakeupWriter writer) { g_writer.store(writer); }

}  // namespace sigref
