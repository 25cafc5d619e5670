// The driver's model of Python's sys.stdout: a buffered text stream on fd 1, so that cases
// about output that is lost or fails at exit (a reader that went away, PYTHONUNBUFFERED) see
// what a Python program sees.
#ifndef SIGREF_DRIVER_PY_STDOUT_H_
#define SIGREF_DRIVER_PY_STDOUT_H_

#include <mutex>
#include <string>

namespace sigref_driver {

// Block-buffered on a pipe or file (8 KiB), line-buffered on a terminal, unbuffered when
// PYTHONUNBUFFERED is set to a non-empty value, as CPython's start-up decides.
class PyStdout {
 public:
  explicit PyStdout(int fd);

  // sys.stdout.write(text). Flushes when the buffering mode says so; a failed write then raises
  // the OSError subclass of its errno (BrokenPipeError for EPIPE while SIGPIPE is ignored).
  void Write(const std::string& text);

  // sys.stdout.flush(). On failure the unwritten bytes stay buffered (as in CPython, whose
  // buffered writer keeps them), so the exit-time flush fails again.
  void Flush();

  // The interpreter's flush at exit: false after printing the failure on stderr, in which case
  // the process must exit with status 120, as CPython does.
  bool FlushAtExit();

 private:
  void FlushLocked();

  int fd_;                  // Normally 1.
  bool unbuffered_;         // PYTHONUNBUFFERED: every write goes straight out; nothing is kept.
  bool line_buffered_;      // A terminal: flush at each newline.
  std::string buffer_;      // Bytes written but not yet flushed.
  std::mutex mutex_;        // Steps of several threads may write.
};

}  // namespace sigref_driver

#endif  // SIGREF_DRIVER_PY_STDOUT_H_
