// A file descriptor with one owner: closed when the owner goes away.
#ifndef SIGCONFORM_RUNNER_UNIQUE_FD_H_
#define SIGCONFORM_RUNNER_UNIQUE_FD_H_

#include <unistd.h>

#include <utility>

namespace sigconform {

// Owns one descriptor and closes it on destruction. Move-only. The process layer uses it so
// that no error path can leak a pipe end: a leaked write end would keep a reader from ever
// seeing end-of-file.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  ~UniqueFd() { reset(); }

  // The descriptor, -1 when empty.
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }

  // Gives the descriptor up without closing it.
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

  // Closes the current descriptor (if any) and takes `fd`. close() is not retried on EINTR:
  // on Linux the descriptor is released even then, and a retry could close a descriptor that
  // another thread has just been given.
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_UNIQUE_FD_H_
