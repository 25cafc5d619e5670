#include "py_stdout.h"

#include <unistd.h>

#include <cstdlib>

#include "blocking.h"
#include "errors.h"
#include "stderr_note.h"

namespace sigref_driver {
namespace {

constexpr size_t kBufferSize = 8192;  // io.DEFAULT_BUFFER_SIZE.

}  // namespace

PyStdout::PyStdout(int fd) : fd_(fd) {
  const char* unbuffered = std::getenv("PYTHONUNBUFFERED");
  unbuffered_ = unbuffered != nullptr && unbuffered[0] != '\0';
  line_buffered_ = isatty(fd_) == 1;
}

void PyStdout::Write(const std::string& text) {
  std::lock_guard<std::mutex> lock(mutex_);
  buffer_ += text;
  if (unbuffered_) {
    try {
      FlushLocked();
    } catch (...) {
      buffer_.clear();  // Unbuffered output has no buffer to keep it in.
      throw;
    }
    return;
  }
  if (buffer_.size() >= kBufferSize ||
      (line_buffered_ && text.find('\n') != std::string::npos)) {
    FlushLocked();
  }
}

void PyStdout::Flush() {
  std::lock_guard<std::mutex> lock(mutex_);
  FlushLocked();
}

void PyStdout::FlushLocked() {
  while (!buffer_.empty()) {
    // sigref::Write retries after EINTR with a safe point, as Python's writes do.
    const size_t written = sigref::Write(fd_, buffer_);
    buffer_.erase(0, written);
  }
}

bool PyStdout::FlushAtExit() {
  try {
    Flush();
    return true;
  } catch (const sigref::BaseException& e) {
    sigref::WriteStderr(std::string("Exception ignored while flushing sys.stdout at exit:\n") +
                        e.TypeName() + ": " + e.Message() + "\n");
    return false;
  }
}

}  // namespace sigref_driver
