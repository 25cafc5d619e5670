#include "startup.h"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "errors.h"
#include "handler_table.h"
#include "handlers.h"
#include "main_thread.h"
#include "names.h"
#include "stderr_note.h"
#include "trip.h"

namespace sigref {
namespace {

// Start-up has no caller to raise at: a failure here means the process cannot model the
// module, so it says why and stops.
[[noreturn]] void Die(const char* what, int errnum) {
  WriteStderr(std::string("sigref: start-up failed: ") + what + ": " + std::strerror(errnum) +
              "\n");
  std::abort();
}

void IgnoreAtStartup(int signum) {
  const Value ignore = HandlersValue(1);
  if (InstallDisposition(signum, ignore) != 0) Die("ignoring a signal", errno);
  ExchangeHandler(signum, ignore);
}

void InitializeOnce() {
  RecordMainThread();
  for (int signum = 1; signum < Nsig(); ++signum) {
    struct sigaction inherited;
    Value handler;  // None unless the disposition is one the module has a name for.
    if (sigaction(signum, nullptr, &inherited) == 0) {
      if (inherited.sa_handler == SIG_DFL) handler = HandlersValue(0);
      if (inherited.sa_handler == SIG_IGN) handler = HandlersValue(1);
    }
    ExchangeHandler(signum, handler);
  }
  IgnoreAtStartup(SIGPIPE);
  IgnoreAtStartup(SIGXFSZ);
  if (GetHandler(SIGINT).kind == Value::Kind::kEnum && GetHandler(SIGINT).i == 0) {
    const Value handler = Value::Function(DefaultIntHandler());
    if (InstallDisposition(SIGINT, handler) != 0) Die("installing the SIGINT handler", errno);
    ExchangeHandler(SIGINT, handler);
  }
}

}  // namespace

void Initialize() {
  static std::once_flag once;
  std::call_once(once, InitializeOnce);
}

}  // namespace sigref

namespace sigref {

void AfterForkInChild() {
  RecordMainThread();
  ClearAllTripped();
}

}  // namespace sigref
