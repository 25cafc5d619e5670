#include "console.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <iostream>

namespace sigconform {
namespace {

bool g_stdout_lost = false;

// Points descriptor `fd` at /dev/null, so that later writes (ours, a library's, the final
// flush at exit) succeed silently instead of failing again.
void ToDevNull(int fd) {
  int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (null < 0) return;
  if (null != fd) {
    while (dup2(null, fd) < 0 && errno == EINTR) {
    }
    close(null);
  }
}

}  // namespace

void IgnoreSigpipe() { signal(SIGPIPE, SIG_IGN); }

void PrintOut(const std::string& text) {
  if (g_stdout_lost) return;
  std::cout << text;
  std::cout.flush();
  if (!std::cout) {
    // EPIPE (the reader left) or another write error: stop printing for good, as the
    // documentation advises, and let the run finish.
    g_stdout_lost = true;
    ToDevNull(STDOUT_FILENO);
    std::cout.clear();
  }
}

void PrintErr(const std::string& text) {
  std::cerr << text;
  std::cerr.flush();
  if (!std::cerr) {
    ToDevNull(STDERR_FILENO);
    std::cerr.clear();
  }
}

bool StdoutLost() { return g_stdout_lost; }

}  // namespace sigconform
